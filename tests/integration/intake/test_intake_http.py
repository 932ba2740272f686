"""intake's HTTP gateway through the real app, on a real database."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.intake import access
from services.intake.http import build_http
from services.intake.operator_http import build_operator_http
from services.intake.orm import Case, RejectedMessage, RevealAudit
from shared.contracts.base import utc_now
from shared.testing.factories import feedback_payload, progress_payload


@pytest.fixture
async def client(intake):
    app = FastAPI()
    app.include_router(build_http(intake))
    app.include_router(build_operator_http(intake))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as c:
        yield c


async def _key(intake, system="cong-dvc", rights=frozenset({"submit", "read"})) -> str:
    key, clear = access.new_key(system, set(rights))
    async with intake.uow() as work:
        work.access.add(key)
        await work.commit()
    return clear


async def _count(intake, table) -> int:
    async with intake.sessions() as s:
        return await s.scalar(select(func.count()).select_from(table))


async def test_unknown_key_gets_401_and_nothing_is_stored(client, intake):
    response = await client.post("/v1/feedback", json=feedback_payload(),
                                 headers={"X-API-Key": "dvk_not-a-key"})
    assert response.status_code == 401
    assert await _count(intake, Case) == 0 and await _count(intake, RejectedMessage) == 0


async def test_revoked_key_gets_401(client, intake):
    clear = await _key(intake)
    async with intake.uow() as work:
        [key] = await work.access.keys()
        await work.access.revoke(key.id, utc_now())
        await work.commit()
    response = await client.post("/v1/feedback", json=feedback_payload(),
                                 headers={"Authorization": f"Bearer {clear}"})
    assert response.status_code == 401 and await _count(intake, Case) == 0


async def test_feedback_is_accepted_in_the_keys_name(client, intake):
    clear = await _key(intake)
    payload = feedback_payload()
    del payload["source_system"]
    response = await client.post("/v1/feedback", json=payload,
                                 headers={"X-API-Key": clear, "Idempotency-Key": "req-1"})
    assert response.status_code == 201 and response.json()["ref"] == "PAKN-2026-000001"
    again = await client.post("/v1/feedback", json=payload,
                              headers={"X-API-Key": clear, "Idempotency-Key": "req-1"})
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    async with intake.sessions() as s:
        assert (await s.get(Case, "PAKN-2026-000001")).source_system == "cong-dvc"


async def test_invalid_feedback_gets_422_naming_the_fields(client, intake):
    clear = await _key(intake)
    response = await client.post("/v1/feedback", json={**feedback_payload(), "kind": "x",
                                                       "source_system": "cong-dvc"},
                                 headers={"X-API-Key": clear})
    body = response.json()
    assert response.status_code == 422 and body["status"] == "rejected"
    assert body["errors"] == [{"field": "data.kind", "reason": body["errors"][0]["reason"]}]


async def test_a_key_cannot_speak_for_another_system(client, intake):
    clear = await _key(intake)
    response = await client.post("/v1/feedback", json=feedback_payload(),  # test-portal
                                 headers={"X-API-Key": clear})
    assert response.status_code == 403 and await _count(intake, Case) == 0


async def test_case_view_hides_the_sender_and_reveals_only_with_right_and_reason(client, intake):
    submitter = await _key(intake, "test-portal")
    payload = feedback_payload(kind="to_cao")
    await client.post("/v1/feedback", json=payload, headers={"X-API-Key": submitter})
    view = (await client.get("/v1/feedback/PAKN-2026-000001",
                             headers={"X-API-Key": submitter})).json()
    assert view["sender"] == "[đã ẩn]" and view["timeline"][0]["action"] == "received"
    assert payload["sender"]["name"] not in str(view)
    officer = await _key(intake, "thanh-tra", {"read_identity"})
    refused = await client.post("/v1/feedback/PAKN-2026-000001/reveal",
                                json={"reason": "tò mò"}, headers={"X-API-Key": submitter})
    assert refused.status_code == 403
    revealed = (await client.post("/v1/feedback/PAKN-2026-000001/reveal",
                                  json={"reason": "Xác minh nội dung tố cáo"},
                                  headers={"X-API-Key": officer})).json()
    assert revealed["sender"]["name"] == payload["sender"]["name"]
    assert await _count(intake, RevealAudit) == 1


async def test_progress_route_takes_the_task_from_the_path(client, intake):
    clear = await _key(intake, "unit-tools")
    body = progress_payload()
    del body["task_id"]
    response = await client.post("/v1/tasks/II.3.1/progress", json=body,
                                 headers={"X-API-Key": clear})
    assert response.status_code == 201, response.text


async def test_operator_routes_refuse_remote_callers_without_the_right(client, intake):
    assert (await client.get("/v1/rejected")).status_code == 401
    operator = await _key(intake, "ops", {"operate"})
    assert (await client.get("/v1/rejected", headers={"X-API-Key": operator})).status_code == 200


async def test_rejected_message_is_shown_redacted_and_replayed_fixed(client, intake):
    clear = await _key(intake, "test-portal")
    bad = {**feedback_payload(kind="to_cao"), "channel": "bo_cau"}
    rejected = (await client.post("/v1/feedback", json=bad, headers={"X-API-Key": clear})).json()
    operator = {"X-API-Key": await _key(intake, "ops", {"operate"})}
    shown = (await client.get(f"/v1/rejected/{rejected['rejection_id']}",
                              headers=operator)).json()
    assert shown["body"]["sender"]["name"] == "[đã ẩn]"
    fixed = {**bad, "channel": "don_thu"}
    replay = await client.post(f"/v1/rejected/{rejected['rejection_id']}/replay", json=fixed,
                               headers=operator)
    assert replay.json()["status"] == "accepted" and await _count(intake, Case) == 1
