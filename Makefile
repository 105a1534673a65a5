# letters: `make run` serves the sample archive, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test check lint bench specimens clean

setup: $(STAMP)
	@scripts/system-packages.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(BIN)/python scripts/demo.py

# Every test, spread over the machine's CPUs.
test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --dist loadfile

# The fast tier: lint, types and every test not marked browser, ocr or slow.
check: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not (browser or ocr or slow)"

bench: setup
	$(BIN)/python -m bench

specimens: setup
	$(BIN)/python scripts/make_specimens.py

clean:
	rm -rf $(VENV) index .letters
