"""A resend under a key already accepted is a duplicate only when it says the same thing; with
other content it is refused naming the key, and kept (SQLite and PostgreSQL): answering
"duplicate" would drop what the sender changed without anyone seeing it."""

from sqlalchemy import delete, func, select

from services.intake.orm import AcceptedDigest, Case, RejectedMessage
from shared.testing.factories import feedback_payload, movement_payloads, update_payload

from .conftest import assign, send

REF = "PAKN-2026-000001"


async def _case(intake, ref: str) -> Case:
    async with intake.sessions() as s:
        return await s.get(Case, ref)


async def _refusals(intake) -> list[RejectedMessage]:
    async with intake.sessions() as s:
        return list(await s.scalars(select(RejectedMessage).order_by(RejectedMessage.received_at)))


async def test_the_same_message_again_is_a_duplicate(intake):
    payload = feedback_payload(external_id="DVC-1")
    first = await send(intake, payload, message_id="m-1")
    again = await send(intake, {**payload, "subject": f"  {payload['subject']} "},
                       message_id="m-1")  # the same once stripped, as the contract reads it
    assert (first.status, again.status, again.ref) == ("accepted", "duplicate", first.ref)
    assert await _refusals(intake) == []


async def test_other_content_under_an_accepted_message_id_is_refused_naming_it_and_kept(intake):
    payload = feedback_payload(external_id="DVC-2")
    first = await send(intake, payload, message_id="m-2")
    changed = await send(intake, {**payload, "content": "Nội dung đã sửa lại sau khi gửi."},
                         message_id="m-2")
    assert changed.status == "rejected"
    [error] = changed.errors
    assert error["field"] == "message_id"
    assert changed.reason.startswith(f"mã thông điệp này đã được nhận (hồ sơ {first.ref}) với "
                                     "nội dung khác")
    [kept] = await _refusals(intake)
    assert (kept.id, kept.status, kept.message_id) == (changed.rejection_id, "pending", "m-2")
    assert "Nội dung đã sửa lại" in intake.sealer.open(kept.sealed_body)
    assert (await _case(intake, first.ref)).content == payload["content"]  # the case as accepted


async def test_a_redelivery_of_the_conflicting_resend_gets_the_same_refusal(intake):
    payload = feedback_payload(external_id="DVC-3")
    await send(intake, payload, message_id="m-3")
    changed = {**payload, "subject": payload["subject"] + " (bổ sung)"}
    first = await send(intake, changed, message_id="m-3")
    again = await send(intake, changed, message_id="m-3")
    assert again.rejection_id == first.rejection_id and len(await _refusals(intake)) == 1


async def test_other_content_under_an_accepted_external_id_is_refused_naming_it(intake):
    payload = feedback_payload(external_id="DVC-4")
    await send(intake, payload, message_id="m-4")
    same = await send(intake, payload, message_id="m-4-resent")
    changed = await send(intake, {**payload, "subject": "Tiêu đề khác"}, message_id="m-4-edit")
    assert same.status == "duplicate"
    assert changed.status == "rejected"
    assert [e["field"] for e in changed.errors] == ["data.external_id"]
    assert "feedback.update" in changed.reason


async def test_an_update_and_a_movement_record_are_held_to_what_they_first_said(intake):
    await send(intake, feedback_payload(kind="khieu_nai"))
    await assign(intake, REF, "BAO_TRO_XA_HOI")
    update = update_payload(REF, "accepted", unit_code="BAO_TRO_XA_HOI", update_id="U-1")
    assert (await send(intake, update, "feedback.update.v1")).status == "accepted"
    moved = await send(intake, {**update, "status": "in_progress"}, "feedback.update.v1")
    model = movement_payloads()["movement.model_register.v1"]
    await send(intake, model, "movement.model_register.v1")
    renamed = await send(intake, {**model, "name": "Tên mô hình khác"},
                         "movement.model_register.v1")
    assert [e["field"] for e in moved.errors] == ["data.update_id"]
    assert [e["field"] for e in renamed.errors] == ["data.model_id"]


async def test_another_update_under_an_accepted_message_id_is_refused_not_applied(intake):
    await send(intake, feedback_payload(kind="khieu_nai"))
    await assign(intake, REF, "BAO_TRO_XA_HOI")
    first = update_payload(REF, "accepted", unit_code="BAO_TRO_XA_HOI", update_id="U-1")
    other = update_payload(REF, "in_progress", unit_code="BAO_TRO_XA_HOI", update_id="U-2")
    assert (await send(intake, first, "feedback.update.v1", message_id="X")).status == "accepted"
    reused = await send(intake, other, "feedback.update.v1", message_id="X")
    assert reused.status == "rejected" and reused.errors[0]["field"] == "message_id"
    assert f"(hồ sơ {REF})" in reused.reason
    assert (await _case(intake, REF)).status == "accepted"  # U-2 was not applied


async def test_a_command_accepted_before_digests_were_kept_stays_a_duplicate(intake):
    payload = feedback_payload(external_id="DVC-5")
    await send(intake, payload, message_id="m-5")
    async with intake.sessions() as s, s.begin():
        await s.execute(delete(AcceptedDigest))  # as the rows of a database before 0005
    again = await send(intake, {**payload, "subject": "Tiêu đề khác"}, message_id="m-5")
    assert again.status == "duplicate"


async def test_the_digest_leaves_the_senders_identity_out(intake):
    payload = feedback_payload(external_id="DVC-6")
    await send(intake, payload, message_id="m-6")
    async with intake.sessions() as s:
        [digest] = list(await s.scalars(select(AcceptedDigest.digest)))
        rows = await s.scalar(select(func.count()).select_from(AcceptedDigest))
    other_sender = {**payload, "sender": {**payload["sender"], "name": "Người khác"}}
    assert rows == 1 and len(digest) == 64
    assert (await send(intake, other_sender, message_id="m-6")).status == "duplicate"
