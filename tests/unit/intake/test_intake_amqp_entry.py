"""intake's AMQP entry (services/intake/subscribers.py): the reply it sends itself, and bodies
sent with a content_encoding."""

import gzip
import json
import unicodedata
import zlib
from types import SimpleNamespace

import pytest

from services.intake import subscribers
from services.intake.handlers import IngressReply
from services.intake.settings import DEFAULT_MAX_BODY_BYTES
from services.intake.subscribers import UnreadableEncoding, decoded_body, send_reply
from shared.testing.factories import feedback_body, windows_1258


class Broker:
    def __init__(self, fail: Exception | None = None) -> None:
        self.sent: list[dict] = []
        self.fail = fail

    async def publish(self, body: bytes, **kwargs) -> None:
        if self.fail is not None:
            raise self.fail
        self.sent.append({"body": body, **kwargs})


def _message(reply_to: str, correlation_id: str | None = "c-1", message_id: str | None = "m-1"):
    """As FastStream hands it over: an absent correlation_id is filled with a fresh uuid."""
    raw = SimpleNamespace(correlation_id=correlation_id, message_id=message_id)
    return SimpleNamespace(reply_to=reply_to, correlation_id=correlation_id or "invented-uuid",
                           raw_message=raw)


ACCEPTED = IngressReply(status="accepted", ref="PAKN-2026-000001")


async def test_reply_to_with_a_bar_is_a_queue_name_on_the_default_exchange():
    broker = Broker()
    await send_reply(broker, _message("cong-dvc|replies"), ACCEPTED)
    [sent] = broker.sent
    assert sent["exchange"] is None and sent["routing_key"] == "cong-dvc|replies"
    assert sent["correlation_id"] == "c-1" and sent["mandatory"] is False
    assert json.loads(sent["body"]) == {"status": "accepted", "ref": "PAKN-2026-000001",
                                        "errors": []}


@pytest.mark.parametrize(("correlation_id", "message_id", "answered"), [
    (None, "m-7", "m-7"), (None, None, None), ("c-7", "m-7", "c-7")])
async def test_the_answer_carries_what_the_sender_set_never_an_invented_id(
        correlation_id, message_id, answered):
    broker = Broker()
    await send_reply(broker, _message("q", correlation_id, message_id), ACCEPTED)
    assert broker.sent[0]["correlation_id"] == answered


async def test_no_reply_to_no_reply():
    broker = Broker()
    await send_reply(broker, _message(""), ACCEPTED)
    assert broker.sent == []


async def test_a_reply_that_cannot_be_sent_does_not_fail_the_delivery(capsys):
    await send_reply(Broker(fail=RuntimeError("NOT_FOUND - no exchange 'replies'")),
                     _message("x|replies"), ACCEPTED)  # no exception: the command stands
    assert "reply not sent" in capsys.readouterr().out


def test_gzip_and_deflate_bodies_are_inflated():
    body = feedback_body()
    assert decoded_body(gzip.compress(body), "gzip", "application/json") == (
        body, "application/json")
    assert decoded_body(gzip.compress(body[:10]) + gzip.compress(body[10:]), "x-gzip",
                        None)[0] == body  # two gzip members
    assert decoded_body(zlib.compress(body), "deflate", None)[0] == body
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decoded_body(raw.compress(body) + raw.flush(), "Deflate", None)[0] == body


@pytest.mark.parametrize("encoding", [None, "", "identity", " IDENTITY ", "binary"])
def test_no_encoding_is_the_body_as_sent(encoding):
    assert decoded_body(b"{}", encoding, "application/json") == (b"{}", "application/json")


def test_a_charset_in_content_encoding_labels_the_body():
    """Spring AMQP puts the charset in content_encoding ("UTF-8"); older systems too."""
    assert decoded_body(b"{}", "UTF-8", "application/json") == (
        b"{}", "application/json; charset=utf-8")
    assert decoded_body(b"{}", "windows-1258", "text/plain; charset=utf-8") == (
        b"{}", "text/plain; charset=utf-8")  # the content type's own charset stands
    body = windows_1258('{"subject": "Chậm chi trả"}')
    _, content_type = decoded_body(body, "windows-1258", None)
    text = subscribers.as_utf8(body, content_type).decode()  # NFC comes later, in parsing
    assert unicodedata.normalize("NFC", text) == '{"subject": "Chậm chi trả"}'


def test_a_decompression_bomb_is_refused_without_inflating_it():
    bomb = gzip.compress(b" " * (64 * DEFAULT_MAX_BODY_BYTES))  # 64 MiB of spaces in ~64 KB
    with pytest.raises(UnreadableEncoding, match="inflates to more than 1048576 bytes"):
        decoded_body(bomb, "gzip", None)
    exactly = gzip.compress(b" " * DEFAULT_MAX_BODY_BYTES)
    assert len(decoded_body(exactly, "gzip", None)[0]) == DEFAULT_MAX_BODY_BYTES


def test_a_compressed_body_inflates_only_up_to_the_body_limit():
    body = b" " * 70_000
    with pytest.raises(UnreadableEncoding, match=r"more than 65536 bytes.*MAX_BODY_BYTES"):
        decoded_body(gzip.compress(body), "gzip", None, limit=65_536)
    assert decoded_body(gzip.compress(body), "gzip", None, limit=70_000)[0] == body


@pytest.mark.parametrize(("body", "encoding", "says"), [
    (b'{"a": 1}', "gzip", "not valid gzip"),
    (gzip.compress(b'{"a": 1}')[:-12], "gzip", "truncated"),
    (b"", "gzip", "truncated"),
    (b'{"a": 1}', "deflate", "not valid deflate"),
    (b'{"a": 1}', "br", "'br' is not an encoding intake reads"),
    (b'{"a": 1}', "zstd", "send the body as is, gzip or deflate"),
])
def test_what_cannot_be_read_names_why(body, encoding, says):
    with pytest.raises(UnreadableEncoding, match=says):
        decoded_body(body, encoding, None)
