"""Checked-in files generated from code must match the code (run `make docs` to refresh)."""

import json

from shared.docs import ASYNCAPI_PATH, OPENAPI_PATH, generate, generate_openapi
from shared.messaging.definitions import DEFINITIONS_PATH, definitions, render
from shared.messaging.topology import QUEUES, declared_arguments


def test_asyncapi_is_current():
    assert ASYNCAPI_PATH.read_text(encoding="utf-8") == generate(), \
        "docs/asyncapi.yaml is stale: run `make docs`"


def test_openapi_of_the_gateway_is_current():
    assert OPENAPI_PATH.read_text(encoding="utf-8") == generate_openapi(), \
        "docs/openapi-intake.json is stale: run `make docs`"


def test_rabbitmq_definitions_are_current():
    assert DEFINITIONS_PATH.read_text(encoding="utf-8") == render(), \
        "deploy/rabbitmq/definitions.json is stale: run `make docs`"


def test_every_declared_queue_is_in_the_definitions_with_the_same_arguments():
    shipped = {q["name"]: q for q in json.loads(DEFINITIONS_PATH.read_text())["queues"]}
    for spec in QUEUES:
        assert shipped[spec.name]["arguments"] == declared_arguments(spec)
        assert shipped[spec.dead_letter_queue]["arguments"]["x-queue-type"] == "quorum"
        assert shipped[spec.name]["arguments"]["x-delivery-limit"] > 0


def test_every_queue_is_quorum_with_a_dead_letter_route():
    for queue in definitions()["queues"]:
        assert queue["arguments"]["x-queue-type"] == "quorum"
        if not queue["name"].endswith(".dlq"):
            assert queue["arguments"]["x-dead-letter-exchange"] == "dvk.dlx"


def test_asyncapi_documents_every_contract():
    from shared.contracts.catalogue import BY_TYPE

    text = ASYNCAPI_PATH.read_text(encoding="utf-8")
    for message_type, version in BY_TYPE:
        assert f"{message_type}.v{version}:" in text
