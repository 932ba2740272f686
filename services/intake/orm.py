"""intake's tables (its own database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UtcDateTime
from shared.messaging.tables import define_inbox, define_outbox


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
outbox = define_outbox(metadata)
inbox = define_inbox(metadata)


class Case(Base):
    """A piece of feedback accepted. Protected identity is only ever stored sealed."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("source_system", "external_id", name="uq_cases_source"),)

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    source_system: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30))
    protected: Mapped[bool]
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    accepted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    subject: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON)
    sealed_sender: Mapped[str | None] = mapped_column(Text)
    sealed_original: Mapped[str | None] = mapped_column(Text)


class RefCounter(Base):
    __tablename__ = "ref_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class RejectedMessage(Base):
    """What could not be accepted, kept (sealed: it may hold a denouncer's identity) for replay."""

    __tablename__ = "rejected_messages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    message_id: Mapped[str | None] = mapped_column(String(200))
    routing_key: Mapped[str | None] = mapped_column(String(200))
    message_type: Mapped[str | None] = mapped_column(String(200))
    way_in: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    errors: Mapped[list] = mapped_column(JSON)
    sealed_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
