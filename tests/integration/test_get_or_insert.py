"""get_or_insert: a row created here is built from what the INSERT stored (no read back), and
equals what a fresh read finds; an existing row is returned as it is."""

from datetime import UTC, datetime

from sqlalchemy import event, select, text

from services.notify.orm import CaseRecord
from services.reporting.orm import CaseFact
from shared.upsert import get_or_insert

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def _columns(row) -> dict:
    return {a.key: getattr(row, a.key) for a in row.__mapper__.column_attrs}


def _count_statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: seen.append(statement.split()[0]))
    return seen


async def test_a_new_row_is_not_read_back_and_equals_a_fresh_read(migrated):
    engine, sessions = await migrated("notify")
    seen = _count_statements(engine)
    async with sessions() as s, s.begin():
        row = await get_or_insert(s, CaseRecord, "PAKN-1", dict(
            ref="PAKN-1", deadlines=[], protected=False, live_reminders=0, updated_at=NOW))
        row.unit_code = "VAN_PHONG"
    assert [v for v in seen if v in ("SELECT", "INSERT")] == ["SELECT", "INSERT"]
    built = _columns(row)
    async with sessions() as s:
        stored = _columns(await s.get(CaseRecord, "PAKN-1"))
    assert built == stored and stored["unit_code"] == "VAN_PHONG" and stored["kind"] is None


async def test_an_existing_row_is_returned_as_stored(migrated):
    _engine, sessions = await migrated("reporting")
    async with sessions() as s, s.begin():
        await get_or_insert(s, CaseFact, ("PAKN-2",), {"ref": "PAKN-2", "reminders_scheduled": 0})
    async with sessions() as s, s.begin():
        (await s.get(CaseFact, "PAKN-2")).reminders_scheduled = 7
    async with sessions() as s, s.begin():
        again = await get_or_insert(s, CaseFact, ("PAKN-2",),
                                    {"ref": "PAKN-2", "reminders_scheduled": 0})
        assert again.reminders_scheduled == 7
    async with sessions() as s:
        assert await s.scalar(select(CaseFact.reminders_scheduled)) == 7
        nulls = await s.scalar(text("SELECT count(*) FROM case_facts WHERE due_dates IS NULL"))
    assert nulls == 1  # a JSON column left out is SQL NULL, not JSON null


async def test_a_column_the_database_decides_is_read_back(migrated):
    engine, sessions = await migrated("notify")
    seen = _count_statements(engine)
    async with sessions() as s, s.begin():  # live_reminders left to its server default
        row = await get_or_insert(s, CaseRecord, "PAKN-3", dict(
            ref="PAKN-3", deadlines=[], updated_at=NOW))
    assert [v for v in seen if v in ("SELECT", "INSERT")] == ["SELECT", "INSERT", "SELECT"]
    assert row.live_reminders == 0
