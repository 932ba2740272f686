"""Re-seals every protected value with the newest confidentiality key (key rotation)."""

from __future__ import annotations

from sqlalchemy import select

from .bootstrap import Intake
from .orm import Case, PendingCommand, RejectedMessage

_SEALED = ((Case, ("sealed_sender", "sealed_original")),
           (RejectedMessage, ("sealed_body",)),
           (PendingCommand, ("sealed_command",)))


async def reseal_all(intake: Intake, batch: int = 500) -> dict[str, int]:
    counts: dict[str, int] = {}
    try:
        for model, columns in _SEALED:
            counts[model.__tablename__] = await _reseal(intake, model, columns, batch)
    finally:
        await intake.engine.dispose()
    return counts


async def _reseal(intake: Intake, model: type, columns: tuple[str, ...], batch: int) -> int:
    done, offset = 0, 0
    while True:
        async with intake.uow() as work:
            rows = list(await work.session.scalars(
                select(model).order_by(*model.__mapper__.primary_key).offset(offset)
                .limit(batch)))
            for row in rows:
                for column in columns:
                    if (value := getattr(row, column)) is not None:
                        setattr(row, column, intake.sealer.rotate(value))
            await work.commit()
        done += len(rows)
        offset += batch
        if len(rows) < batch:
            return done
