"""Composition root: builds intake's resources once, explicitly; tests swap in their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from shared.confidential import Sealer, sealer_from_settings
from shared.db import create_engine, session_factory
from shared.messaging.uow import UnitsOfWork
from shared.plan import PlanCatalogue
from shared.settings import CommonSettings, ServiceSettings, catalogue_file
from shared.units import UnitCatalogue

# The use-case modules register their handlers for the command types they take.
from . import feedback, records, updates  # noqa: F401
from .handlers import Deps
from .orm import inbox, outbox
from .settings import DEFAULT_MAX_BODY_BYTES, IntakeSettings
from .uow import IntakeUnitOfWork


@dataclass
class Intake(UnitsOfWork[IntakeUnitOfWork]):
    uow_class = IntakeUnitOfWork
    outbox_table = outbox
    inbox_table = inbox

    engine: AsyncEngine
    sessions: async_sessionmaker
    sealer: Sealer
    plan: PlanCatalogue
    units: UnitCatalogue
    on_commit: Any = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @property
    def deps(self) -> Deps:
        return Deps(uow=self.uow, sealer=self.sealer, plan=self.plan, units=self.units)

    @property
    def consumer_deps(self) -> Deps:
        return Deps(uow=self.consumer_uow, sealer=self.sealer, plan=self.plan, units=self.units)


def bootstrap(common: CommonSettings, own: ServiceSettings,
              settings: IntakeSettings | None = None) -> Intake:
    settings = settings or IntakeSettings()
    engine = create_engine(own.database_url)
    return Intake(engine=engine, sessions=session_factory(engine),
                  sealer=sealer_from_settings(common.confidentiality_key, common.data_dir),
                  plan=PlanCatalogue.load(catalogue_file(common, "plan.yaml")),
                  units=UnitCatalogue.load(catalogue_file(common, "units.yaml")),
                  max_body_bytes=settings.max_body_bytes)
