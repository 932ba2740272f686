"""routing's HTTP routes: a case's assignment, for operators and the CLI."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from .bootstrap import Routing


def build_http(routing: Routing) -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/assignments/{ref}")
    async def get_assignment(ref: str) -> dict[str, object]:
        async with routing.uow() as work:
            a = await work.assignments.get(ref)
            if a is None:
                raise HTTPException(404, f"case {ref} has not been assigned")
            history = await work.assignments.history(ref)
            return {"ref": a.ref, "unit_code": a.unit_code, "unit_name": a.unit_name,
                    "rule_id": a.rule_id, "explanation": a.explanation,
                    "needs_triage": a.needs_triage, "deadlines": a.deadlines,
                    "history": [{"at": h.at.isoformat(), "action": h.action, "to": h.to_unit,
                                 "from": h.from_unit, "reason": h.reason} for h in history]}

    return router
