"""Reading what integrating systems send: envelope or bare payload, typed and validated."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import combinations
from typing import Any

from pydantic import ValidationError

from shared.contracts.base import Envelope, Payload, utc_now
from shared.contracts.catalogue import BY_TYPE, INGRESS_COMMANDS, UnknownMessageType, model_for
from shared.contracts.feedback import SubmitFeedback
from shared.contracts.plan import (
    RecordInspection,
    RecordSession,
    RegisterModel,
    ReportTaskProgress,
)
from shared.contracts.updates import UpdateCase
from shared.validation import field_errors

_VERSION_SUFFIX = re.compile(r"^(?P<type>.+)\.v(?P<version>\d+)$")
_ENVELOPE_KEYS = {"type", "data"}
_VERSION_HEADER = "x-schema-version"
MAX_ID_LENGTH = 200  # event_id / correlation_id in the envelope and the stores
# How far ahead of this system's clock a sender's clock may run before its times are refused.
CLOCK_SKEW = timedelta(minutes=10)
_WHEN_FIELDS = ("received_at", "occurred_at", "reported_at")
_INGRESS_NAMES = ", ".join(sorted(c.routing_key() for c in INGRESS_COMMANDS))
_DVK_TYPES = frozenset(message_type for message_type, _ in BY_TYPE)
# The sending system's own id of what a command is about: a corrected resend keeps it even
# under another message id. (A model review and a report request have none of their own.)
SOURCE_ID_FIELDS = {SubmitFeedback.message_type: "external_id",
                    UpdateCase.message_type: "update_id",
                    ReportTaskProgress.message_type: "external_id",
                    RegisterModel.message_type: "model_id",
                    RecordSession.message_type: "session_id",
                    RecordInspection.message_type: "inspection_id"}


@dataclass(frozen=True)
class Truncated:
    """A body larger than intake reads: its size and SHA-256 as received; only its first bytes
    are in `IngressMessage.body`."""

    size: int
    sha256: str
    limit: int


@dataclass(frozen=True)
class IngressMessage:
    """An AMQP delivery or HTTP request as intake sees it, before any validation."""

    body: bytes
    message_id: str | None
    routing_key: str | None
    message_type: str | None
    correlation_id: str | None
    headers: dict[str, Any] = field(default_factory=dict)
    # True for a kept command run again: its message_id is already the idempotency key.
    keyed: bool = False
    # Set when `body` holds only the first bytes of what was sent (over the body limit).
    truncated: Truncated | None = None
    # The broker's redelivered flag: this delivery may have been handled before (a crash
    # between commit and ack). Lets a refusal of a message without an id be stored once.
    redelivered: bool = False

    def __post_init__(self) -> None:
        # AMQP allows ids and routing keys of 255 bytes; this system stores 200 characters.
        for name in ("message_id", "correlation_id"):
            object.__setattr__(self, name, bounded_id(getattr(self, name)))
        for name in ("routing_key", "message_type"):
            object.__setattr__(self, name, _bounded_text(getattr(self, name)))


def bounded_id(value: str | None) -> str | None:
    """An id longer than the system keeps stands as its SHA-256: the same long id is still the
    same message, so de-duplication holds."""
    if value is None or len(value) <= MAX_ID_LENGTH:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def idempotency_key(command: Payload, message_id: str) -> str:
    """What makes a command the same command again: its id as the sending system gave it, per
    system and kind of command. Two systems may both number their messages from 1, and one
    may use the same id for a feedback and for a progress report; neither is a resend."""
    system = getattr(command, "source_system", "")
    return bounded_id(f"{system}|{command.routing_key()}|{message_id}") or message_id


def _bounded_text(value: str | None) -> str | None:
    """Kept for the record only (a name this long is no command), so cut, not hashed."""
    if value is None or len(value) <= MAX_ID_LENGTH:
        return value
    return value[:MAX_ID_LENGTH - 1] + "…"


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class Rejection:
    reason: str
    errors: tuple[FieldError, ...]


@dataclass(frozen=True)
class AcceptedCommand:
    command: Payload
    event_id: str
    correlation_id: str


def as_utf8(body: bytes, content_type: str | None) -> bytes:
    """A body in the charset its content type names (windows-1258, from older Vietnamese
    systems) re-encoded as UTF-8, so that it is read, kept and replayed as text. A body that is
    valid UTF-8 stays as sent whatever the label says (clients often label UTF-8 as
    iso-8859-1, and Vietnamese in a one-byte charset is practically never valid UTF-8); so does
    one without a charset, in UTF-16/32 (which JSON recognises by itself), or that does not
    decode, and the JSON reading then names what is wrong."""
    charset = _charset(content_type)
    try:
        codec = codecs.lookup(charset).name if charset else None
    except LookupError:
        return body
    if codec is None or codec.startswith(("utf-8", "utf-16", "utf-32")) or _is_utf8(body):
        return body
    try:
        return body.decode(codec).encode("utf-8")
    except UnicodeDecodeError:
        return body


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _charset(content_type: str | None) -> str | None:
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None


def parse_ingress(msg: IngressMessage) -> AcceptedCommand | Rejection:
    if msg.truncated is not None:
        return too_large(msg.truncated)
    try:
        document = json.loads(msg.body)
        if isinstance(document, dict):
            document = _nfc(document)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _reject(_both("nội dung không phải JSON hợp lệ", "body is not valid JSON"),
                       "body", str(exc))
    except RecursionError:
        return _reject(_both("nội dung JSON lồng nhau quá sâu", "body is nested too deeply"),
                       "body", "JSON nested deeper than this system reads")
    if not isinstance(document, dict):
        return _reject(_both("nội dung phải là một đối tượng JSON", "body must be a JSON object"),
                       "body", "expected an object")
    if document.keys() >= _ENVELOPE_KEYS:
        return _parse_envelope(document, msg)
    return _parse_bare(document, msg)


def _parse_envelope(document: dict[str, Any], msg: IngressMessage) -> AcceptedCommand | Rejection:
    try:
        envelope = Envelope[dict[str, Any]].model_validate(document)
    except ValidationError as exc:
        return _from_validation(_both("phong bì thông điệp không hợp lệ", "envelope is invalid"),
                                exc, prefix="")
    if conflict := _type_conflict(msg, f"{envelope.type}.v{envelope.schema_version}"):
        return conflict
    return _validate_command(envelope.type, envelope.schema_version, envelope.data,
                             message_id=envelope.event_id, keyed=msg.keyed,
                             correlation_id=envelope.correlation_id)


def _parse_bare(document: dict[str, Any], msg: IngressMessage) -> AcceptedCommand | Rejection:
    if conflict := _type_conflict(msg):
        return conflict
    try:
        message_type, version = _type_of(msg)
    except ValueError as exc:
        return _reject(_both("phiên bản mẫu dữ liệu phải là số nguyên",
                             "schema version header is not a whole number"),
                       _VERSION_HEADER, str(exc))
    if message_type is None:
        return _reject(_both("không rõ loại thông điệp", "message type unknown"), "type",
                       "set the AMQP type property or a routing key such as feedback.submit.v1")
    message_id = msg.message_id or _content_id(msg.body)
    return _validate_command(message_type, version, document, message_id=message_id,
                             keyed=msg.keyed, correlation_id=msg.correlation_id or message_id)


@dataclass(frozen=True)
class TypeName:
    """A dvk message type as a property, routing key or envelope names it; `version` is None
    when named without a `.vN` suffix."""

    name: str
    version: int | None

    def agrees_with(self, other: TypeName) -> bool:
        return self.name == other.name and (
            self.version is None or other.version is None or self.version == other.version)


def dvk_type_name(value: str | None) -> TypeName | None:
    """The dvk message type `value` names, or None when it names none: absent, a class name
    (`com.example.FeedbackDto`), a queue or a generic routing key (`legacy`, `#`)."""
    if not value:
        return None
    found = _VERSION_SUFFIX.match(value)
    name, version = (found["type"], int(found["version"])) if found else (value, None)
    return TypeName(name, version) if name in _DVK_TYPES else None


# Where a message may name its type: (how the Office reads it, how developers read it).
_TYPE_PLACES = {"type": ("thuộc tính type", "the type property"),
                "routing key": ("routing key", "the routing key"),
                "envelope": ("trường type của phong bì", "the envelope's type")}


def _type_conflict(msg: IngressMessage, envelope_type: str | None = None) -> Rejection | None:
    """A message that names two different dvk message types (its type property, its routing
    key, its envelope) is refused naming `type`: intake does not guess which one is meant. A
    type property that names no dvk type (absent, a class name) is no conflict."""
    named = [(place, sent, found) for place, sent in (
        ("envelope", envelope_type), ("type", msg.message_type), ("routing key", msg.routing_key))
        if (found := dvk_type_name(sent)) is not None]
    for (place, sent, found), (other_place, other_sent, other) in combinations(named, 2):
        if not found.agrees_with(other):
            (vi, en), (other_vi, other_en) = _TYPE_PLACES[place], _TYPE_PLACES[other_place]
            return _reject(
                _both(f"{vi} và {other_vi} ghi hai loại thông điệp khác nhau",
                      f"{en} and {other_en} name different message types"), "type",
                f"{place} {sent!r} but {other_place} {other_sent!r}: name one message type "
                "(or leave the type property unset)")
    return None


def _type_of(msg: IngressMessage) -> tuple[str | None, int]:
    """The message type its type property or routing key names (they agree: see
    _type_conflict), and its schema version: the header's, else the name's `.vN`, else 1.
    Raises ValueError when the schema-version header is not a whole number."""
    header = _VERSION_HEADER if _VERSION_HEADER in msg.headers else "schema_version"
    version = _header_version(msg.headers.get(header))
    named = [found for sent in (msg.message_type, msg.routing_key)
             if (found := dvk_type_name(sent)) is not None]
    if named:
        stated = next((n.version for n in named if n.version is not None), None)
        return named[0].name, version or stated or 1
    for candidate in (msg.message_type, msg.routing_key):  # no dvk name: refused naming it
        if candidate and (found := _VERSION_SUFFIX.match(candidate)):
            return found["type"], version or int(found["version"])
    return None, version or 1


def _header_version(value: Any) -> int:
    """0 when absent. Clients in other languages send it as a number, a string or bytes."""
    if value is None or value == "" or value == b"":
        return 0
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, bool) or (isinstance(value, float | Decimal) and value % 1 != 0):
        raise ValueError(f"{value!r} is not a schema version")
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a schema version") from None
    if version < 1:
        raise ValueError(f"{value!r} is not a schema version (1 or more)")
    return version


def _validate_command(message_type: str, version: int, data: Any, *, message_id: str,
                      keyed: bool, correlation_id: str) -> AcceptedCommand | Rejection:
    try:
        model = model_for(message_type, version)
    except UnknownMessageType:
        return _reject(_both("loại thông điệp hoặc phiên bản không được hỗ trợ",
                             "unknown message type or schema version"), "type",
                       f"{message_type}.v{version} is not known; integrating systems may send: "
                       f"{_INGRESS_NAMES}")
    if model not in INGRESS_COMMANDS:
        return _reject(_both("hệ thống bên ngoài không được gửi loại thông điệp này",
                             "not a command integrating systems may send"), "type",
                       f"{message_type}.v{version} is an event, not an ingress command")
    try:
        command = model.model_validate(data)
    except ValidationError as exc:
        return _from_validation(_both(f"{message_type}.v{version} không hợp lệ",
                                      f"{message_type}.v{version} is invalid"),
                                exc, prefix="data.")
    if future := _in_the_future(command):
        return _reject(_both(f"{future} ở thời điểm chưa tới", f"{future} is in the future"),
                       f"data.{future}", f"later than now plus {CLOCK_SKEW}")
    event_id = message_id if keyed else idempotency_key(command, message_id)
    return AcceptedCommand(command=command, event_id=event_id, correlation_id=correlation_id)


def _in_the_future(command: Payload) -> str | None:
    """The first of the command's times that has not come yet (a wrong clock or year)."""
    latest = utc_now() + CLOCK_SKEW
    for name in _WHEN_FIELDS:
        moment = getattr(command, name, None)
        if isinstance(moment, datetime) and moment > latest:
            return name
    return None


def _from_validation(reason: str, exc: ValidationError, *, prefix: str) -> Rejection:
    errors = tuple(FieldError(e["field"], e["reason"])
                   for e in field_errors(exc, prefix=prefix, whole="body"))
    return Rejection(reason=reason, errors=errors)


def _both(vietnamese: str, english: str) -> str:
    """The Office reads the first part; the integrating system's developers the second."""
    return f"{vietnamese} — {english}"


def _reject(reason: str, field_name: str, detail: str) -> Rejection:
    return Rejection(reason=reason, errors=(FieldError(field_name, detail),))


def _nfc(value: Any) -> Any:
    """Text is kept as sent, in Unicode NFC: "ệ" typed as e + two combining marks is one "ệ"."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def _content_id(body: bytes) -> str:
    """Without a message_id, the same bytes get the same id, so a resend is still one case."""
    return str(uuid.UUID(hashlib.sha256(body).hexdigest()[:32]))


# ---- the body limit ---------------------------------------------------------------------------

def bounded_body(body: bytes, limit: int) -> tuple[bytes, Truncated | None]:
    """The body as intake reads and keeps it: whole up to `limit` bytes; beyond, its first
    `limit` bytes, with the size and SHA-256 of the whole (the store never holds more than any
    message intake accepts, and a resend of the same bytes is still recognised)."""
    if len(body) <= limit:
        return body, None
    return body[:limit], Truncated(size=len(body), sha256=hashlib.sha256(body).hexdigest(),
                                   limit=limit)


def too_large(truncated: Truncated) -> Rejection:
    limit = truncated.limit
    return _reject(_both(f"nội dung vượt quá giới hạn {limit:,} byte".replace(",", "."),
                         f"body is larger than the {limit}-byte limit"), "body",
                   f"{truncated.size} bytes; intake reads at most {limit} bytes of a body "
                   "(DVK_INTAKE_MAX_BODY_BYTES)")


# ---- who a message says it is ----------------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    """What a corrected resend shares with the refused message it corrects: the idempotency key
    (`<source_system>|<type>.vN|<message_id>`, see idempotency_key), or the sending system's own
    id of what it is about (`<source_system>|<type>|<external_id>`, SOURCE_ID_FIELDS). None
    where the message does not say (unreadable, no source system)."""

    message_key: str | None
    source_key: str | None


def accepted_identity(accepted: AcceptedCommand) -> Identity:
    command = accepted.command
    own_id = getattr(command, SOURCE_ID_FIELDS.get(command.message_type, ""), None)
    return Identity(message_key=accepted.event_id, source_key=_source_key(
        command.message_type, getattr(command, "source_system", ""), own_id))


def content_digest(command: Payload) -> str:
    """SHA-256 of a command as validated (NFC, stripped, typed), without the sender's identity:
    what a resend under the same key must repeat to be the same command."""
    return hashlib.sha256(command.model_dump_json(exclude={"sender"}).encode()).hexdigest()


def resend_conflict(accepted: AcceptedCommand, *, same_message_id: bool,
                    ref: str | None) -> Rejection:
    """A resend under a key already accepted, with other content: refused (and kept), never
    answered as a duplicate, which would drop what changed."""
    case = f" (hồ sơ {ref})" if ref else ""
    if same_message_id:
        return _reject(_both(f"mã thông điệp này đã được nhận{case} với nội dung khác; gửi thay "
                             "đổi bằng một thông điệp mới",
                             "message id already accepted with other content"),
                       "message_id", f"{accepted.event_id} was accepted with other content")
    command = accepted.command
    id_field = SOURCE_ID_FIELDS[command.message_type]
    own_id = getattr(command, id_field)
    return _reject(_both(f"mã {own_id} đã được nhận{case} với nội dung khác; bổ sung, thay đổi "
                         "gửi bằng cập nhật (feedback.update) hoặc mã mới",
                         f"{id_field} already accepted with other content"),
                   f"data.{id_field}", f"{own_id} was accepted with other content")


def claimed_identity(msg: IngressMessage) -> Identity:
    """A refused message's identity, as far as it can be read: the one the accepted resend that
    corrects it would have (parse_ingress and idempotency_key, on what the message says)."""
    document = _readable(msg)
    if document is None:
        return Identity(None, None)
    if document.keys() >= _ENVELOPE_KEYS:
        named = _envelope_type_name(document)
        message_id, payload = document.get("event_id"), document.get("data")
    else:
        named = None if _type_conflict(msg) else _bare_type_name(msg)
        message_id, payload = msg.message_id or _content_id(msg.body), document
    if named is None or not isinstance(payload, dict):
        return Identity(None, None)
    system = _clean(payload.get("source_system"))
    own_id = payload.get(SOURCE_ID_FIELDS.get(named.name, ""))
    return Identity(message_key=_message_key(msg, system, named, message_id),
                    source_key=_source_key(named.name, system, own_id))


def _readable(msg: IngressMessage) -> dict[str, Any] | None:
    if msg.truncated is not None:
        return None
    try:
        document = json.loads(msg.body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def _envelope_type_name(document: dict[str, Any]) -> TypeName | None:
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        version = None
    found = dvk_type_name(_clean(document.get("type")))
    return TypeName(found.name, version) if found is not None else None


def _bare_type_name(msg: IngressMessage) -> TypeName | None:
    try:
        name, version = _type_of(msg)
    except ValueError:
        return None
    return TypeName(name, version) if name in _DVK_TYPES else None


def _message_key(msg: IngressMessage, system: str, named: TypeName,
                 message_id: Any) -> str | None:
    if msg.keyed:
        return msg.message_id
    if not isinstance(message_id, str) or not message_id or named.version is None:
        return None
    return bounded_id(f"{system}|{named.name}.v{named.version}|{message_id}")


def _source_key(message_type: str, system: str, own_id: Any) -> str | None:
    own_id = _clean(own_id)
    if not system or not own_id:
        return None
    return bounded_id(f"{system}|{message_type}|{own_id}")


def _clean(value: Any) -> str:
    """A text as the contracts read it (NFC, stripped); "" for anything else."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""
