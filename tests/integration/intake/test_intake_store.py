"""intake's use cases on a real database (SQLite and PostgreSQL)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from services.intake import handlers
from services.intake.bootstrap import Intake
from services.intake.ingress import IngressMessage
from services.intake.orm import Case, RejectedMessage, outbox
from shared.plan import PlanCatalogue
from shared.testing.factories import feedback_payload
from shared.units import UnitCatalogue

DENOUNCER = {"name": "Phạm Thị Kim Oanh", "phone": "0987 654 321", "national_id": "042199001234",
             "address": "Tổ 5, phường Bắc Hà", "consent_to_contact": True}


@pytest.fixture
async def intake(migrated, sealer) -> Intake:
    engine, sessions = await migrated("intake")
    return Intake(engine=engine, sessions=sessions, sealer=sealer, plan=PlanCatalogue.load(),
                  units=UnitCatalogue.load())


def _msg(payload, message_id="m-1") -> IngressMessage:
    return IngressMessage(body=json.dumps(payload, ensure_ascii=False).encode(),
                          message_id=message_id, routing_key="feedback.submit.v1",
                          message_type=None, correlation_id=None)


async def _accept(intake, payload, message_id="m-1"):
    return await handlers.accept_ingress(_msg(payload, message_id), way_in="amqp",
                                         deps=intake.deps)


async def _count(intake, what) -> int:
    async with intake.sessions() as s:
        return await s.scalar(select(func.count()).select_from(what))


async def _outbox(intake) -> list[dict]:
    async with intake.sessions() as s:
        return [dict(r._mapping) for r in await s.execute(select(outbox).order_by(outbox.c.id))]


async def test_feedback_becomes_a_case_and_one_event(intake):
    reply = await _accept(intake, feedback_payload(kind="kien_nghi"))
    assert reply.status == "accepted" and reply.ref.startswith("PAKN-2026-")
    [row] = await _outbox(intake)
    assert row["routing_key"] == "intake.feedback_received.v1"
    assert json.loads(row["body"])["data"]["ref"] == reply.ref


async def test_references_count_up_per_year(intake):
    first = await _accept(intake, feedback_payload(), "a")
    second = await _accept(intake, feedback_payload(), "b")
    assert (first.ref, second.ref) == ("PAKN-2026-000001", "PAKN-2026-000002")


async def test_same_message_id_twice_is_one_case(intake):
    payload = feedback_payload()
    first = await _accept(intake, payload, "same")
    second = await _accept(intake, payload, "same")
    assert second.status == "duplicate" and second.ref == first.ref
    assert await _count(intake, Case) == 1 and len(await _outbox(intake)) == 1


async def test_same_source_and_external_id_is_one_case(intake):
    payload = feedback_payload(external_id="DVC-1")
    first = await _accept(intake, payload, "one")
    second = await _accept(intake, payload, "two")
    assert (second.status, second.ref) == ("duplicate", first.ref)
    assert await _count(intake, Case) == 1


async def test_message_id_names_the_case_a_resend_repeats(intake):
    one, two = feedback_payload(external_id="DVC-1"), feedback_payload(external_id="DVC-2")
    first = await _accept(intake, one, "one")
    await _accept(intake, two, "two")
    resent = await _accept(intake, one, "one")
    crossed = await _accept(intake, two, "one")  # one's id, two's content: neither a resend
    assert (resent.status, resent.ref) == ("duplicate", first.ref)
    assert crossed.status == "rejected" and crossed.errors[0]["field"] == "message_id"


async def test_ids_longer_than_200_characters_are_accepted_rejected_and_deduplicated(intake):
    long_id = "urn:hotline:" + "7" * 240  # AMQP allows message ids of 255 bytes
    payload = feedback_payload()
    first = await _accept(intake, payload, long_id)
    again = await _accept(intake, payload, long_id)
    bad = await _accept(intake, {**feedback_payload(), "kind": "??"}, "urn:bad:" + "8" * 240)
    assert first.status == "accepted" and (again.status, again.ref) == ("duplicate", first.ref)
    assert bad.status == "rejected" and bad.errors[0]["field"] == "data.kind"
    assert await _count(intake, Case) == 1


async def _refuse_without_id(intake, payload, *, redelivered: bool) -> handlers.IngressReply:
    msg = IngressMessage(body=json.dumps(payload).encode(), message_id=None,
                         routing_key="feedback.submit.v1", message_type=None, correlation_id=None,
                         redelivered=redelivered)
    return await handlers.accept_ingress(msg, way_in="amqp", deps=intake.deps)


async def test_a_redelivered_refusal_without_message_id_is_kept_once(intake):
    bad = {**feedback_payload(), "kind": "??"}
    first = await _refuse_without_id(intake, bad, redelivered=False)
    again = await _refuse_without_id(intake, bad, redelivered=True)
    other = await _refuse_without_id(intake, {**bad, "content": "khác"}, redelivered=True)
    assert first.status == again.status == other.status == "rejected"
    assert again.rejection_id == first.rejection_id != other.rejection_id
    assert await _count(intake, RejectedMessage) == 2
    assert [r["routing_key"] for r in await _outbox(intake)] == ["intake.rejected.v1"] * 2


async def test_the_same_bytes_sent_again_without_message_id_are_a_new_refusal(intake):
    bad = {**feedback_payload(), "kind": "??"}
    first = await _refuse_without_id(intake, bad, redelivered=False)
    second = await _refuse_without_id(intake, bad, redelivered=False)
    assert first.rejection_id != second.rejection_id
    assert await _count(intake, RejectedMessage) == 2


async def test_a_redelivery_long_after_the_refusal_is_kept_again(intake):
    bad = {**feedback_payload(), "kind": "??"}
    first = await _refuse_without_id(intake, bad, redelivered=False)
    async with intake.sessions() as s, s.begin():
        row = await s.get(RejectedMessage, first.rejection_id)
        row.received_at -= handlers.REDELIVERY_WINDOW + timedelta(minutes=1)
    again = await _refuse_without_id(intake, bad, redelivered=True)
    assert again.rejection_id != first.rejection_id


async def test_invalid_message_is_kept_with_its_reason(intake):
    reply = await _accept(intake, {**feedback_payload(), "kind": "??"})
    assert reply.status == "rejected" and reply.errors[0]["field"] == "data.kind"
    async with intake.sessions() as s:
        [kept] = list(await s.scalars(select(RejectedMessage)))
    assert json.loads(intake.sealer.open(kept.sealed_body))["kind"] == "??"
    [row] = await _outbox(intake)
    assert row["routing_key"] == "intake.rejected.v1"


async def test_denouncer_identity_is_nowhere_in_clear(intake, database_url):
    payload = feedback_payload(kind="to_cao", sender=DENOUNCER,
                               content="Tôi là Phạm Thị Kim Oanh, số điện thoại 0987.654.321, "
                                       "tố cáo cán bộ xã nhận tiền khi xét hộ nghèo.")
    reply = await _accept(intake, payload)
    [row] = await _outbox(intake)
    async with intake.sessions() as s:
        case = await s.get(Case, reply.ref)
        rows = [r for t in ("cases", "outbox", "inbox")
                for r in (await s.execute(text(f"SELECT * FROM {t}"))).all()]
    dump = " ".join(str(v) for r in rows for v in r)
    for secret in ("Phạm Thị Kim Oanh", "0987", "654 321", "654.321", "042199001234", "Bắc Hà"):
        assert secret not in row["body"] and secret not in dump, secret
    assert "cán bộ xã nhận tiền" in case.content
    assert json.loads(intake.sealer.open(case.sealed_sender))["name"] == DENOUNCER["name"]
