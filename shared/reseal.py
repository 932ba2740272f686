"""Key rotation for stored secrets: every sealed value re-sealed with the newest key, so that
the older keys can then be dropped from DVK_CONFIDENTIALITY_KEY."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select

from shared.confidential import Sealer


@dataclass(frozen=True)
class SealedColumns:
    """The sealed columns of one table; `where` narrows to the rows whose values are sealed
    when the same column also holds clear text (a unit's address beside a sender's)."""

    model: type
    columns: tuple[str, ...]
    where: ColumnElement[bool] | None = None


async def reseal(uow: Callable[[], AbstractAsyncContextManager[Any]], sealer: Sealer,
                 tables: tuple[SealedColumns, ...], batch: int = 500) -> dict[str, int]:
    """Rows re-sealed per table, a batch per transaction, in primary-key order (a run stopped
    half-way can be run again: re-sealing a value already sealed with the newest key is
    harmless)."""
    return {t.model.__tablename__: await _reseal_table(uow, sealer, t, batch) for t in tables}


async def _reseal_table(uow: Callable[[], AbstractAsyncContextManager[Any]], sealer: Sealer,
                        table: SealedColumns, batch: int) -> int:
    [key] = table.model.__mapper__.primary_key
    done, last = 0, None
    while True:
        query = select(table.model).order_by(key).limit(batch)
        if table.where is not None:
            query = query.where(table.where)
        if last is not None:
            query = query.where(key > last)
        async with uow() as work:
            rows = list(await work.session.scalars(query))
            for row in rows:
                for column in table.columns:
                    if (value := getattr(row, column)) is not None:
                        setattr(row, column, sealer.rotate(value))
            await work.commit()
        done += len(rows)
        if len(rows) < batch:
            return done
        last = getattr(rows[-1], key.key)
