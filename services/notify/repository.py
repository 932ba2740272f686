"""notify's repositories. They never commit: the unit of work does.

The statements a message runs every time (a case's record and schedule, the dispatcher's fenced
updates, the delivery log) are Core statements built once, with the values as parameters: an
ORM unit of work or a statement built per call costs several times their client CPU."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row as CoreRow
from sqlalchemy.ext.asyncio import AsyncSession

from .orm import PENDING, CaseRecord, DeliveryLogEntry, ScheduledNotification

Row = ScheduledNotification
CASE_PHASES = ("before", "after")  # reminders and ladder; the rows that follow the unit
SCHEDULE = ScheduledNotification.__table__
CASES = CaseRecord.__table__
LOG = DeliveryLogEntry.__table__
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass
class CaseSchedule:
    """A case's schedule as one message sees it: the stored rows, read once (`held` are copies
    of the held ones, which `settle_acks` may change), and the rows the message adds, inserted
    together by `Schedule.write`."""

    rows: list[CoreRow]
    held: list[dict[str, Any]]
    new: list[dict[str, Any]] = field(default_factory=list)

    def has(self, key: str) -> bool:
        return any(r.idempotency_key == key for r in self.rows) or \
            any(v["idempotency_key"] == key for v in self.new)

    def waiting(self) -> list[dict[str, Any]]:
        """The rows still held, stored or new."""
        return [v for v in (*self.held, *self.new) if v["status"] == "held"]


class Schedule:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing_keys(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        found = await self.session.scalars(select(Row.idempotency_key).where(
            Row.idempotency_key.in_(keys)))
        return set(found)

    async def of_case(self, ref: str) -> CaseSchedule:
        rows = list(await self.session.execute(_CASE_ROWS, {"ref": ref}))
        return CaseSchedule(rows, [dict(r._mapping) for r in rows if r.status == "held"])

    async def write(self, schedule: CaseSchedule) -> None:
        """The held rows that were settled, and the new rows (one executemany each)."""
        settled = [{"b_key": v["idempotency_key"], "v_status": v["status"],
                    "v_last_error": v["last_error"], "v_due_at": v["due_at"]}
                   for v in schedule.held if v["status"] != "held"]
        if settled:
            await self.session.execute(_SETTLE, settled)
        await self.insert(schedule.new)

    async def insert(self, values: list[dict[str, Any]]) -> None:
        """Rows from `scheduling.row_values` (every row with the same keys)."""
        if values:
            await self.session.execute(_INSERT_ROWS, values)

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
        result = await self.session.execute(_fence(tuple(status_from), tuple(values)), {
            "b_key": key, "b_worker": worker, **{f"v_{k}": v for k, v in values.items()}})
        return (result.rowcount or 0) == 1

    async def ladder_sent(self, ref: str, step: str, due_on: date | None) -> dict[str, datetime]:
        rows = await self.session.execute(
            select(Row.kind, Row.sent_at).where(Row.case_ref == ref, Row.step == step,
                                                Row.due_on == due_on, Row.phase == "after",
                                                Row.sent_at.is_not(None)))
        return dict(rows.all())  # a Result has keys(): dict() would index it by them

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
        return dict(rows.all())  # a Result has keys(): dict() would index it by them

    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(Row)) or 0


class Cases:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_or_create(self, ref: str, now: datetime) -> CaseRecord:
        """The case's record, created when new and locked on PostgreSQL until the commit (the
        events of one case are applied one after the other; a replica creating it at the same
        moment is waited for). Detached: `save` writes it back."""
        statement = _case_upsert(self.session.bind.dialect.name)
        row = (await self.session.execute(statement, {**NEW_CASE, "ref": ref,
                                                      "updated_at": now})).one()
        return CaseRecord(**row._mapping)

    async def save(self, record: CaseRecord) -> None:
        await self.session.execute(_SAVE_CASE, {"b_ref": record.ref, **{
            f"v_{name}": getattr(record, name) for name in CASE_FIELDS}})

    async def get(self, ref: str) -> CaseRecord | None:
        """Detached, as `lock_or_create` gives it."""
        row = (await self.session.execute(_CASE, {"ref": ref})).one_or_none()
        return CaseRecord(**row._mapping) if row else None

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

    async def add(self, **values: Any) -> None:
        await self.session.execute(_INSERT_LOG, {**LOG_DEFAULTS, **values})

    async def recent(self, *, ref: str | None = None, key: str | None = None,
                     limit: int = 100) -> list[DeliveryLogEntry]:
        query = select(DeliveryLogEntry).order_by(DeliveryLogEntry.id.desc()).limit(limit)
        if ref:
            query = query.where(DeliveryLogEntry.case_ref == ref)
        if key:
            query = query.where(or_(DeliveryLogEntry.idempotency_key == key,
                                    DeliveryLogEntry.idempotency_key.startswith(key + "~")))
        return list(await self.session.scalars(query))


NEW_CASE = dict(kind=None, received_at=None, summary=None, protected=False, sender_known=False,
                consent=False, has_contact=False, sealed_contact=None, unit_code=None,
                unit_name=None, in_triage=False, routed_at=None, deadlines=[],
                deadlines_changed_at=None, live_reminders=0, accepted_at=None, closed=False)
CASE_FIELDS = [c.name for c in CASES.columns if c.name != "ref"]
LOG_DEFAULTS = dict(case_ref=None, transport=None, recipient=None, detail=None, attempt=0,
                    worker=None)
_CASE = select(CASES).where(CASES.c.ref == bindparam("ref"))
_SAVE_CASE = update(CASES).where(CASES.c.ref == bindparam("b_ref")).values(
    {name: bindparam(f"v_{name}", type_=CASES.c[name].type) for name in CASE_FIELDS})
_CASE_ROWS = select(*(SCHEDULE.c[name] for name in (
    "idempotency_key", "case_ref", "phase", "step", "status", "kind", "audience", "channel",
    "context", "send_at", "due_at", "not_after", "last_error"))).where(
    SCHEDULE.c.case_ref == bindparam("ref"))
_SETTLE = update(SCHEDULE).where(SCHEDULE.c.idempotency_key == bindparam("b_key"),
                                 SCHEDULE.c.status == "held").values(
    status=bindparam("v_status"), last_error=bindparam("v_last_error"),
    due_at=bindparam("v_due_at", type_=SCHEDULE.c.due_at.type))
_INSERT_ROWS = insert(SCHEDULE)
_INSERT_LOG = insert(LOG)


@cache
def _case_upsert(dialect: str) -> Any:
    statement = INSERTS[dialect](CASES)
    return statement.on_conflict_do_update(
        index_elements=[CASES.c.ref], set_={"updated_at": statement.excluded.updated_at},
    ).returning(*CASES.columns)


@cache
def _fence(status_from: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    return update(SCHEDULE).where(
        SCHEDULE.c.idempotency_key == bindparam("b_key"),
        SCHEDULE.c.claimed_by == bindparam("b_worker"), SCHEDULE.c.status.in_(status_from),
    ).values({name: bindparam(f"v_{name}", type_=SCHEDULE.c[name].type) for name in columns})
