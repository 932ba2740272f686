"""Delivery channels: the `Sender` port and its adapters (signed webhook, fake; mail in mail.py).
Adapters return a `DeliveryResult` (SENT / TRANSIENT: retry, see retry.py / PERMANENT: park for
an operator, never dropped / UNCERTAIN: it may have been accepted, never resent on its own)
instead of raising for delivery failures.

`commit_point`: an adapter awaits it just before the step after which the message may be accepted
(SMTP: the end-of-data dot; webhook: the request). The dispatcher records the row as "in doubt"
there, so a crash before it means "resend", a crash after it means "unknown"."""

from __future__ import annotations

import hashlib
import hmac
import json
import mimetypes
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from enum import Enum
from pathlib import Path
from typing import Literal, Protocol
from collections.abc import Awaitable, Callable

import httpx

Channel = Literal["email", "webhook"]
IDEMPOTENCY_HEADER = "X-Dvk-Idempotency-Key"
TIMESTAMP_HEADER = "X-Dvk-Timestamp"
SIGNATURE_HEADER = "X-Dvk-Signature"
_EXTRA_MIME = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to deliver. `to` is a list of e-mail addresses, or the webhook URL."""

    idempotency_key: str
    channel: Channel
    to: str | list[str]
    subject: str
    body_text: str
    body_html: str | None = None
    attachments: list[Path] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def recipients(self) -> list[str]:
        return [self.to] if isinstance(self.to, str) else list(self.to)


class DeliveryStatus(str, Enum):
    SENT = "sent"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    UNCERTAIN = "uncertain"  # the destination may have accepted it: hold, never resend silently


@dataclass(frozen=True)
class DeliveryResult:
    status: DeliveryStatus
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is DeliveryStatus.SENT

    @property
    def retryable(self) -> bool:
        return self.status is DeliveryStatus.TRANSIENT

    @classmethod
    def sent(cls, detail: str = "") -> DeliveryResult:
        return cls(DeliveryStatus.SENT, detail)

    @classmethod
    def transient(cls, detail: str) -> DeliveryResult:
        return cls(DeliveryStatus.TRANSIENT, detail)

    @classmethod
    def permanent(cls, detail: str) -> DeliveryResult:
        return cls(DeliveryStatus.PERMANENT, detail)

    @classmethod
    def uncertain(cls, detail: str) -> DeliveryResult:
        return cls(DeliveryStatus.UNCERTAIN, detail)


CommitPoint = Callable[[], Awaitable[None]]


class Sender(Protocol):
    async def send(self, message: OutgoingMessage, *,
                   commit_point: CommitPoint | None = None) -> DeliveryResult: ...


async def reach(commit_point: CommitPoint | None) -> None:
    if commit_point is not None:
        await commit_point()


def _single_line(value: str) -> str:  # no header injection: CR/LF collapse to spaces
    return " ".join(str(value).split())


def message_id_for(idempotency_key: str, domain: str) -> str:
    """Deterministic Message-ID: a resend of the same key carries the same id."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def mime_type_of(path: Path) -> tuple[str, str]:
    guessed = _EXTRA_MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    maintype, _, subtype = (guessed or "application/octet-stream").partition("/")
    return maintype, subtype


def build_email(message: OutgoingMessage, *, from_address: str, domain: str) -> EmailMessage:
    """Pure: an RFC 5322 message with UTF-8 subject/body, deterministic Message-ID, attachments."""
    mail = EmailMessage()
    mail["From"] = from_address
    mail["To"] = ", ".join(message.recipients)
    mail["Subject"] = _single_line(message.subject)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = message_id_for(message.idempotency_key, domain)
    mail[IDEMPOTENCY_HEADER] = _single_line(message.idempotency_key)
    for name, value in message.headers.items():
        mail[_single_line(name)] = _single_line(value)
    mail.set_content(message.body_text, charset="utf-8")
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html", charset="utf-8")
    for path in message.attachments:
        maintype, subtype = mime_type_of(path)
        mail.add_attachment(
            path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name
        )
    return mail


def sign(secret: str | bytes, timestamp: str, body: bytes) -> str:
    """"sha256=" + hex HMAC-SHA256(secret, f"{timestamp}.{body}")."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    payload = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(key, payload, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str | bytes, timestamp: str, body: bytes, signature: str,
    tolerance_s: float = 300, *, now: float | None = None,
) -> bool:
    """For receivers: True only if the signature matches and the timestamp is fresh."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def webhook_payload(message: OutgoingMessage) -> bytes:
    """Compact UTF-8 JSON body; attachments are listed by name and size, not embedded."""
    document = {
        "idempotency_key": message.idempotency_key,
        "subject": message.subject,
        "body_text": message.body_text,
        "body_html": message.body_html,
        "attachments": [{"name": p.name, "size": p.stat().st_size} for p in message.attachments],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def classify_http_status(status: int) -> DeliveryResult:
    """2xx sent; 5xx, 408, 425, 429 transient; other 3xx/4xx permanent."""
    if 200 <= status < 300:
        return DeliveryResult.sent(f"HTTP {status}")
    if status >= 500 or status in (408, 425, 429):
        return DeliveryResult.transient(f"HTTP {status}")
    return DeliveryResult.permanent(f"HTTP {status}")


class WebhookSender:
    """POSTs signed JSON to the message's URL. Pass a shared httpx.AsyncClient in production."""

    name = "webhook"

    def __init__(
        self,
        secret: str | bytes,
        *,
        client: httpx.AsyncClient | None = None,
        timeout_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._client = client
        self._timeout_s = timeout_s
        self._clock = clock

    def signed_headers(self, message: OutgoingMessage, body: bytes) -> dict[str, str]:
        timestamp = str(int(self._clock()))
        return {
            **message.headers,
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            IDEMPOTENCY_HEADER: message.idempotency_key,
        }

    async def send(self, message: OutgoingMessage, *,
                   commit_point: CommitPoint | None = None) -> DeliveryResult:
        body = webhook_payload(message)
        headers = self.signed_headers(message, body)
        await reach(commit_point)
        client = self._client or httpx.AsyncClient()
        try:
            response = await client.post(
                message.recipients[0], content=body, headers=headers, timeout=self._timeout_s
            )
        except httpx.TransportError as exc:
            return DeliveryResult.transient(f"HTTP transport: {type(exc).__name__}: {exc}")
        finally:
            if self._client is None:
                await client.aclose()
        return classify_http_status(response.status_code)


class ChannelRouter:
    """A `Sender` that dispatches on `message.channel` to the configured adapter."""

    def __init__(self, senders: dict[str, Sender]) -> None:
        self._senders = senders

    async def send(self, message: OutgoingMessage, *,
                   commit_point: CommitPoint | None = None) -> DeliveryResult:
        sender = self._senders.get(message.channel)
        if sender is None:
            return DeliveryResult.permanent(f"no sender configured for {message.channel!r}")
        return await sender.send(message, commit_point=commit_point)


class FakeSender:
    """Records every message; returns scripted results (default: sent)."""

    def __init__(self, results: list[DeliveryResult] | None = None) -> None:
        self.messages: list[OutgoingMessage] = []
        self._results = list(results or [])

    async def send(self, message: OutgoingMessage, *,
                   commit_point: CommitPoint | None = None) -> DeliveryResult:
        await reach(commit_point)
        self.messages.append(message)
        return self._results.pop(0) if self._results else DeliveryResult.sent("fake")

    @property
    def keys(self) -> list[str]:
        return [m.idempotency_key for m in self.messages]
