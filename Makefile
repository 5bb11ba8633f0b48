# Two commands on a fresh machine: `make run` and `make test`. Everything else is here for them.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app contest
PO := $(wildcard contest/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test lint install translations extract-messages bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed $(MO)

%.mo: %.po
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# Local settings for a development machine: a random secret key, plain-http cookies. Never overwritten.
instance/config.py:
	@mkdir -p instance
	@$(BIN)/python -c 'import secrets; print("# Written by make run for local development; see README for every setting.\nCONTEST_ENV = \"development\"\nSECRET_KEY = " + repr(secrets.token_urlsafe(48)))' > $@
	@echo "Wrote $@ (development settings)."

run: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check contest tests bench

test: install
	$(BIN)/ruff check contest tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o contest/translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i contest/translations/messages.pot -d contest/translations --no-fuzzy-matching --omit-header

# Benchmarks need wrk (Debian's package) and PostgreSQL at 127.0.0.1:5432 (BENCH_PG_URL to change it);
# they take several minutes and write docs/performance.md. BENCH_ARGS passes options (see bench/run.py --help).
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/features.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
