# Front-end assets come from the npm registry and are built in their own stage; the runtime
# image carries only Python, our code and the built files.
# Docker cannot run on this project's machines: `make dockerfile-check` (.ci/dockerfile, in CI)
# replays every step below in a scratch directory. So keep RUN paths relative to WORKDIR, and
# give image-only commands (useradd, chown, apt-get) a RUN of their own: the replay skips those.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY app/assets/ app/assets/
RUN npm run --silent build

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    WIA_HOST=0.0.0.0 WIA_PORT=8000 WIA_ENVIRONMENT=production
RUN useradd --create-home --uid 10001 wia
# WeasyPrint, which makes the report's PDF, needs Pango and HarfBuzz's subsetter, and a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/wia
# Dependencies first, in a layer a code change does not rebuild (empty packages stand in for
# ours). Editable on purpose: the code finds templates/, rubrics/, migrations/ and alembic.ini
# beside itself (PROJECT_ROOT in app/settings.py), which a wheel in site-packages would not.
COPY pyproject.toml README.md ./
RUN mkdir app assessments && touch app/__init__.py assessments/__init__.py \
    && pip install --quiet -e .
COPY alembic.ini ./
COPY app/ app/
COPY assessments/ assessments/
COPY migrations/ migrations/
COPY rubrics/ rubrics/
COPY catalogues/ catalogues/
COPY templates/ templates/
COPY --from=assets /build/app/static/ app/static/
# The code stays root's and read-only to the service; only data/ (the SQLite default) is its own.
RUN mkdir data
RUN chown wia:wia data
USER wia
EXPOSE 8000
# Liveness only (the process answers); compose.yaml checks /readyz (database and migrations).
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz' % os.environ['WIA_PORT'], timeout=2)"]
# Migrate and publish the rubrics (both idempotent), then exec the server so that it is PID 1
# and gets `docker stop`'s SIGTERM. In production start-up is refused without WIA_SECRET_KEY and WIA_AUDIT_KEY.
CMD ["sh", "-c", "wia db upgrade && wia rubric publish && exec wia serve"]
