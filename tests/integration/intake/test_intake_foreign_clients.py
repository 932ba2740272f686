"""AMQP clients written in other languages publish to dvk.ingress, on a real RabbitMQ with intake
in-process (a fresh vhost and a fresh SQLite database in tmp_path per test):

- Node.js with amqplib (tests/interop/node/publish.js: a ConfirmChannel, the body a Buffer);
- C with rabbitmq-c's `amqp-publish` (Debian amqp-tools).

Each case checks what intake stored, not only that the client exited 0: the case with its fields
and its Vietnamese text intact, or the refusal kept with the field named; and that nothing was
dead-lettered. Without node/npm (or without the network to install amqplib once into a cache
outside the repository), or without amqp-publish, those tests are skipped."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import unicodedata
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from sqlalchemy import select

from services.intake.orm import Case
from shared.db import session_factory
from shared.runtime import ServiceParts
from shared.testing.factories import feedback_payload
from shared.testing.inprocess import eventually, running

pytestmark = pytest.mark.broker

NODE_CLIENT_DIR = Path(__file__).resolve().parents[2] / "interop" / "node"
NPM_INSTALL_TIMEOUT_S = 180
CLIENT_TIMEOUT_S = 30
OUTCOME_TIMEOUT_S = 20
CLASS_NAME_TYPE = "vn.hatinh.dvc.integration.FeedbackMessage"  # as Spring AMQP / .NET set it


# ---- the clients --------------------------------------------------------------------------------

def _interop_cache() -> Path:
    configured = os.environ.get("DVK_INTEROP_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dvk-interop"


def _pinned_amqplib() -> str:
    manifest = json.loads((NODE_CLIENT_DIR / "package.json").read_text())
    return manifest["dependencies"]["amqplib"]


def _installed_amqplib(target: Path) -> str | None:
    manifest = target / "node_modules" / "amqplib" / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


def _npm_install(target: Path) -> None:
    """Installs what tests/interop/node/package.json pins into `target`; skips on failure."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(NODE_CLIENT_DIR / "package.json", target / "package.json")
    try:
        result = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--omit=dev", "--no-package-lock"],
            cwd=target, capture_output=True, text=True, timeout=NPM_INSTALL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install of amqplib timed out after {NPM_INSTALL_TIMEOUT_S} s "
                    "(no network?): the Node.js client cannot be tested")
    if result.returncode != 0:
        pytest.skip("npm install of amqplib failed (no network?): the Node.js client cannot "
                    f"be tested: {_npm_error(result.stderr)}")


def _npm_error(stderr: str) -> str:
    """npm's own summary of a failure (`npm error code ECONNREFUSED`, the fetch error)."""
    lines = [line for line in stderr.splitlines() if line.startswith("npm error ")]
    summary = [line for line in lines if "code " in line or "Error:" in line][:2]
    return "; ".join(summary or lines[:2] or [stderr.strip()[-200:]])


@pytest.fixture(scope="session")
def amqplib_node_path() -> str:
    """NODE_PATH with amqplib as tests/interop/node/package.json pins it, installed once into a
    cache outside the repository ($DVK_INTEROP_CACHE, else ~/.cache/dvk-interop)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.skip(f"`{tool}` is not installed: the Node.js amqplib client cannot be tested")
    target = _interop_cache() / "node"
    if _installed_amqplib(target) != _pinned_amqplib():
        _npm_install(target)
    if _installed_amqplib(target) != _pinned_amqplib():
        pytest.skip(f"amqplib {_pinned_amqplib()} is not in {target} after npm install")
    return str(target / "node_modules")


@pytest.fixture
def amqp_publish() -> str:
    path = shutil.which("amqp-publish")
    if path is None:
        pytest.skip("`amqp-publish` (Debian package amqp-tools, rabbitmq-c) is not installed: "
                    "the C client cannot be tested")
    return path


async def _run_client(*argv: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> str:
    """Runs a client without blocking the event loop intake runs in; returns its stdout."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = await asyncio.wait_for(process.communicate(stdin), CLIENT_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"{argv[:2]} did not finish within {CLIENT_TIMEOUT_S} s") from None
    assert process.returncode == 0, (
        f"{argv[:2]} exited {process.returncode}: {err.decode(errors='replace')}")
    return out.decode()


class NodeClient:
    """tests/interop/node/publish.js: amqplib, publisher confirms, the body file as a Buffer."""

    def __init__(self, node_path: str, amqp_url: str, workdir: Path) -> None:
        self.env = {**os.environ, "NODE_PATH": node_path}
        self.amqp_url, self.workdir = amqp_url, workdir

    async def publish(self, body: bytes, *, routing_key: str, options: dict[str, Any]) -> None:
        """Returns once the broker has confirmed the message."""
        await self._run(body, routing_key, options)

    async def ask(self, body: bytes, *, routing_key: str, options: dict[str, Any]) -> dict:
        """Publishes with reply_to on RabbitMQ's direct reply-to; returns intake's answer as
        {"correlationId", "body"}."""
        out = await self._run(body, routing_key, options,
                              f"--reply-timeout-ms={OUTCOME_TIMEOUT_S * 1000}")
        return json.loads(out)

    async def _run(self, body: bytes, routing_key: str, options: dict[str, Any],
                   *flags: str) -> str:
        body_file = self.workdir / f"body-{uuid.uuid4().hex}.bin"
        body_file.write_bytes(body)
        return await _run_client("node", str(NODE_CLIENT_DIR / "publish.js"), self.amqp_url,
                                 "dvk.ingress", routing_key, json.dumps(options), str(body_file),
                                 *flags, env=self.env)


@pytest.fixture
def node(amqplib_node_path, amqp_url, tmp_path) -> NodeClient:
    return NodeClient(amqplib_node_path, amqp_url, tmp_path)


async def publish_with_amqp_publish(executable: str, amqp_url: str, body: bytes) -> None:
    """rabbitmq-c's command line client, as a shell script of an integrating system uses it."""
    await _run_client(executable, "-u", amqp_url, "-e", "dvk.ingress",
                      "-r", "feedback.submit.v1", "-C", "application/json", "-p", stdin=body)


# ---- intake and what it stored ------------------------------------------------------------------

@pytest.fixture
async def live_intake(amqp_url, tmp_path) -> AsyncIterator[ServiceParts]:
    """intake in-process on the test's own vhost and SQLite database, consuming dvk.ingress."""
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        yield parts["intake"]


def json_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


async def cases_of(intake: ServiceParts, payload: dict[str, Any]) -> list[Case]:
    """The cases stored for the payload's (source_system, external_id)."""
    async with session_factory(intake.engine)() as session:
        return list(await session.scalars(select(Case).where(
            Case.source_system == payload["source_system"],
            Case.external_id == payload["external_id"])))


async def stored_case(intake: ServiceParts, payload: dict[str, Any]) -> Case:
    [case] = await eventually(lambda: cases_of(intake, payload), timeout=OUTCOME_TIMEOUT_S)
    return case


async def operator_view(intake: ServiceParts, path: str) -> Any:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://{intake.http_host}:{intake.http_port}{path}")
    response.raise_for_status()
    return response.json()


async def kept_refusals(intake: ServiceParts) -> list[dict[str, Any]]:
    """The refusals kept for operators (pending), waiting for at least one."""
    return await eventually(lambda: operator_view(intake, "/v1/rejected"),
                            timeout=OUTCOME_TIMEOUT_S)


async def ingress_queues(amqp_url: str) -> dict[str, tuple[int, int]]:
    """(messages ready, consumers) of intake's ingress queue and its dead-letter queue."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        counts = {}
        for name in ("intake.ingress", "intake.ingress.dlq"):
            declared = (await channel.declare_queue(name, passive=True)).declaration_result
            counts[name] = (declared.message_count, declared.consumer_count)
        return counts


NOTHING_LEFT_OR_DEAD_LETTERED = {"intake.ingress": (0, 1), "intake.ingress.dlq": (0, 0)}


def assert_stored_as_sent(case: Case, payload: dict[str, Any]) -> None:
    assert case.kind == payload["kind"] and case.channel == payload["channel"]
    assert case.subject == unicodedata.normalize("NFC", payload["subject"])
    assert case.content == unicodedata.normalize("NFC", payload["content"])
    assert case.details["locality"] == payload["locality"]
    assert case.status == "received"


# ---- Node.js: amqplib ---------------------------------------------------------------------------

async def test_node_a_bare_feedback_is_accepted_and_its_resend_under_the_same_id_is_a_duplicate(
        node, live_intake, amqp_url):
    payload = feedback_payload(kind="kien_nghi")
    message_id = f"cong-dvc-node-{uuid.uuid4()}"
    options = {"contentType": "application/json", "persistent": True, "messageId": message_id,
               "correlationId": message_id}
    first = await node.ask(json_body(payload), routing_key="feedback.submit.v1", options=options)
    again = await node.ask(json_body(payload), routing_key="feedback.submit.v1", options=options)
    [case] = await cases_of(live_intake, payload)
    assert first["body"] == {"status": "accepted", "ref": case.ref, "errors": []}
    assert again["body"] == {"status": "duplicate", "ref": case.ref, "errors": []}
    assert case.message_id == f"test-portal|feedback.submit.v1|{message_id}"
    assert_stored_as_sent(case, payload)
    assert await operator_view(live_intake, "/v1/rejected") == []
    assert await ingress_queues(amqp_url) == NOTHING_LEFT_OR_DEAD_LETTERED


@pytest.mark.parametrize("schema_version", [
    pytest.param("1", id="header-as-a-js-string"),
    pytest.param(1, id="header-as-a-js-number"),
])
async def test_node_a_version_header_names_the_version_and_a_class_name_type_is_set_aside(
        node, live_intake, amqp_url, schema_version):
    payload = feedback_payload(kind="phan_anh")
    message_id = f"cong-dvc-node-{uuid.uuid4()}"
    await node.publish(json_body(payload), routing_key="feedback.submit", options={
        "contentType": "application/json", "persistent": True, "messageId": message_id,
        "type": CLASS_NAME_TYPE,
        "headers": {"x-schema-version": schema_version, "x-nguon": "Cổng dịch vụ công"}})
    case = await stored_case(live_intake, payload)
    assert case.message_id == f"test-portal|feedback.submit.v1|{message_id}"
    assert_stored_as_sent(case, payload)
    assert await operator_view(live_intake, "/v1/rejected") == []
    assert await ingress_queues(amqp_url) == NOTHING_LEFT_OR_DEAD_LETTERED


async def test_node_a_vietnamese_buffer_without_content_type_is_stored_nfc(
        node, live_intake, amqp_url):
    """A macOS or browser form may hand over decomposed (NFD) text; a Buffer carries it as is."""
    subject = unicodedata.normalize("NFD", "Khiếu nại việc chậm chi trả chế độ người có công")
    content = ("Đề nghị Sở Lao động – Thương binh và Xã hội tỉnh Hà Tĩnh xem xét lại hồ sơ "
               "ưu đãi của ông Trần Văn Lực ở xã Kỳ Hoa, thị xã Kỳ Anh; đã gửi đơn lần hai.")
    payload = feedback_payload(kind="kien_nghi", subject=subject, content=content,
                               locality={"district": "Kỳ Anh", "commune": "Kỳ Hoa"})
    await node.publish(json_body(payload), routing_key="feedback.submit.v1", options={})
    case = await stored_case(live_intake, payload)
    assert subject != unicodedata.normalize("NFC", subject)  # it was sent decomposed
    assert case.subject == "Khiếu nại việc chậm chi trả chế độ người có công"
    assert unicodedata.is_normalized("NFC", case.subject)
    assert case.content == content
    assert_stored_as_sent(case, payload)
    assert await ingress_queues(amqp_url) == NOTHING_LEFT_OR_DEAD_LETTERED


def _without_timezone(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "received_at": "2026-11-20T08:30:00"}


def _without_subject(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key != "subject"}


@pytest.mark.parametrize(("broken", "field", "reason"), [
    pytest.param(_without_timezone, "data.received_at", "thiếu múi giờ (ví dụ +07:00)",
                 id="received_at-without-timezone"),
    pytest.param(_without_subject, "data.subject", "bắt buộc nhưng chưa có",
                 id="subject-missing"),
])
async def test_node_an_invalid_feedback_is_refused_naming_the_field_and_kept(
        node, live_intake, amqp_url, broken, field, reason):
    payload = broken(feedback_payload(kind="phan_anh"))
    message_id = f"cong-dvc-node-{uuid.uuid4()}"
    await node.publish(json_body(payload), routing_key="feedback.submit.v1", options={
        "contentType": "application/json", "persistent": True, "messageId": message_id})
    [kept] = await kept_refusals(live_intake)
    [error] = kept["errors"]
    assert error["field"] == field and error["reason"].startswith(reason)
    assert kept["message_id"] == message_id and kept["routing_key"] == "feedback.submit.v1"
    assert kept["status"] == "pending" and kept["way_in"] == "amqp"
    assert await cases_of(live_intake, payload) == []
    assert await ingress_queues(amqp_url) == NOTHING_LEFT_OR_DEAD_LETTERED


async def test_node_reads_intakes_reply_to_a_refusal_on_direct_reply_to(
        node, live_intake, amqp_url):
    payload = feedback_payload(kind="gop_y", received_at="2026-11-20T08:30:00")
    correlation_id = f"yeu-cau-{uuid.uuid4()}"
    reply = await node.ask(json_body(payload), routing_key="feedback.submit.v1", options={
        "contentType": "application/json", "persistent": True,
        "messageId": f"cong-dvc-node-{uuid.uuid4()}", "correlationId": correlation_id})
    [kept] = await operator_view(live_intake, "/v1/rejected")
    answer = reply["body"]
    assert reply["correlationId"] == correlation_id
    assert answer["status"] == "rejected" and answer["rejection_id"] == kept["id"]
    [error] = answer["errors"]
    assert error["field"] == "data.received_at"
    assert error["reason"].startswith("thiếu múi giờ")
    assert await ingress_queues(amqp_url) == NOTHING_LEFT_OR_DEAD_LETTERED


async def test_node_without_a_correlation_id_matches_the_reply_by_its_message_id(
        node, live_intake, amqp_url):
    message_id = f"cong-dvc-node-{uuid.uuid4()}"
    reply = await node.ask(json_body(feedback_payload(external_id=message_id)),
                           routing_key="feedback.submit.v1",
                           options={"contentType": "application/json", "messageId": message_id})
    assert reply["correlationId"] == message_id
    assert reply["body"]["status"] == "accepted"
    assert await ingress_queues(amqp_url) == NOTHING_LEFT_OR_DEAD_LETTERED


# ---- C: rabbitmq-c's amqp-publish ---------------------------------------------------------------

async def test_c_amqp_publish_feedback_is_accepted(amqp_publish, live_intake, amqp_url):
    payload = feedback_payload(kind="khieu_nai")
    await publish_with_amqp_publish(amqp_publish, amqp_url, json_body(payload))
    case = await stored_case(live_intake, payload)
    # no message_id: the id is made from the body, under the system and kind of command
    assert case.message_id.startswith("test-portal|feedback.submit.v1|")
    assert_stored_as_sent(case, payload)
    assert await ingress_queues(amqp_url) == NOTHING_LEFT_OR_DEAD_LETTERED


async def test_c_amqp_publish_invalid_json_is_refused_naming_body_and_kept(
        amqp_publish, live_intake, amqp_url):
    broken = json_body(feedback_payload(kind="phan_anh"))[:-20]  # cut mid-object
    await publish_with_amqp_publish(amqp_publish, amqp_url, broken)
    [kept] = await kept_refusals(live_intake)
    assert [e["field"] for e in kept["errors"]] == ["body"]
    assert kept["message_id"] is None and kept["routing_key"] == "feedback.submit.v1"
    assert kept["body_size"] == len(broken) and kept["status"] == "pending"
    assert await ingress_queues(amqp_url) == NOTHING_LEFT_OR_DEAD_LETTERED
