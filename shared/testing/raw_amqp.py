"""Publishing AMQP properties as clients in other languages can send them, which Python clients
refuse to encode: a short string as raw bytes (a windows-1258 message_id), a timestamp as a raw
integer (microseconds), a header table as raw bytes (a header name that is not UTF-8)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiormq
from pamqp import commands as spec
from pamqp import encode


class RawTable(bytes):
    """A field table's encoded content (without its length), put on the wire as it is."""


def raw_table(*entries: tuple[bytes, bytes]) -> RawTable:
    """(name bytes, encoded value with its type octet) pairs, e.g. (b"s\\xf5", b"t\\x01")."""
    return RawTable(b"".join(bytes([len(name)]) + name + value for name, value in entries))


@contextmanager
def raw_property_values() -> Iterator[None]:
    """While inside, pamqp encodes bytes as a short string, an int as a timestamp and a
    RawTable as a table, byte for byte; other values as usual."""
    short_str, timestamp, table = (encode.METHODS[k] for k in ("shortstr", "timestamp", "table"))

    def raw_short_str(value: Any) -> bytes:
        if isinstance(value, bytes):
            return struct.pack("B", len(value)) + value
        return short_str(value)

    def raw_timestamp(value: Any) -> bytes:
        if isinstance(value, int):
            return struct.pack(">Q", value)
        return timestamp(value)

    def raw_field_table(value: Any) -> bytes:
        if isinstance(value, RawTable):
            return struct.pack(">I", len(value)) + bytes(value)
        return table(value)

    encode.METHODS.update(shortstr=raw_short_str, timestamp=raw_timestamp,
                          table=raw_field_table)
    try:
        yield
    finally:
        encode.METHODS.update(shortstr=short_str, timestamp=timestamp, table=table)


async def publish_raw(amqp_url: str, body: bytes, *, exchange: str, routing_key: str,
                      **properties: Any) -> None:
    """One persistent message with publisher confirms, through aiormq (no aio-pika checks);
    `properties` are spec.Basic.Properties fields, raw as raw_property_values allows."""
    connection = await aiormq.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        with raw_property_values():
            await channel.basic_publish(
                body, exchange=exchange, routing_key=routing_key,
                properties=spec.Basic.Properties(delivery_mode=2, **properties))
    finally:
        await connection.close()
