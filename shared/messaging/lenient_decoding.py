"""AMQP properties that pamqp cannot read must not take the connection down.

pamqp (4.0.x) decodes every incoming frame before any dvk code sees it, and two kinds of value
that RabbitMQ passes through unchecked make it raise:

- a short string (`message_id`, `correlation_id`, `reply_to`, `type`, `app_id`, a routing key,
  a header name) that is not UTF-8 — a legacy Windows client writing windows-1258 bytes:
  `'utf-8' codec can't decode byte 0xf5`;
- a `timestamp` property or header (seconds since the epoch in AMQP) sent in microseconds or
  nanoseconds: pamqp takes anything past 2106 for milliseconds, and the result is still out of
  `datetime`'s range (`year 58873 is out of range`).

aiormq then treats the frame as a protocol error and closes the whole connection: every
consumer of the service drops, reconnects, is handed the same message again, until the quorum
queue's delivery limit dead-letters it with no reason and nothing kept. One bad message stops
all consumption of the service.

`install()` (called by `make_broker`) swaps those decoders, once per process, for ones that
never raise on such values:

- a short string that is not UTF-8 is read with `backslashreplace`: the valid part stays
  readable and each undecodable byte becomes `\\xNN` (`S\\xf5-123`). The result is plain
  ASCII-safe text, so it can be stored, logged as JSON, and published again (a dead-letter copy
  keeps the `message_id`); the same bytes always give the same text, so de-duplication by id
  still holds; and it cannot be mistaken for another sender's UTF-8 id (Latin-1 would make
  b"\\xf5" equal to the UTF-8 id "õ"; `surrogateescape` gives text that cannot be encoded as
  UTF-8 again, which breaks storing, logging and re-publishing it);
- a timestamp that is out of range after pamqp's own milliseconds guess decodes to None
  (the property is then absent, as aio-pika expects a datetime or None; no dvk code reads it).

Everything that decodes today decodes exactly as before: the replacements call pamqp's own
functions first and only handle their failure. Table (header) values that are not UTF-8 were
already returned as bytes by pamqp.
"""

from __future__ import annotations

import datetime
import struct
from typing import Any

from pamqp import common, decode

_MARK = "_dvk_lenient"
_original_short_str = decode.short_str
_original_timestamp = decode.timestamp
_original_field_table = decode.field_table


def short_str(value: bytes) -> tuple[int, str]:
    try:
        return _original_short_str(value)
    except UnicodeDecodeError:
        length = value[0]
        return length + 1, value[1:length + 1].decode("utf-8", errors="backslashreplace")


def timestamp(value: bytes) -> tuple[int, datetime.datetime | None]:
    try:
        return _original_timestamp(value)
    except (ValueError, OverflowError, OSError):
        if len(value) < 8:
            raise  # truncated: a real framing error, as before
        return 8, None


def field_table(value: bytes) -> tuple[int, common.FieldTable]:
    """pamqp's field_table, with header names read like short strings (above); the values go
    through pamqp's own (patched) embedded_value."""
    try:
        length = common.Struct.integer.unpack(value[0:4])[0]
        offset = 4
        data: dict[str, Any] = {}
        field_table_end = offset + length
        if field_table_end > len(value):
            raise ValueError("Field table length exceeds available data")
        while offset < field_table_end:
            key_length = common.Struct.byte.unpack_from(value, offset)[0]
            offset += 1
            if offset + key_length > field_table_end:
                raise ValueError("Field table key length exceeds data")
            key = value[offset:offset + key_length].decode("utf-8", errors="backslashreplace")
            offset += key_length
            consumed, result = decode.embedded_value(value[offset:])
            offset += consumed
            data[key] = result
        return field_table_end, data
    except (struct.error, TypeError) as err:
        raise ValueError("Could not unpack data") from err


for _replacement in (short_str, timestamp, field_table):
    setattr(_replacement, _MARK, True)


def installed() -> bool:
    return bool(getattr(decode.METHODS["shortstr"], _MARK, False)
                and getattr(decode.METHODS["timestamp"], _MARK, False)
                and getattr(decode.TABLE_MAPPING[b"T"], _MARK, False)
                and getattr(decode.TABLE_MAPPING[b"F"], _MARK, False))


def install() -> None:
    """Idempotent. Frame decoding goes through decode.METHODS (properties and method frames)
    and decode.TABLE_MAPPING (header values), looked up at each call, so replacing the entries
    there is enough; the module attributes are replaced too for any direct caller."""
    if installed():
        return
    decode.METHODS["shortstr"] = short_str
    decode.METHODS["timestamp"] = timestamp
    decode.METHODS["table"] = field_table
    decode.TABLE_MAPPING[b"T"] = timestamp
    decode.TABLE_MAPPING[b"F"] = field_table
    decode.short_str = short_str  # type: ignore[assignment]
    decode.timestamp = timestamp  # type: ignore[assignment]
    decode.field_table = field_table  # type: ignore[assignment]
