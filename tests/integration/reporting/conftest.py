from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from services.reporting import handlers
from services.reporting.bootstrap import Reporting, read_sessions
from services.reporting.builder import BuildContext, ReportRequest, build_content
from services.reporting.content import ReportContent
from services.reporting.documents.labels import load_labels
from services.reporting.documents.settings import load_document_settings
from services.reporting.synthetic import CaseGenerator, CaseTruth
from services.reporting.synthetic_load import load_events
from services.reporting.synthetic import GeneratedEvent
from services.reporting.synthetic_movement import MovementGenerator
from shared.contracts.base import RawEnvelope
from shared.db import create_engine, session_factory
from shared.migrations import upgrade
from shared.plan import default_plan
from shared.units import UnitCatalogue

REPORT_DATE = date(2026, 7, 10)
NOW = datetime(2026, 7, 10, 1, 0, tzinfo=UTC)


def context(min_cases: int = 10) -> BuildContext:
    return BuildContext(units=UnitCatalogue.load(), plan=default_plan(), labels=load_labels(),
                        document_settings=lambda day: load_document_settings(day),
                        ranking_min_cases=min_cases)


@dataclass
class History:
    url: str
    truths: list[CaseTruth]
    movement: list[GeneratedEvent]

    async def build(self, family: str, period: str, scope: str = "department",
                    min_cases: int = 10) -> ReportContent:
        engine = create_engine(self.url)
        try:
            read = read_sessions(self.url, engine)
            async with read() as session, session.begin():
                return await build_content(
                    session, ReportRequest(family, period, scope, report_date=REPORT_DATE),
                    context=context(min_cases), now=NOW)
        finally:
            await engine.dispose()


async def generate_history(url: str, cases: int, seed: int) -> History:
    """Migrate, then load `cases` generated cases and two years of movement records."""
    await asyncio.to_thread(upgrade, "reporting", url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    truths: list[Any] = []
    try:
        for chunk, events in CaseGenerator(seed).chunks(cases, size=20_000):
            await load_events(sessions, events)
            truths.extend(chunk)
        movement = MovementGenerator(seed, plan=default_plan(),
                                     units=UnitCatalogue.load()).events()
        await load_events(sessions, movement)
    finally:
        await engine.dispose()
    return History(url, truths, movement)


def envelopes(cases: int, seed: int, start: date = date(2025, 10, 1),
              end: date = date(2026, 8, 31)) -> list[RawEnvelope]:
    """Generated cases and movement records between `start` and `end`, as envelopes."""
    events = []
    for _, chunk in CaseGenerator(seed, start=start, end=end).chunks(cases):
        events.extend(chunk)
    movement = MovementGenerator(seed, plan=default_plan(), units=UnitCatalogue.load()).events()
    events.extend(e for e in movement if start <= e.occurred_at.date() <= end)
    return [RawEnvelope.model_validate_json(e.envelope().model_dump_json()) for e in events]


async def record_history(url: str, cases: int, seed: int) -> int:
    """Migrate, then deliver generated events one by one as the live consumer would."""
    await asyncio.to_thread(upgrade, "reporting", url)
    engine = create_engine(url)
    reporting = Reporting(engine=engine, sessions=session_factory(engine))
    try:
        live = envelopes(cases, seed)
        for envelope in live:
            await handlers.record_event(envelope, uow=reporting.uow)
    finally:
        await engine.dispose()
    return len(live)


@pytest.fixture(scope="module")
def history_100k(tmp_path_factory: pytest.TempPathFactory) -> History:
    """100,000 cases over 2025–2026, loaded once for the module (SQLite)."""
    path: Path = tmp_path_factory.mktemp("history") / "reporting.db"
    return asyncio.run(generate_history(f"sqlite+aiosqlite:///{path}", 100_000, seed=2026))
