"""An e-mail as the bytes a relay or the file outbox receives. A plain-text message (every
acknowledgement, reminder and escalation) is written directly: RFC 2047 encoded words for a
Vietnamese subject, the UTF-8 body in base64. The stdlib's `email` package builds the same
message at ≈1 ms more per mail, most of it in header parsing and folding; it still writes every
message with attachments or HTML or an internationalised address, and folds any header this
module would not write byte for byte (a display name, a long ASCII value)."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from email.policy import default as policy
from email.utils import format_datetime, getaddresses

from .channels import (
    IDEMPOTENCY_HEADER, OutgoingMessage, _single_line, build_email, message_id_for,
)

MAX_LINE = 78  # RFC 5322 §2.1.1
WORD_BYTES = 42  # UTF-8 bytes per encoded word
ENCODED_WORD = len("=?utf-8?b??=") + 4 * WORD_BYTES // 3  # 68 characters: within RFC 2047's 75
SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")


def email_bytes(message: OutgoingMessage, *, from_address: str, domain: str) -> bytes:
    if writes_directly(message, from_address):
        return _plain_text(message, from_address, domain)
    return build_email(message, from_address=from_address, domain=domain).as_bytes()


def writes_directly(message: OutgoingMessage, from_address: str) -> bool:
    """Plain text between ASCII addresses (display names may be Vietnamese)."""
    return not (message.attachments or message.body_html) and all(
        address.isascii() for address in envelope_addresses([from_address, *message.recipients]))


def envelope_addresses(fields: list[str]) -> list[str]:
    """The addresses in address fields, as SMTP's MAIL FROM and RCPT TO take them."""
    return [address for _, address in getaddresses(fields)]


def _plain_text(message: OutgoingMessage, from_address: str, domain: str) -> bytes:
    headers = [
        _address_header("From", [from_address]), _address_header("To", message.recipients),
        _unstructured("Subject", message.subject),
        f"Date: {format_datetime(datetime.now(UTC))}",
        f"Message-ID: {message_id_for(message.idempotency_key, domain)}",
        _unstructured(IDEMPOTENCY_HEADER, message.idempotency_key),
        *(_unstructured(_single_line(name), value) for name, value in message.headers.items()),
        'Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: base64",
        "MIME-Version: 1.0"]
    head = "\n".join(headers).encode("ascii")
    return head + b"\n\n" + base64.encodebytes(_body_bytes(message.body_text))


def _unstructured(name: str, value: str) -> str:
    value = _single_line(value)
    line = f"{name}: {value}"
    if value.isascii() and len(line) <= MAX_LINE:
        return line
    if value.isascii() or len(name) + 2 + ENCODED_WORD > MAX_LINE:
        return _folded_by_stdlib(name, value)
    return f"{name}: " + "\n ".join(
        f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in _words(value))


def _words(text: str) -> list[bytes]:
    """The UTF-8 text in pieces of at most WORD_BYTES, never splitting a character (RFC 2047
    §5: each encoded word must decode on its own)."""
    words, current = [], b""
    for char in text:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > WORD_BYTES:
            words.append(current)
            current = b""
        current += encoded
    return [*words, current] if current else words


def _address_header(name: str, addresses: list[str]) -> str:
    """Bare ASCII addresses one per line when they do not fit one; anything else (a display
    name, an internationalised address) is folded by the stdlib."""
    addresses = [_single_line(a) for a in addresses]
    if not all(SIMPLE_ADDRESS.fullmatch(a) and len(a) < MAX_LINE - 2 for a in addresses):
        return _folded_by_stdlib(name, ", ".join(addresses))
    line = f"{name}: {', '.join(addresses)}"
    return line if len(line) <= MAX_LINE else f"{name}: " + ",\n ".join(addresses)


def _body_bytes(text: str) -> bytes:
    """Lines end in LF with one at the end, as the stdlib's set_content leaves them."""
    return b"\n".join(text.encode("utf-8").splitlines()) + b"\n"


def _folded_by_stdlib(name: str, value: str) -> str:
    return policy.header_factory(name, value).fold(policy=policy).rstrip("\n")
