"""reporting, assembled: `dvk run reporting`."""

from __future__ import annotations

from shared.runtime import ServiceParts, assemble, run
from shared.settings import CommonSettings, ServiceSettings

from .bootstrap import bootstrap
from .http import build_http
from .orm import outbox
from .settings import SERVICE, ReportingSettings
from .subscribers import build_router


def build(common: CommonSettings, own: ServiceSettings,
          reporting_settings: ReportingSettings | None = None) -> ServiceParts:
    settings = reporting_settings or ReportingSettings()
    reporting = bootstrap(common, own, settings)
    parts = assemble(name=SERVICE, common=common, own=own, engine=reporting.engine,
                     sessions=reporting.sessions, outbox=outbox, routers=[build_router(reporting)],
                     http_routers=[build_http(reporting)])
    reporting.on_commit = parts.relay.wake
    if settings.schedule_enabled and reporting.scheduler is not None:
        parts.background.append(reporting.scheduler)
    return parts


def main() -> None:
    run(SERVICE, build)
