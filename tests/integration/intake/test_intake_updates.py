"""Status updates, task progress and movement records on a real database."""

from sqlalchemy import func, select

from services.intake.orm import Case, PendingCommand, RejectedMessage, TimelineEntry
from shared.testing.factories import (
    feedback_payload,
    movement_payloads,
    progress_payload,
    update_payload,
)

from .conftest import assign, published, send

REF = "PAKN-2026-000001"


async def _case(intake) -> Case:
    async with intake.sessions() as s:
        return await s.get(Case, REF)


async def _count(intake, table) -> int:
    async with intake.sessions() as s:
        return await s.scalar(select(func.count()).select_from(table))


async def test_update_walks_the_case_and_announces_each_step(intake):
    await send(intake, feedback_payload(kind="khieu_nai"))
    await assign(intake, REF, "BAO_TRO_XA_HOI")
    for status in ("accepted", "in_progress", "resolved"):
        reply = await send(intake, update_payload(REF, status, unit_code="BAO_TRO_XA_HOI"),
                           "feedback.update.v1")
        assert reply.status == "accepted", reply
    assert (await _case(intake)).status == "resolved"
    assert (await published(intake)).count("intake.case_status_changed.v1") == 3
    async with intake.sessions() as s:
        actions = list(await s.scalars(select(TimelineEntry.action).order_by(TimelineEntry.id)))
    assert actions == ["received", "assigned", "accepted", "in_progress", "resolved"]


async def test_update_before_its_case_is_kept_then_applied(intake):
    early = await send(intake, update_payload(REF, "accepted", unit_code="BAO_TRO_XA_HOI"),
                       "feedback.update.v1", message_id="early-1")
    assert early.status == "pending"
    await send(intake, feedback_payload(kind="khieu_nai"))
    assert (await _case(intake)).status == "received"
    await assign(intake, REF, "BAO_TRO_XA_HOI")
    assert (await _case(intake)).status == "accepted"
    assert await _count(intake, PendingCommand) == 0


async def test_update_from_another_unit_is_refused_with_the_reason(intake):
    await send(intake, feedback_payload(kind="khieu_nai"))
    await assign(intake, REF, "BAO_TRO_XA_HOI")
    reply = await send(intake, update_payload(REF, "accepted", unit_code="NGUOI_CO_CONG"),
                       "feedback.update.v1")
    assert reply.status == "rejected" and "BAO_TRO_XA_HOI" in reply.reason
    assert reply.errors[0]["field"] == "data.status"
    assert (await _case(intake)).status == "received"
    assert await _count(intake, RejectedMessage) == 1


async def test_resolve_before_accept_is_refused(intake):
    await send(intake, feedback_payload(kind="to_cao"))
    await assign(intake, REF, "THANH_TRA")
    reply = await send(intake, update_payload(REF, "resolved", unit_code="THANH_TRA"),
                       "feedback.update.v1")
    assert reply.status == "rejected"


async def test_a_denunciation_cannot_be_extended_a_third_time(intake):
    await send(intake, feedback_payload(kind="to_cao"))
    await assign(intake, REF, "THANH_TRA", kind="to_cao")
    await send(intake, update_payload(REF, "accepted", unit_code="THANH_TRA"), "feedback.update.v1")
    replies = [await send(intake, update_payload(REF, "extended", unit_code="THANH_TRA"),
                          "feedback.update.v1") for _ in range(3)]
    assert [r.status for r in replies] == ["accepted", "accepted", "rejected"]
    assert "tối đa 2 lần" in replies[2].reason


async def test_same_update_twice_is_applied_once(intake):
    await send(intake, feedback_payload(kind="kien_nghi"))
    await assign(intake, REF, "LAO_DONG_VIEC_LAM", kind="kien_nghi")
    update = update_payload(REF, "in_progress", unit_code="LAO_DONG_VIEC_LAM", update_id="u-1")
    first = await send(intake, update, "feedback.update.v1")
    second = await send(intake, update, "feedback.update.v1")
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert (await published(intake)).count("intake.case_status_changed.v1") == 1


async def test_transfer_to_an_unknown_unit_is_refused(intake):
    await send(intake, feedback_payload(kind="kien_nghi"))
    await assign(intake, REF, "LAO_DONG_VIEC_LAM", kind="kien_nghi")
    update = update_payload(REF, "transferred", unit_code="LAO_DONG_VIEC_LAM",
                            transfer={"to_unit": "PHONG_MA", "reason": "x"})
    reply = await send(intake, update, "feedback.update.v1")
    assert reply.status == "rejected" and reply.errors[0]["field"] == "data.transfer.to_unit"


async def test_task_progress_is_checked_against_the_plan(intake):
    ok = await send(intake, progress_payload(), "task.progress.v1")
    unknown_task = await send(intake, progress_payload(task_id="II.9.1"), "task.progress.v1")
    wrong_unit = await send(intake, progress_payload(task_id="II.8.1"), "task.progress.v1")
    assert ok.status == "accepted"
    assert unknown_task.errors[0]["field"] == "data.task_id"
    assert wrong_unit.errors[0]["field"] == "data.unit_code"
    assert "intake.task_progress_reported.v1" in await published(intake)


async def test_model_review_before_its_registration_waits_for_it(intake):
    examples = movement_payloads()
    review = await send(intake, examples["movement.model_review.v1"], "movement.model_review.v1")
    assert review.status == "pending"
    register = await send(intake, examples["movement.model_register.v1"],
                          "movement.model_register.v1")
    assert register.status == "accepted"
    assert await published(intake) == ["intake.model_registered.v1", "intake.model_reviewed.v1"]


async def test_every_movement_record_and_report_request_is_announced(intake):
    for routing_key, payload in movement_payloads().items():
        if routing_key != "movement.model_review.v1":
            assert (await send(intake, payload, routing_key)).status == "accepted", routing_key
    assert sorted(await published(intake)) == [
        "intake.inspection_recorded.v1", "intake.model_registered.v1",
        "intake.report_requested.v1", "intake.session_recorded.v1"]


async def test_update_dated_before_the_receipt_is_refused(intake):
    await send(intake, feedback_payload(kind="khieu_nai", received_at="2026-11-20T09:00:00+07:00"))
    await assign(intake, REF, "BAO_TRO_XA_HOI")
    early = update_payload(REF, "accepted", unit_code="BAO_TRO_XA_HOI",
                           occurred_at="2026-11-19T09:00:00+07:00")
    reply = await send(intake, early, "feedback.update.v1")
    assert reply.status == "rejected" and reply.errors[0]["field"] == "data.occurred_at"
