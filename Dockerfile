# Front-end assets come from the npm registry and are built in their own stage; the runtime
# image carries only Python, our code and the built files.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY app/assets/ app/assets/
RUN npm run --silent build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 WIA_HOST=0.0.0.0 WIA_PORT=8000 \
    WIA_ENVIRONMENT=production
RUN useradd --create-home --uid 10001 wia
WORKDIR /srv/wia
COPY pyproject.toml README.md alembic.ini ./
COPY app/ app/
COPY assessments/ assessments/
COPY migrations/ migrations/
COPY rubrics/ rubrics/
COPY templates/ templates/
COPY --from=assets /build/app/static/ app/static/
# Editable, so the code finds templates/, rubrics/ and migrations/ beside it in /srv/wia.
RUN pip install -e . && mkdir -p data && chown wia:wia data
USER wia
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# Migrate and publish the rubrics (both idempotent), then serve. In production start-up is
# refused without WIA_SECRET_KEY.
CMD ["sh", "-c", "wia db upgrade && wia rubric publish && exec wia serve"]
