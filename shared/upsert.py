"""Creating a row that concurrent consumers (replicas) may create at the same moment."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


async def insert_if_absent(session: AsyncSession, model: Any, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING. On PostgreSQL a competing uncommitted insert of the same
    key makes this wait for it, so the row can then be read (and locked) instead of the whole
    message failing on a unique violation and going round again. True when it inserted."""
    statement = _insert_if_absent(session.get_bind().dialect.name,
                                  getattr(model, "__table__", model))
    result = await session.execute(statement, values)
    return result.rowcount == 1


@cache
def _insert_if_absent(dialect: str, table: Table) -> Any:
    """Built once per table: the values travel as parameters (half the client CPU of building
    and cache-keying a statement with the values in it, on the hottest statements)."""
    return _INSERTS[dialect](table).on_conflict_do_nothing()


async def get_or_insert(session: AsyncSession, model: type, identity: Any,
                        values: dict[str, Any]) -> Any:
    """The row with that primary key, locked on PostgreSQL; created from `values` (the key's
    columns included) when there is none, safe against a replica creating it at the same
    moment. A row inserted here is built from what was inserted, not read back."""
    row = await session.get(model, identity, with_for_update=True)
    if row is not None:
        return row
    if await insert_if_absent(session, model, values):
        stored = _as_stored(model, values)
        if stored is not None:
            row = model(**stored)
            make_transient_to_detached(row)  # persistent, with what the insert stored
            session.add(row)
            return row
    return await session.get(model, identity, with_for_update=True, populate_existing=True)


_DECIDED_ELSEWHERE = object()  # a server default or a function: known only by reading back


def _as_stored(model: type, values: dict[str, Any]) -> dict[str, Any] | None:
    """What the INSERT of `values` stored, or None when a column it left out was decided by
    the database or a function (the row must then be read back)."""
    stored = {**_column_defaults(model), **values}
    if any(value is _DECIDED_ELSEWHERE for value in stored.values()):
        return None
    return stored


@cache
def _column_defaults(model: type) -> dict[str, Any]:
    """Per attribute, what an INSERT without it stores: its scalar default, NULL (None), or
    _DECIDED_ELSEWHERE."""
    defaults: dict[str, Any] = {}
    for attribute in inspect(model).column_attrs:
        [column] = attribute.columns
        default = column.default
        if column.server_default is not None or (default is not None and not default.is_scalar):
            defaults[attribute.key] = _DECIDED_ELSEWHERE
        else:
            defaults[attribute.key] = default.arg if default is not None else None
    return defaults
