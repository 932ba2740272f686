"""reporting's HTTP routes: the read model's figures and the reports built."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query

from shared.contracts.base import utc_now

from .bootstrap import Reporting
from .builder import ReportRequest
from .orm import CaseFact, ReportBuild


def build_http(reporting: Reporting) -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/summary")
    async def summary() -> dict[str, object]:
        async with reporting.uow() as work:
            return await work.facts.counts()

    @router.get("/cases/{ref}")
    async def get_case(ref: str) -> dict[str, object]:
        async with reporting.uow() as work:
            fact = await work.facts.get(ref)
        if fact is None:
            raise HTTPException(404, f"case {ref} is not in the read model")
        return case_view(fact)

    @router.get("/reports")
    async def reports(limit: int = Query(50, ge=1, le=500)) -> list[dict[str, Any]]:
        async with reporting.uow() as work:
            return [build_view(b) for b in await work.builds.recent(limit)]

    @router.get("/figures")
    async def figures(period: str, family: str = "dan_van_kheo",
                      scope: str = "department") -> dict[str, Any]:
        """The report's content as JSON, computed now, without writing files."""
        return await figures_now(reporting, family, period, scope)

    return router


async def figures_now(reporting: Reporting, family: str, period: str,
                      scope: str) -> dict[str, Any]:
    try:
        request = ReportRequest(family=family, period=period, scope=scope)
        content = await reporting.maker.content(request, utc_now())
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return content.model_dump(mode="json")


def case_view(fact: CaseFact) -> dict[str, object]:
    """A case as reporting counts it (by reference; nothing about the sender)."""
    return {"ref": fact.ref, "kind": fact.kind, "channel": fact.channel,
            "unit_code": fact.unit_code, "needs_triage": fact.needs_triage,
            "due_dates": fact.due_dates, "due_on": _iso(fact.due_on), "status": fact.status,
            "closed_on": _iso(fact.closed_on), "on_time": fact.on_time,
            "reminders_scheduled": fact.reminders_scheduled,
            "counted": fact.received_at is not None}


def build_view(build: ReportBuild) -> dict[str, Any]:
    return {"report_id": build.report_id, "family": build.family, "period": build.period,
            "scope": build.scope, "trigger": build.trigger, "status": build.status,
            "started_at": build.started_at.isoformat(), "title": build.title,
            "files": build.files or []}


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None
