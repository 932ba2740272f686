"""The outbox and inbox tables, added to each service's own metadata."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from shared.db import UtcDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_ID = BigInteger().with_variant(Integer(), "sqlite")


def define_outbox(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("event_id", String(200), nullable=False, unique=True),
        Column("exchange", String(200), nullable=False),
        Column("routing_key", String(200), nullable=False),
        Column("message_type", String(200), nullable=False),
        Column("correlation_id", String(200), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True),
        Index("ix_outbox_unpublished", "published_at", "id"),
    )


def define_inbox(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("event_id", String(200), nullable=False),
        Column("consumer", String(100), nullable=False),
        Column("processed_at", UtcDateTime(), nullable=False),
        PrimaryKeyConstraint("event_id", "consumer", name="pk_inbox"),
    )
