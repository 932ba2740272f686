"""A complaint accepted as from a remote area: intake checks and announces it for routing."""

import json

from sqlalchemy import select

from services.intake.orm import outbox
from shared.testing.factories import feedback_payload, update_payload

from .conftest import assign, send

REF = "PAKN-2026-000001"
REMOTE = {"acceptance": {"remote_area": True}}


async def _status_changes(intake) -> list[dict]:
    async with intake.sessions() as s:
        bodies = await s.scalars(select(outbox.c.body).where(
            outbox.c.routing_key == "intake.case_status_changed.v1").order_by(outbox.c.id))
        return [json.loads(body)["data"] for body in bodies]


async def test_the_remote_area_of_an_accepted_complaint_reaches_routing(intake):
    await send(intake, feedback_payload(kind="khieu_nai"))
    await assign(intake, REF, "THANH_TRA")
    reply = await send(intake, update_payload(REF, "accepted", unit_code="THANH_TRA", **REMOTE),
                       "feedback.update.v1")
    assert reply.status == "accepted", reply
    [change] = await _status_changes(intake)
    assert change["status"] == "accepted" and change["acceptance"] == {"remote_area": True}


async def test_a_remote_area_on_a_denunciation_is_refused_naming_the_field(intake):
    await send(intake, feedback_payload(kind="to_cao"))
    await assign(intake, REF, "THANH_TRA", kind="to_cao")
    reply = await send(intake, update_payload(REF, "accepted", unit_code="THANH_TRA", **REMOTE),
                       "feedback.update.v1")
    assert reply.status == "rejected"
    assert reply.errors[0]["field"] == "data.acceptance.remote_area"
    assert "chỉ áp dụng cho đơn khiếu nại" in reply.errors[0]["reason"]
    assert await _status_changes(intake) == []
