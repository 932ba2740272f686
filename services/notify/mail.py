"""E-mail transports: SMTP (aiosmtplib; STARTTLS or implicit TLS, optional AUTH) and a file outbox
for machines without a relay. Both take a `commit_point`, awaited just before the message may
be accepted: for SMTP that is the end-of-data dot (RFC 5321 §4.1.1.4; RFC 1047 explains why the
time between the dot and the reply is the one unavoidable window for a duplicate or a loss)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import aiosmtplib
from aiosmtplib.errors import SMTPDataError, SMTPServerDisconnected, SMTPTimeoutError
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

from .channels import CommitPoint, DeliveryResult, OutgoingMessage, build_email, reach
from .wire import email_bytes, envelope_addresses, writes_directly


def classify_smtp_code(code: int, detail: str) -> DeliveryResult:
    if 400 <= code < 500:
        return DeliveryResult.transient(f"SMTP {code}: {detail}")
    return DeliveryResult.permanent(f"SMTP {code}: {detail}")


def classify_smtp_error(exc: Exception) -> DeliveryResult:
    """4xx and connection/timeout errors are transient; 5xx (and unknown codes) permanent."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        worst = max(codes) if codes else 550
        return classify_smtp_code(worst, "all recipients refused")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return classify_smtp_code(exc.code, exc.message)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return DeliveryResult.permanent(f"SMTP configuration: {exc}")
    if isinstance(exc, (OSError, aiosmtplib.SMTPException)):
        return DeliveryResult.transient(f"SMTP connection: {type(exc).__name__}: {exc}")
    raise exc


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    from_address: str
    username: str | None = None
    password: str | None = None
    security: Literal["none", "starttls", "tls"] = "starttls"
    timeout_s: float = 30.0
    message_id_domain: str = "dvk.local"
    validate_certs: bool = True
    cert_bundle: str | None = None  # CA file for a relay with a private CA


class CommitPointSMTP(aiosmtplib.SMTP):
    """aiosmtplib's client with one change: DATA sends the content, awaits `commit_point`, and
    only then the terminating dot. Uses aiosmtplib 5's protocol internals; without them it falls
    back to calling `commit_point` before DATA (a wider window, still never a silent resend)."""

    commit_point: CommitPoint | None = None
    passed_commit_point: bool = False

    async def data(self, message: str | bytes, /, *, timeout: Any = None) -> Any:
        protocol = self.protocol
        raw = message.encode("ascii") if isinstance(message, str) else message
        if protocol is None or not hasattr(protocol, "_command_lock"):
            await self._pass_commit_point()
            return await super().data(raw)
        if not isinstance(timeout, (int, float)):
            timeout = self.timeout
        try:
            return await self._split_data(protocol, raw, timeout)
        except (SMTPServerDisconnected, SMTPTimeoutError):
            self.close()
            raise

    async def _split_data(self, protocol: Any, raw: bytes, timeout: float | None) -> Any:
        content = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw))
        async with protocol._command_lock:
            protocol._response_pending = True
            protocol.write(b"DATA\r\n")
            start = await protocol.read_response(timeout=timeout)
            if start.code != 354:
                raise SMTPDataError(start.code, start.message)
            protocol.write(content)
            try:
                await self._pass_commit_point()
            except BaseException:
                self.close()  # mid-DATA, without the dot: the relay discards the message
                raise
            protocol._response_pending = True
            protocol.write(b".\r\n")
            response = await protocol.read_response(timeout=timeout)
            if response.code != 250:
                raise SMTPDataError(response.code, response.message)
        return response

    async def _pass_commit_point(self) -> None:
        await reach(self.commit_point)
        self.passed_commit_point = True


class SmtpSender:
    """Sends `email` messages through one SMTP relay, one connection per message."""

    name = "smtp"

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    def _client(self) -> CommitPointSMTP:
        cfg = self._config
        return CommitPointSMTP(
            hostname=cfg.host, port=cfg.port, username=cfg.username, password=cfg.password,
            use_tls=cfg.security == "tls", start_tls=cfg.security == "starttls",
            timeout=cfg.timeout_s, validate_certs=cfg.validate_certs, cert_bundle=cfg.cert_bundle)

    async def send(self, message: OutgoingMessage, *,
                   commit_point: CommitPoint | None = None) -> DeliveryResult:
        try:
            transmit = self._transmission(message)
        except FileNotFoundError as exc:
            return DeliveryResult.permanent(f"attachment not found: {exc.filename}")
        smtp = self._client()
        smtp.commit_point = commit_point
        try:
            async with smtp:
                refused, _ = await transmit(smtp)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return _after_error(exc, smtp.passed_commit_point)
        detail = f"refused: {', '.join(sorted(refused))}" if refused else ""
        return DeliveryResult.sent(detail)

    def _transmission(self, message: OutgoingMessage) -> Callable[[CommitPointSMTP], Any]:
        """Plain text between ASCII addresses goes as the bytes `wire` writes; anything else
        through aiosmtplib's send_message (SMTPUTF8 and 8BITMIME negotiated there)."""
        cfg = self._config
        if not writes_directly(message, cfg.from_address):
            mail = build_email(message, from_address=cfg.from_address, domain=cfg.message_id_domain)
            return lambda smtp: smtp.send_message(mail)
        data = email_bytes(message, from_address=cfg.from_address, domain=cfg.message_id_domain)
        [sender] = envelope_addresses([cfg.from_address])
        recipients = envelope_addresses(message.recipients)
        return lambda smtp: smtp.sendmail(sender, recipients, data)


def _after_error(exc: Exception, passed_commit_point: bool) -> DeliveryResult:
    """A reply to the dot is definite; a lost connection or timeout after it is not."""
    if passed_commit_point and not isinstance(exc, aiosmtplib.SMTPResponseException):
        return DeliveryResult.uncertain(
            f"no reply after the end of data ({type(exc).__name__}); the relay may have "
            "accepted the message")
    return classify_smtp_error(exc)


def outbox_file_name(idempotency_key: str) -> str:
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40] + ".eml"


class FileMailSender:
    """Writes each mail as an .eml file into a folder (no SMTP relay configured). Atomic: the
    file appears whole or not at all; a second send of the same key finds it and writes nothing."""

    name = "file"

    def __init__(self, folder: Path, *, from_address: str, domain: str = "dvk.local") -> None:
        self.folder = Path(folder)
        self._from, self._domain = from_address, domain

    def path_for(self, message: OutgoingMessage) -> Path:
        return self.folder / outbox_file_name(message.idempotency_key)

    async def send(self, message: OutgoingMessage, *,
                   commit_point: CommitPoint | None = None) -> DeliveryResult:
        target = self.path_for(message)
        if target.exists():
            return DeliveryResult.sent(f"file: {target} (already written)")
        try:
            data = email_bytes(message, from_address=self._from, domain=self._domain)
            self.folder.mkdir(parents=True, exist_ok=True)
            await reach(commit_point)
            _write_atomically(target, data)
        except FileNotFoundError as exc:
            return DeliveryResult.permanent(f"file: {exc.filename} not found")
        except OSError as exc:
            return DeliveryResult.transient(f"file: {type(exc).__name__}: {exc}")
        return DeliveryResult.sent(f"file: {target}")


def _write_atomically(target: Path, data: bytes) -> None:
    temporary = target.with_suffix(f".tmp{os.getpid()}")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
