"""Who a refused message says it is (claimed_identity), as an accepted resend that corrects it
would say (accepted_identity): the same idempotency key (source system, type and version,
message id) or the same sender's own id of what it is about (source system, type, external id)."""

import json

from services.intake.ingress import (
    AcceptedCommand,
    Identity,
    IngressMessage,
    accepted_identity,
    bounded_body,
    claimed_identity,
    parse_ingress,
)
from shared.testing.factories import feedback_payload, progress_payload, update_payload


def _msg(body, *, message_id: str | None = "m-1", routing_key="feedback.submit.v1",
         message_type=None, keyed=False) -> IngressMessage:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return IngressMessage(body=raw, message_id=message_id, routing_key=routing_key,
                          message_type=message_type, correlation_id=None, keyed=keyed)


def _accepted(msg: IngressMessage) -> Identity:
    parsed = parse_ingress(msg)
    assert isinstance(parsed, AcceptedCommand), parsed
    return accepted_identity(parsed)


def test_a_corrected_resend_under_the_same_message_id_has_the_refusals_message_key():
    good = feedback_payload(external_id="DVC-1")
    refused = claimed_identity(_msg({**good, "kind": "khen_ngoi", "external_id": "DVC-1x"}))
    accepted = _accepted(_msg(good))
    assert refused.message_key == accepted.message_key == "test-portal|feedback.submit.v1|m-1"
    assert refused.source_key != accepted.source_key


def test_a_corrected_resend_under_another_message_id_has_the_refusals_source_key():
    good = feedback_payload(external_id="DVC-1")
    refused = claimed_identity(_msg({**good, "channel": "bo_cau"}, message_id="m-1"))
    accepted = _accepted(_msg(good, message_id="m-2"))
    assert refused.message_key != accepted.message_key
    assert refused.source_key == accepted.source_key == "test-portal|feedback.submit|DVC-1"


def test_without_a_message_id_only_the_source_key_can_match():
    """The message id is then the body's hash, and a corrected body has another."""
    good = feedback_payload(external_id="DVC-1")
    refused = claimed_identity(_msg({**good, "kind": "?"}, message_id=None))
    accepted = _accepted(_msg(good, message_id=None))
    assert refused.message_key != accepted.message_key
    assert refused.source_key == accepted.source_key


def test_another_system_or_another_kind_of_command_is_another_identity():
    refused = claimed_identity(_msg({**feedback_payload(external_id="X-1"), "kind": "?"}))
    other_system = _accepted(_msg(feedback_payload(external_id="X-1", source_system="hotline")))
    progress = _accepted(_msg(progress_payload(external_id="X-1"), routing_key="task.progress.v1"))
    for other in (other_system, progress):
        assert other.message_key != refused.message_key
        assert other.source_key != refused.source_key


def test_texts_are_read_as_the_contracts_read_them():
    """Whitespace stripped and NFC, as pydantic and parse_ingress leave the accepted command."""
    decomposed = "DVC-Hà-1".replace("à", "a\u0300")
    refused = claimed_identity(_msg({**feedback_payload(external_id=f" {decomposed} "),
                                     "source_system": " test-portal ", "kind": "?"}))
    accepted = _accepted(_msg(feedback_payload(external_id="DVC-Hà-1")))
    assert refused == accepted


def test_an_update_is_known_by_its_update_id_and_an_envelope_by_its_event_id():
    bad = update_payload("PAKN-2026-000001", "bogus", unit_code="THANH_TRA", update_id="U-1")
    good = update_payload("PAKN-2026-000001", "accepted", unit_code="THANH_TRA", update_id="U-1")
    refused = claimed_identity(_msg(bad, routing_key="feedback.update.v1", message_id="u-a"))
    accepted = _accepted(_msg(good, routing_key="feedback.update.v1", message_id="u-b"))
    assert refused.source_key == accepted.source_key == "unit-tools|feedback.update|U-1"
    envelope = {"event_id": "e-1", "type": "feedback.submit", "schema_version": 1,
                "occurred_at": "2026-11-20T08:00:00+07:00", "correlation_id": "c-1",
                "producer": "hotline", "data": {**feedback_payload(), "kind": "?"}}
    assert claimed_identity(_msg(envelope, routing_key="x")).message_key == \
        "test-portal|feedback.submit.v1|e-1"


def test_a_kept_command_run_again_is_known_by_its_key():
    msg = _msg(feedback_payload(), message_id="test-portal|feedback.submit.v1|m-1", keyed=True)
    assert claimed_identity(msg).message_key == "test-portal|feedback.submit.v1|m-1"


def test_what_cannot_be_read_claims_no_identity():
    nothing = Identity(None, None)
    assert claimed_identity(_msg(b"{not json")) == nothing
    assert claimed_identity(_msg(b"[1, 2]")) == nothing
    assert claimed_identity(_msg(feedback_payload(), routing_key="legacy")) == nothing
    conflicting = _msg(feedback_payload(), routing_key="feedback.update.v1",
                       message_type="feedback.submit.v1")
    assert claimed_identity(conflicting) == nothing
    body, truncated = bounded_body(json.dumps(feedback_payload()).encode(), 100)
    assert claimed_identity(IngressMessage(body=body, message_id="m-1",
                                           routing_key="feedback.submit.v1", message_type=None,
                                           correlation_id=None, truncated=truncated)) == nothing


def test_without_a_source_system_there_is_no_source_key():
    payload = feedback_payload()
    del payload["source_system"]
    assert claimed_identity(_msg(payload)).source_key is None
