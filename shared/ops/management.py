"""A small client of RabbitMQ's management HTTP API (the rabbitmq_management plugin)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

QUEUE_COLUMNS = ",".join((
    "name", "messages", "messages_ready", "messages_unacknowledged", "consumers",
    "message_stats.publish_details.rate", "message_stats.deliver_get_details.rate",
    "arguments", "type",
))


class ManagementError(RuntimeError):
    """The management API cannot be reached or refused the request."""


@dataclass(frozen=True)
class QueueStats:
    name: str
    messages: int
    ready: int
    unacked: int
    consumers: int
    publish_rate: float
    deliver_rate: float

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> QueueStats:
        stats = item.get("message_stats") or {}
        return cls(
            name=item["name"], messages=int(item.get("messages") or 0),
            ready=int(item.get("messages_ready") or 0),
            unacked=int(item.get("messages_unacknowledged") or 0),
            consumers=int(item.get("consumers") or 0),
            publish_rate=float((stats.get("publish_details") or {}).get("rate") or 0.0),
            deliver_rate=float((stats.get("deliver_get_details") or {}).get("rate") or 0.0))


class ManagementClient:
    def __init__(self, base_url: str, user: str, password: str, *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._http = httpx.Client(base_url=base_url, auth=(user, password), timeout=timeout,
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ManagementClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def queues(self, vhost: str) -> dict[str, QueueStats]:
        """Every queue of the virtual host with its depth, consumers and rates, by name."""
        items = self._get(f"/api/queues/{quote(vhost, safe='')}", columns=QUEUE_COLUMNS)
        return {item["name"]: QueueStats.from_api(item) for item in items}

    def message_totals(self, vhost: str) -> dict[str, int]:
        """Messages published into and delivered from the virtual host since it was created."""
        stats = self._get(f"/api/vhosts/{quote(vhost, safe='')}").get("message_stats") or {}
        return {name: int(stats.get(name) or 0)
                for name in ("publish", "deliver_get", "ack", "confirm", "redeliver")}

    def _get(self, path: str, **params: str) -> Any:
        try:
            response = self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise ManagementError(f"management API unreachable at {self._http.base_url}: "
                                  f"{type(exc).__name__}") from exc
        if response.status_code != 200:
            raise ManagementError(f"management API answered {response.status_code} for {path}: "
                                  f"{response.text[:200]}")
        return response.json()
