"""Composition root of notify."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from shared.calendar import WorkingCalendar
from shared.db import create_engine, session_factory
from shared.settings import CommonSettings, ServiceSettings, catalogue_file

from .domain import plan_for_case
from .orm import inbox, outbox
from .schedule import load_policy
from .uow import NotifyUnitOfWork


@dataclass
class Notify:
    engine: AsyncEngine
    sessions: async_sessionmaker
    plan: Any
    on_commit: Any = None

    def uow(self) -> NotifyUnitOfWork:
        return NotifyUnitOfWork(self.sessions, outbox=outbox, inbox=inbox,
                                on_commit=self.on_commit)


def default_plan(common: CommonSettings) -> Any:
    return partial(plan_for_case, policy=load_policy(catalogue_file(common, "notify_policy.yaml")),
                   calendar=WorkingCalendar(catalogue_file(common, "calendar_overrides.yaml")))


def bootstrap(common: CommonSettings, own: ServiceSettings) -> Notify:
    engine = create_engine(own.database_url)
    return Notify(engine=engine, sessions=session_factory(engine), plan=default_plan(common))
