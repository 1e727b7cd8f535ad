# The two commands a person needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test lint install serve migrate clean bench bench-ledger bench-points bench-roster

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/xuebi migrate --no-input -v 0

## Set up, load the Xilingol demo (idempotent) and serve it on http://127.0.0.1:$(PORT), with a worker for background tasks
demo: migrate
	XUEBI_DEMO=1 $(BIN)/xuebi demo
	@echo ""
	@echo "学比演示站点：http://127.0.0.1:$(PORT)/  （Ctrl-C 停止）"
	XUEBI_DEMO=1 $(BIN)/xuebi worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  XUEBI_DEMO=1 $(BIN)/xuebi runserver 127.0.0.1:$(PORT) --insecure --noreload

## Run the whole test suite (SQLite by default; set XUEBI_DATABASE_URL for PostgreSQL)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Lint (in CI): ruff (pyflakes, pycodestyle, bugbear; and the formatter's check), import-linter's layers (.importlinter), and mypy
## with django-stubs on the services, the selectors and the points engine
MYPY_PATHS ?= $(wildcard src/xuebi/*/services.py src/xuebi/*/selectors.py src/xuebi/*/services src/xuebi/*/selectors) src/xuebi/points/engine.py src/xuebi/points/readmodel.py src/xuebi/core/bulk.py src/xuebi/jobs/schedule.py src/xuebi/exams/banks.py src/xuebi/exams/sheets.py
lint: install
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	PYTHONPATH=src $(BIN)/lint-imports
	PYTHONPATH=src $(BIN)/mypy $(MYPY_PATHS)

bench: install
	$(BIN)/python bench/run.py

## Ledger benchmark: timeline and review queue with 200,000 records (BENCH_RECORDS to change)
bench-ledger: install
	$(BIN)/python bench/ledger.py

## Points benchmark: leaderboards, own rank, award, load under gunicorn + wrk; 10k→100k people, 1M→10M entries
## (PostgreSQL: XUEBI_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuebi_points_bench; see bench/points.py)
bench-points: install
	$(BIN)/python bench/points.py

## Roster import benchmark: 10,000 rows imported against openpyxl just reading them (BENCH_ROSTER_ROWS to change)
bench-roster: install
	$(BIN)/python bench/roster.py

clean:
	rm -rf $(VENV) var .pytest_cache
