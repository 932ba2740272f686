"""Composition root of routing: catalogues loaded once, rules re-read when their file changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from shared.calendar import WorkingCalendar
from shared.contracts.feedback import FeedbackReceived
from shared.contracts.updates import CaseStatusChanged
from shared.db import create_engine, session_factory
from shared.logging import get_logger
from shared.messaging.uow import UnitsOfWork
from shared.settings import CommonSettings, ServiceSettings, catalogue_file

from .deadline_policies import DeadlinePolicies
from .domain import Decision, decide
from .reactions import Reaction, Track, react
from .orm import inbox, outbox
from .rules import RuleBookSource
from shared.units import UnitCatalogue
from .uow import RoutingUnitOfWork

log = get_logger()


@dataclass
class RoutingPolicy:
    rules: RuleBookSource
    units: UnitCatalogue
    policies: DeadlinePolicies
    calendar: WorkingCalendar

    def decide(self, case: FeedbackReceived) -> Decision:
        state = self.rules.current()
        if state.changed:
            log.info("routing rules reloaded", path=str(self.rules.path),
                     version=state.rulebook.content_hash[:12])
        if state.error:
            log.error("routing rules file invalid; previous rules kept", error=state.error)
        return decide(case, rulebook=state.rulebook, units=self.units, policies=self.policies,
                      calendar=self.calendar)

    def react(self, track: Track, change: CaseStatusChanged) -> Reaction | None:
        return react(track, change, policies=self.policies, calendar=self.calendar,
                     units=self.units)

    def unit_name(self, code: str) -> str:
        unit = self.units.get(code, on=date.today())
        return unit.name if unit is not None else code


@dataclass
class Routing(UnitsOfWork[RoutingUnitOfWork]):
    uow_class = RoutingUnitOfWork
    outbox_table = outbox
    inbox_table = inbox

    engine: AsyncEngine
    sessions: async_sessionmaker
    policy: RoutingPolicy
    on_commit: Any = None

    def decide(self, case: FeedbackReceived) -> Decision:
        return self.policy.decide(case)

    def react(self, track: Track, change: CaseStatusChanged) -> Reaction | None:
        return self.policy.react(track, change)


def load_policy(common: CommonSettings) -> RoutingPolicy:
    units = UnitCatalogue.load(catalogue_file(common, "units.yaml"))
    rules = RuleBookSource(catalogue_file(common, "rules.yaml"), units=units)
    policies = DeadlinePolicies.load(catalogue_file(common, "deadline_policies.yaml"))
    calendar = WorkingCalendar(catalogue_file(common, "calendar_overrides.yaml"))
    return RoutingPolicy(rules=rules, units=units, policies=policies, calendar=calendar)


def bootstrap(common: CommonSettings, own: ServiceSettings) -> Routing:
    engine = create_engine(own.database_url)
    return Routing(engine=engine, sessions=session_factory(engine), policy=load_policy(common))
