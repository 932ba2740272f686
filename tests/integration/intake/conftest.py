import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.intake import handlers, updates
from services.intake.bootstrap import Intake
from services.intake.ingress import IngressMessage
from services.intake.orm import outbox
from shared.contracts.feedback import FeedbackKind
from shared.contracts.routing import Assignment, CaseAssigned
from shared.plan import PlanCatalogue
from shared.testing.factories import envelope_of
from shared.units import UnitCatalogue


@pytest.fixture
async def intake(migrated, sealer) -> Intake:
    engine, sessions = await migrated("intake")
    return Intake(engine=engine, sessions=sessions, sealer=sealer, plan=PlanCatalogue.load(),
                  units=UnitCatalogue.load())


async def send(intake: Intake, payload: dict, routing_key: str = "feedback.submit.v1",
               message_id: str | None = None) -> handlers.IngressReply:
    msg = IngressMessage(body=json.dumps(payload, ensure_ascii=False).encode(),
                         message_id=message_id, routing_key=routing_key, message_type=None,
                         correlation_id=None)
    return await handlers.accept_ingress(msg, way_in="amqp", deps=intake.deps)


async def assign(intake: Intake, ref: str, unit: str, kind: str = "khieu_nai") -> None:
    event = CaseAssigned(ref=ref, kind=FeedbackKind(kind), received_at=datetime.now(UTC),
                         assignment=Assignment(unit_code=unit, unit_name=unit, rule_id="test",
                                               explanation="test"), deadlines=[])
    await updates.record_holder(envelope_of(event), deps=intake.deps)


async def published(intake: Intake) -> list[str]:
    async with intake.sessions() as s:
        return list(await s.scalars(select(outbox.c.routing_key).order_by(outbox.c.id)))
