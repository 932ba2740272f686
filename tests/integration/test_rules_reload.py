"""An edited rules.yaml takes effect in a running routing service, without a restart."""

import json
import shutil

import aio_pika
import httpx
import pytest

from services.routing.rules import DEFAULT_RULES_PATH
from shared.testing.factories import feedback_payload
from shared.testing.inprocess import eventually, running

pytestmark = pytest.mark.broker
TEXT = {"subject": "Đề nghị hỗ trợ sinh kế", "content": "Gia đình tôi đề nghị hỗ trợ sinh kế."}


async def _submit(amqp_url: str, external_id: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("dvk.ingress")
        body = json.dumps(feedback_payload(kind="kien_nghi", external_id=external_id, **TEXT),
                          ensure_ascii=False).encode()
        await exchange.publish(aio_pika.Message(body, content_type="application/json"),
                               routing_key="feedback.submit.v1")


async def _unit(parts, ref: str):
    async with httpx.AsyncClient() as client:
        r = await client.get(f"http://{parts.http_host}:{parts.http_port}/v1/assignments/{ref}")
    return r.json()["unit_code"] if r.status_code == 200 else None


async def test_rule_added_to_the_yaml_routes_the_next_case(amqp_url, tmp_path):
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    rules = catalogue / "rules.yaml"
    shutil.copy(DEFAULT_RULES_PATH, rules)
    async with running(("intake", "routing"), amqp_url=amqp_url, data_dir=tmp_path,
                       catalogue_dir=catalogue) as parts:
        await _submit(amqp_url, "before")
        before = await eventually(lambda: _unit(parts["routing"], "PAKN-2026-000001"))
        text = rules.read_text(encoding="utf-8").replace("rules:\n", (
            "rules:\n  - id: sinh-ke\n    description: \"Hỗ trợ sinh kế\"\n"
            "    when: {keywords_any: [\"sinh kế\"]}\n    unit: LAO_DONG_VIEC_LAM\n"), 1)
        rules.write_text(text, encoding="utf-8")
        await _submit(amqp_url, "after")
        after = await eventually(lambda: _unit(parts["routing"], "PAKN-2026-000002"))
    assert before == "VAN_PHONG" and after == "LAO_DONG_VIEC_LAM"
