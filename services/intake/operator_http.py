"""Operators' routes of intake: the rejected store (list, show redacted, replay, discard) and the
pending store. Loopback callers, or a key with the `operate` right."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request

from shared.confidential import REDACTED, redact_identity
from shared.contracts.base import utc_now
from shared.contracts.feedback import SubmitFeedback
from shared.ops.redaction import restore_redacted

from . import access, handlers
from .bootstrap import Intake
from .http import _presented, _public_view
from .ingress import IngressMessage
from .orm import ApiKey, RejectedMessage, RevealAudit


def build_operator_http(intake: Intake) -> APIRouter:
    router = APIRouter(prefix="/v1")

    async def operator_only(request: Request) -> ApiKey | None:
        """The caller's key; None for a loopback caller."""
        if _is_loopback(request.client.host if request.client else None):
            return None
        async with intake.uow() as work:
            key = await access.authenticate(work, _presented(
                request.headers.get("authorization"), request.headers.get("x-api-key")))
        if key is None or "operate" not in access.rights_of(key):
            raise HTTPException(401, "chỉ dành cho người vận hành")
        return key

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
            protected_case = await _names_protected_case(work, body)
            return {**_summary(kept), "body": redact_body(
                body, feedback=_is_feedback(kept), protected_case=protected_case)}

    @router.post("/rejected/{rejection_id}/reveal")
    async def reveal_rejected(rejection_id: str, request: Request,
                              payload: dict[str, str] = Body(...)) -> dict[str, Any]:
        """The kept body whole, for a stated reason; every reveal is recorded (reveal_audit)."""
        officer = _revealing_officer(await operator_only(request), payload)
        reason = payload.get("reason", "").strip()
        if not reason:
            raise HTTPException(422, "cần nêu lý do xem toàn văn")
        async with intake.uow() as work:
            kept = await _rejected_or_404(work, rejection_id)
            view = {**_summary(kept), "body": _parsed(intake.sealer.open(kept.sealed_body))}
            work.access.add(RevealAudit(ref=kept.id, at=utc_now(), officer=officer,
                                        reason=reason, via="rejected"))
            await work.commit()
        return view

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
        return False


def _summary(r: RejectedMessage) -> dict[str, Any]:
    return {"id": r.id, "received_at": r.received_at.isoformat(), "way_in": r.way_in,
            "message_id": r.message_id, "routing_key": r.routing_key, "reason": r.reason,
            "errors": r.errors, "status": r.status, "resolution_note": r.resolution_note,
            "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
            "superseded_by": r.superseded_by, "body_size": r.body_size,
            "body_truncated": r.body_truncated}


async def _rejected_or_404(work: Any, rejection_id: str) -> RejectedMessage:
    kept = await work.rejected.get(rejection_id)
    if kept is None:
        raise HTTPException(404, f"không có bản ghi bị từ chối {rejection_id}")
    return kept


def _revealing_officer(key: ApiKey | None, payload: dict[str, str]) -> str:
    """Who is recorded as having seen a kept body: the key's system, or the named loopback
    operator."""
    if key is not None:
        if "read_identity" not in access.rights_of(key):
            raise HTTPException(403, "khóa API không có quyền xem danh tính người gửi")
        return f"api:{key.system}"
    officer = payload.get("officer", "").strip()
    if not officer:
        raise HTTPException(422, "cần ghi tên người xem (officer)")
    return f"local:{officer}"[:200]


def _is_feedback(kept: RejectedMessage) -> bool:
    return any(name and name.startswith(SubmitFeedback.message_type)
               for name in (kept.routing_key, kept.message_type))


async def _names_protected_case(work: Any, body: str) -> bool:
    """An update or other message about a protected case may name its denouncer."""
    payload = _payload(_parsed(body))
    ref = payload.get("ref") if payload is not None else None
    if not isinstance(ref, str):
        return False
    case = await work.cases.get(ref)
    return case is not None and case.protected


def redact_body(body: str, *, feedback: bool = False, protected_case: bool = False) -> Any:
    """What an operator may see of a kept message. One that may name a denouncer (unreadable;
    a denunciation or of unknown kind; marked confidential or protected; with a sender anywhere
    but in its place; about a protected case) is withheld: why, its size and field names only.
    Any other has its sender's values masked and removed from every text in it."""
    document = _parsed(body)
    why = "protected_case" if protected_case else _withholding_reason(document, feedback)
    if why is not None:
        return {"withheld": why, "size": len(body.encode(errors="replace")),
                "fields": _field_names(body)}
    payload = _payload(document)
    assert payload is not None
    sender = payload.get("sender") or {}
    _redact_texts(document, [str(v) for v in sender.values()
                             if isinstance(v, str | int) and not isinstance(v, bool)])
    if sender:
        payload["sender"] = {k: v if isinstance(v, bool) or v is None else REDACTED
                             for k, v in sender.items()}
    return document


_SAFE_KINDS = frozenset({"phan_anh", "kien_nghi", "khieu_nai", "gop_y"})
_FLAGS = ("confidential", "protected")
_KEY_SHAPE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}")
_QUOTED_KEY = re.compile(r'"([A-Za-z_][A-Za-z0-9_\-]{0,63})"\s*:')


def _withholding_reason(document: Any, feedback: bool) -> str | None:
    payload = _payload(document)
    if payload is None:
        return "unreadable"
    objects = [v for _, v in _walk(document) if isinstance(v, dict)]
    if any(node.get(flag) not in (None, False) for node in objects for flag in _FLAGS):
        return "confidential"
    if (feedback or "sender" in payload) and payload.get("kind") not in _SAFE_KINDS:
        return "kind"
    if any("sender" in node for node in objects if node is not payload) \
            or not isinstance(payload.get("sender", {}), dict):
        return "sender_elsewhere"
    return None


def _parsed(body: str) -> Any:
    """The JSON document, or `body` itself when it is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return body


def _payload(document: Any) -> dict[str, Any] | None:
    """The message itself: an envelope's `data`, or the bare object; None if it is neither."""
    if not isinstance(document, dict):
        return None
    payload = document.get("data", document)
    return payload if isinstance(payload, dict) else None


def _walk(document: Any) -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of everything in a parsed document, without recursion (a kept
    body may be nested deeper than Python's stack)."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            stack += [(_key_path(path, k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(path, v) for v in value]


def _key_path(path: str, key: str) -> str:
    name = key if _KEY_SHAPE.fullmatch(key) else "?"  # a key may itself be a citizen's text
    return f"{path}.{name}" if path else name


def _field_names(body: str) -> list[str]:
    document = _parsed(body)
    if document is body:
        return sorted(set(_QUOTED_KEY.findall(body)))
    return sorted({path for path, _ in _walk(document) if path})


def _redact_texts(document: Any, identifiers: list[str | None]) -> None:
    """Replaces, in place, every text in the parsed document with its redacted form."""
    for _, node in list(_walk(document)):
        entries = node.items() if isinstance(node, dict) else (
            enumerate(node) if isinstance(node, list) else ())
        for key, value in list(entries):
            if isinstance(value, str):
                node[key] = redact_identity(value, identifiers)


async def replay_rejected(intake: Intake, rejection_id: str,
                          fixed: dict[str, Any] | None) -> dict[str, Any]:
    """Runs the kept message again, or the operator's fixed version instead of it (never both)."""
    async with intake.uow() as work:
        kept = await _pending_or_409(work, rejection_id)
        if kept.body_truncated and fixed is None:
            raise HTTPException(409, "chỉ giữ phần đầu của nội dung quá lớn: gửi lại bản đã "
                                     "sửa (--body) — only the first bytes of an oversized body "
                                     "are kept: replay a fixed message")
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


async def _pending_or_409(work: Any, rejection_id: str) -> Any:
    """A refusal already replayed, discarded or superseded keeps how it was resolved."""
    kept = await _rejected_or_404(work, rejection_id)
    if kept.status != "pending":
        raise HTTPException(409, f"bản ghi đã xử lý ({kept.status})")
    return kept


async def discard_rejected(intake: Intake, rejection_id: str, reason: str) -> dict[str, Any]:
    if not reason.strip():
        raise HTTPException(422, "cần ghi lý do khi hủy")
    async with intake.uow() as work:
        kept = await _pending_or_409(work, rejection_id)
        kept.status, kept.resolved_at = "discarded", utc_now()
        kept.resolution_note = reason.strip()
        await work.commit()
    return {"id": rejection_id, "status": "discarded", "reason": reason.strip()}
