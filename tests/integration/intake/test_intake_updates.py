"""Status updates, task progress and movement records on a real database."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from services.intake.orm import Case, PendingCommand, RejectedMessage, TimelineEntry
from services.intake.sweeper import PendingSweeper
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


async def test_update_for_a_reference_given_out_without_a_case_is_refused_at_once(intake):
    """Numbers are issued with their case: a number at or below the last one issued that has
    no case is a mistyped reference, not a case on its way; it must not wait for, and then
    change, the unrelated case that would one day get a number."""
    await send(intake, feedback_payload(kind="khieu_nai"))  # issues PAKN-2026-000001
    await send(intake, feedback_payload(kind="khieu_nai"))  # and 000002
    async with intake.sessions() as s:
        await s.execute(Case.__table__.delete().where(Case.ref == "PAKN-2026-000002"))
        await s.commit()
    issued = await send(intake, update_payload("PAKN-2026-000002", "accepted",
                                               unit_code="BAO_TRO_XA_HOI"), "feedback.update.v1")
    old_year = await send(intake, update_payload("PAKN-2019-000001", "accepted",
                                                 unit_code="BAO_TRO_XA_HOI"), "feedback.update.v1")
    ahead = await send(intake, update_payload("PAKN-2026-000003", "accepted",
                                              unit_code="BAO_TRO_XA_HOI"), "feedback.update.v1")
    assert (issued.status, issued.errors[0]["field"]) == ("rejected", "data.ref")
    assert "PAKN-2026-000002" in issued.reason
    assert old_year.status == "pending"  # no number of 2019 was issued here: it may yet come
    assert ahead.status == "pending"


async def test_update_from_another_unit_is_refused_with_the_reason(intake):
    await send(intake, feedback_payload(kind="khieu_nai"))
    await assign(intake, REF, "BAO_TRO_XA_HOI")
    reply = await send(intake, update_payload(REF, "accepted", unit_code="NGUOI_CO_CONG"),
                       "feedback.update.v1")
    assert reply.status == "rejected" and "BAO_TRO_XA_HOI" in reply.reason
    assert reply.errors[0]["field"] == "data.unit_code"
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


async def test_one_message_id_from_two_systems_and_for_two_kinds_of_command(intake):
    """Each system numbers its own messages, and may use one number for a feedback and for a
    progress report: none of these is a resend of another."""
    feedback = feedback_payload(source_system="cong-dvc")
    first = await send(intake, feedback, message_id="7130")
    other = await send(intake, feedback_payload(source_system="hotline"), message_id="7130")
    progress = await send(intake, progress_payload(source_system="cong-dvc"), "task.progress.v1",
                          message_id="7130")
    resent = await send(intake, feedback, message_id="7130")
    assert (first.status, other.status, progress.status) == ("accepted",) * 3
    assert other.ref != first.ref and (resent.status, resent.ref) == ("duplicate", first.ref)
    assert await _count(intake, Case) == 2
    assert (await published(intake)).count("intake.feedback_received.v1") == 2


async def test_another_invalid_body_under_the_same_id_is_refused_for_its_own_reasons(intake):
    bad_date = {**feedback_payload(), "received_at": "2026-11-20T08:00:00"}
    bad_kind = {**feedback_payload(), "kind": "??"}
    first = await send(intake, bad_date, message_id="same")
    again = await send(intake, bad_date, message_id="same")
    other = await send(intake, bad_kind, message_id="same")
    assert again.rejection_id == first.rejection_id
    assert other.rejection_id != first.rejection_id
    assert other.errors[0]["field"] == "data.kind"
    assert await _count(intake, RejectedMessage) == 2


async def test_a_command_that_waited_too_long_is_refused_and_kept(intake):
    waiting = await send(intake, update_payload("PAKN-2026-000009", "accepted",
                                                unit_code="BAO_TRO_XA_HOI"), "feedback.update.v1")
    sweeper = PendingSweeper(intake.deps, max_age=timedelta(days=7))
    assert waiting.status == "pending" and await sweeper.expire() == 0
    async with intake.sessions() as s:
        await s.execute(update(PendingCommand).values(
            received_at=datetime.now(UTC) - timedelta(days=8)))
        await s.commit()
    assert await sweeper.expire() == 1
    async with intake.sessions() as s:
        [kept] = list(await s.scalars(select(RejectedMessage)))
    assert kept.errors[0]["field"] == "data.ref" and "PAKN-2026-000009" in kept.reason
    assert "7 ngày" in kept.reason
    assert await _count(intake, PendingCommand) == 0
    assert "intake.rejected.v1" in await published(intake)
