"""Re-seals what notify keeps sealed with the newest confidentiality key (key rotation): the
senders' contacts, and the senders' addresses in the delivery log."""

from __future__ import annotations

from typing import Any

from shared.confidential import Sealer
from shared.reseal import SealedColumns, reseal

from .orm import CaseRecord, DeliveryLogEntry

SEALED = (SealedColumns(CaseRecord, ("sealed_contact",)),
          SealedColumns(DeliveryLogEntry, ("recipient",),
                        where=DeliveryLogEntry.audience == "sender"))


async def reseal_all(notify: Any, sealer: Sealer, batch: int = 500) -> dict[str, int]:
    return await reseal(notify.uow, sealer, SEALED, batch)
