"""reporting's HTTP routes: the read model's figures."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from .bootstrap import Reporting


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
                    "due_dates": fact.due_dates,
                    "reminders_scheduled": fact.reminders_scheduled,
                    "counted": fact.received_at is not None}

    return router
