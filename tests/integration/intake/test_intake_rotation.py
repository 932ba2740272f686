"""`dvk intake rotate-key`: every sealed value opens with the new key alone afterwards."""

from cryptography.fernet import Fernet
from sqlalchemy import select

from services.intake.orm import Case, RejectedMessage
from services.intake.rotation import SEALED
from shared.confidential import Sealer
from shared.reseal import reseal
from shared.testing.factories import feedback_payload

from ..conftest import TEST_KEY
from .conftest import send


async def _sealed_values(intake) -> list[str]:
    values = []
    async with intake.sessions() as s:
        for table in SEALED:
            for row in await s.scalars(select(table.model)):
                values += [v for c in table.columns if (v := getattr(row, c)) is not None]
    return values


async def test_rotation_reseals_every_protected_value_with_the_newest_key(intake, sealer):
    for n in range(5):
        await send(intake, feedback_payload(kind="to_cao" if n % 2 else "kien_nghi"),
                   message_id=f"m-{n}")
    await send(intake, {**feedback_payload(), "kind": "??"}, message_id="bad")
    before = await _sealed_values(intake)
    clear = sorted(sealer.open(v) for v in before)
    new_key = Fernet.generate_key().decode()
    rotated = Sealer([new_key, TEST_KEY])

    counts = await reseal(intake.uow, rotated, SEALED, batch=2)  # several batches per table

    assert counts == {"cases": 5, "rejected_messages": 1, "pending_commands": 0}
    after = await _sealed_values(intake)
    only_new = Sealer([new_key])
    assert len(after) == len(before) == 5 + 2 + 1  # senders, 2 originals of tố cáo, 1 body
    assert sorted(only_new.open(v) for v in after) == clear
    async with intake.sessions() as s:
        assert await s.scalar(select(RejectedMessage.reason)) is not None
        assert len(list(await s.scalars(select(Case.ref)))) == 5

