# dvk — two commands on a fresh machine: `make run` runs the system, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DVK    := $(VENV)/bin/dvk
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test test-fast services setup migrate docs bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*; touch $(STAMP)

setup: $(STAMP)

services:  ## make sure RabbitMQ (and PostgreSQL, if installed) are running
	bash scripts/ensure-services.sh

run: setup  ## set up, migrate and run the four services in the foreground (Ctrl-C stops)
	bash scripts/ensure-services.sh rabbitmq
	$(DVK) up

migrate: setup
	$(DVK) migrate

test: setup  ## the whole suite, with real RabbitMQ and PostgreSQL where available
	bash scripts/ensure-services.sh
	$(PY) -m pytest -q

test-fast: setup  ## unit and contract tests only: no broker, no database server
	$(PY) -m pytest -q tests/unit tests/contract

docs: setup  ## regenerate docs/asyncapi.yaml from the apps
	$(PY) -m shared.docs
	$(PY) -m shared.messaging.definitions

clean:
	rm -rf var .pytest_cache
