"""reporting's tables: the retained events and the read model projected from them.

Every read-model table is filled only by projections (projections.py, movement.py) and can be
emptied and refilled from `event_log` (replay.py). `report_builds` is not part of the read
model: it records which reports were built, and is kept across a rebuild.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Index, Integer, String, Text
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
    """One row per case: what the reports count. Filled by projections in any event order.

    Dates (`*_on`) are local dates in Asia/Ho_Chi_Minh; `*_at` are UTC instants. The columns
    after "derived" are recomputed from the others after every event (projections.derive).
    """

    __tablename__ = "case_facts"
    __table_args__ = (
        # covering indexes: the received and handled figures read these and nothing else
        Index("ix_case_facts_received_figures", "received_on", "unit_code", "kind", "channel",
              "received_month"),
        Index("ix_case_facts_closed_figures", "closed_on", "unit_code", "on_time",
              "handling_days"),
    )

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(20), index=True)
    channel: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    received_on: Mapped[date | None] = mapped_column(Date, index=True)
    received_month: Mapped[str | None] = mapped_column(String(7))
    complaint_round: Mapped[int | None]
    letter_eligible: Mapped[bool | None]
    letter_within_competence: Mapped[bool | None]
    letter_action: Mapped[str | None] = mapped_column(String(20))
    letter_replied: Mapped[bool | None]
    # the responsible unit: from the latest assignment or transfer (assigned_at, id)
    unit_code: Mapped[str | None] = mapped_column(String(40), index=True)
    unit_name: Mapped[str | None] = mapped_column(String(300))
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    assignment_event_id: Mapped[str | None] = mapped_column(String(200))
    needs_triage: Mapped[bool | None]
    # the deadlines: from the latest routing event that set them (deadlines_at, id)
    due_dates: Mapped[dict | None] = mapped_column(JSON)
    due_on: Mapped[date | None] = mapped_column(Date)
    deadlines_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deadlines_event_id: Mapped[str | None] = mapped_column(String(200))
    # reminders and ladder messages notify holds for the case's running deadlines: the
    # live_count of its latest notifications_scheduled (reminders_at, id)
    reminders_scheduled: Mapped[int] = mapped_column(Integer, default=0)
    reminders_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminders_event_id: Mapped[str | None] = mapped_column(String(200))
    # the case's status: from the latest status change (status_at, then status_event_id =
    # "<place in the case's life>:<event id>", see domain.status_key)
    status: Mapped[str | None] = mapped_column(String(20))
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status_event_id: Mapped[str | None] = mapped_column(String(200))
    status_closes: Mapped[str | None] = mapped_column(String(20))
    status_result: Mapped[str | None] = mapped_column(String(60))
    status_decided: Mapped[bool | None]
    first_action_on: Mapped[date | None] = mapped_column(Date)
    # derived
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    close_kind: Mapped[str | None] = mapped_column(String(20))
    result: Mapped[str | None] = mapped_column(String(60))
    processed_on: Mapped[date | None] = mapped_column(Date)
    on_time: Mapped[bool | None]
    handling_days: Mapped[int | None]
    competent: Mapped[bool | None]
    outside_action: Mapped[str | None] = mapped_column(String(20))


class CaseEscalation(Base):
    """One urging or escalation notice notify sent for a case (notify.case_escalated)."""

    __tablename__ = "case_escalations"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), index=True)
    unit_code: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(40))
    sent_on: Mapped[date] = mapped_column(Date, index=True)


class TaskProgress(Base):
    """A unit's latest progress on a plan task for one reporting period."""

    __tablename__ = "task_progress"

    task_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    period: Mapped[str] = mapped_column(String(30), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    section: Mapped[str] = mapped_column(String(20))
    task_title: Mapped[str] = mapped_column(Text)
    percent_done: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    done_text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reported_on: Mapped[date] = mapped_column(Date)
    event_id: Mapped[str] = mapped_column(String(200))


class DvkModelRow(Base):
    """A "Dân vận khéo" model or exemplar: its registration and its latest review."""

    __tablename__ = "dvk_models"

    model_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(500))
    field: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str | None] = mapped_column(String(20))
    unit_code: Mapped[str | None] = mapped_column(String(100), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None]
    registered_on: Mapped[date | None] = mapped_column(Date)
    registration_event_id: Mapped[str | None] = mapped_column(String(200))
    review_result: Mapped[str | None] = mapped_column(String(40))
    review_level: Mapped[str | None] = mapped_column(String(100))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    review_note: Mapped[str | None] = mapped_column(Text)
    review_event_id: Mapped[str | None] = mapped_column(String(200))


class MovementSession(Base):
    """A dialogue or citizen-reception session, with the counts 01/TCD needs."""

    __tablename__ = "movement_sessions"

    session_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    session_type: Mapped[str] = mapped_column(String(20))
    regularity: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    chaired_by: Mapped[str] = mapped_column(String(300))
    received_by: Mapped[str] = mapped_column(String(20))
    unit_code: Mapped[str] = mapped_column(String(100))
    participants: Mapped[int]
    visits: Mapped[int]
    persons: Mapped[int]
    cases_first_time: Mapped[int]
    cases_repeated: Mapped[int]
    group_delegations: Mapped[int]
    group_persons: Mapped[int]
    issues_raised: Mapped[int]
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    event_id: Mapped[str] = mapped_column(String(200))


class InspectionRow(Base):
    __tablename__ = "inspections"

    inspection_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    unit_inspected: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(20))
    started_on: Mapped[date] = mapped_column(Date, index=True)
    ended_on: Mapped[date | None] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text)
    recommendations: Mapped[list] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    event_id: Mapped[str] = mapped_column(String(200))


class ReportBuild(Base):
    """A report built (or being built). `schedule_key` makes scheduled builds happen once per
    (family, period, scope), whatever restarts or replicas."""

    __tablename__ = "report_builds"

    report_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    family: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(30))
    scope: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(200))
    schedule_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    title: Mapped[str | None] = mapped_column(Text)
    files: Mapped[list | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


READ_MODEL = (CaseFact, CaseEscalation, TaskProgress, DvkModelRow, MovementSession, InspectionRow)
