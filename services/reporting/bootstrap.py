"""Composition root of reporting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from shared.db import create_engine, session_factory
from shared.settings import CommonSettings, ServiceSettings

from .orm import inbox, outbox
from .uow import ReportingUnitOfWork


@dataclass
class Reporting:
    engine: AsyncEngine
    sessions: async_sessionmaker
    on_commit: Any = None

    def uow(self) -> ReportingUnitOfWork:
        return ReportingUnitOfWork(self.sessions, outbox=outbox, inbox=inbox,
                                   on_commit=self.on_commit)


def bootstrap(common: CommonSettings, own: ServiceSettings) -> Reporting:
    engine = create_engine(own.database_url)
    return Reporting(engine=engine, sessions=session_factory(engine))
