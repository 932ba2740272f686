"""Acceptance: replaying the retained events into a fresh read model yields identical JSON."""

from __future__ import annotations

import random
from sqlalchemy import func, select

from services.reporting import handlers, replay
from services.reporting.bootstrap import Reporting
from services.reporting.orm import CaseFact, StoredEvent

from .conftest import History, envelopes

REPORTS = (("dan_van_kheo", "2026-H1"), ("tiep_cong_dan", "2026-H1"),
           ("dan_van_kheo", "2026-Q2"), ("dan_van_kheo", "2026-H1", "VAN_PHONG"))


async def reports_json(history: History) -> list[str]:
    return [(await history.build(*spec)).model_dump_json() for spec in REPORTS]


async def test_rebuild_from_the_event_log_gives_identical_reports(migrated, database_url):
    engine, sessions = await migrated("reporting")
    reporting = Reporting(engine=engine, sessions=sessions)
    live = envelopes(400, seed=11)
    random.Random(5).shuffle(live)
    for envelope in live + live[:300]:  # any order, and some delivered twice
        await handlers.record_event(envelope, uow=reporting.uow)
    history = History(database_url, [], [])
    before = await reports_json(history)

    result = await replay.rebuild(reporting.uow, batch=500)

    assert result.events == len(live) and result.projected == len(live)
    assert await reports_json(history) == before
    async with sessions() as session:
        logged = await session.scalar(select(func.count()).select_from(StoredEvent))
        received = await session.scalar(select(func.count()).select_from(CaseFact).where(
            CaseFact.received_on.is_not(None)))
    assert logged == len(live) and received == 400
    assert '"received_total":0' not in before[0] and '"plan_sections":[]' not in before[0]


async def test_rebuild_replaces_a_damaged_read_model(migrated, database_url):
    engine, sessions = await migrated("reporting")
    reporting = Reporting(engine=engine, sessions=sessions)
    for envelope in envelopes(60, seed=3):
        await handlers.record_event(envelope, uow=reporting.uow)
    history = History(database_url, [], [])
    before = await reports_json(history)
    async with sessions() as session, session.begin():  # someone "fixes" figures by hand
        await session.execute(CaseFact.__table__.update().values(on_time=True, closed_on=None))
    assert await reports_json(history) != before

    await replay.rebuild(reporting.uow)

    assert await reports_json(history) == before
