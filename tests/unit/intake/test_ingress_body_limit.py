"""One limit for every body intake reads (DVK_INTAKE_MAX_BODY_BYTES): over it the message is
refused naming `body` and the limit, and kept as its first bytes with the whole one's size and
SHA-256."""

import gzip
import hashlib
import json
from types import SimpleNamespace

import pytest

from services.intake.ingress import (
    IngressMessage,
    Rejection,
    Truncated,
    bounded_body,
    parse_ingress,
)
from services.intake.settings import DEFAULT_MAX_BODY_BYTES, IntakeSettings
from services.intake.subscribers import UnreadableEncoding, as_ingress
from shared.testing.factories import feedback_payload

LIMIT = 64 * 1024


def _oversized(size: int = LIMIT + 1) -> bytes:
    payload = feedback_payload()
    body = json.dumps(payload, ensure_ascii=False).encode()
    return body[:-1] + b', "padding": "' + b"x" * (size - len(body) - 15) + b'"}'


def _delivery(body: bytes, **properties) -> SimpleNamespace:
    raw = SimpleNamespace(content_type="application/json", content_encoding=None,
                          message_id="m-1", routing_key="feedback.submit.v1", type=None,
                          correlation_id=None, headers={}, redelivered=False)
    for name, value in properties.items():
        setattr(raw, name, value)
    return SimpleNamespace(body=body, raw_message=raw)


def test_the_brokers_redelivered_flag_is_carried():
    assert as_ingress(_delivery(b"{}", redelivered=True)).redelivered is True
    assert as_ingress(_delivery(b"{}")).redelivered is False


def test_a_body_within_the_limit_is_whole():
    body = b"x" * LIMIT
    assert bounded_body(body, LIMIT) == (body, None)


def test_a_body_over_the_limit_keeps_its_first_bytes_its_size_and_its_hash():
    body = _oversized(LIMIT + 10)
    kept, truncated = bounded_body(body, LIMIT)
    assert kept == body[:LIMIT]
    assert truncated == Truncated(size=LIMIT + 10, sha256=hashlib.sha256(body).hexdigest(),
                                  limit=LIMIT)


def test_an_oversized_body_is_refused_naming_body_and_the_limit():
    kept, truncated = bounded_body(_oversized(), LIMIT)
    result = parse_ingress(IngressMessage(body=kept, message_id="m-1",
                                          routing_key="feedback.submit.v1", message_type=None,
                                          correlation_id=None, truncated=truncated))
    assert isinstance(result, Rejection)
    [error] = result.errors
    assert error.field == "body"
    assert error.reason == (f"{LIMIT + 1} bytes; intake reads at most {LIMIT} bytes of a body "
                            "(DVK_INTAKE_MAX_BODY_BYTES)")
    assert result.reason == ("nội dung vượt quá giới hạn 65.536 byte — body is larger than the "
                             "65536-byte limit")


def test_an_amqp_body_over_the_limit_arrives_cut_and_marked():
    body = _oversized(LIMIT + 100)
    msg = as_ingress(_delivery(body), limit=LIMIT)
    assert msg.body == body[:LIMIT] and msg.truncated.size == LIMIT + 100
    assert as_ingress(_delivery(body), limit=LIMIT + 100).truncated is None


def test_a_compressed_body_counts_as_sent_then_as_inflated():
    body = _oversized(LIMIT + 100)
    squeezed = gzip.compress(body)  # small as sent...
    with pytest.raises(UnreadableEncoding, match=f"inflates to more than {LIMIT} bytes"):
        as_ingress(_delivery(squeezed, content_encoding="gzip"), limit=LIMIT)  # ...too big read
    kept = as_ingress(_delivery(squeezed, content_encoding="gzip"), limit=LIMIT, inflate=False)
    assert kept.body == squeezed and kept.truncated is None  # kept whole, as sent
    assert as_ingress(_delivery(squeezed, content_encoding="gzip"),
                      limit=LIMIT + 100).body == body


def test_the_limit_is_a_setting_with_a_floor(monkeypatch):
    assert IntakeSettings().max_body_bytes == DEFAULT_MAX_BODY_BYTES == 1024 * 1024
    monkeypatch.setenv("DVK_INTAKE_MAX_BODY_BYTES", "2097152")
    assert IntakeSettings().max_body_bytes == 2 * 1024 * 1024
    monkeypatch.setenv("DVK_INTAKE_MAX_BODY_BYTES", "1000")
    with pytest.raises(ValueError, match="max_body_bytes"):
        IntakeSettings()
