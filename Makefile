# Haven: install, run, test. Needs Python 3.11+ and make; Java 17 and Maven for the search engine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install run test test-fast engine-up engine-down bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

run: install
	$(BIN)/haven up --demo

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not engine and not browser and not integration" $(PYTEST_ARGS)

engine-up:
	deploy/opensearch/engine up --port 9200

engine-down:
	deploy/opensearch/engine down

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
