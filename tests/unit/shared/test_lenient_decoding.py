"""AMQP properties pamqp cannot read (shared/messaging/lenient_decoding.py), at the frame level:
what aiormq hands to pamqp.frame.unmarshal for each frame it reads from the socket."""

import struct
import time
from datetime import UTC, datetime

import pytest
from pamqp import commands as spec
from pamqp import decode, frame
from pamqp.exceptions import UnmarshalingException
from pamqp.header import ContentHeader

from shared.messaging import lenient_decoding
from shared.messaging.broker import make_broker
from shared.testing.raw_amqp import raw_property_values, raw_table

MICROS = 1_764_140_000_000_000  # 2025-11-26 in microseconds: pamqp makes it the year 57873
ID_1258 = "Sơ-123".encode("cp1258")  # b"S\xf5-123": a legacy Windows client's message_id


@pytest.fixture
def pristine():
    """pamqp as installed, for the length of the test; the lenient decoders put back after."""
    saved = dict(decode.METHODS), dict(decode.TABLE_MAPPING)
    saved_attrs = decode.short_str, decode.timestamp, decode.field_table
    decode.METHODS.update(shortstr=lenient_decoding._original_short_str,
                          timestamp=lenient_decoding._original_timestamp,
                          table=lenient_decoding._original_field_table)
    decode.TABLE_MAPPING.update({b"T": lenient_decoding._original_timestamp,
                                 b"F": lenient_decoding._original_field_table})
    decode.short_str, decode.timestamp, decode.field_table = (
        lenient_decoding._original_short_str, lenient_decoding._original_timestamp,
        lenient_decoding._original_field_table)
    yield
    decode.METHODS.update(saved[0])
    decode.TABLE_MAPPING.update(saved[1])
    decode.short_str, decode.timestamp, decode.field_table = saved_attrs


def _header_frame(**properties) -> bytes:
    with raw_property_values():
        return frame.marshal(ContentHeader(0, 2, spec.Basic.Properties(**properties)), 1)


def _deliver_frame(routing_key: bytes) -> bytes:
    with raw_property_values():
        return frame.marshal(spec.Basic.Deliver("ctag", 1, False, "dvk.ingress", routing_key), 1)


def test_pamqp_as_installed_cannot_read_them(pristine):
    """The defect this module exists for: each raises, and aiormq closes the connection."""
    for data in (_header_frame(message_id=ID_1258), _header_frame(timestamp=MICROS),
                 _header_frame(headers=raw_table((b"s\xf5", b"t\x01"))),
                 _deliver_frame(b"feedback.submit\xf5")):
        with pytest.raises(UnmarshalingException):
            frame.unmarshal(data)


def test_make_broker_installs_the_lenient_decoders(pristine):
    assert not lenient_decoding.installed()
    make_broker("amqp://guest:guest@127.0.0.1:5672/")
    assert lenient_decoding.installed()
    lenient_decoding.install()  # idempotent
    assert decode.METHODS["shortstr"] is lenient_decoding.short_str


def test_a_message_id_that_is_not_utf8_reads_as_escaped_text():
    lenient_decoding.install()
    _, _, header = frame.unmarshal(_header_frame(message_id=ID_1258, correlation_id=b"c\xe0",
                                                 reply_to="ok|fine"))
    props = header.properties
    assert props.message_id == "S\\xf5-123"  # readable, ASCII-safe, the same every time
    assert props.message_id.encode("utf-8")  # storable, loggable, publishable again
    assert props.message_id != ID_1258.decode("latin-1")  # not another sender's UTF-8 "Sõ-123"
    assert props.correlation_id == "c\\xe0" and props.reply_to == "ok|fine"


def test_a_timestamp_in_microseconds_decodes_to_none_and_the_rest_is_read():
    lenient_decoding.install()
    _, _, header = frame.unmarshal(_header_frame(timestamp=MICROS, message_id="m-1",
                                                 content_type="application/json"))
    props = header.properties
    assert props.timestamp is None
    assert props.message_id == "m-1" and props.content_type == "application/json"


def test_seconds_and_milliseconds_decode_as_before():
    lenient_decoding.install()
    now = int(time.time())
    for raw in (now, now * 1000):
        _, _, header = frame.unmarshal(_header_frame(timestamp=raw))
        assert header.properties.timestamp == datetime.fromtimestamp(now, tz=UTC)
    _, _, header = frame.unmarshal(_header_frame(message_id="Hồ sơ 12"))
    assert header.properties.message_id == "Hồ sơ 12"


def test_header_names_and_timestamps_that_pamqp_cannot_read():
    lenient_decoding.install()
    table = raw_table((b"s\xf5", b"t\x01"), (b"sent_at", b"T" + struct.pack(">Q", MICROS)),
                      (b"x-schema-version", b"S" + struct.pack(">I", 1) + b"1"),
                      (b"nested", b"F" + struct.pack(">I", 4) + b"\x01k" + b"t\x00"))
    _, _, header = frame.unmarshal(_header_frame(headers=table))
    assert header.properties.headers == {"s\\xf5": True, "sent_at": None,
                                         "x-schema-version": "1", "nested": {"k": False}}


def test_a_routing_key_that_is_not_utf8_is_read():
    lenient_decoding.install()
    _, _, deliver = frame.unmarshal(_deliver_frame(b"feedback.submit\xf5"))
    assert deliver.routing_key == "feedback.submit\\xf5" and deliver.exchange == "dvk.ingress"


def test_a_truncated_frame_is_still_a_framing_error():
    lenient_decoding.install()
    with pytest.raises(ValueError):
        lenient_decoding.timestamp(b"\x00\x01")
