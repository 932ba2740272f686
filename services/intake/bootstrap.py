"""Composition root: builds intake's resources once, explicitly; tests swap in their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from shared.confidential import Sealer, sealer_from_settings
from shared.db import create_engine, session_factory
from shared.settings import CommonSettings, ServiceSettings

from .orm import inbox, outbox
from .uow import IntakeUnitOfWork


@dataclass
class Intake:
    engine: AsyncEngine
    sessions: async_sessionmaker
    sealer: Sealer
    on_commit: Any = None

    def uow(self) -> IntakeUnitOfWork:
        return IntakeUnitOfWork(self.sessions, outbox=outbox, inbox=inbox,
                                on_commit=self.on_commit)


def bootstrap(common: CommonSettings, own: ServiceSettings) -> Intake:
    engine = create_engine(own.database_url)
    return Intake(engine=engine, sessions=session_factory(engine),
                  sealer=sealer_from_settings(common.confidentiality_key, common.data_dir))
