# Two commands do all the set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint typecheck unit weights bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

serve: $(BIN)/.installed  ## start the service with the shipped models
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

test: lint typecheck unit  ## lint, type-check and run the test suite

lint: $(BIN)/.installed
	$(BIN)/ruff check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy app models genserve_client

unit: $(BIN)/.installed
	$(BIN)/pytest -q

weights: $(BIN)/.installed  ## retrain the shipped models (see README)
	bash scripts/train_shipped.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
