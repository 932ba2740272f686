"""intake's HTTP routes (the gateway grows here): case status for operators and the CLI."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from .bootstrap import Intake


def build_http(intake: Intake) -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/feedback/{ref}")
    async def get_feedback(ref: str) -> dict[str, object]:
        async with intake.uow() as work:
            case = await work.cases.get(ref)
            if case is None:
                raise HTTPException(404, f"no case with reference {ref}")
            return {"ref": case.ref, "kind": case.kind, "channel": case.channel,
                    "status": case.status, "received_at": case.received_at.isoformat(),
                    "subject": case.subject}

    @router.get("/rejected")
    async def list_rejected() -> list[dict[str, object]]:
        async with intake.uow() as work:
            return [{"id": r.id, "received_at": r.received_at.isoformat(), "way_in": r.way_in,
                     "message_id": r.message_id, "routing_key": r.routing_key,
                     "reason": r.reason, "errors": r.errors}
                    for r in await work.rejected.list()]

    return router
