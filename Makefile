# Two commands do all the set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Where `make serve` listens: HOST=0.0.0.0 PORT=9000 make serve. Unset, `genserve serve` takes
# GENSERVE_HOST / GENSERVE_PORT, else 127.0.0.1:8000 (app/config.py): one place for the defaults.
HOST ?=
PORT ?=

.PHONY: serve test lint typecheck unit test-ts weights bench bench-env clean

# What serving needs (genserve and its dependencies) ...
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

# ... and what testing adds (pytest, mypy, ruff, schemathesis, playwright, hadolint).
$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

serve: $(BIN)/.installed  ## start the service with the shipped models
	$(BIN)/genserve serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: lint typecheck unit test-ts  ## lint, type-check, the test suite, the TypeScript client

lint: $(BIN)/.installed-test
	$(BIN)/ruff check .

typecheck: $(BIN)/.installed-test
	$(BIN)/mypy app models genserve_client
	$(BIN)/mypy --strict models  # the model contract and every model (also in pyproject)

unit: $(BIN)/.installed-test
	$(BIN)/pytest -q

TS_CLIENT := clients/typescript

# The TypeScript client: install from the lock file, strict type-check (package and README
# example), then node --test: the checked-in types and dist/ against a fresh generate and build,
# the decoders, and every operation against a live server started from this venv.
test-ts: $(BIN)/.installed  ## the TypeScript client's checks (needs Node 20+ and npm)
	cd $(TS_CLIENT) && npm ci --no-audit --no-fund && npm run typecheck && npm test

weights: $(BIN)/.installed  ## retrain the shipped models (see README)
	bash scripts/train_shipped.sh

BENCH_VENV := bench/.venv

$(BENCH_VENV)/.installed: bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	-$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check torchgmm
	touch $@

bench-env: $(BENCH_VENV)/.installed  ## the peers' environment (LitServe, TorchGMM), benchmarks only

bench: $(BIN)/.installed $(BENCH_VENV)/.installed  ## all benchmarks (~25 min); see bench/README.md
	$(BIN)/python -m bench.serving
	$(BIN)/python -m bench.gmm_fit
	$(BIN)/python -m bench.vae_training
	$(BIN)/python -m bench.iwae_memory

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
