"""One body limit on both ways in (intake.max_body_bytes, DVK_INTAKE_MAX_BODY_BYTES): over it a
message is refused naming `body` and the limit, answered (HTTP 413, AMQP reply), and kept as
its first bytes with the size and SHA-256 of the whole. AMQP through FastStream's in-memory
broker; HTTP through the real app; SQLite and PostgreSQL."""

import gzip
import hashlib
import json

import httpx
import pytest
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from sqlalchemy import select

from services.intake import access
from services.intake.http import build_http
from services.intake.operator_http import build_operator_http
from services.intake.orm import Case, RejectedMessage
from services.intake.subscribers import build_router
from shared.testing.factories import feedback_payload

LIMIT = 64 * 1024


@pytest.fixture
def small(intake):
    intake.max_body_bytes = LIMIT
    return intake


def _padded(size: int, **overrides) -> bytes:
    """A valid feedback, padded with whitespace (valid JSON) to `size` bytes."""
    body = json.dumps(feedback_payload(**overrides), ensure_ascii=False).encode()
    return body + b" " * (size - len(body))


async def _kept(intake, rejection_id: str) -> RejectedMessage:
    async with intake.sessions() as s:
        return await s.get(RejectedMessage, rejection_id)


def _assert_names_body_and_limit(reply: dict, size: int) -> None:
    assert reply["status"] == "rejected" and reply["rejection_id"]
    assert reply["reason"] == ("nội dung vượt quá giới hạn 65.536 byte — body is larger than "
                               "the 65536-byte limit")
    assert reply["errors"] == [{"field": "body", "reason": f"{size} bytes; intake reads at most "
                                f"{LIMIT} bytes of a body (DVK_INTAKE_MAX_BODY_BYTES)"}]


async def _assert_kept_truncated(intake, rejection_id: str, body: bytes) -> None:
    kept = await _kept(intake, rejection_id)
    assert (kept.body_size, kept.body_truncated) == (len(body), True)
    assert kept.body_sha256 == hashlib.sha256(body).hexdigest()
    assert intake.sealer.open(kept.sealed_body).encode() == body[:LIMIT]


# ---- AMQP --------------------------------------------------------------------------------

@pytest.fixture
async def amqp(small):
    broker = RabbitBroker(logger=None)
    broker.include_router(build_router(small))
    async with TestRabbitBroker(broker) as br:
        async def ask(body: bytes, **properties) -> dict:
            response = await br.request(body, queue="intake.ingress",
                                        message_type="feedback.submit.v1",
                                        content_type="application/json", **properties)
            return json.loads(response.body)
        yield ask


async def test_an_amqp_body_over_the_limit_is_refused_and_kept_cut(amqp, small):
    body = _padded(LIMIT + 500)
    reply = await amqp(body, message_id="big-1")
    _assert_names_body_and_limit(reply, LIMIT + 500)
    await _assert_kept_truncated(small, reply["rejection_id"], body)
    again = await amqp(body, message_id="big-1")  # the same bytes again: the same refusal
    assert again["rejection_id"] == reply["rejection_id"]


async def test_an_amqp_body_at_the_limit_is_read(amqp, small):
    assert (await amqp(_padded(LIMIT), message_id="at-limit"))["status"] == "accepted"


async def test_a_compressed_body_inflating_past_the_limit_is_refused_and_kept_as_sent(amqp,
                                                                                     small):
    squeezed = gzip.compress(_padded(LIMIT + 500))
    reply = await amqp(squeezed, message_id="gz-1", content_encoding="gzip")
    assert [e["field"] for e in reply["errors"]] == ["content_encoding"]
    assert f"more than {LIMIT} bytes" in reply["errors"][0]["reason"]
    kept = await _kept(small, reply["rejection_id"])
    assert (kept.body_size, kept.body_truncated) == (len(squeezed), False)


# ---- HTTP --------------------------------------------------------------------------------

@pytest.fixture
async def client(small):
    app = FastAPI()
    app.include_router(build_http(small))
    app.include_router(build_operator_http(small))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as c:
        key, clear = access.new_key("test-portal", {"submit"})
        async with small.uow() as work:
            work.access.add(key)
            await work.commit()
        c.headers["X-API-Key"] = clear
        yield c


async def test_an_http_body_over_the_limit_gets_413_in_the_refusal_shape_and_is_kept(
        client, small):
    body = _padded(LIMIT + 1)
    response = await client.post("/v1/feedback", content=body,
                                 headers={"Idempotency-Key": "big-http"})
    assert response.status_code == 413
    _assert_names_body_and_limit(response.json(), LIMIT + 1)
    await _assert_kept_truncated(small, response.json()["rejection_id"], body)
    again = await client.post("/v1/feedback", content=body,
                              headers={"Idempotency-Key": "big-http"})
    assert again.status_code == 413
    assert again.json()["rejection_id"] == response.json()["rejection_id"]


async def test_a_streamed_http_body_without_a_length_is_bounded_too(client, small):
    body = _padded(3 * LIMIT)

    async def chunks():
        for start in range(0, len(body), 10_000):
            yield body[start:start + 10_000]

    response = await client.post("/v1/feedback", content=chunks())
    assert response.status_code == 413
    await _assert_kept_truncated(small, response.json()["rejection_id"], body)


async def test_the_operator_sees_the_size_and_replays_only_a_fixed_message(client, small):
    body = _padded(LIMIT + 1, external_id="DVC-BIG")
    rejection_id = (await client.post("/v1/feedback", content=body)).json()["rejection_id"]
    shown = (await client.get(f"/v1/rejected/{rejection_id}")).json()
    assert (shown["body_size"], shown["body_truncated"]) == (LIMIT + 1, True)
    as_kept = await client.post(f"/v1/rejected/{rejection_id}/replay")
    assert as_kept.status_code == 409 and "--body" in as_kept.json()["detail"]
    fixed = await client.post(f"/v1/rejected/{rejection_id}/replay",
                              json=feedback_payload(external_id="DVC-BIG"))
    assert fixed.json()["status"] == "accepted"
    async with small.sessions() as s:
        assert len(list(await s.scalars(select(Case)))) == 1
