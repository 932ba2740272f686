"""A refusal is resolved, not left pending, once the integrating system's corrected resend under
the same identity is accepted (SQLite and PostgreSQL): the operator's pending list shows only
what still needs action, and the refusal stays kept, pointing at what superseded it."""

import pytest
from fastapi import HTTPException
from sqlalchemy import select

from services.intake.operator_http import discard_rejected, replay_rejected
from services.intake.orm import Case, RejectedMessage
from shared.testing.factories import feedback_payload, update_payload

from .conftest import assign, send

REF = "PAKN-2026-000001"


async def _refusals(intake) -> list[RejectedMessage]:
    async with intake.sessions() as s:
        return list(await s.scalars(select(RejectedMessage).order_by(RejectedMessage.received_at)))


async def _pending(intake) -> list[str]:
    async with intake.uow() as work:
        return [r.id for r in await work.rejected.list(status="pending")]


async def test_a_corrected_resend_under_the_same_message_id_supersedes_the_refusal(intake):
    good = feedback_payload(external_id="DVC-1")
    refused = await send(intake, {**good, "kind": "khen_ngoi"}, message_id="m-1")
    assert await _pending(intake) == [refused.rejection_id]
    accepted = await send(intake, good, message_id="m-1")
    assert accepted.status == "accepted"
    [kept] = await _refusals(intake)
    async with intake.sessions() as s:
        case = await s.get(Case, accepted.ref)
    assert (kept.id, kept.status) == (refused.rejection_id, "superseded")
    assert kept.superseded_by == case.message_id == "test-portal|feedback.submit.v1|m-1"
    assert kept.resolved_at is not None and accepted.ref in kept.resolution_note
    assert intake.sealer.open(kept.sealed_body)  # the refusal itself stays kept
    assert await _pending(intake) == []


async def test_a_corrected_resend_under_another_message_id_supersedes_by_the_senders_own_id(
        intake):
    good = feedback_payload(external_id="DVC-2")
    await send(intake, {**good, "channel": "bo_cau"}, message_id="first-try")
    await send(intake, {**good, "kind": "?"}, message_id="second-try")
    await send(intake, good, message_id="third-try")
    assert [r.status for r in await _refusals(intake)] == ["superseded", "superseded"]


async def test_refusals_of_other_identities_stay_pending(intake):
    other_case = await send(intake, {**feedback_payload(external_id="DVC-3"), "kind": "?"},
                            message_id="m-3")
    other_system = await send(intake, {**feedback_payload(external_id="DVC-4"), "kind": "?",
                                       "source_system": "hotline"}, message_id="m-4")
    unreadable = await send(intake, {"kind": "?"}, message_id="m-4")
    await send(intake, feedback_payload(external_id="DVC-4"), message_id="m-4")
    assert sorted(await _pending(intake)) == sorted(
        [other_case.rejection_id, other_system.rejection_id, unreadable.rejection_id])


async def test_the_same_bad_bytes_again_get_the_first_refusal_and_no_new_row(intake):
    bad = {**feedback_payload(external_id="DVC-5"), "kind": "?"}
    first = await send(intake, bad, message_id="m-5")
    await send(intake, {**bad, "kind": "phan_anh"}, message_id="m-5")
    again = await send(intake, bad, message_id="m-5")  # a late redelivery of the bad one
    assert (again.status, again.rejection_id) == ("rejected", first.rejection_id)
    assert len(await _refusals(intake)) == 1 and await _pending(intake) == []


async def test_a_new_refusal_after_the_acceptance_is_news_and_stays_pending(intake):
    good = feedback_payload(external_id="DVC-6")
    await send(intake, good, message_id="m-6")
    later = await send(intake, {**good, "kind": "?"}, message_id="m-6")
    assert await _pending(intake) == [later.rejection_id]


async def test_a_corrected_update_kept_until_its_case_is_assigned_supersedes_when_applied(
        intake):
    await send(intake, feedback_payload(kind="khieu_nai"))
    bad = update_payload(REF, "bogus", unit_code="BAO_TRO_XA_HOI", update_id="U-1")
    refused = await send(intake, bad, "feedback.update.v1", message_id="u-bad")
    good = update_payload(REF, "accepted", unit_code="BAO_TRO_XA_HOI", update_id="U-1")
    kept = await send(intake, good, "feedback.update.v1", message_id="u-good")
    assert kept.status == "pending" and await _pending(intake) == [refused.rejection_id]
    await assign(intake, REF, "BAO_TRO_XA_HOI")  # the kept update is applied now
    [superseded] = await _refusals(intake)
    assert superseded.status == "superseded"
    assert superseded.superseded_by == "unit-tools|feedback.update.v1|u-good"
    assert REF in superseded.resolution_note


async def test_a_superseded_refusal_can_be_neither_replayed_nor_discarded(intake):
    good = feedback_payload(external_id="DVC-9")
    refused = await send(intake, {**good, "kind": "?"}, message_id="m-9")
    await send(intake, good, message_id="m-9")
    with pytest.raises(HTTPException) as replay:
        await replay_rejected(intake, refused.rejection_id, None)
    with pytest.raises(HTTPException) as discard:
        await discard_rejected(intake, refused.rejection_id, "Trùng với bản đã nhận")
    for refusal in (replay.value, discard.value):
        assert refusal.status_code == 409 and "superseded" in refusal.detail
    [kept] = await _refusals(intake)
    assert kept.status == "superseded"
