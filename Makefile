# The verbs a developer types and CI calls, exactly the same way.
#   make run    install everything into .venv, load the demo city, serve http://127.0.0.1:8000
#   make test   install the test needs, then ruff, mypy --strict on src/, pytest
#   make bench  run bench/ (B=name for one benchmark)
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never

PYTHON ?= python3.11
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
B ?=

.PHONY: help run test bench lint typecheck install uv npm chromium java postgres weasyprint poppler clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: install npm weasyprint  ## install, load the demo city (first run only), serve the app
	$(BIN)/beatwise db upgrade
	$(BIN)/beatwise demo
	$(BIN)/beatwise serve --host $(HOST) --port $(PORT)

test: install npm chromium java postgres weasyprint poppler  ## install the test needs, then lint, type-check and test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install  ## run the benchmarks (B=ingest for one) and append to docs/benchmarks.md
	$(BIN)/python bench/run.py $(B)

lint:  ## ruff only
	$(BIN)/ruff check src tests bench

typecheck:  ## mypy --strict on src/ only
	$(BIN)/mypy

install: $(VENV)/.synced  ## create .venv with uv and install Beatwise with its extras and dev tools

$(VENV)/.synced: pyproject.toml uv.lock | uv
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

npm: node_modules/.package-lock.json  ## front-end packages from the committed package-lock.json

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

chromium:  ## Debian's chromium for the browser tests (never a downloaded browser)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

weasyprint:  ## Debian's Pango, HarfBuzz subsetting and DejaVu fonts, which WeasyPrint (PDF) loads
	@ls /usr/lib/*/libpangoft2-1.0.so.0 /usr/lib/*/libharfbuzz-subset.so.0 \
		/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
			libharfbuzz-subset0 fonts-dejavu-core; }

poppler:  ## pdfinfo, pdftotext and pdftoppm, which the PDF report tests read pages with
	@command -v pdftoppm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq poppler-utils; }

java:  ## a Java runtime for the PySpark engine tests
	@command -v java >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq default-jre-headless; }

postgres:  ## start the local PostgreSQL cluster when it is installed and stopped
	@if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start; \
	fi

clean:  ## remove the virtual environment, node_modules and caches
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
