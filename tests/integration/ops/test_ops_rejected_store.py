"""`dvk ops rejected`: intake's rejected store through intake's operators' routes, on a real
broker: listed by reason, shown with the sender masked, revealed whole on record, replayed
fixed, discarded with a reason."""

from __future__ import annotations

import json
import uuid

import pytest

from shared.testing.factories import feedback_payload
from shared.testing.inprocess import eventually, running

from .conftest import Ops, publish, without_service_logs

pytestmark = pytest.mark.broker


async def _submit(amqp_url: str, document: dict) -> None:
    await publish(amqp_url, json.dumps(document, ensure_ascii=False).encode(),
                  exchange="dvk.ingress", routing_key="feedback.submit.v1",
                  message_id=str(uuid.uuid4()))


def _denunciation_without_content() -> dict:
    document = feedback_payload(kind="to_cao", sender={
        "name": "Trần Thị Hoa", "phone": "0912345678", "consent_to_contact": False})
    document.pop("content")
    return document


async def test_rejected_messages_are_listed_shown_masked_replayed_fixed_and_discarded(
        amqp_url, tmp_path):
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        intake = parts["intake"]
        ops = Ops(amqp_url, tmp_path, intake_url=f"http://{intake.http_host}:{intake.http_port}")
        first, second = _denunciation_without_content(), _denunciation_without_content()
        await _submit(amqp_url, first)
        await _submit(amqp_url, second)
        listed = await eventually(lambda: _pending(ops, 2))
        shown = await ops.json_of("rejected", "show", listed[0]["id"])
        revealed = await ops.json_of("rejected", "reveal", listed[0]["id"],
                                     "--reason", "Xem toàn văn để sửa nội dung")
        fixed = {**first, "content": "Cán bộ xã yêu cầu nộp thêm tiền khi giải quyết hồ sơ."}
        (tmp_path / "fixed.json").write_text(json.dumps(fixed, ensure_ascii=False))
        replayed = await ops("rejected", "replay", listed[0]["id"],
                             "--body", str(tmp_path / "fixed.json"))
        refused = await ops("rejected", "discard", listed[1]["id"], "--reason", " ")
        discarded = await ops("rejected", "discard", listed[1]["id"],
                              "--reason", "Người gửi đã gửi lại bản đầy đủ")
        left = await ops.json("rejected", "list")
    assert {e["field"] for e in listed[0]["errors"]} >= {"data.content"}
    assert "Trần Thị Hoa" not in json.dumps(shown, ensure_ascii=False)
    assert revealed["body"] == first  # whole, sender included, on record
    assert replayed.exit_code == 0, replayed.output
    assert json.loads(without_service_logs(replayed.stdout))["status"] == "accepted"
    assert refused.exit_code != 0 and discarded.exit_code == 0, discarded.output
    assert left == []
    assert [e["action"] for e in ops.audit()] == [
        "rejected-reveal", "rejected-replay-edited", "rejected-discard"]


async def _pending(ops: Ops, count: int):
    listed = await ops.json("rejected", "list")
    return listed if len(listed) == count else None
