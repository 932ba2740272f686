"""`dvk notify rotate-key`: senders' contacts and sealed addresses open with the new key alone;
a unit's address, kept in clear, is left as it is."""

import json

from cryptography.fernet import Fernet
from sqlalchemy import select

from services.notify.orm import CaseRecord, DeliveryLogEntry
from services.notify.rotation import reseal_all
from shared.confidential import Sealer

from .notify_harness import KEY, vn

UNIT_ADDRESS = "ldvl@soldtbxh.hatinh.example"


async def _store(harness, refs: list[str]) -> dict[str, str]:
    contacts = {}
    async with harness.notify.uow() as work:
        for ref in refs:
            record = await work.cases.lock_or_create(ref, vn(2026, 2, 2, 9, 0))
            contacts[ref] = json.dumps({"name": "Nguyễn Văn A", "email": f"{ref}@example.vn"})
            record.sealed_contact = harness.sealer.seal(contacts[ref])
            await work.cases.save(record)
            for audience, recipient in (("sender", harness.sealer.seal(f"{ref}@example.vn")),
                                        ("unit", UNIT_ADDRESS)):
                await work.log.add(idempotency_key=f"{ref}:{audience}", case_ref=ref, kind="ack",
                                   audience=audience, channel="email", recipient=recipient,
                                   outcome="sent", attempt=1, at=vn(2026, 2, 2, 9, 0))
        await work.commit()
    return contacts


async def test_rotation_reseals_contacts_and_sender_addresses_only(harness):
    contacts = await _store(harness, [f"PAKN-2026-{n:06d}" for n in range(1, 8)])
    new_key = Fernet.generate_key().decode()

    counts = await reseal_all(harness.notify, Sealer([new_key, KEY]), batch=3)

    assert counts == {"notify_cases": 7, "delivery_log": 7}
    only_new = Sealer([new_key])
    async with harness.notify.sessions() as s:
        records = list(await s.scalars(select(CaseRecord)))
        log = list(await s.scalars(select(DeliveryLogEntry)))
    assert {r.ref: only_new.open(r.sealed_contact) for r in records} == contacts
    assert sorted(only_new.open(e.recipient) for e in log if e.audience == "sender") == \
        sorted(f"{ref}@example.vn" for ref in contacts)
    assert {e.recipient for e in log if e.audience == "unit"} == {UNIT_ADDRESS}
