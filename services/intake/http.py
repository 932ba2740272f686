"""intake's HTTP gateway: the same commands as on dvk.ingress, for systems that speak HTTP.

Each integrating system sends its key (`Authorization: Bearer <key>` or `X-API-Key`); an unknown
or revoked key gets 401 and nothing is stored. Operators' routes (rejected and pending stores)
accept loopback callers or a key with the `operate` right."""

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Request, Response

from shared.contracts.feedback import SubmitFeedback
from shared.contracts.plan import (
    RecordInspection,
    RecordSession,
    RegisterModel,
    ReportTaskProgress,
    RequestReport,
    ReviewModel,
)
from shared.contracts.updates import UpdateCase

from . import access, handlers
from .bootstrap import Intake
from .ingress import IngressMessage, Truncated, as_utf8
from .orm import ApiKey

_STATUS_CODES = {"accepted": 201, "duplicate": 200, "pending": 202, "rejected": 422}
_REFUSED_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "The body is larger than intake reads (DVK_INTAKE_MAX_BODY_BYTES, "
                         "default 1 MiB): refused naming `body`, kept (its first bytes, size "
                         "and SHA-256); the same shape as a 422 refusal"}}


def _presented(authorization: str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def build_http(intake: Intake) -> APIRouter:
    router = APIRouter(prefix="/v1")

    async def api_key(authorization: Annotated[str | None, Header()] = None,
                      x_api_key: Annotated[str | None, Header()] = None) -> ApiKey:
        async with intake.uow() as work:
            key = await access.authenticate(work, _presented(authorization, x_api_key))
        if key is None:
            raise HTTPException(401, "khóa API không hợp lệ hoặc đã bị thu hồi",
                                headers={"WWW-Authenticate": "Bearer"})
        return key

    async def submit(routing_key: str, request: Request, key: ApiKey,
                     idempotency_key: str | None, response: Response,
                     path_field: tuple[str, str] | None = None) -> dict[str, Any]:
        """A body over intake's limit is refused like on AMQP (naming `body`, kept: its first
        bytes, size and SHA-256), answered 413 in the same shape as a 422."""
        if "submit" not in access.rights_of(key):
            raise HTTPException(403, "khóa API không có quyền gửi")
        raw, truncated = await _bounded_body(request, intake.max_body_bytes)
        msg = IngressMessage(
            body=raw if truncated else _prepare(raw, key, routing_key, path_field),
            message_id=idempotency_key, routing_key=routing_key, message_type=None,
            correlation_id=idempotency_key, truncated=truncated)
        reply = await handlers.accept_ingress(msg, way_in="http", deps=intake.deps)
        response.status_code = 413 if truncated else _STATUS_CODES[reply.status]
        return reply.model_dump(exclude_none=True)

    Key = Annotated[ApiKey, Depends(api_key)]
    Idem = Annotated[str | None, Header(alias="Idempotency-Key")]

    @router.post("/feedback", status_code=201, openapi_extra=_body_schema(SubmitFeedback),
                 responses=_REFUSED_RESPONSES)
    async def post_feedback(request: Request, key: Key, response: Response,
                            idempotency_key: Idem = None) -> dict[str, Any]:
        return await submit("feedback.submit.v1", request, key, idempotency_key, response)

    @router.post("/feedback/{ref}/updates", status_code=201,
                 openapi_extra=_body_schema(UpdateCase), responses=_REFUSED_RESPONSES)
    async def post_update(ref: str, request: Request, key: Key, response: Response,
                          idempotency_key: Idem = None) -> dict[str, Any]:
        return await submit("feedback.update.v1", request, key, idempotency_key, response,
                            ("ref", ref))

    @router.post("/tasks/{task_id}/progress", status_code=201,
                 openapi_extra=_body_schema(ReportTaskProgress), responses=_REFUSED_RESPONSES)
    async def post_progress(task_id: str, request: Request, key: Key, response: Response,
                            idempotency_key: Idem = None) -> dict[str, Any]:
        return await submit("task.progress.v1", request, key, idempotency_key, response,
                            ("task_id", task_id))

    for path, (routing_key, model) in _MOVEMENT_ROUTES.items():
        _add_movement_route(router, path, routing_key, model, submit, Key, Idem)

    @router.get("/feedback/{ref}")
    async def get_feedback(ref: str, key: Key) -> dict[str, Any]:
        return await _case_view(intake, ref, key, None)

    @router.post("/feedback/{ref}/reveal")
    async def reveal_feedback(ref: str, key: Key,
                              body: dict[str, str] = Body(...)) -> dict[str, Any]:
        """The case with its sender's identity, for a key with the read_identity right and a
        stated reason; every reveal is recorded."""
        if "read_identity" not in access.rights_of(key):
            raise HTTPException(403, "khóa API không có quyền xem danh tính người gửi")
        if not body.get("reason", "").strip():
            raise HTTPException(422, "cần nêu lý do xem danh tính")
        return await _case_view(intake, ref, key, body["reason"])

    return router


_MOVEMENT_ROUTES = {"/models": ("movement.model_register.v1", RegisterModel),
                    "/models/reviews": ("movement.model_review.v1", ReviewModel),
                    "/sessions": ("movement.session_record.v1", RecordSession),
                    "/inspections": ("movement.inspection_record.v1", RecordInspection),
                    "/reports/requests": ("report.request.v1", RequestReport)}


def _body_schema(model: type) -> dict[str, Any]:
    """The request body is read raw (so that intake itself answers malformed input, and keeps
    it); its documented schema is the contract's."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}


def _add_movement_route(router: APIRouter, path: str, routing_key: str, model: type,
                        submit: Any, key_type: Any, idem_type: Any) -> None:
    async def post_record(request: Request, key: key_type, response: Response,  # type: ignore
                          idempotency_key: idem_type = None) -> dict[str, Any]:  # type: ignore
        return await submit(routing_key, request, key, idempotency_key, response)

    router.add_api_route(path, post_record, methods=["POST"], status_code=201,
                         name=f"post {routing_key}", openapi_extra=_body_schema(model),
                         responses=_REFUSED_RESPONSES)


async def _bounded_body(request: Request, limit: int) -> tuple[bytes, Truncated | None]:
    """The request body, read as it streams in: kept up to `limit` bytes; a longer one is
    read to its end only to be counted and hashed (a clean 413 rather than a connection
    dropped mid-upload), so memory never holds more than `limit` bytes of it."""
    kept, size, digest = bytearray(), 0, hashlib.sha256()
    async for chunk in request.stream():
        size += len(chunk)
        digest.update(chunk)
        if len(kept) < limit:
            kept += chunk[:limit - len(kept)]
    if size > limit:
        return bytes(kept), Truncated(size=size, sha256=digest.hexdigest(), limit=limit)
    return as_utf8(bytes(kept), request.headers.get("content-type")), None


def _prepare(raw: bytes, key: ApiKey, routing_key: str,
             path_field: tuple[str, str] | None) -> bytes:
    """Fills in what the path and the key say; anything unreadable goes to intake as sent."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return raw
    if not isinstance(body, dict):
        return raw
    body = _as_system(body, key, routing_key)
    if path_field is not None:
        body = _with(body, *path_field)
    return json.dumps(body, ensure_ascii=False).encode()


def _with(body: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    payload = body.get("data") if {"type", "data"} <= body.keys() else body
    if not isinstance(payload, dict):
        return body
    if payload.setdefault(field, value) != value:
        raise HTTPException(422, {"status": "rejected", "reason": "path and body disagree",
                                  "errors": [{"field": f"data.{field}",
                                              "reason": f"differs from the path ({value})"}]})
    return body


def _as_system(body: dict[str, Any], key: ApiKey, routing_key: str) -> dict[str, Any]:
    """A command is sent in the name of the key's system: filled in when absent, and a
    different one is refused."""
    payload = body.get("data") if {"type", "data"} <= body.keys() else body
    if not isinstance(payload, dict) or routing_key.startswith("report."):
        return body
    claimed = payload.get("source_system")
    if claimed is not None and claimed != key.system:
        raise HTTPException(403, f"khóa API thuộc hệ thống {key.system}, không phải {claimed}")
    if claimed is None:
        payload["source_system"] = key.system
    return body


async def _case_view(intake: Intake, ref: str, key: ApiKey,
                     reveal_reason: str | None) -> dict[str, Any]:
    rights = access.rights_of(key)
    if not rights & {"read", *access.READ_ANY}:
        raise HTTPException(403, "khóa API không có quyền xem hồ sơ")
    async with intake.uow() as work:
        case = await work.cases.get(ref)
        if case is None or not access.may_read(key, case):  # another system's: as if absent
            raise HTTPException(404, f"không có hồ sơ {ref}")
        view = _public_view(case, await work.timeline.for_case(ref))
        if "read_identity" in rights and reveal_reason:
            view["sender"] = access.reveal_sender(work, case, sealer=intake.sealer,
                                                  officer=f"api:{key.system}",
                                                  reason=reveal_reason, via="http")
            await work.commit()
        return view


def _public_view(case: Any, timeline: list[Any]) -> dict[str, Any]:
    return {"ref": case.ref, "kind": case.kind, "channel": case.channel, "status": case.status,
            "holder_unit": case.holder_unit, "received_at": case.received_at.isoformat(),
            "subject": case.subject, "content": case.content, "protected": case.protected,
            "sender": "[đã ẩn]",
            "timeline": [{"at": t.at.isoformat(), "actor": t.actor, "action": t.action,
                          "status": t.status, "details": t.details} for t in timeline]}
