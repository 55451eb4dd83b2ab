# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   - install into .venv if needed, then run lead_sync on the bundled samples
#   make test   - install into .venv if needed, then run the whole test suite
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Prefect keeps its own files (temporary API database, profiles) here, not in ~/.prefect.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export GX_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export LEADS_TIMEZONE ?= Europe/Berlin

.PHONY: install demo test lint bench deploy clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/leads run --config leads.yaml

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/file_pipeline.py --leads 10000 100000

deploy: $(STAMP)
	LEADS_HOME=$(CURDIR) $(BIN)/prefect deploy --all

clean:
	rm -rf .leads .prefect
