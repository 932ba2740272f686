"""Scheduled builds: once per (family, period, scope), whatever replicas and restarts."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from services.reporting.bootstrap import Reporting, read_sessions
from services.reporting.orm import ReportBuild, outbox
from services.reporting.reports import ReportMaker
from services.reporting.schedule import due_builds
from services.reporting.scheduler import ReportScheduler

from .conftest import context

SCHEDULE = """
builds:
  - id: dvk-h1
    family: dan_van_kheo
    every: half
    only: [1]
    month_day: "06-12"
    at: "07:00"
"""
FIRE = datetime(2026, 6, 12, 0, 0, tzinfo=UTC)  # 07:00 in Hà Tĩnh


def scheduler(reporting: Reporting, maker: ReportMaker, path: Path, now: datetime,
              lease: timedelta = timedelta(minutes=30)) -> ReportScheduler:
    return ReportScheduler(schedule_path=path, uow=reporting.uow, maker=maker,
                           clock=lambda: now, lease=lease)


async def _setup(migrated, database_url, tmp_path):
    engine, sessions = await migrated("reporting")
    reporting = Reporting(engine=engine, sessions=sessions)
    maker = ReportMaker(read=read_sessions(database_url, engine), context=context(),
                        output_dir=tmp_path / "reports")
    path = tmp_path / "report_schedule.yaml"
    path.write_text(SCHEDULE, encoding="utf-8")
    return reporting, maker, path


async def _builds(reporting: Reporting) -> list[ReportBuild]:
    async with reporting.sessions() as session:
        return list(await session.scalars(select(ReportBuild)))


async def _announced(reporting: Reporting) -> list[dict]:
    async with reporting.sessions() as session:
        rows = await session.execute(select(outbox.c.routing_key, outbox.c.body))
        return [json.loads(body) for key, body in rows
                if key == "reporting.report_generated.v1"]


async def test_two_replicas_and_a_restart_build_once(migrated, database_url, tmp_path):
    reporting, maker, path = await _setup(migrated, database_url, tmp_path)
    now = FIRE + timedelta(minutes=1)
    first, second = (scheduler(reporting, maker, path, now) for _ in range(2))
    built = await asyncio.gather(first.tick(), second.tick())
    restarted = await scheduler(reporting, maker, path, now + timedelta(hours=1)).tick()

    assert sorted(len(b) for b in built) == [0, 1] and restarted == []
    (build,) = await _builds(reporting)
    assert (build.status, build.period, build.trigger) == ("done", "2026-H1", "schedule")
    (event,) = await _announced(reporting)
    assert event["data"]["report_id"] == build.report_id
    assert {f["format"] for f in event["data"]["files"]} >= {"docx", "json"}
    assert all(Path(f["path"]).is_file() for f in event["data"]["files"])


async def test_nothing_is_due_before_its_time(migrated, database_url, tmp_path):
    reporting, maker, path = await _setup(migrated, database_url, tmp_path)
    assert await scheduler(reporting, maker, path, FIRE - timedelta(minutes=1)).tick() == []
    assert await _builds(reporting) == []


async def test_a_claim_left_by_a_dead_replica_is_taken_after_the_lease(
        migrated, database_url, tmp_path):
    reporting, maker, path = await _setup(migrated, database_url, tmp_path)
    dead = scheduler(reporting, maker, path, FIRE)
    (due,) = due_builds(dead.reload(), now=FIRE, since=FIRE - timedelta(days=1))
    assert await dead._claim(due, FIRE) is not None  # claimed; the replica died before building

    too_soon = await scheduler(reporting, maker, path, FIRE + timedelta(minutes=10)).tick()
    later = await scheduler(reporting, maker, path, FIRE + timedelta(minutes=31)).tick()

    assert too_soon == [] and len(later) == 1
    statuses = sorted((b.status, b.schedule_key is None) for b in await _builds(reporting))
    assert statuses == [("building", True), ("done", False)]


async def test_a_bad_edit_keeps_the_last_good_schedule(migrated, database_url, tmp_path):
    reporting, maker, path = await _setup(migrated, database_url, tmp_path)
    worker = scheduler(reporting, maker, path, FIRE + timedelta(minutes=1))
    assert len(worker.reload()) == 1
    path.write_text("builds: [{id: x}]", encoding="utf-8")
    assert len(worker.reload()) == 1
    assert len(await worker.tick()) == 1
