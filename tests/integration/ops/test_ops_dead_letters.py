"""`dvk ops dlq` on a real broker: dead letters made on purpose by routing, listed and grouped,
shown redacted, replayed (and then processed), edited and replayed, discarded with a reason."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from services.routing import handlers as routing_handlers
from shared.confidential import REDACTED
from shared.errors import PermanentError
from shared.testing.factories import envelope_of, received_event
from shared.testing.inprocess import eventually, running

from .conftest import depth, drain, publish

pytestmark = pytest.mark.broker
RECEIVED_KEY = "intake.feedback_received.v1"
RECEIVED_TYPE = "intake.feedback_received"
BUG = "danh mục đơn vị chưa nạp"


async def _event(amqp_url: str, document: dict, message_id: str) -> None:
    await publish(amqp_url, json.dumps(document, ensure_ascii=False).encode(),
                  exchange="dvk.events", routing_key=RECEIVED_KEY, message_id=message_id,
                  message_type=RECEIVED_TYPE)


def _valid(ref: str) -> dict:
    return json.loads(envelope_of(received_event(ref=ref), producer="intake").model_dump_json())


def _invalid_with_a_leaked_sender(ref: str) -> dict:
    """A producer bug: no ref, and the denouncer's identity where only a summary may be."""
    document = _valid(ref)
    document["data"].pop("ref")
    document["data"]["kind"] = "to_cao"
    document["data"]["sender"] = {"name": "Trần Thị Hoa", "phone": "0912345678"}
    return document


async def _assigned(parts, ref: str) -> bool:
    url = f"http://{parts.http_host}:{parts.http_port}/v1/assignments/{ref}"
    async with httpx.AsyncClient() as client:
        return (await client.get(url)).status_code == 200


def _break_routing(monkeypatch) -> None:
    async def broken(*args, **kwargs):
        raise PermanentError(BUG)

    monkeypatch.setattr(routing_handlers, "assign_case", broken)


async def test_dead_letters_grouped_by_reason_then_a_group_replayed_and_processed(
        amqp_url, tmp_path, ops, monkeypatch):
    refs = [f"PAKN-2026-00010{i}" for i in range(3)]
    async with running(("routing",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        _break_routing(monkeypatch)
        for ref in refs:
            await _event(amqp_url, _valid(ref), message_id=str(uuid.uuid4()))
        for n in range(2):
            await _event(amqp_url, _invalid_with_a_leaked_sender(f"X-{n}"), f"bad-{n}")
        await eventually(lambda: _depth_is(amqp_url, "routing.cases.dlq", 5))

        groups = await ops.json("dlq", "list")
        assert sorted((g["queue"], g["error_type"], g["count"]) for g in groups) == [
            ("routing.cases", "PermanentError", 3), ("routing.cases", "ValidationError", 2)]
        [bug] = [g for g in groups if g["error_type"] == "PermanentError"]
        assert bug["reason"] == f"PermanentError: {BUG}"

        monkeypatch.undo()  # the fix is deployed
        result = await ops("dlq", "replay", "--group", bug["group"])
        assert result.exit_code == 0, result.output
        for ref in refs:
            await eventually(lambda ref=ref: _assigned(parts["routing"], ref))
        left = await ops.json("dlq", "list", "--queue", "routing.cases")
    assert [(g["error_type"], g["count"]) for g in left] == [("ValidationError", 2)]
    replays = [e for e in ops.audit() if e["action"] == "replay"]
    assert len(replays) == 3 and {e["operator"] for e in replays} == {"cv.vanhanh"}
    assert all("body" not in e for e in ops.audit())


async def _depth_is(amqp_url: str, queue: str, expected: int) -> bool:
    return await depth(amqp_url, queue) == expected


async def test_show_masks_the_denouncer_and_keeps_the_reason_headers(amqp_url, tmp_path, ops):
    async with running(("routing",), amqp_url=amqp_url, data_dir=tmp_path):
        await _event(amqp_url, _invalid_with_a_leaked_sender("X-1"), "bad-1")
        await eventually(lambda: _depth_is(amqp_url, "routing.cases.dlq", 1))
        [group] = await ops.json("dlq", "list")
        letter_id = group["letters"][0]["id"]
        shown = await ops.json("dlq", "show", letter_id[:8])
        text = (await ops("dlq", "show", letter_id)).output
    assert shown["headers"]["x-dvk-error-type"] == "ValidationError"
    assert "data.ref" in shown["headers"]["x-dvk-reason"]
    assert shown["headers"]["x-dvk-original-routing-key"] == RECEIVED_KEY
    assert shown["body"]["data"]["sender"] == {"name": REDACTED, "phone": REDACTED}
    assert "Trần Thị Hoa" not in text and "0912345678" not in text
    assert await depth(amqp_url, "routing.cases.dlq") == 1  # looking took nothing away


async def test_edit_and_replay_processes_only_the_edited_copy(amqp_url, tmp_path, ops):
    async with running(("routing",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        await _spy_on_received_events(amqp_url)
        await _event(amqp_url, _invalid_with_a_leaked_sender("X-1"), "bad-1")
        await eventually(lambda: _depth_is(amqp_url, "routing.cases.dlq", 1))
        await drain(amqp_url, "spy")
        [group] = await ops.json("dlq", "list")
        letter_id = group["letters"][0]["id"]
        fixed = (await ops.json("dlq", "show", letter_id))["body"]
        fixed["data"].update(ref="PAKN-2026-000777", sender=_valid("x")["data"]["sender"])
        (tmp_path / "fixed.json").write_text(json.dumps(fixed, ensure_ascii=False))
        result = await ops("dlq", "replay", letter_id, "--body", str(tmp_path / "fixed.json"))
        assert result.exit_code == 0, result.output
        await eventually(lambda: _assigned(parts["routing"], "PAKN-2026-000777"))
        sent = await eventually(lambda: drain(amqp_url, "spy"))
        await asyncio.sleep(1)
        sent += await drain(amqp_url, "spy")
        assert await depth(amqp_url, "routing.cases.dlq") == 0
    [copy] = sent
    assert copy.message_id == "bad-1" and copy.headers["x-dvk-edited"] is True
    assert json.loads(copy.body)["data"]["ref"] == "PAKN-2026-000777"
    assert "x-dvk-reason" not in copy.headers and "x-delivery-count" not in copy.headers
    assert [e["action"] for e in ops.audit()] == ["replay-edited"]


async def _spy_on_received_events(amqp_url: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        spy = await channel.declare_queue("spy", durable=True)
        await spy.bind("dvk.events", routing_key=RECEIVED_KEY)


async def test_discard_needs_a_reason_and_is_audited(amqp_url, tmp_path, ops):
    async with running(("routing",), amqp_url=amqp_url, data_dir=tmp_path):
        for n in range(2):
            await _event(amqp_url, _invalid_with_a_leaked_sender(f"X-{n}"), f"bad-{n}")
        await eventually(lambda: _depth_is(amqp_url, "routing.cases.dlq", 2))
        refused = await ops("dlq", "discard", "--all", "--reason", " ")
        kept = await depth(amqp_url, "routing.cases.dlq")
        result = await ops("dlq", "discard", "--all", "--queue", "routing.cases",
                           "--reason", "Dữ liệu thử nghiệm của đối tác, không xử lý")
        assert result.exit_code == 0, result.output
        assert await depth(amqp_url, "routing.cases.dlq") == 0
    assert refused.exit_code != 0 and kept == 2
    discards = ops.audit()
    assert [e["action"] for e in discards] == ["discard", "discard"]
    assert {e["message_id"] for e in discards} == {"bad-0", "bad-1"}
    assert {e["reason"] for e in discards} == {"Dữ liệu thử nghiệm của đối tác, không xử lý"}
    assert "Trần Thị Hoa" not in ops.audit_log.read_text()
