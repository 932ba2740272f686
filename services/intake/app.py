"""intake, assembled: `dvk run intake`."""

from __future__ import annotations

from shared.runtime import ServiceParts, assemble, run
from shared.settings import CommonSettings, ServiceSettings

from .bootstrap import bootstrap
from .http import build_http
from .operator_http import build_operator_http
from .orm import outbox
from .settings import SERVICE, IntakeSettings
from .subscribers import build_router
from .sweeper import PendingSweeper


def build(common: CommonSettings, own: ServiceSettings,
          settings: IntakeSettings | None = None) -> ServiceParts:
    intake = bootstrap(common, own, settings)
    parts = assemble(name=SERVICE, common=common, own=own, engine=intake.engine,
                     sessions=intake.sessions, outbox=outbox, routers=[build_router(intake)],
                     http_routers=[build_http(intake), build_operator_http(intake)])
    intake.on_commit = parts.relay.wake
    parts.background.append(PendingSweeper(intake.deps))
    return parts


def main() -> None:
    run(SERVICE, build)
