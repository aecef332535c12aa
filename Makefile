# The two commands a new machine needs: `make run` and `make test` (both install first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROD_ENV := SERENTAK_ENV=production DEBUG=0 ALLOWED_HOSTS=serentak.example.org \
	SECRET_KEY=ci-only-production-check-key-0123456789-abcdefghijklmnopqrstuvwxyz

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

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy serentak tests

checks:
	$(PROD_ENV) DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py check --deploy --fail-level WARNING
	DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m serentak.core.i18n_check

# The whole suite on SQLite (browser tests included).
pytest:
	env -u DATABASE_URL $(BIN)/pytest -n 2 -q $(PYTEST_ARGS)

# The suite again on PostgreSQL when DATABASE_URL points at one (CI does; locally optional).
pytest-postgres:
	@case "$$DATABASE_URL" in \
	  postgres*) $(BIN)/pytest -n 2 -q -m "not browser" $(PYTEST_ARGS);; \
	  *) echo "pytest-postgres: DATABASE_URL is not PostgreSQL; skipped here (CI runs it).";; \
	esac

# Refresh the translation catalogues after changing UI text (needs GNU gettext), then compile.
messages: install
	cd serentak && ../$(BIN)/python ../manage.py makemessages -l id -l en --no-obsolete --no-location
	$(BIN)/python -m serentak.core.i18n_check --fill-english
	$(BIN)/python -m serentak.core.i18n_check --compile

clean:
	rm -rf var $(VENV)
