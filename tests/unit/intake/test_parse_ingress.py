import json
import unicodedata
from decimal import Decimal

import pytest

from services.intake.ingress import (
    AcceptedCommand,
    IngressMessage,
    Rejection,
    as_utf8,
    parse_ingress,
)
from shared.contracts.feedback import SubmitFeedback
from shared.testing.factories import feedback_payload, progress_payload, windows_1258


def _msg(body, *, routing_key="feedback.submit.v1", message_id="m-1", message_type=None,
         headers=None) -> IngressMessage:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return IngressMessage(body=raw, message_id=message_id, routing_key=routing_key,
                          message_type=message_type, correlation_id=None, headers=headers or {})


def _fields(result) -> set[str]:
    assert isinstance(result, Rejection), result
    return {e.field for e in result.errors}


def test_bare_payload_is_typed_by_its_routing_key():
    result = parse_ingress(_msg(feedback_payload(kind="kien_nghi")))
    assert isinstance(result, AcceptedCommand)
    assert isinstance(result.command, SubmitFeedback)
    assert result.event_id == "test-portal|feedback.submit.v1|m-1"
    assert result.correlation_id == "m-1"


def test_envelope_is_accepted_with_its_own_ids():
    envelope = {"event_id": "e-9", "type": "feedback.submit", "schema_version": 1,
                "occurred_at": "2026-11-20T08:00:00+07:00", "correlation_id": "c-1",
                "causation_id": None, "producer": "hotline", "data": feedback_payload()}
    result = parse_ingress(_msg(envelope, routing_key="anything"))
    assert isinstance(result, AcceptedCommand)
    assert (result.event_id, result.correlation_id) == ("test-portal|feedback.submit.v1|e-9", "c-1")


def test_type_property_wins_when_routing_key_is_generic():
    result = parse_ingress(_msg(feedback_payload(), routing_key="from-java",
                                message_type="feedback.submit.v1"))
    assert isinstance(result, AcceptedCommand)


def test_invalid_json_is_rejected_naming_the_body():
    assert _fields(parse_ingress(_msg(b"{not json"))) == {"body"}


def test_non_object_is_rejected():
    assert _fields(parse_ingress(_msg(b"[1, 2]"))) == {"body"}


def test_unknown_type_is_rejected_naming_type():
    result = parse_ingress(_msg(feedback_payload(), routing_key="feedback.teleport.v1"))
    assert _fields(result) == {"type"}
    assert "unknown" in result.reason


def test_unknown_schema_version_is_rejected():
    assert _fields(parse_ingress(_msg(feedback_payload(), routing_key="feedback.submit.v7"))) \
        == {"type"}


def test_an_event_cannot_be_sent_as_a_command():
    result = parse_ingress(_msg(feedback_payload(), routing_key="intake.feedback_received.v1"))
    assert _fields(result) == {"type"}


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "khen_ngoi"}, "data.kind"),
    ({"channel": "bo_cau"}, "data.channel"),
    ({"received_at": "2026-11-20T08:00:00"}, "data.received_at"),
    ({"subject": ""}, "data.subject"),
    ({"sender": {"anonymous": False}}, "data.sender"),
    ({"sender": {"name": "A", "phone": "abc"}}, "data.sender.phone"),
    ({"sender": {"name": "A", "national_id": "12"}}, "data.sender.national_id"),
    ({"attachments": ["not a url"]}, "data.attachments.0"),
    ({"surprise": 1}, "data.surprise"),
])
def test_each_invalid_field_is_named(change, field):
    assert field in _fields(parse_ingress(_msg({**feedback_payload(), **change})))


def test_missing_field_is_named():
    payload = feedback_payload()
    del payload["content"]
    assert _fields(parse_ingress(_msg(payload))) == {"data.content"}


def test_rejection_reasons_never_echo_the_input():
    payload = {**feedback_payload(), "sender": {"name": "Lê Văn Tố", "national_id": "12"}}
    result = parse_ingress(_msg(payload))
    assert "Lê Văn Tố" not in json.dumps([e.as_dict() for e in result.errors], ensure_ascii=False)


def test_same_bytes_without_message_id_get_the_same_event_id():
    body = json.dumps(feedback_payload()).encode()
    first = parse_ingress(_msg(body, message_id=None))
    second = parse_ingress(_msg(body, message_id=None))
    assert first.event_id == second.event_id


def test_unaccented_vietnamese_is_accepted_as_sent():
    payload = feedback_payload(subject="Tre em lang thang", content="De nghi ho tro tre em")
    result = parse_ingress(_msg(payload))
    assert result.command.subject == "Tre em lang thang"


@pytest.mark.parametrize("header", [1, "1", b"1", 1.0, Decimal("1")])
def test_schema_version_header_in_any_client_type_is_read(header):
    result = parse_ingress(_msg(feedback_payload(), headers={"x-schema-version": header}))
    assert isinstance(result, AcceptedCommand)


@pytest.mark.parametrize("header", ["abc", b"v1", 1.5, Decimal("1.5"), 0, -2, True])
def test_unreadable_schema_version_header_is_refused_naming_the_header(header):
    result = parse_ingress(_msg(feedback_payload(), headers={"x-schema-version": header}))
    assert _fields(result) == {"x-schema-version"}
    assert "schema version" in result.reason


def test_unknown_version_lists_only_what_integrating_systems_may_send():
    result = parse_ingress(_msg(feedback_payload(), headers={"x-schema-version": 7}))
    assert _fields(result) == {"type"}
    detail = result.errors[0].reason
    assert "feedback.submit.v7 is not known" in detail and "feedback.submit.v1" in detail
    assert "routing.case_assigned" not in detail


def test_an_id_longer_than_the_store_keeps_stands_as_its_hash():
    long_id = "urn:uuid:" + "x" * 240  # AMQP allows 255 bytes
    first = parse_ingress(_msg(feedback_payload(), message_id=long_id))
    again = parse_ingress(_msg(feedback_payload(), message_id=long_id))
    other = parse_ingress(_msg(feedback_payload(), message_id=long_id + "y"))
    assert isinstance(first, AcceptedCommand)
    assert first.event_id == again.event_id != other.event_id
    assert len(first.event_id) <= 200
    assert first.correlation_id.startswith("sha256:") and len(first.correlation_id) <= 200


def test_one_id_from_two_systems_or_for_two_kinds_of_command_is_three_commands():
    """Ids are the sending system's own: another system, or another kind of command, may use
    the same one."""
    first = parse_ingress(_msg(feedback_payload(source_system="cong-dvc"), message_id="713001"))
    other_system = parse_ingress(_msg(feedback_payload(source_system="hotline"),
                                      message_id="713001"))
    progress = parse_ingress(_msg(progress_payload(source_system="cong-dvc"), message_id="713001",
                                  routing_key="task.progress.v1"))
    resent = parse_ingress(_msg(feedback_payload(source_system="cong-dvc"), message_id="713001"))
    keys = {r.event_id for r in (first, other_system, progress)}
    assert len(keys) == 3 and resent.event_id == first.event_id


def test_a_kept_command_run_again_keeps_its_key():
    first = parse_ingress(_msg(feedback_payload(), message_id="m-7"))
    again = parse_ingress(IngressMessage(
        body=json.dumps(feedback_payload()).encode(), message_id=first.event_id,
        routing_key="feedback.submit.v1", message_type=None, correlation_id=None, keyed=True))
    assert again.event_id == first.event_id


def test_a_routing_key_too_long_to_be_a_command_is_refused_and_kept_short():
    msg = _msg(feedback_payload(), routing_key="feedback." + "z" * 250)
    assert len(msg.routing_key) == 200
    assert _fields(parse_ingress(msg)) == {"type"}


def test_a_body_in_windows_1258_is_read_as_its_charset_says():
    payload = feedback_payload(kind="kien_nghi")
    body = windows_1258(json.dumps(payload, ensure_ascii=False))
    assert as_utf8(body, "application/json") == body  # no charset: as sent
    assert _fields(parse_ingress(_msg(body))) == {"body"}  # not UTF-8
    result = parse_ingress(_msg(as_utf8(body, 'application/json; charset="Windows-1258"')))
    assert isinstance(result, AcceptedCommand)
    assert result.command.subject == unicodedata.normalize("NFC", payload["subject"])
    assert result.command.content == unicodedata.normalize("NFC", payload["content"])


def test_utf8_labelled_as_a_one_byte_charset_is_still_read_as_utf8():
    payload = feedback_payload(kind="kien_nghi")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    for label in ("iso-8859-1", "windows-1258", "us-ascii"):
        assert as_utf8(body, f"application/json; charset={label}") == body
    result = parse_ingress(_msg(as_utf8(body, "application/json; charset=iso-8859-1")))
    assert result.command.subject == unicodedata.normalize("NFC", payload["subject"])


def test_a_body_that_does_not_decode_in_its_charset_is_refused_as_sent():
    body = "{\"subject\": \"Đề nghị\"}".encode() + b"\xff\xfe\x81"
    assert as_utf8(body, "application/json; charset=utf-8") == body
    assert as_utf8(body, "application/json; charset=no-such-charset") == body
    assert _fields(parse_ingress(_msg(as_utf8(body, "text/plain; charset=ascii")))) == {"body"}


@pytest.mark.parametrize(("routing_key", "payload", "field"), [
    ("feedback.submit.v1", feedback_payload(received_at="2099-01-01T08:00:00+07:00"),
     "data.received_at"),
    ("task.progress.v1", progress_payload(reported_at="2099-01-01T08:00:00+07:00"),
     "data.reported_at"),
])
def test_a_time_that_has_not_come_yet_is_refused_naming_its_field(routing_key, payload, field):
    result = parse_ingress(_msg(payload, routing_key=routing_key))
    assert _fields(result) == {field} and "chưa tới" in result.reason


def test_a_sender_clock_a_few_minutes_ahead_is_accepted():
    from datetime import UTC, datetime, timedelta
    soon = (datetime.now(UTC) + timedelta(minutes=3)).isoformat()
    assert isinstance(parse_ingress(_msg(feedback_payload(received_at=soon))), AcceptedCommand)
