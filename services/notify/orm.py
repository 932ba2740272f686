"""notify's tables: the schedule (it survives restarts) and the delivery log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UtcDateTime
from shared.messaging.tables import define_inbox, define_outbox


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
outbox = define_outbox(metadata)
inbox = define_inbox(metadata)


class ScheduledNotification(Base):
    """One message to send once; its idempotency key makes a second schedule or send a no-op."""

    __tablename__ = "scheduled_notifications"

    idempotency_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(40), index=True)
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
