"""Load generated events into a read model fast: project them in memory with the service's own
projections, then bulk-insert the rows (tests and benchmarks; the live path is handlers.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from .orm import CaseFact
from .projections import PROJECTIONS, EventMeta
from .synthetic import GeneratedEvent

INSERT_BATCH = 5_000


def plain_row(table: type) -> type:
    """A plain class with the table's columns as attributes (all None): the projections only
    read and set attributes, and plain objects do that many times faster than mapped ones."""
    if table not in _PLAIN:
        columns = [c.key for c in table.__mapper__.column_attrs]

        def __init__(self: Any, **key: Any) -> None:
            self.__dict__.update(dict.fromkeys(columns), **key)

        _PLAIN[table] = type(f"Plain{table.__name__}", (), {"__init__": __init__})
    return _PLAIN[table]


_PLAIN: dict[type, type] = {}


def project_in_memory(events: Iterable[GeneratedEvent]) -> dict[type, dict[tuple, Any]]:
    """{table: {primary key: row}} after applying every event with the service's projections;
    the rows are plain objects with the table's columns."""
    rows: dict[type, dict[tuple, Any]] = defaultdict(dict)
    for event in events:
        projection = PROJECTIONS[(event.payload.message_type, event.payload.schema_version)]
        meta = EventMeta(event.event_id, event.occurred_at)
        key = projection.key(event.payload, meta)
        table_rows = rows[projection.table]
        identity = tuple(key.values())
        row = table_rows.get(identity)
        if row is None:
            row = table_rows[identity] = plain_row(projection.table)(**key)
            if projection.table is CaseFact:
                row.reminders_scheduled = 0
        projection.apply(row, event.payload, meta)
    return rows


async def bulk_insert(sessions: async_sessionmaker, rows: dict[type, dict[tuple, Any]]) -> int:
    """Insert the projected rows in batches, one transaction; returns how many."""
    total = 0
    async with sessions() as session, session.begin():
        for table, by_key in rows.items():
            values = [dict(row.__dict__) for row in by_key.values()]
            for i in range(0, len(values), INSERT_BATCH):
                await session.execute(insert(table.__table__), values[i:i + INSERT_BATCH])
            total += len(values)
    return total


async def load_events(sessions: async_sessionmaker, events: Iterable[GeneratedEvent]) -> int:
    return await bulk_insert(sessions, project_in_memory(events))
