# Two commands for a newcomer: `make run` and `make test`. Everything else is bootstrapped here.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
TOOLS := .tools
VENV := .venv
UV := $(TOOLS)/bin/uv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
RUN_PG := .pg
# The ladder the demo shows: each guide imported in turn, lowest step first.
SHIPPED_GUIDES := guides/data/m2-to-m3.md guides/data/m3-to-e1.md
AS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE := 1
# Installed packages are compiled once, at install: without bytecode every command would compile
# Django afresh (about 1.5 s a start).
export UV_COMPILE_BYTECODE := 1
# The days the date-sensitive tests (marked `dates`) must also pass on: month and year ends, leap
# days, a first of the month.
TEST_DATES := 2026-12-02 2026-12-31 2027-02-28 2027-03-01 2028-02-29
ifdef TEST_TODAY
export TEST_TODAY
endif

# A throwaway PostgreSQL cluster for the rest of the recipe line, removed when it ends, pass or fail.
define scratch_cluster
tmp=$$(mktemp -d /tmp/promotions-$(1).XXXXXX); \
trap 'scripts/pg.sh remove "$$tmp"' EXIT; \
PG_EXTRA_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" scripts/pg.sh start "$$tmp"; \
export PRIVATE_STORAGE_ROOT="$$tmp/private"
endef

.PHONY: help install system-packages run db test test-dates lint bench clean backup restore

help:
	@echo "make run   install, start the private database, load the demo and serve on http://127.0.0.1:8000"
	@echo "make test  the whole suite on a throwaway PostgreSQL and real Chromium (TEST_TODAY=YYYY-MM-DD: as if on that day)"
	@echo "make test-dates  the date-sensitive tests on each of $(TEST_DATES)"
	@echo "make bench seed 2,000 candidates on a throwaway PostgreSQL, time every page, write BENCHMARKS.md"

# The project's own uv, in a small venv of the pinned Python, so nothing global is needed.
$(UV):
	@command -v python$(PYTHON_VERSION) >/dev/null || { echo "Python $(PYTHON_VERSION) is required (see .python-version)"; exit 1; }
	python$(PYTHON_VERSION) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python python$(PYTHON_VERSION)
	touch $@

install: system-packages $(VENV)/.synced

# PostgreSQL, Chromium and the packet PDF's fonts (DejaVu, its obliques, and Droid's fallback for
# the scripts DejaVu lacks) come from Debian's packages when missing.
system-packages:
	@missing=""; \
	command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf ] || missing="$$missing fonts-dejavu-extra"; \
	[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || missing="$$missing fonts-droid-fallback"; \
	if [ -n "$$missing" ]; then \
	  if [ "$(AS_ROOT)" = yes ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Please install these Debian packages first:$$missing"; exit 1; \
	  fi; \
	fi

# The app's own database: the private cluster named $(RUN_PG) (see scripts/pg.sh for where it lives),
# unless DATABASE_URL points elsewhere.
db: install
ifndef DATABASE_URL
	scripts/pg.sh start $(RUN_PG)
	scripts/pg.sh createdb $(RUN_PG) promotions
endif

run: db
	@export DATABASE_URL="$${DATABASE_URL:-$$(scripts/pg.sh url $(RUN_PG) promotions)}"; \
	$(MANAGE) migrate --no-input; \
	for guide in $(SHIPPED_GUIDES); do $(MANAGE) import_guide "$$guide" --if-new; done; \
	$(MANAGE) load_demo; \
	echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"; \
	$(MANAGE) db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(MANAGE) runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The whole suite on a throwaway cluster, over every core.
test: install lint
	@$(call scratch_cluster,test); \
	scripts/pg.sh createdb "$$tmp" promotions; \
	export DATABASE_URL="$$(scripts/pg.sh url "$$tmp" promotions)"; \
	$(MANAGE) makemigrations --check --dry-run; \
	$(MANAGE) check --fail-level WARNING; \
	DEBUG=false SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ALLOWED_HOSTS=reviews.example.org SITE_URL=https://reviews.example.org \
	  $(MANAGE) check --deploy --fail-level WARNING; \
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# The tests that build their data from today, once as if on each of TEST_DATES (one test database,
# migrated once).
test-dates: install
	@$(call scratch_cluster,dates); \
	scripts/pg.sh createdb "$$tmp" promotions; \
	export DATABASE_URL="$$(scripts/pg.sh url "$$tmp" promotions)"; \
	for day in $(TEST_DATES); do \
	  echo "== the date-sensitive tests as if on $$day"; \
	  TEST_TODAY=$$day $(PY) -m pytest -n auto -m dates --reuse-db -q $(PYTEST_ARGS); \
	done

# A pg_dump (custom format) of the app's database, DATABASE_URL or else the one of `make run`,
# into backups/promotions-YYYYmmdd-HHMMSS.dump.
backup: db
	@export DATABASE_URL="$${DATABASE_URL:-$$(scripts/pg.sh url $(RUN_PG) promotions)}"; \
	scripts/backup.sh

# Replace what is in that database with a backup: make restore FILE=backups/promotions-….dump
ifneq ($(filter restore,$(MAKECMDGOALS)),)
ifndef FILE
$(error usage: make restore FILE=backups/promotions-YYYYmmdd-HHMMSS.dump)
endif
endif
restore: db
	@export DATABASE_URL="$${DATABASE_URL:-$$(scripts/pg.sh url $(RUN_PG) promotions)}"; \
	scripts/restore.sh "$(FILE)"

# Speed on a large organisation, on a throwaway cluster removed afterwards; BENCH_ARGS=--quick tries
# the harness on small data.
bench: install
	@$(call scratch_cluster,bench); \
	scripts/pg.sh createdb "$$tmp" bench_full; \
	scripts/pg.sh createdb "$$tmp" bench_tenth; \
	export BENCH_FULL_URL="$$(scripts/pg.sh url "$$tmp" bench_full)" \
	  BENCH_TENTH_URL="$$(scripts/pg.sh url "$$tmp" bench_tenth)"; \
	$(PY) scripts/bench.py $(BENCH_ARGS)

# Stops the app's database and deletes it (see `scripts/pg.sh where .pg`), then the installed tools.
clean:
	-scripts/pg.sh remove $(RUN_PG)
	rm -rf $(VENV) $(TOOLS) staticfiles
