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
from shared.testing.factories import feedback_payload, progress_payload, update_payload


def _http_client(intake, host: str) -> httpx.AsyncClient:
    """intake's HTTP gateway and operator routes, as seen from `host`."""
    app = FastAPI()
    app.include_router(build_http(intake))
    app.include_router(build_operator_http(intake))
    transport = httpx.ASGITransport(app=app, client=(host, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://intake")


@pytest.fixture
async def client(intake):
    async with _http_client(intake, "203.0.113.9") as c:
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


async def test_read_shows_a_system_its_own_cases_only(client, intake):
    portal, hotline = await _key(intake, "test-portal"), await _key(intake, "hotline")
    office = await _key(intake, "van-phong", {"read_all"})
    await client.post("/v1/feedback", json=feedback_payload(kind="to_cao"),
                      headers={"X-API-Key": portal})
    own = await client.get("/v1/feedback/PAKN-2026-000001", headers={"X-API-Key": portal})
    other = await client.get("/v1/feedback/PAKN-2026-000001", headers={"X-API-Key": hotline})
    absent = await client.get("/v1/feedback/PAKN-2026-000099", headers={"X-API-Key": hotline})
    any_case = await client.get("/v1/feedback/PAKN-2026-000001", headers={"X-API-Key": office})
    assert own.status_code == 200 and any_case.status_code == 200
    assert other.status_code == absent.status_code == 404
    assert other.json()["detail"] == "không có hồ sơ PAKN-2026-000001"
    assert any_case.json()["sender"] == "[đã ẩn]"


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


async def test_rejected_denunciation_is_withheld_revealed_on_record_and_replayed_fixed(
        client, intake):
    clear = await _key(intake, "test-portal")
    bad = {**feedback_payload(kind="to_cao"), "channel": "bo_cau"}
    rejected = (await client.post("/v1/feedback", json=bad, headers={"X-API-Key": clear})).json()
    url = f"/v1/rejected/{rejected['rejection_id']}"
    operator = {"X-API-Key": await _key(intake, "ops", {"operate"})}
    shown = (await client.get(url, headers=operator)).json()
    assert shown["body"]["withheld"] == "kind" and "sender.name" in shown["body"]["fields"]
    assert bad["sender"]["name"] not in str(shown) and bad["content"] not in str(shown)
    refused = await client.post(f"{url}/reveal", json={"reason": "sửa"}, headers=operator)
    assert refused.status_code == 403 and await _count(intake, RevealAudit) == 0
    lead = {"X-API-Key": await _key(intake, "ops-lead", {"operate", "read_identity"})}
    assert (await client.post(f"{url}/reveal", json={}, headers=lead)).status_code == 422
    revealed = (await client.post(f"{url}/reveal", json={"reason": "Sửa kênh để gửi lại"},
                                  headers=lead)).json()
    assert revealed["body"] == bad
    async with intake.sessions() as s:
        [audit] = list(await s.scalars(select(RevealAudit)))
    assert (audit.ref, audit.officer, audit.via) == (
        rejected["rejection_id"], "api:ops-lead", "rejected")
    fixed = {**revealed["body"], "channel": "don_thu"}
    replay = await client.post(f"{url}/replay", json=fixed, headers=operator)
    assert replay.json()["status"] == "accepted" and await _count(intake, Case) == 1


async def test_rejected_update_of_a_protected_case_is_withheld(client, intake):
    clear = await _key(intake, "test-portal")
    await client.post("/v1/feedback", json=feedback_payload(kind="to_cao"),
                      headers={"X-API-Key": clear})
    note = "Đã làm việc với ông Nguyễn Văn Bình tại nhà"
    bad = update_payload("PAKN-2026-000001", "bogus", unit_code="THANH_TRA", note=note)
    unit = {"X-API-Key": await _key(intake, "unit-tools", {"submit"})}
    rejected = (await client.post("/v1/feedback/PAKN-2026-000001/updates", json=bad,
                                  headers=unit)).json()
    operator = {"X-API-Key": await _key(intake, "ops", {"operate"})}
    shown = (await client.get(f"/v1/rejected/{rejected['rejection_id']}",
                              headers=operator)).json()
    assert shown["body"]["withheld"] == "protected_case" and "Bình" not in str(shown)


async def test_a_loopback_operator_names_itself_to_reveal_a_rejected_body(intake):
    async with _http_client(intake, "127.0.0.1") as local:
        rejected = (await local.post("/v1/feedback", content="Tôi là Kiều Văn Nam tố cáo.",
                                     headers={"X-API-Key": await _key(intake)})).json()
        url = f"/v1/rejected/{rejected['rejection_id']}"
        assert (await local.get(url)).json()["body"]["withheld"] == "unreadable"
        unnamed = await local.post(f"{url}/reveal", json={"reason": "Xem để sửa"})
        named = await local.post(f"{url}/reveal", json={"reason": "Xem để sửa",
                                                        "officer": "Trần Thu"})
    assert unnamed.status_code == 422 and named.json()["body"] == "Tôi là Kiều Văn Nam tố cáo."
    async with intake.sessions() as s:
        [audit] = list(await s.scalars(select(RevealAudit)))
    assert audit.officer == "local:Trần Thu"
