"""reporting's repositories. They never commit: the unit of work does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.base import RawEnvelope
from shared.upsert import get_or_insert, insert_if_absent

from .orm import READ_MODEL, Base, CaseFact, ReportBuild, StoredEvent


class EventLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, envelope: RawEnvelope) -> bool:
        """Keeps the event once: False when it is already kept (a redelivery, a duplicate).
        The log's unique event_id is reporting's inbox: one statement claims and stores."""
        return await insert_if_absent(self.session, StoredEvent, dict(
            event_id=envelope.event_id, type=envelope.type,
            schema_version=envelope.schema_version, occurred_at=envelope.occurred_at,
            body=envelope.model_dump_json()))

    async def batch_after(self, seq: int, size: int) -> list[tuple[int, str]]:
        """(seq, body) of up to `size` events after `seq`, in the order they were stored."""
        rows = await self.session.execute(
            select(StoredEvent.seq, StoredEvent.body).where(StoredEvent.seq > seq)
            .order_by(StoredEvent.seq).limit(size))
        return [(r.seq, r.body) for r in rows]


class Rows:
    """Read-model rows by table and primary key, created on first use."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_or_new(self, table: type[Base], key: dict[str, Any]) -> Any:
        identity = tuple(key[c.name] for c in table.__mapper__.primary_key)
        if table is CaseFact:  # the row every event of a case meets: replicas race for it
            return await get_or_insert(self.session, table, identity,
                                       {**key, "reminders_scheduled": 0})
        row = await self.session.get(table, identity, with_for_update=True)
        if row is not None:
            return row
        row = table(**key)
        self.session.add(row)
        return row

    async def clear(self) -> None:
        """Empty every read-model table (before a replay)."""
        for table in READ_MODEL:
            await self.session.execute(delete(table))


class CaseFacts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ref: str) -> CaseFact | None:
        return await self.session.get(CaseFact, ref)

    async def counts(self) -> dict[str, object]:
        received = select(func.count()).select_from(CaseFact).where(
            CaseFact.received_at.is_not(None))
        assigned = select(func.count()).select_from(CaseFact).where(
            CaseFact.unit_code.is_not(None))
        closed = select(func.count()).select_from(CaseFact).where(
            CaseFact.closed_on.is_not(None))
        by_kind = select(CaseFact.kind, func.count()).where(
            CaseFact.kind.is_not(None)).group_by(CaseFact.kind)
        by_unit = select(CaseFact.unit_code, func.count()).where(
            CaseFact.unit_code.is_not(None)).group_by(CaseFact.unit_code)
        return {
            "received": await self.session.scalar(received) or 0,
            "assigned": await self.session.scalar(assigned) or 0,
            "closed": await self.session.scalar(closed) or 0,
            "by_kind": dict((await self.session.execute(by_kind)).all()),
            "by_unit": dict((await self.session.execute(by_unit)).all()),
        }


class ReportBuilds:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, build: ReportBuild) -> None:
        self.session.add(build)

    async def get(self, report_id: str) -> ReportBuild | None:
        return await self.session.get(ReportBuild, report_id)

    async def by_schedule_key(self, key: str) -> ReportBuild | None:
        return await self.session.scalar(select(ReportBuild).where(ReportBuild.schedule_key == key))

    async def release_stale(self, key: str, claimed_before: datetime) -> int:
        """Free the key of a scheduled build that started before `claimed_before` and failed
        or never finished (its replica died), so that it can be claimed again."""
        stale = await self.session.execute(
            update(ReportBuild).where(
                ReportBuild.schedule_key == key,
                ReportBuild.status.in_(("building", "failed")),
                ReportBuild.started_at < claimed_before)
            .values(schedule_key=None))
        return stale.rowcount or 0

    async def recent(self, limit: int = 50) -> list[ReportBuild]:
        rows = await self.session.scalars(
            select(ReportBuild).order_by(ReportBuild.started_at.desc(),
                                         ReportBuild.report_id).limit(limit))
        return list(rows)
