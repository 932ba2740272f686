"""Use cases: units' task progress, the movement's records, and report requests."""

from __future__ import annotations

from typing import Any

from shared.calendar import local_date
from shared.contracts.base import Payload, utc_now
from shared.contracts.plan import (
    InspectionRecorded,
    ModelRegistered,
    ModelReviewed,
    RecordInspection,
    RecordSession,
    RegisterModel,
    ReportRequested,
    ReportTaskProgress,
    RequestReport,
    ReviewModel,
    SessionRecorded,
    TaskProgressReported,
)
from shared.logging import get_logger

from .handlers import (
    CONSUMER,
    CommandRefused,
    Deps,
    IngressReply,
    Park,
    drain,
    finish_command,
    handles,
)
from .ingress import AcceptedCommand
from .orm import MovementRecord, TaskProgress

log = get_logger()


@handles(ReportTaskProgress.message_type)
async def report_progress(accepted: AcceptedCommand, deps: Deps,
                          pending_id: int | None = None) -> IngressReply:
    cmd = accepted.command
    assert isinstance(cmd, ReportTaskProgress)
    task, section = _task_or_refuse(cmd, deps)
    async with deps.uow() as work:
        if await work.records.progress_exists(cmd.source_system, cmd.external_id) \
                or await work.already_processed(accepted.event_id, CONSUMER):
            return IngressReply(status="duplicate")
        work.records.add(TaskProgress(
            message_id=accepted.event_id, source_system=cmd.source_system,
            external_id=cmd.external_id, task_id=cmd.task_id, unit_code=cmd.unit_code,
            period=cmd.period, percent_done=cmd.percent_done, status=cmd.status.value,
            done_text=cmd.done_text, evidence=[str(e) for e in cmd.evidence],
            reported_at=cmd.reported_at))
        event = TaskProgressReported(**cmd.model_dump(exclude={"source_system", "external_id"}),
                                     section=section.code, task_title=task.title)
        await finish_command(work, accepted, event, pending_id=pending_id)
    return IngressReply(status="accepted")


def _task_or_refuse(cmd: ReportTaskProgress, deps: Deps) -> tuple[Any, Any]:
    task = deps.plan.task(cmd.task_id)
    if task is None:
        raise CommandRefused(f"không có nhiệm vụ {cmd.task_id} trong kế hoạch", "data.task_id")
    on = local_date(cmd.reported_at)
    if cmd.unit_code not in deps.plan.units_for(task, units=deps.units, on=on):
        raise CommandRefused(f"đơn vị {cmd.unit_code} không được giao nhiệm vụ {cmd.task_id}",
                             "data.unit_code")
    section = deps.plan.section_of(cmd.task_id)
    return task, section


_MOVEMENTS: dict[type[Payload], tuple[str, str, type[Payload]]] = {
    RegisterModel: ("model", "model_id", ModelRegistered),
    ReviewModel: ("model_review", "model_id", ModelReviewed),
    RecordSession: ("session", "session_id", SessionRecorded),
    RecordInspection: ("inspection", "inspection_id", InspectionRecorded),
}


async def record_movement(accepted: AcceptedCommand, deps: Deps,
                          pending_id: int | None = None) -> IngressReply:
    cmd = accepted.command
    record_type, id_field, event_type = _MOVEMENTS[type(cmd)]
    subject_id = getattr(cmd, id_field)
    record_id = _record_id(cmd, subject_id)
    async with deps.uow() as work:
        if await work.records.movement(record_type, record_id) is not None:
            return IngressReply(status="duplicate")
        if isinstance(cmd, ReviewModel) and await work.records.movement("model", subject_id) \
                is None:
            raise Park(f"model:{subject_id}", "mô hình chưa được đăng ký")
        data = cmd.model_dump(mode="json", exclude={"source_system"})
        work.records.add(MovementRecord(
            record_type=record_type, record_id=record_id, subject_id=subject_id,
            source_system=cmd.source_system, recorded_at=utc_now(), data=data))
        await finish_command(work, accepted,
                             event_type(**cmd.model_dump(exclude={"source_system"})),
                             pending_id=pending_id)
    if isinstance(cmd, RegisterModel):
        await drain(f"model:{subject_id}", deps=deps)
    return IngressReply(status="accepted")


def _record_id(cmd: Payload, subject_id: str) -> str:
    if isinstance(cmd, ReviewModel):
        return f"{subject_id}@{cmd.reviewed_on.isoformat()}:{cmd.result}"
    return subject_id


for _command in _MOVEMENTS:
    handles(_command.message_type)(record_movement)


@handles(RequestReport.message_type)
async def request_report(accepted: AcceptedCommand, deps: Deps,
                         pending_id: int | None = None) -> IngressReply:
    cmd = accepted.command
    assert isinstance(cmd, RequestReport)
    async with deps.uow() as work:
        if await work.already_processed(accepted.event_id, CONSUMER):
            return IngressReply(status="duplicate")
        await finish_command(work, accepted, ReportRequested(**cmd.model_dump()),
                             pending_id=pending_id)
    log.info("report requested", family=cmd.family, period=cmd.period)
    return IngressReply(status="accepted")
