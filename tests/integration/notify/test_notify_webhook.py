"""WebhookSender against a real HTTP receiver on 127.0.0.1 that verifies the signature."""

from __future__ import annotations

import json
import threading
import time
from typing import ClassVar
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from services.notify.channels import (
    DeliveryStatus, OutgoingMessage, WebhookSender, verify_signature,
)

SECRET = "bí-mật-chung"
SUBJECT = "[Nhắc hạn] Hồ sơ KN-2026-0007: hạn giải quyết ngày 27/02/2026"


class Receiver(BaseHTTPRequestHandler):
    """POST /ok verifies and records; /busy answers 503; /slow stalls."""

    received: ClassVar[list] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/busy":
            return self._reply(503)
        if self.path == "/slow":
            time.sleep(1.0)
            return self._reply(204)
        valid = verify_signature(SECRET, self.headers["X-Dvk-Timestamp"], body,
                                 self.headers["X-Dvk-Signature"], tolerance_s=300)
        if valid:
            self.received.append((dict(self.headers), body))
        self._reply(204 if valid else 401)

    def _reply(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def client():
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


def message(url: str) -> OutgoingMessage:
    return OutgoingMessage(idempotency_key="reminder:9c1d", channel="webhook", to=url,
                           subject=SUBJECT, body_text="Kính gửi: Phòng Người có công\n")


async def test_signed_delivery_is_verified_by_the_receiver(receiver, client):
    result = await WebhookSender(SECRET, client=client).send(message(f"{receiver}/ok"))
    assert result.ok, result.detail
    [(headers, body)] = Receiver.received
    assert headers["X-Dvk-Idempotency-Key"] == "reminder:9c1d"
    assert headers["X-Dvk-Signature"].startswith("sha256=")
    document = json.loads(body.decode("utf-8"))
    assert document["subject"] == SUBJECT
    assert document["body_text"] == "Kính gửi: Phòng Người có công\n"
    assert document["idempotency_key"] == "reminder:9c1d"


async def test_receiver_rejects_a_tampered_body(receiver, client):
    await WebhookSender(SECRET, client=client).send(message(f"{receiver}/ok"))
    [(headers, body)] = Receiver.received
    tampered = body.replace("Nhắc hạn".encode(), "Đã xong".encode())
    replay_headers = {k: v for k, v in headers.items() if k.startswith("X-Dvk")}
    response = await client.post(f"{receiver}/ok", content=tampered, headers=replay_headers)
    assert response.status_code == 401
    assert len(Receiver.received) == 1


async def test_receiver_rejects_a_wrong_secret__sender_sees_permanent(receiver, client):
    result = await WebhookSender("khác", client=client).send(message(f"{receiver}/ok"))
    assert result.status is DeliveryStatus.PERMANENT and "401" in result.detail
    assert Receiver.received == []


async def test_receiver_rejects_a_stale_timestamp(receiver, client):
    sender = WebhookSender(SECRET, client=client, clock=lambda: time.time() - 3600)
    assert (await sender.send(message(f"{receiver}/ok"))).status is DeliveryStatus.PERMANENT


async def test_server_error_is_transient(receiver, client):
    result = await WebhookSender(SECRET, client=client).send(message(f"{receiver}/busy"))
    assert result.status is DeliveryStatus.TRANSIENT and "503" in result.detail


async def test_timeout_is_transient(receiver, client):
    sender = WebhookSender(SECRET, client=client, timeout_s=0.2)
    assert (await sender.send(message(f"{receiver}/slow"))).status is DeliveryStatus.TRANSIENT


async def test_connection_refused_is_transient__own_client(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with ThreadingHTTPServer(("127.0.0.1", 0), Receiver) as closed:
        port = closed.server_address[1]
    result = await WebhookSender(SECRET).send(message(f"http://127.0.0.1:{port}/ok"))
    assert result.status is DeliveryStatus.TRANSIENT
