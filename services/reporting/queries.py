"""The read model's figures, computed in SQL: grouped counts only, never one object per case.

Every query takes the period's first and last local dates (inclusive) and an optional unit
code (a unit-scope report). The annual report over 1,000,000 cases reads a few thousand
grouped rows, plus the list of overdue cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from .orm import CaseEscalation, CaseFact

F = CaseFact


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    unit: str | None = None


def _unit(query: Select[Any], window: Window, column: Any = F.unit_code) -> Select[Any]:
    return query if window.unit is None else query.where(column == window.unit)


def count_if(condition: Any) -> Any:
    """The rows for which `condition` holds: COUNT(*) FILTER (WHERE …), a fifth quicker on
    SQLite than summing a CASE (SQLite 3.30+, PostgreSQL 9.4+)."""
    return func.count().filter(condition)


class Unindexed(ColumnElement[Any]):
    """A column that no index may serve: "+column" on SQLite, the column itself elsewhere.

    SQLite plans without statistics: for a condition that keeps nearly every case (received
    by the report date) or a GROUP BY unit, it walks that column's whole index and reads the
    cases in the index's order, several times slower than the few open cases found through
    `closed_on` or a plain scan. PostgreSQL plans from its statistics and sees the column."""

    inherit_cache = True
    _traverse_internals: ClassVar[list] = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


@compiles(Unindexed)
def _column_itself(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(Unindexed, "sqlite")
def _unary_plus(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.column, **kw))


def open_at(day: date) -> Any:
    """Received on or before `day` and not closed on or before it (found by `closed_on`)."""
    return and_(Unindexed(F.received_on) <= day, or_(F.closed_on.is_(None), F.closed_on > day))


async def received_cube(session: AsyncSession, window: Window) -> list[Any]:
    """(unit_code, kind, channel, month "YYYY-MM", n) of cases received in the window."""
    query = (select(F.unit_code, F.kind, F.channel, F.received_month.label("month"),
                    func.count().label("n"))
             .where(F.received_on.between(window.start, window.end))
             .group_by(F.unit_code, F.kind, F.channel, F.received_month))
    return list(await session.execute(_unit(query, window)))


async def closed_histogram(session: AsyncSession, window: Window) -> list[Any]:
    """(unit_code, on_time, handling_days, n) of cases closed in the window."""
    query = (select(F.unit_code, F.on_time, F.handling_days, func.count().label("n"))
             .where(F.closed_on.between(window.start, window.end))
             .group_by(F.unit_code, F.on_time, F.handling_days))
    return list(await session.execute(_unit(query, window)))


async def outcomes(session: AsyncSession, window: Window) -> list[Any]:
    """(kind, close_kind, result, n) of complaints and denunciations closed in the window."""
    query = (select(F.kind, F.close_kind, F.result, func.count().label("n"))
             .where(F.closed_on.between(window.start, window.end),
                    F.kind.in_(("khieu_nai", "to_cao")))
             .group_by(F.kind, F.close_kind, F.result))
    return list(await session.execute(_unit(query, window)))


async def open_by_unit(session: AsyncSession, window: Window, as_of: date) -> list[Any]:
    """(unit_code, open, overdue) at `as_of`."""
    query = (select(F.unit_code, func.count().label("open"),
                    count_if(F.due_on < as_of).label("overdue"))
             .where(open_at(as_of)).group_by(Unindexed(F.unit_code)))
    return list(await session.execute(_unit(query, window)))


async def overdue_cases(session: AsyncSession, window: Window, as_of: date) -> list[Any]:
    """(ref, kind, unit_code, received_on, due_on) of cases overdue at `as_of`, most overdue
    first. References only: nothing that could identify a sender."""
    query = (select(F.ref, F.kind, F.unit_code, F.received_on, F.due_on)
             .where(open_at(as_of), F.due_on < as_of)
             .order_by(F.due_on, F.ref))
    return list(await session.execute(_unit(query, window)))


async def escalations(session: AsyncSession, window: Window) -> int:
    query = (select(func.count()).select_from(CaseEscalation)
             .where(CaseEscalation.sent_on.between(window.start, window.end)))
    query = _unit(query, window, CaseEscalation.unit_code)
    return int(await session.scalar(query) or 0)


async def unit_names(session: AsyncSession) -> dict[str, str]:
    """The unit names routing gave, for codes the unit catalogue does not know."""
    code = Unindexed(F.unit_code)  # one scan of the cases, not a walk of the unit index
    query = (select(F.unit_code, func.max(F.unit_name))
             .where(code.is_not(None), F.unit_name.is_not(None)).group_by(code))
    return dict((await session.execute(query)).all())  # not the Result: it has keys()
