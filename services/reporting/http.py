"""reporting's HTTP routes: the read model's figures and the reports built."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query

from shared.contracts.base import utc_now

from .bootstrap import Reporting
from .builder import ReportRequest


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
            return {"ref": fact.ref, "kind": fact.kind, "channel": fact.channel,
                    "unit_code": fact.unit_code, "needs_triage": fact.needs_triage,
                    "due_dates": fact.due_dates, "due_on": _iso(fact.due_on),
                    "status": fact.status, "closed_on": _iso(fact.closed_on),
                    "on_time": fact.on_time, "reminders_scheduled": fact.reminders_scheduled,
                    "counted": fact.received_at is not None}

    @router.get("/reports")
    async def reports(limit: int = Query(50, ge=1, le=500)) -> list[dict[str, Any]]:
        async with reporting.uow() as work:
            return [{"report_id": b.report_id, "family": b.family, "period": b.period,
                     "scope": b.scope, "trigger": b.trigger, "status": b.status,
                     "started_at": b.started_at.isoformat(), "title": b.title,
                     "files": b.files or []} for b in await work.builds.recent(limit)]

    @router.get("/figures")
    async def figures(period: str, family: str = "dan_van_kheo",
                      scope: str = "department") -> dict[str, Any]:
        """The report's content as JSON, computed now, without writing files."""
        try:
            request = ReportRequest(family=family, period=period, scope=scope)
            content = await reporting.maker.content(request, utc_now())
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return content.model_dump(mode="json")

    return router


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None
