# letters: `make run` serves the sample archive, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The whole dependency set, direct and transitive, pinned with hashes: requirements/run.txt for serving,
# requirements/dev.txt for everything (tests, lint, benchmarks), requirements/build.txt for pip and
# setuptools, which install the others. `make lock` remakes them.
RUN_LOCK := requirements/run.txt
DEV_LOCK := requirements/dev.txt
BUILD_LOCK := requirements/build.txt
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-dev
# uv pip compile's arguments: both locks resolve for every platform and Python from 3.11 on.
LOCK_ARGS := pyproject.toml requirements/build.in --generate-hashes --universal --python-version 3.11 \
	-c requirements/constraints.txt --quiet
#: `make run PORT=8001` serves a second demo beside the first; NEW_PASSWORD=1 makes a new password.
PORT ?= 8000
HOST ?= 127.0.0.1
NEW_PASSWORD ?=

.PHONY: setup setup-run run test check lint lock bench specimens catalogs clean

setup: $(STAMP)
	@scripts/system-packages.sh

setup-run: $(RUN_STAMP)
	@scripts/system-packages.sh

# The locked installer and build backend first (requirements/build.txt), then exactly the locked set, every
# file checked against its hash and built (the few without wheels) with that backend, then letters itself
# without dependencies: nothing newer than the locks name can come in.
define install_lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(BUILD_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes --no-build-isolation -r $(1)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --no-index -e .
endef

$(RUN_STAMP): $(RUN_LOCK) $(BUILD_LOCK) pyproject.toml
	$(call install_lock,$(RUN_LOCK))
	@touch $(RUN_STAMP)

$(STAMP): $(DEV_LOCK) $(BUILD_LOCK) pyproject.toml
	$(call install_lock,$(DEV_LOCK))
	@touch $(STAMP) $(RUN_STAMP)

# Remake the locks after a change to the dependencies in pyproject.toml (other pins are kept);
# `make lock UPGRADE=1` takes the newest release of everything the constraints allow. Test what it gives.
lock: setup
	$(BIN)/uv pip compile $(LOCK_ARGS) --extra dev $(if $(UPGRADE),--upgrade) -o $(DEV_LOCK)
	$(BIN)/uv pip compile $(LOCK_ARGS) -c $(DEV_LOCK) -o $(RUN_LOCK)
	$(BIN)/uv pip compile requirements/build.in --generate-hashes --universal --python-version 3.11 \
		--quiet -c $(DEV_LOCK) -o $(BUILD_LOCK)

# the port is checked first: a demo already running is left untouched
run:
	@$(PYTHON) scripts/demo.py --check-port --host $(HOST) --port $(PORT)
	@$(MAKE) --no-print-directory setup-run
	$(BIN)/python scripts/demo.py --host $(HOST) --port $(PORT)$(if $(NEW_PASSWORD), --new-password)

# Every test, spread over the machine's CPUs.
test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --dist loadfile

# The fast tier: lint, types and every test not marked browser, ocr or slow; the types are checked
# while the tests run (mypy's report follows theirs), and the target fails if either fails.
check: setup
	$(BIN)/ruff check .
	@$(BIN)/mypy > $(VENV)/mypy-check.txt 2>&1 & types=$$!; \
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not (browser or ocr or slow)"; tests=$$?; \
	wait $$types; typed=$$?; echo "$(BIN)/mypy"; cat $(VENV)/mypy-check.txt; \
	test $$tests -eq 0 && test $$typed -eq 0

bench: setup
	$(BIN)/python -m bench

specimens: setup
	$(BIN)/python scripts/make_specimens.py

# after a change to the English of locales/messages.pot: each language's messages.po follows it
catalogs: setup
	$(BIN)/python scripts/catalogs.py

clean:
	rm -rf $(VENV) index .letters
