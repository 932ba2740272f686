"""Creating a row that concurrent consumers (replicas) may create at the same moment."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


async def insert_if_absent(session: AsyncSession, model: Any, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING. On PostgreSQL a competing uncommitted insert of the same
    key makes this wait for it, so the row can then be read (and locked) instead of the whole
    message failing on a unique violation and going round again. True when it inserted."""
    statement = _insert_if_absent(session.get_bind().dialect.name,
                                  getattr(model, "__table__", model))
    result = await session.execute(statement, values)
    return result.rowcount == 1


@lru_cache(maxsize=None)
def _insert_if_absent(dialect: str, table: Table) -> Any:
    """Built once per table: the values travel as parameters (half the client CPU of building
    and cache-keying a statement with the values in it, on the hottest statements)."""
    return _INSERTS[dialect](table).on_conflict_do_nothing()
