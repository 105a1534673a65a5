# letters: `make run` serves the sample archive, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
#: `make run PORT=8001` serves a second demo beside the first; NEW_PASSWORD=1 makes a new password.
PORT ?= 8000
HOST ?= 127.0.0.1
NEW_PASSWORD ?=

.PHONY: setup run test check lint bench specimens catalogs clean

setup: $(STAMP)
	@scripts/system-packages.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# the port is checked first: a demo already running is left untouched
run:
	@$(PYTHON) scripts/demo.py --check-port --host $(HOST) --port $(PORT)
	@$(MAKE) --no-print-directory setup
	$(BIN)/python scripts/demo.py --host $(HOST) --port $(PORT)$(if $(NEW_PASSWORD), --new-password)

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

# after a change to the English of locales/messages.pot: each language's messages.po follows it
catalogs: setup
	$(BIN)/python scripts/catalogs.py

clean:
	rm -rf $(VENV) index .letters
