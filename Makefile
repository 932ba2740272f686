# dvk — two commands on a fresh machine: `make run` runs the system, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DVK    := $(VENV)/bin/dvk
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test test-fast lint services setup migrate docs bench faults clean \
        rabbit-definitions run-as-service-users ops-queues

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

test: setup lint  ## lint, then the whole suite, with real RabbitMQ and PostgreSQL where available
	bash scripts/ensure-services.sh
	$(PY) -m pytest -q

lint: setup  ## ruff, with the rules pyproject.toml selects
	$(VENV)/bin/ruff check .

test-fast: setup  ## unit and contract tests only: no broker, no database server
	$(PY) -m pytest -q tests/unit tests/contract

docs: setup  ## regenerate docs/asyncapi.yaml from the apps
	$(PY) -m shared.docs
	$(PY) -m shared.messaging.definitions

faults: setup  ## the full fault set: 10,000 cases, SIGKILLs, RabbitMQ and PostgreSQL restarts
	bash scripts/ensure-services.sh
	DVK_FAULTS=full $(PY) -m pytest -q -s tests/faults

bench: setup  ## baseline and system throughput, latency, memory; annual report build
	bash scripts/ensure-services.sh
	$(PY) -m bench.run

rabbit-definitions:  ## load deploy/rabbitmq/definitions.json into the local RabbitMQ (vhost dvk, users)
	bash scripts/ensure-services.sh rabbitmq definitions

# The four services with their own least-privilege users in vhost dvk (development passwords);
# the topology comes from the definitions, so the services do not declare it.
AS_SERVICE_USERS := DVK_AMQP_URL=amqp://dvk-admin:dvk-admin-dev@127.0.0.1:5672/dvk \
	DVK_DECLARE_TOPOLOGY=false \
	DVK_INTAKE_AMQP_URL=amqp://dvk-intake:dvk-intake-dev@127.0.0.1:5672/dvk \
	DVK_ROUTING_AMQP_URL=amqp://dvk-routing:dvk-routing-dev@127.0.0.1:5672/dvk \
	DVK_NOTIFY_AMQP_URL=amqp://dvk-notify:dvk-notify-dev@127.0.0.1:5672/dvk \
	DVK_REPORTING_AMQP_URL=amqp://dvk-reporting:dvk-reporting-dev@127.0.0.1:5672/dvk

run-as-service-users: setup rabbit-definitions  ## like `run`, each service with its own RabbitMQ user
	$(AS_SERVICE_USERS) $(DVK) up

ops-queues: setup  ## queues, consumers and dead letters (exit 1 on a problem: a probe)
	$(PY) -m shared.ops.cli queues

clean:
	rm -rf var .pytest_cache
