"""Every ingress command: its example is valid; each required field, removed, is named; each
field given a wrong type is named; the example is documented in the AsyncAPI file."""

import json

import pytest

from services.intake.ingress import AcceptedCommand, IngressMessage, Rejection, parse_ingress
from shared.contracts.catalogue import INGRESS_COMMANDS
from shared.docs import ASYNCAPI_PATH
from shared.testing.factories import (
    feedback_payload,
    movement_payloads,
    progress_payload,
    update_payload,
)

EXAMPLES = {
    "feedback.submit.v1": feedback_payload(),
    "feedback.update.v1": update_payload("PAKN-2026-000001", "extended", unit_code="THANH_TRA"),
    "task.progress.v1": progress_payload(),
    **movement_payloads(),
}


def _parse(routing_key: str, payload: dict):
    return parse_ingress(IngressMessage(
        body=json.dumps(payload, ensure_ascii=False).encode(), message_id="m",
        routing_key=routing_key, message_type=None, correlation_id=None))


def _required(routing_key: str) -> list[str]:
    model = next(m for m in INGRESS_COMMANDS if m.routing_key() == routing_key)
    return [name for name, f in model.model_fields.items() if f.is_required()]


def test_every_ingress_command_has_an_example():
    assert set(EXAMPLES) == {m.routing_key() for m in INGRESS_COMMANDS}


@pytest.mark.parametrize("routing_key", sorted(EXAMPLES))
def test_example_is_valid(routing_key):
    assert isinstance(_parse(routing_key, EXAMPLES[routing_key]), AcceptedCommand)


@pytest.mark.parametrize(("routing_key", "field"), [
    (rk, f) for rk in sorted(EXAMPLES) for f in _required(rk)])
def test_each_missing_required_field_is_named(routing_key, field):
    payload = {k: v for k, v in EXAMPLES[routing_key].items() if k != field}
    result = _parse(routing_key, payload)
    assert isinstance(result, Rejection)
    assert f"data.{field}" in {e.field for e in result.errors}


@pytest.mark.parametrize(("routing_key", "field"), [
    (rk, f) for rk in sorted(EXAMPLES) for f in EXAMPLES[rk]])
def test_each_field_with_a_wrong_type_is_named(routing_key, field):
    result = _parse(routing_key, {**EXAMPLES[routing_key], field: {"unexpected": ["object"]}})
    assert isinstance(result, Rejection), field
    assert any(e.field.startswith(f"data.{field}") for e in result.errors)


@pytest.mark.parametrize("routing_key", sorted(EXAMPLES))
def test_command_is_documented(routing_key):
    assert f"{routing_key}:" in ASYNCAPI_PATH.read_text(encoding="utf-8")
