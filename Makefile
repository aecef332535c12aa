# The two commands a new machine needs: `make run` and `make test` (both install first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROD_ENV := SERENTAK_ENV=production DEBUG=0 ALLOWED_HOSTS=serentak.example.org \
	SECRET_KEY=ci-only-production-check-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	SERENTAK_TOKEN_KEYS=Y2ktb25seS10b2tlbi1rZXktMDEyMzQ1Njc4OWFiY2Q=

# Where each pytest run writes its JUnit XML (sqlite.xml, postgres.xml); unset: none.
# .ci/run sets it and fails on any skipped test it finds there.
JUNIT_DIR ?=
junit = $(if $(JUNIT_DIR),--junitxml=$(JUNIT_DIR)/$(1).xml)

.PHONY: install run test lint typecheck checks pytest pytest-postgres messages clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/serentak run

test: install lint typecheck checks pytest pytest-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy serentak tests

checks: install
	$(PROD_ENV) DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py check --deploy --fail-level WARNING
	DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m serentak.core.i18n_check

# The whole suite on SQLite (browser tests included). The URL names an in-memory database,
# not the developer's var/serentak.sqlite3, so nothing a test does can reach that file.
pytest: install
	DATABASE_URL=sqlite:///:memory: $(BIN)/pytest -n 2 -q $(call junit,sqlite) $(PYTEST_ARGS)

# The suite again on PostgreSQL when DATABASE_URL points at one (CI does; locally optional).
# Each xdist worker creates and drops its own test_<name>_gw<N> database there.
pytest-postgres: install
	@case "$$DATABASE_URL" in \
	  postgres*) set -x; $(BIN)/pytest -n 2 -q -m "not browser" $(call junit,postgres) $(PYTEST_ARGS);; \
	  *) echo "pytest-postgres: DATABASE_URL is not PostgreSQL; skipped here (CI runs it).";; \
	esac

# Refresh the translation catalogues after changing UI text (needs GNU gettext), then compile.
messages: install
	cd serentak && ../$(BIN)/python ../manage.py makemessages -l id -l en --no-obsolete --no-location
	$(BIN)/python -m serentak.core.i18n_check --fill-english
	$(BIN)/python -m serentak.core.i18n_check --compile

clean:
	rm -rf var $(VENV)
