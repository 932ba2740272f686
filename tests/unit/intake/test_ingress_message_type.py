"""Which message type a delivery is: its AMQP type property and its routing key (and an
envelope's own type) must not name two different dvk message types. A type property that names
no dvk type at all (absent, a class name, a MIME type) is what other clients commonly send and
is never a reason to refuse."""

import json

import pytest

from services.intake.ingress import (
    AcceptedCommand,
    IngressMessage,
    Rejection,
    TypeName,
    dvk_type_name,
    parse_ingress,
)
from shared.contracts.feedback import SubmitFeedback
from shared.contracts.plan import ReportTaskProgress
from shared.testing.factories import feedback_payload


def _msg(body, *, routing_key: str | None, message_type: str | None,
         headers=None) -> IngressMessage:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return IngressMessage(body=raw, message_id="m-1", routing_key=routing_key,
                          message_type=message_type, correlation_id=None, headers=headers or {})


def _envelope(message_type: str, version: int = 1) -> dict:
    return {"event_id": "e-1", "type": message_type, "schema_version": version,
            "occurred_at": "2026-11-20T08:00:00+07:00", "correlation_id": "c-1",
            "causation_id": None, "producer": "hotline", "data": feedback_payload()}


@pytest.mark.parametrize(("message_type", "routing_key"), [
    ("feedback.submit.v1", "feedback.update.v1"),
    ("feedback.update", "feedback.submit.v1"),
    ("feedback.submit.v1", "feedback.submit.v2"),  # the same type in two versions
    ("intake.feedback_received.v1", "feedback.submit.v1"),  # an event's name is a dvk name
])
def test_a_type_property_naming_another_dvk_type_than_the_routing_key_is_refused(
        message_type, routing_key):
    result = parse_ingress(_msg(feedback_payload(), routing_key=routing_key,
                                message_type=message_type))
    assert isinstance(result, Rejection)
    [error] = result.errors
    assert error.field == "type"
    assert repr(message_type) in error.reason and repr(routing_key) in error.reason
    assert result.reason == ("thuộc tính type và routing key ghi hai loại thông điệp khác nhau"
                             " — the type property and the routing key name different message "
                             "types")


@pytest.mark.parametrize("message_type", [
    None, "", "com.example.dvk.FeedbackDto", "FeedbackSubmitted", "application/json",
    "com.acme.Feedback.v2",  # a class name with a version suffix: still not a dvk type
    "feedback.submit.v1", "feedback.submit",  # the same type, with or without its version
])
def test_a_type_property_that_agrees_or_names_no_dvk_type_lets_the_routing_key_govern(
        message_type):
    result = parse_ingress(_msg(feedback_payload(), routing_key="feedback.submit.v1",
                                message_type=message_type))
    assert isinstance(result, AcceptedCommand), result
    assert isinstance(result.command, SubmitFeedback)
    assert result.event_id == "test-portal|feedback.submit.v1|m-1"


@pytest.mark.parametrize("routing_key", [None, "", "legacy", "intake.ingress", "cong-dvc.out"])
def test_the_type_property_governs_when_the_routing_key_names_no_dvk_type(routing_key):
    result = parse_ingress(_msg(feedback_payload(), routing_key=routing_key,
                                message_type="feedback.submit.v1"))
    assert isinstance(result, AcceptedCommand) and isinstance(result.command, SubmitFeedback)


def test_a_version_stated_in_one_place_only_is_the_version():
    result = parse_ingress(_msg(feedback_payload(), routing_key="feedback.submit.v7",
                                message_type="feedback.submit"))
    assert isinstance(result, Rejection) and "feedback.submit.v7 is not known" in \
        result.errors[0].reason


def test_neither_naming_a_dvk_type_is_refused_naming_type_as_before():
    result = parse_ingress(_msg(feedback_payload(), routing_key="legacy",
                                message_type="com.acme.Feedback.v2"))
    assert isinstance(result, Rejection) and [e.field for e in result.errors] == ["type"]
    assert "com.acme.Feedback.v2 is not known" in result.errors[0].reason


def test_an_envelope_naming_another_dvk_type_than_the_routing_key_is_refused():
    result = parse_ingress(_msg(_envelope("feedback.submit"), routing_key="task.progress.v1",
                                message_type=None))
    assert isinstance(result, Rejection) and [e.field for e in result.errors] == ["type"]
    assert "envelope 'feedback.submit.v1' but routing key 'task.progress.v1'" in \
        result.errors[0].reason


def test_three_names_are_checked_pairwise():
    """feedback.submit (no version) agrees with both v1 and v2, which do not agree."""
    result = parse_ingress(_msg(_envelope("feedback.submit", 2), routing_key="feedback.submit.v1",
                                message_type="feedback.submit"))
    assert isinstance(result, Rejection) and result.errors[0].field == "type"


@pytest.mark.parametrize("routing_key", ["anything", "feedback.submit.v1", None])
def test_an_envelope_agreeing_with_or_beside_a_generic_routing_key_is_accepted(routing_key):
    result = parse_ingress(_msg(_envelope("feedback.submit"), routing_key=routing_key,
                                message_type="com.example.Envelope"))
    assert isinstance(result, AcceptedCommand)


def test_dvk_type_names():
    assert dvk_type_name("task.progress.v1") == TypeName(ReportTaskProgress.message_type, 1)
    assert dvk_type_name("task.progress") == TypeName("task.progress", None)
    assert dvk_type_name("task.progress.v9") == TypeName("task.progress", 9)  # unknown version
    for other in (None, "", "#", "Task.Progress.v1", "task.progress.v1.extra", "TaskProgress"):
        assert dvk_type_name(other) is None
