"""Composition root of reporting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from shared.db import create_engine, session_factory
from shared.messaging.uow import UnitsOfWork
from shared.plan import PlanCatalogue
from shared.settings import CommonSettings, ServiceSettings, catalogue_file
from shared.units import UnitCatalogue

from .builder import BuildContext
from .documents.labels import load_labels
from .documents.settings import DocumentSettings, load_document_settings
from .orm import inbox, outbox
from .reports import ReportMaker
from .scheduler import ReportScheduler
from .settings import ReportingSettings, document_settings_override, schedule_file
from .uow import ReportingUnitOfWork


@dataclass
class Reporting(UnitsOfWork[ReportingUnitOfWork]):
    uow_class = ReportingUnitOfWork
    outbox_table = outbox
    inbox_table = inbox

    engine: AsyncEngine
    sessions: async_sessionmaker
    on_commit: Any = None
    maker: ReportMaker | None = None
    scheduler: ReportScheduler | None = None


def read_sessions(url: str, engine: AsyncEngine) -> async_sessionmaker:
    """Sessions for building reports: one consistent snapshot that does not block the
    consumers' writes (SQLite: a deferred transaction under WAL; PostgreSQL: REPEATABLE READ)."""
    if engine.dialect.name != "sqlite":
        return session_factory(engine.execution_options(isolation_level="REPEATABLE READ"))
    reader = create_async_engine(url, connect_args={"timeout": 60}, poolclass=NullPool)

    @event.listens_for(reader.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(reader.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return session_factory(reader)


def build_context(common: CommonSettings, own: ReportingSettings) -> BuildContext:
    override = document_settings_override(common)

    def document_settings(day: date) -> DocumentSettings:
        return load_document_settings(day, override_path=override)

    settings_today = document_settings(date.today())
    return BuildContext(
        units=UnitCatalogue.load(catalogue_file(common, "units.yaml")),
        plan=PlanCatalogue.load(catalogue_file(common, "plan.yaml")),
        labels=load_labels(settings_today), document_settings=document_settings,
        ranking_min_cases=own.ranking_min_cases,
        inspection_lead_unit=own.inspection_lead_unit)


def bootstrap(common: CommonSettings, own: ServiceSettings,
              reporting_settings: ReportingSettings | None = None) -> Reporting:
    settings = reporting_settings or ReportingSettings()
    engine = create_engine(own.database_url)
    reporting = Reporting(engine=engine, sessions=session_factory(engine))
    reporting.maker = ReportMaker(read=read_sessions(own.database_url, engine),
                                  context=build_context(common, settings),
                                  output_dir=settings.reports_dir(common))
    reporting.scheduler = ReportScheduler(
        schedule_path=schedule_file(common), uow=reporting.uow, maker=reporting.maker,
        poll_seconds=settings.schedule_poll_seconds,
        catch_up=timedelta(days=settings.schedule_catch_up_days),
        lease=timedelta(minutes=settings.build_lease_minutes))
    return reporting
