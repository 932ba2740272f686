"""reporting's tables: the retained events and the read model projected from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UtcDateTime
from shared.messaging.tables import define_inbox, define_outbox


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
outbox = define_outbox(metadata)
inbox = define_inbox(metadata)


class StoredEvent(Base):
    """Every event reporting received, kept so the read model can be rebuilt by replay."""

    __tablename__ = "event_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(200), index=True)
    schema_version: Mapped[int]
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    body: Mapped[str] = mapped_column(Text)


class CaseFact(Base):
    """One row per case: what the reports count. Filled by projections in any event order."""

    __tablename__ = "case_facts"

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(20), index=True)
    channel: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(40), index=True)
    unit_name: Mapped[str | None] = mapped_column(String(300))
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    needs_triage: Mapped[bool | None]
    due_dates: Mapped[dict | None] = mapped_column(JSON)
    reminders_scheduled: Mapped[int] = mapped_column(Integer, default=0)
