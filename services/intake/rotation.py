"""Re-seals every protected value with the newest confidentiality key (key rotation)."""

from __future__ import annotations

from shared.reseal import SealedColumns, reseal

from .bootstrap import Intake
from .orm import Case, PendingCommand, RejectedMessage

SEALED = (SealedColumns(Case, ("sealed_sender", "sealed_original")),
          SealedColumns(RejectedMessage, ("sealed_body",)),
          SealedColumns(PendingCommand, ("sealed_command",)))


async def reseal_all(intake: Intake, batch: int = 500) -> dict[str, int]:
    try:
        return await reseal(intake.uow, intake.sealer, SEALED, batch)
    finally:
        await intake.engine.dispose()
