"""routing's tables (its own database)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UtcDateTime
from shared.messaging.tables import define_inbox, define_outbox


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
outbox = define_outbox(metadata)
inbox = define_inbox(metadata)


class Assignment(Base):
    """The unit currently responsible for a case, and its deadlines."""

    __tablename__ = "assignments"

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    unit_name: Mapped[str] = mapped_column(String(300))
    rule_id: Mapped[str] = mapped_column(String(100))
    explanation: Mapped[str] = mapped_column(Text)
    matched_keywords: Mapped[list] = mapped_column(JSON)
    needs_triage: Mapped[bool]
    deadlines: Mapped[list] = mapped_column(JSON)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    correlation_id: Mapped[str] = mapped_column(String(200))
    received_on: Mapped[date | None] = mapped_column(Date)
    complaint_round: Mapped[int | None] = mapped_column(Integer)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    extensions: Mapped[list] = mapped_column(JSON, default=list)
    closed: Mapped[bool] = mapped_column(default=False)
    external_body: Mapped[str | None] = mapped_column(String(300))
    remote_area: Mapped[bool] = mapped_column(default=False, server_default=false())


class AssignmentAudit(Base):
    """Who held a case when, and why it moved: assignment, transfer, reassignment."""

    __tablename__ = "assignment_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(30))
    from_unit: Mapped[str | None] = mapped_column(String(40))
    to_unit: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
