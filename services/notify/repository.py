"""notify's repositories. They never commit: the unit of work does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.upsert import get_or_insert

from .orm import PENDING, CaseRecord, DeliveryLogEntry, ScheduledNotification

Row = ScheduledNotification
CASE_PHASES = ("before", "after")  # reminders and ladder; the rows that follow the unit


class Schedule:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing_keys(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        found = await self.session.scalars(select(Row.idempotency_key).where(
            Row.idempotency_key.in_(keys)))
        return set(found)

    def add_all(self, items: list[Row]) -> None:
        self.session.add_all(items)

    async def insert_missing(self, values: list[dict[str, Any]]) -> None:
        """Insert-if-absent by key, safe against a concurrent replica doing the same."""
        if not values:
            return
        dialect = postgresql if self.session.bind.dialect.name == "postgresql" else sqlite
        await self.session.execute(dialect.insert(Row).values(values).on_conflict_do_nothing(
            index_elements=["idempotency_key"]))

    async def get(self, key: str, *, lock: bool = False) -> Row | None:
        query = select(Row).where(Row.idempotency_key == key)
        return await self.session.scalar(query.with_for_update() if lock else query)

    async def for_case(self, ref: str) -> list[Row]:
        return list(await self.session.scalars(
            select(Row).where(Row.case_ref == ref).order_by(Row.send_at, Row.idempotency_key)))

    async def set_status(self, keys: Iterable[str], status: str, *, reason: str | None = None,
                         only_from: tuple[str, ...] = PENDING, **values: Any) -> int:
        keys = list(keys)
        if not keys:
            return 0
        result = await self.session.execute(
            update(Row).where(Row.idempotency_key.in_(keys), Row.status.in_(only_from))
            .values(status=status, last_error=reason, **values))
        return result.rowcount or 0

    async def cancel_for_case(self, ref: str, reason: str, *, phases: tuple[str, ...],
                              steps: Iterable[str] | None = None) -> int:
        query = update(Row).where(Row.case_ref == ref, Row.status.in_(PENDING),
                                  Row.phase.in_(phases))
        if steps is not None:
            query = query.where(Row.step.in_(list(steps)))
        result = await self.session.execute(query.values(status="cancelled", last_error=reason))
        return result.rowcount or 0

    async def retarget(self, ref: str, unit_code: str) -> int:
        result = await self.session.execute(
            update(Row).where(Row.case_ref == ref, Row.status.in_(PENDING),
                              Row.phase.in_(CASE_PHASES)).values(unit_code=unit_code))
        return result.rowcount or 0

    async def held_for_case(self, ref: str) -> list[Row]:
        return list(await self.session.scalars(
            select(Row).where(Row.case_ref == ref, Row.status == "held")))

    async def due(self, now: datetime, *, office_open: bool, limit: int,
                  skip_locked: bool) -> list[Row]:
        query = (select(Row).where(Row.status == "scheduled", Row.due_at <= now)
                 .order_by(Row.due_at, Row.idempotency_key).limit(limit))
        if not office_open:
            query = query.where(Row.office_hours_only.is_(False))
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        return list(await self.session.scalars(query))

    async def expired_leases(self, now: datetime, *, limit: int, skip_locked: bool) -> list[Row]:
        query = (select(Row).where(Row.status.in_(("claimed", "in_doubt")),
                                   Row.lease_until < now).limit(limit))
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        return list(await self.session.scalars(query))

    async def fence(self, key: str, worker: str, status_from: tuple[str, ...],
                    **values: Any) -> bool:
        """Update the row only if `worker` still holds it: a dispatcher whose lease was taken
        over can neither pass the point of no return nor overwrite the new holder's outcome."""
        result = await self.session.execute(
            update(Row).where(Row.idempotency_key == key, Row.claimed_by == worker,
                              Row.status.in_(status_from)).values(**values))
        return (result.rowcount or 0) == 1

    async def ladder_sent(self, ref: str, step: str, due_on: date | None) -> dict[str, datetime]:
        rows = await self.session.execute(
            select(Row.kind, Row.sent_at).where(Row.case_ref == ref, Row.step == step,
                                                Row.due_on == due_on, Row.phase == "after",
                                                Row.sent_at.is_not(None)))
        return {kind: sent_at for kind, sent_at in rows}

    async def listing(self, *, statuses: tuple[str, ...] | None = None, ref: str | None = None,
                      limit: int = 200) -> list[Row]:
        query = select(Row).order_by(Row.due_at, Row.idempotency_key).limit(limit)
        if statuses:
            query = query.where(Row.status.in_(statuses))
        if ref:
            query = query.where(Row.case_ref == ref)
        return list(await self.session.scalars(query))

    async def count_by_status(self) -> dict[str, int]:
        rows = await self.session.execute(select(Row.status, func.count()).group_by(Row.status))
        return {status: count for status, count in rows}

    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(Row)) or 0


class Cases:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_or_create(self, ref: str, now: datetime) -> CaseRecord:
        """Locked on PostgreSQL: the events of one case are applied one after the other."""
        return await get_or_insert(self.session, CaseRecord, ref, dict(
            ref=ref, deadlines=[], live_reminders=0, protected=False, sender_known=False,
            consent=False, has_contact=False, closed=False, in_triage=False, updated_at=now))

    async def get(self, ref: str) -> CaseRecord | None:
        return await self.session.get(CaseRecord, ref)

    async def open_for_unit(self, unit_code: str) -> list[CaseRecord]:
        return list(await self.session.scalars(select(CaseRecord).where(
            CaseRecord.unit_code == unit_code, CaseRecord.closed.is_(False))))

    async def units_with_open_cases(self, codes: list[str]) -> set[str]:
        if not codes:
            return set()
        found = await self.session.scalars(select(CaseRecord.unit_code).distinct().where(
            CaseRecord.unit_code.in_(codes), CaseRecord.closed.is_(False)))
        return set(found)


class DeliveryLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, **values: Any) -> None:
        self.session.add(DeliveryLogEntry(**values))

    async def recent(self, *, ref: str | None = None, key: str | None = None,
                     limit: int = 100) -> list[DeliveryLogEntry]:
        query = select(DeliveryLogEntry).order_by(DeliveryLogEntry.id.desc()).limit(limit)
        if ref:
            query = query.where(DeliveryLogEntry.case_ref == ref)
        if key:
            query = query.where(or_(DeliveryLogEntry.idempotency_key == key,
                                    DeliveryLogEntry.idempotency_key.startswith(key + "~")))
        return list(await self.session.scalars(query))

