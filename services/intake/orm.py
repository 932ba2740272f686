"""intake's tables (its own database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, false
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
    correlation_id: Mapped[str] = mapped_column(String(200))
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
    holder_unit: Mapped[str | None] = mapped_column(String(100), index=True)
    accepted: Mapped[bool] = mapped_column(default=False)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    external: Mapped[bool] = mapped_column(default=False)


class TimelineEntry(Base):
    """Who did what to a case, when: the case's full history."""

    __tablename__ = "case_timeline"
    __table_args__ = (UniqueConstraint("source_system", "update_id", name="uq_timeline_update"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30))
    source_system: Mapped[str | None] = mapped_column(String(100))
    update_id: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict] = mapped_column(JSON)


class PendingCommand(Base):
    """A command that arrived before what it refers to (an update before its case is known and
    assigned, a review before its model): kept, and applied when that arrives."""

    __tablename__ = "pending_commands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_key: Mapped[str] = mapped_column(String(250), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    correlation_id: Mapped[str] = mapped_column(String(200))
    message_type: Mapped[str] = mapped_column(String(200))
    sealed_command: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


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
    # The same delivery again is the same id AND the same bytes; another body under that id
    # is another refusal, with its own reasons.
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    # The body's size as received; over intake's body limit only its first bytes are kept.
    body_size: Mapped[int | None] = mapped_column(Integer)
    body_truncated: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Who the message says it is (services/intake/ingress.py, Identity): an accepted resend
    # with either key supersedes the refusal.
    identity_key: Mapped[str | None] = mapped_column(String(200), index=True)
    source_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # pending | replayed | discarded | superseded
    status: Mapped[str] = mapped_column(String(20), default="pending")
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolution_note: Mapped[str | None] = mapped_column(Text)
    # The accepted message that superseded it: its idempotency key (Case.message_id, and the
    # causation_id of the event it caused).
    superseded_by: Mapped[str | None] = mapped_column(String(200))


class AcceptedDigest(Base):
    """What each accepted command said, as a digest under both keys a resend may repeat: a
    resend under one of them with other content is a conflict, not a duplicate."""

    __tablename__ = "accepted_commands"

    # The idempotency key (`<source_system>|<type>.vN|<message_id>`, Case.message_id).
    message_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    # The sending system's own id of what it is about (ingress.Identity.source_key).
    source_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # SHA-256 of the command as validated, without the sender's identity (ingress.content_digest).
    digest: Mapped[str] = mapped_column(String(64))
    # The case it made or changed, if any: named in the refusal of a conflicting resend.
    ref: Mapped[str | None] = mapped_column(String(40))
    accepted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TaskProgress(Base):
    __tablename__ = "task_progress"
    __table_args__ = (UniqueConstraint("source_system", "external_id", name="uq_progress_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    source_system: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str] = mapped_column(String(40), index=True)
    unit_code: Mapped[str] = mapped_column(String(100), index=True)
    period: Mapped[str] = mapped_column(String(30))
    percent_done: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    done_text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MovementRecord(Base):
    """Models registered and reviewed, dialogue/reception sessions, inspections."""

    __tablename__ = "movement_records"
    __table_args__ = (UniqueConstraint("record_type", "record_id", name="uq_movement_record"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(250))
    subject_id: Mapped[str] = mapped_column(String(200), index=True)
    source_system: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    data: Mapped[dict] = mapped_column(JSON)


class ApiKey(Base):
    """An integrating system's key for the HTTP gateway; only its hash is stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    system: Mapped[str] = mapped_column(String(100), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rights: Mapped[str] = mapped_column(String(200), default="submit")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class RevealAudit(Base):
    """Every time a protected identity was shown: who, when, why (Luật Tố cáo 2018 Điều 47)."""

    __tablename__ = "reveal_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    officer: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(20))
