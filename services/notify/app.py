"""notify, assembled: `dvk run notify`."""

from __future__ import annotations

from collections.abc import Callable

from shared.runtime import ServiceParts, assemble, run
from shared.settings import CommonSettings, ServiceSettings

from .bootstrap import bootstrap
from .http import build_http
from .orm import outbox
from .settings import SERVICE, NotifySettings
from .subscribers import build_router


def build(common: CommonSettings, own: ServiceSettings,
          settings: NotifySettings | None = None) -> ServiceParts:
    settings = settings or NotifySettings()
    notify = bootstrap(common, own, settings)
    parts = assemble(name=SERVICE, common=common, own=own, engine=notify.engine,
                     sessions=notify.sessions, outbox=outbox, routers=[build_router(notify)],
                     http_routers=[build_http(notify)])
    wakes = [parts.relay.wake]
    if settings.send_on_commit and notify.dispatcher is not None:
        wakes.append(notify.dispatcher.wake)  # an acknowledgement goes out now, not at the poll
    notify.on_commit = wake_all(*wakes)
    parts.background.append(notify.dispatcher)
    return parts


def wake_all(*wakes: Callable[[], None]) -> Callable[[], None]:
    def wake() -> None:
        for each in wakes:
            each()
    return wake


def main() -> None:
    run(SERVICE, build)
