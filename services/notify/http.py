"""notify's HTTP routes: a case's schedule, for operators and the CLI."""

from __future__ import annotations

from fastapi import APIRouter

from .bootstrap import Notify


def build_http(notify: Notify) -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/schedules/{ref}")
    async def get_schedule(ref: str) -> dict[str, object]:
        async with notify.uow() as work:
            rows = await work.schedule.for_case(ref)
            return {"ref": ref, "items": [
                {"kind": r.kind, "audience": r.audience, "step": r.step,
                 "due_on": r.due_on.isoformat() if r.due_on else None,
                 "send_at": r.send_at.isoformat(), "status": r.status} for r in rows]}

    return router
