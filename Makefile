# Two commands do all set-up on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint i18n bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes (new dependency, new console script).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/clc-admin db upgrade
	$(BIN)/clc-admin demo
	$(BIN)/clc-bot run

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Extract msgids from the code, merge them into both catalogs, compile the .mo files.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k NP_:1,2 --no-wrap --sort-by-file -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-wrap --no-fuzzy-matching
	$(BIN)/pybabel compile -d locales -D messages --statistics

bench: $(STAMP)
	CLC_BENCH_DATABASE_URL=$${CLC_BENCH_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test} $(BIN)/python -m bench
	$(BIN)/python -m bench.export_memory

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
