"""notify, assembled: `dvk run notify`."""

from __future__ import annotations

from shared.runtime import ServiceParts, assemble, run
from shared.settings import CommonSettings, ServiceSettings

from .bootstrap import bootstrap
from .http import build_http
from .orm import outbox
from .settings import SERVICE, NotifySettings
from .subscribers import build_router


def build(common: CommonSettings, own: ServiceSettings,
          settings: NotifySettings | None = None) -> ServiceParts:
    notify = bootstrap(common, own, settings)
    parts = assemble(name=SERVICE, common=common, own=own, engine=notify.engine,
                     sessions=notify.sessions, outbox=outbox, routers=[build_router(notify)],
                     http_routers=[build_http(notify)])
    notify.on_commit = parts.relay.wake
    parts.background.append(notify.dispatcher)
    return parts


def main() -> None:
    run(SERVICE, build)
