"""notify's tables: the schedule (it survives restarts), what it knows of each case, and the
delivery log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UtcDateTime
from shared.messaging.tables import define_inbox, define_outbox


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
outbox = define_outbox(metadata)
inbox = define_inbox(metadata)

# held: waits for data (the sender's contact, the case reaching a unit, a new deadline)
# scheduled: due at `due_at` | claimed: leased to a dispatcher, nothing irrevocable done yet
# in_doubt: the dispatcher passed the point after which the destination may have accepted it
# sent | failed (parked, operator) | uncertain (in doubt after a crash, operator) |
# cancelled | skipped (superseded, deadline passed) | digested (in the unit's digest) |
# blocked (no consent, no address: the handling officer sends it on paper)
PENDING = ("held", "scheduled")
ACTIVE = ("held", "scheduled", "claimed", "in_doubt")


class ScheduledNotification(Base):
    """One message to one destination, sent once; its idempotency key makes a second schedule
    or send a no-op (and is the mail's Message-ID and the webhook's idempotency header)."""

    __tablename__ = "scheduled_notifications"
    __table_args__ = (Index("ix_scheduled_due", "status", "due_at"),)

    idempotency_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(120), index=True)
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(40))
    template: Mapped[str] = mapped_column(String(80))
    step: Mapped[str] = mapped_column(String(60))
    phase: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date | None] = mapped_column(Date)
    send_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    office_hours_only: Mapped[bool]
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    context: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    channel: Mapped[str] = mapped_column(String(60), default="email", server_default="email")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    not_after: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    alerted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CaseRecord(Base):
    """What notify knows of a case, from intake and routing events in whatever order they come.
    The sender's contact stays sealed here; it is opened only to send, never logged."""

    __tablename__ = "notify_cases"

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(30))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    summary: Mapped[str | None] = mapped_column(Text)  # None for protected cases
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    sender_known: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    has_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    sealed_contact: Mapped[str | None] = mapped_column(Text)
    unit_code: Mapped[str | None] = mapped_column(String(40), index=True)
    unit_name: Mapped[str | None] = mapped_column(String(300))
    in_triage: Mapped[bool] = mapped_column(Boolean, default=False)  # the Office holds it
    routed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deadlines: Mapped[list] = mapped_column(JSON, default=list)
    deadlines_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # the count last announced in notifications_scheduled (scheduling.live_count)
    live_reminders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DeliveryLogEntry(Base):
    """What went to whom, when, through which channel, with what outcome. A sender's address is
    stored sealed."""

    __tablename__ = "delivery_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                    primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), index=True)
    case_ref: Mapped[str | None] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(60))
    transport: Mapped[str | None] = mapped_column(String(20))
    recipient: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
