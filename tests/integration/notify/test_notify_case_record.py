"""notify's record of a case travels as a detached copy: created or locked in one statement,
written back whole by `save`. A case costs notify a fixed, small number of statements."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import event

from services.notify.bootstrap import Notify
from shared.db import create_engine, session_factory
from shared.migrations import upgrade

from .notify_harness import assigned, deadline, received, vn

REF = "PAKN-2026-000301"
CONTACT = {"name": "Trần Văn Nam", "email": "nam.tv@example.vn"}


async def test_a_saved_record_reads_back_whole(harness):
    at = vn(2026, 2, 2, 9, 0)
    async with harness.notify.uow() as work:
        record = await work.cases.lock_or_create(REF, at)
        assert (record.unit_code, record.deadlines, record.live_reminders) == (None, [], 0)
        record.kind, record.received_at, record.summary = "khieu_nai", at, "Chậm chi trả trợ cấp"
        record.unit_code, record.unit_name = "LAO_DONG_VIEC_LAM", "Phòng Lao động - Việc làm"
        record.deadlines = [{"step": "giai_quyet", "due_on": "2026-03-02", "label": "Giải quyết"}]
        record.routed_at = record.deadlines_changed_at = at
        record.sender_known, record.consent, record.live_reminders = True, True, 5
        await work.cases.save(record)
        await work.commit()
    async with harness.notify.uow() as work:
        again = await work.cases.lock_or_create(REF, vn(2026, 2, 3, 9, 0))
        read = await work.cases.get(REF)
    for found in (again, read):
        assert (found.kind, found.summary, found.unit_name) == (
            "khieu_nai", "Chậm chi trả trợ cấp", "Phòng Lao động - Việc làm")
        assert found.deadlines == record.deadlines and found.live_reminders == 5
        assert found.routed_at == at and found.routed_at.tzinfo is not None
        assert (found.sender_known, found.consent, found.closed) == (True, True, False)
    assert again.updated_at == vn(2026, 2, 3, 9, 0)


async def test_an_unknown_case_reads_as_none(harness):
    async with harness.notify.uow() as work:
        assert await work.cases.get("PAKN-2026-999999") is None


async def test_a_case_costs_five_statements_for_the_sender_and_seven_for_the_unit(
        sqlite_harness):
    """Per message: the transaction, the inbox claim, the record (created or locked), the
    case's schedule; then the new rows (one executemany, the acknowledgement included), the
    announcement and the record written back."""
    harness = sqlite_harness
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(harness.notify.engine.sync_engine, "before_cursor_execute", count)
    await harness.handle(received(REF, harness.sealer, at=vn(2026, 2, 2, 8, 0), contact=CONTACT))
    for_sender, statements[:] = len(statements), []
    await harness.handle(assigned(REF, deadlines=[deadline("xu_ly_don", date(2026, 2, 12)),
                                                  deadline("giai_quyet", date(2026, 3, 2))],
                                  at=vn(2026, 2, 2, 9, 0)))
    assert (for_sender, len(statements)) == (5, 7)
    rows = await harness.rows(REF)
    assert len([r for r in rows if r.audience != "sender"]) == 10
    assert [r.status for r in rows if r.audience == "sender"] == ["scheduled"]


@pytest.mark.postgres
async def test_a_replica_waits_for_the_record_another_has_just_created(postgres_database):
    """Two replicas with events of one new case: the second gets the record as the first
    committed it, never a copy of its own."""
    await asyncio.to_thread(upgrade, "notify", postgres_database)
    engine = create_engine(postgres_database)
    notify = Notify(engine=engine, sessions=session_factory(engine))
    created, seen = asyncio.Event(), []

    async def first() -> None:
        async with notify.uow() as work:
            record = await work.cases.lock_or_create(REF, vn(2026, 2, 2, 9, 0))
            created.set()
            await asyncio.sleep(0.5)
            record.unit_code = "LAO_DONG_VIEC_LAM"
            await work.cases.save(record)
            await work.commit()

    async def second() -> None:
        await created.wait()
        async with notify.uow() as work:
            seen.append((await work.cases.lock_or_create(REF, vn(2026, 2, 2, 9, 1))).unit_code)

    try:
        await asyncio.gather(first(), second())
    finally:
        await engine.dispose()
    assert seen == ["LAO_DONG_VIEC_LAM"]
