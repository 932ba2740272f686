"""Operators' routes of intake: the rejected store (list, show redacted, replay, discard) and the
pending store. Loopback callers, or a key with the `operate` right."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request

from shared.confidential import REDACTED
from shared.contracts.base import utc_now
from shared.ops.redaction import restore_redacted

from . import access, handlers
from .bootstrap import Intake
from .http import _presented, _public_view
from .ingress import IngressMessage
from .orm import RejectedMessage

_IDENTITY_KEYS = ("name", "address", "phone", "email", "national_id")


def build_operator_http(intake: Intake) -> APIRouter:
    router = APIRouter(prefix="/v1")

    async def operator_only(request: Request) -> None:
        if _is_loopback(request.client.host if request.client else None):
            return
        async with intake.uow() as work:
            key = await access.authenticate(work, _presented(
                request.headers.get("authorization"), request.headers.get("x-api-key")))
        if key is None or "operate" not in access.rights_of(key):
            raise HTTPException(401, "chỉ dành cho người vận hành")

    @router.get("/rejected")
    async def list_rejected(request: Request, status: str = "pending") -> list[dict[str, Any]]:
        await operator_only(request)
        async with intake.uow() as work:
            return [_summary(r) for r in await work.rejected.list(status=status or None)]

    @router.get("/rejected/{rejection_id}")
    async def show_rejected(rejection_id: str, request: Request) -> dict[str, Any]:
        await operator_only(request)
        async with intake.uow() as work:
            kept = await _rejected_or_404(work, rejection_id)
            body = intake.sealer.open(kept.sealed_body)
            return {**_summary(kept), "body": redact_body(body)}

    @router.post("/rejected/{rejection_id}/replay")
    async def replay(rejection_id: str, request: Request,
                     fixed: dict[str, Any] | None = Body(default=None)) -> dict[str, Any]:
        await operator_only(request)
        return await replay_rejected(intake, rejection_id, fixed)

    @router.post("/rejected/{rejection_id}/discard")
    async def discard(rejection_id: str, request: Request,
                      payload: dict[str, str] = Body(...)) -> dict[str, Any]:
        await operator_only(request)
        return await discard_rejected(intake, rejection_id, payload.get("reason", ""))

    @router.get("/cases/{ref}")
    async def show_case(ref: str, request: Request) -> dict[str, Any]:
        """The case as operators see it: status, holder, timeline; the sender always hidden."""
        await operator_only(request)
        async with intake.uow() as work:
            case = await work.cases.get(ref)
            if case is None:
                raise HTTPException(404, f"không có hồ sơ {ref}")
            return _public_view(case, await work.timeline.for_case(ref))

    @router.get("/pending")
    async def list_pending(request: Request) -> list[dict[str, Any]]:
        await operator_only(request)
        async with intake.uow() as work:
            return [{"id": p.id, "subject": p.subject_key, "message_type": p.message_type,
                     "received_at": p.received_at.isoformat(), "reason": p.reason}
                    for p in await work.pending.list()]

    return router


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "testclient"


def _summary(r: RejectedMessage) -> dict[str, Any]:
    return {"id": r.id, "received_at": r.received_at.isoformat(), "way_in": r.way_in,
            "message_id": r.message_id, "routing_key": r.routing_key, "reason": r.reason,
            "errors": r.errors, "status": r.status, "resolution_note": r.resolution_note}


async def _rejected_or_404(work: Any, rejection_id: str) -> RejectedMessage:
    kept = await work.rejected.get(rejection_id)
    if kept is None:
        raise HTTPException(404, f"không có bản ghi bị từ chối {rejection_id}")
    return kept


def redact_body(body: str) -> Any:
    """What an operator may see of a kept message: the sender's identity masked, always."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    payload = document.get("data", document) if isinstance(document, dict) else None
    if isinstance(payload, dict) and isinstance(payload.get("sender"), dict):
        sender = payload["sender"]
        for field in _IDENTITY_KEYS:
            if sender.get(field):
                sender[field] = REDACTED
    return document


async def replay_rejected(intake: Intake, rejection_id: str,
                          fixed: dict[str, Any] | None) -> dict[str, Any]:
    """Runs the kept message again, or the operator's fixed version instead of it (never both)."""
    async with intake.uow() as work:
        kept = await _rejected_or_404(work, rejection_id)
        if kept.status != "pending":
            raise HTTPException(409, f"bản ghi đã xử lý ({kept.status})")
        original = intake.sealer.open(kept.sealed_body)
        body = original if fixed is None else json.dumps(
            _restore(fixed, original), ensure_ascii=False)
        msg = IngressMessage(body=body.encode(), message_id=kept.message_id,
                             routing_key=kept.routing_key, message_type=kept.message_type,
                             correlation_id=kept.message_id)
        kept.status, kept.resolved_at = "replayed", utc_now()
        kept.resolution_note = "đã gửi lại bản sửa" if fixed is not None else "đã gửi lại"
        await work.commit()
    reply = await handlers.accept_ingress(msg, way_in="replay", deps=intake.deps)
    return reply.model_dump(exclude_none=True)


def _restore(fixed: dict[str, Any], original: str) -> Any:
    """The operator saw the sender masked: masked values in the fix take the original's."""
    try:
        return restore_redacted(fixed, json.loads(original))
    except ValueError:
        return fixed


async def discard_rejected(intake: Intake, rejection_id: str, reason: str) -> dict[str, Any]:
    if not reason.strip():
        raise HTTPException(422, "cần ghi lý do khi hủy")
    async with intake.uow() as work:
        kept = await _rejected_or_404(work, rejection_id)
        kept.status, kept.resolved_at = "discarded", utc_now()
        kept.resolution_note = reason.strip()
        await work.commit()
    return {"id": rejection_id, "status": "discarded", "reason": reason.strip()}
