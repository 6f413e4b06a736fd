# Everything a fresh clone needs, from Python 3.11, Node/npm and Debian's packages.
#   make run   – set up, migrate, publish the rubrics and serve on http://127.0.0.1:8000 (SQLite)
#   make test  – set up and run the whole suite (TEST_DATABASE_URL=postgresql+psycopg://… for PostgreSQL)
#   make test-fast – the same without the browser and operations tests, for quick loops
#   make lint  – ruff check, ruff format --check, mypy
#   make bench – the benchmark (not part of `make test`): bench/README.md

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
# pytest-xdist workers, each on a database of its own (tests/databases.for_worker); the
# operations tests share one worker (xdist_group "operations").
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

.PHONY: run test test-fast lint bench install assets db browser pdf-libs libreoffice clean dockerfile-check

run: install assets pdf-libs db
	$(BIN)/wia serve --worker

test: install assets browser pdf-libs libreoffice
	$(PYTEST)

test-fast: install assets
	$(PYTEST) --ignore tests/e2e --ignore tests/operations

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Seeds 100,000 assessment versions on SQLite, then on PostgreSQL (its own database wia_bench,
# created and dropped; BENCH_POSTGRES_URL=… for another server), measures each against baselines
# from the same server, prints the table and writes bench/results.json. About 10 minutes.
bench: install assets
	$(BIN)/python -m bench.run

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

assets: app/static/.built

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

app/static/.built: node_modules/.installed $(wildcard app/assets/*)
	npm run --silent build
	touch $@

# Docker cannot run here: replay the Dockerfile's steps in a scratch folder, serve the result,
# and check compose.yaml (.ci/dockerfile).
dockerfile-check: install
	$(BIN)/python .ci/dockerfile

db: install
	$(BIN)/wia db upgrade
	$(BIN)/wia rubric publish
	$(BIN)/wia demo

# The browser tests drive Debian's Chromium (test tools cannot download browsers here).
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is needed for the browser tests: sudo apt-get install chromium" >&2; exit 1; \
	  fi; }

# WeasyPrint (the report's PDF) loads Pango and HarfBuzz's subsetter from Debian's packages; the
# Dockerfile installs the same ones.
pdf-libs: install
	@$(BIN)/python -W error -c "import weasyprint" 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends $(PDF_LIBS) >/dev/null; \
	  else \
	    echo "The report's PDF needs Debian's $(PDF_LIBS): sudo apt-get install them" >&2; exit 1; \
	  fi; }

# The CSV tests (-m libreoffice) open every export in Debian's LibreOffice Calc, headless; the
# service itself never needs it, so the Dockerfile does not install it.
libreoffice:
	@command -v soffice >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null; \
	  else \
	    echo "The CSV tests need LibreOffice: sudo apt-get install libreoffice-calc" >&2; exit 1; \
	  fi; }

clean:
	rm -rf $(VENV) node_modules app/static data .pytest_cache .mypy_cache .ruff_cache bench/scratch
