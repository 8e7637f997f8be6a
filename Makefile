# Haven: install, run, test. Needs Python 3.11+ and make; Java 17 and Maven for the search engine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
PORT ?= 8080

.PHONY: install install-run run test test-fast engine-up engine-down bench clean

# Running needs only Haven itself; tests and the bench each add their own extra to the same venv.
install-run: $(VENV)/.installed
install: $(VENV)/.installed-test

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.created
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.created
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

run: install-run
	$(BIN)/haven up --demo --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not engine and not browser and not integration" $(PYTEST_ARGS)

engine-up:
	deploy/opensearch/engine up --port 9200

engine-down:
	deploy/opensearch/engine down

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
