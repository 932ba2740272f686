"""make_envelope keeps the envelope type of each payload for good: pydantic holds parametrized
generics only weakly, and rebuilding one after a garbage collection costs milliseconds."""

import gc
import weakref
from datetime import UTC, datetime

from shared.contracts.base import Envelope, make_envelope
from shared.contracts.notify import NotificationSent


def _sent() -> NotificationSent:
    return NotificationSent(idempotency_key="k-1", ref="PAKN-2026-000001", unit_code="THANH_TRA",
                            kind="ack", audience="sender", channel="email",
                            sent_at=datetime.now(UTC))


def test_the_envelope_type_survives_garbage_collection():
    built = weakref.ref(type(make_envelope(_sent(), producer="notify")))
    gc.collect()
    assert built() is not None
    assert type(make_envelope(_sent(), producer="notify")) is built()


def test_the_envelope_is_the_parametrized_contract():
    envelope = make_envelope(_sent(), producer="notify")
    assert isinstance(envelope, Envelope)
    assert type(envelope).model_fields["data"].annotation is NotificationSent
    assert envelope.type == "notify.notification_sent"
    assert envelope.correlation_id == envelope.event_id
