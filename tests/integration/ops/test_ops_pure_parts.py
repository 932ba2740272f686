"""The pure parts of `dvk ops` (no broker): reading a dead letter, grouping, redaction, the
probe's rules; and /metrics serving FastStream's and the domain's counters."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx

from shared import metrics
from shared.confidential import REDACTED
from shared.ops.deadletters import Selection, from_message, group, replay_headers
from shared.ops.management import QueueStats
from shared.ops.queues import problems, queue_rows
from shared.ops.redaction import redact_document, restore_redacted

FAILED_AT = "2026-11-20T02:15:00+00:00"


def _message(body: dict | bytes, **headers) -> SimpleNamespace:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return SimpleNamespace(body=raw, headers=headers, message_id="m-1", type="t", user_id="u",
                           content_type="application/json", content_encoding=None,
                           delivery_mode=2, priority=None, correlation_id="c-1", reply_to=None,
                           expiration=None, timestamp=None, app_id=None)


def _guarded(reason: str, **extra) -> dict:
    return {"x-dvk-reason": reason, "x-dvk-error-type": "ValidationError",
            "x-dvk-attempts": 1, "x-dvk-failed-at": FAILED_AT, "x-dvk-queue": "routing.cases",
            "x-dvk-original-exchange": "dvk.events",
            "x-dvk-original-routing-key": "intake.feedback_received.v1", **extra}


def test_a_guarded_dead_letter_reads_its_reason_origin_and_time():
    letter = from_message(_message({"a": 1}, **_guarded("data.ref: Field required")),
                          "routing.cases.dlq")
    assert (letter.queue, letter.reason, letter.attempts) == (
        "routing.cases", "data.ref: Field required", 1)
    assert (letter.original_exchange, letter.original_routing_key) == (
        "dvk.events", "intake.feedback_received.v1")
    assert letter.failed_at == datetime(2026, 11, 20, 2, 15, tzinfo=UTC)
    assert "user_id" not in letter.properties  # RabbitMQ would refuse a replay carrying it


def test_a_broker_dead_letter_reads_the_latest_death():
    deaths = [{"reason": "delivery_limit", "queue": "notify.cases", "exchange": "dvk.events",
               "routing-keys": ["routing.case_assigned.v1"], "count": 10},
              {"reason": "rejected", "queue": "old", "exchange": "x", "routing-keys": ["y"]}]
    letter = from_message(_message(b"not json", **{"x-death": deaths}), "notify.cases.dlq")
    assert letter.reason == "RabbitMQ: delivery_limit" and letter.error_type == "broker"
    assert (letter.original_exchange, letter.original_routing_key, letter.attempts) == (
        "dvk.events", "routing.case_assigned.v1", 10)


def test_letters_group_by_queue_and_reason_with_stable_ids():
    one = from_message(_message({"n": 1}, **_guarded("A")), "routing.cases.dlq")
    two = from_message(_message({"n": 2}, **_guarded("A")), "routing.cases.dlq")
    other = from_message(_message({"n": 3}, **_guarded("B")), "routing.cases.dlq")
    groups = group([other, one, two])
    assert [(g.reason, g.count) for g in groups] == [("A", 2), ("B", 1)]
    assert one.id != two.id and one.id == from_message(
        _message({"n": 1}, **_guarded("A")), "routing.cases.dlq").id
    assert Selection(groups=[groups[0].id]).matches(two)
    assert Selection(ids=[other.id[:6]]).matches(other) and not Selection(ids=["zz"]).matches(one)
    assert not Selection()


def test_a_replay_drops_the_death_headers_and_says_what_it_replays():
    letter = from_message(_message({}, **_guarded("A", **{"x-delivery-count": 4,
                                                           "x-tenant": "ha-tinh"})), "q.dlq")
    headers = replay_headers(letter, edited=True, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert headers["x-tenant"] == "ha-tinh" and headers["x-dvk-replay-of"] == letter.id
    assert headers["x-dvk-edited"] is True
    assert not {"x-delivery-count", "x-dvk-reason", "x-dvk-queue"} & headers.keys()


DENUNCIATION = {"type": "feedback.submit", "data": {
    "kind": "to_cao", "sender": {"name": "Trần Thị Hoa", "phone": "0912 345 678",
                                 "consent_to_contact": False},
    "subject": "Tố cáo cán bộ", "content": "Tôi là Trần Thị Hoa, số 0912.345.678, tố cáo ...",
    "sealed_contact": "gAAAA..."}}


def test_a_denouncer_is_masked_everywhere_in_the_body():
    shown = redact_document(DENUNCIATION)
    text = json.dumps(shown, ensure_ascii=False)
    assert "Trần Thị Hoa" not in text and "345" not in text and "gAAAA" not in text
    assert shown["data"]["sender"]["consent_to_contact"] is False
    assert shown["data"]["sealed_contact"] == REDACTED
    assert DENUNCIATION["data"]["sender"]["name"] == "Trần Thị Hoa"  # the original untouched


def test_a_denouncer_named_outside_subject_and_content_is_masked_there_too():
    letter = {"kind": "to_cao", "source_system": "cong-dvc", "channel": "email",
              "sender": {"name": "Trần Thị Hoa", "phone": "0912 345 678"},
              "category_hints": ["Tran Thi Hoa bị trù dập"],
              "locality": {"commune": "xã Thạch Kim", "district": "chị Hoa ở Lộc Hà"},
              "attachments": ["https://files.example.vn/tran-thi-hoa-0912345678.pdf"]}
    text = json.dumps(redact_document(letter), ensure_ascii=False)
    assert "Tran Thi Hoa" not in text and "chị Hoa" not in text and "0912345678" not in text
    assert "xã Thạch Kim" in text and '"cong-dvc"' in text and "bị trù dập" in text


def test_other_feedback_and_bare_payloads_are_judged_by_their_own_kind():
    plain = {"kind": "kien_nghi", "sender": {"name": "Lê Văn An"}}
    assert redact_document(plain) == plain
    confidential = {"kind": "khieu_nai", "confidential": True, "sender": {"name": "Lê Văn An"}}
    assert redact_document(confidential)["sender"]["name"] == REDACTED


def test_an_edited_copy_gets_the_masked_values_back():
    edited = redact_document(DENUNCIATION)
    edited["data"]["subject"] = "Tố cáo cán bộ xã (đã sửa)"
    restored = restore_redacted(edited, DENUNCIATION)
    assert restored["data"]["sender"] == DENUNCIATION["data"]["sender"]
    assert restored["data"]["content"] == DENUNCIATION["data"]["content"]
    assert restored["data"]["subject"] == "Tố cáo cán bộ xã (đã sửa)"


def _stats(name: str, messages: int = 0, consumers: int = 1) -> QueueStats:
    return QueueStats(name, messages, messages, 0, consumers, 0.0, 0.0)


def test_the_probe_names_missing_queues_idle_queues_and_dead_letters():
    from shared.messaging.topology import QUEUES

    stats = {s.name: _stats(s.name) for s in QUEUES}
    stats |= {s.dead_letter_queue: _stats(s.dead_letter_queue, consumers=0) for s in QUEUES}
    assert problems(queue_rows(stats), stats) == []
    stats["routing.cases"] = _stats("routing.cases", consumers=0)
    stats["notify.cases.dlq"] = _stats("notify.cases.dlq", messages=3, consumers=0)
    del stats["reporting.events"]
    found = problems(queue_rows(stats), stats)
    assert len(found) == 3
    assert any("routing.cases không có consumer" in p for p in found)
    assert any("notify.cases.dlq có 3 thư chết" in p for p in found)
    assert any("reporting.events không tồn tại" in p for p in found)


def test_every_subscriber_of_every_service_nacks_on_error(tmp_path):
    """A first failure must be redelivered, not rejected into the dead-letter queue."""
    import importlib

    from faststream import AckPolicy

    from shared.settings import SERVICES, CommonSettings, ServiceSettings

    common = CommonSettings(data_dir=tmp_path, confidentiality_key=DOC_KEY)
    for name in SERVICES:
        own = ServiceSettings(database_url="sqlite+aiosqlite:///:memory:", http_port=1,
                              amqp_url=common.amqp_url)
        parts = importlib.import_module(f"services.{name}.app").build(common, own)
        assert {s.ack_policy for s in parts.broker.subscribers} == {AckPolicy.NACK_ON_ERROR}


DOC_KEY = "ZG9jcy1vbmx5LWtleS1uZXZlci11c2VkLWZvci1kYXQ="


async def test_metrics_serve_faststream_and_domain_counters(tmp_path):
    from services.routing.app import build
    from shared.settings import CommonSettings, ServiceSettings

    common = CommonSettings(data_dir=tmp_path)
    parts = build(common, ServiceSettings(database_url="sqlite+aiosqlite:///:memory:",
                                          http_port=1, amqp_url=common.amqp_url))
    before = metrics.value(metrics.CASES_ASSIGNED, triage="false")
    metrics.case_assigned(triage=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parts.http),
                                 base_url="http://routing") as client:
        body = (await client.get("/metrics")).text
    assert "faststream_received_messages_total" in body
    assert "dvk_cases_assigned_total" in body and "process_cpu_seconds_total" in body
    assert metrics.value(metrics.CASES_ASSIGNED, triage="false") == before + 1
