"""Creating a row that concurrent consumers (replicas) may create at the same moment."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


async def insert_if_absent(session: AsyncSession, model: Any, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING. On PostgreSQL a competing uncommitted insert of the same
    key makes this wait for it, so the row can then be read (and locked) instead of the whole
    message failing on a unique violation and going round again. True when it inserted."""
    insert = _INSERTS[session.get_bind().dialect.name]
    result = await session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1
