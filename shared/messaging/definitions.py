"""deploy/rabbitmq/definitions.json, generated from topology.py so the two cannot drift
(`python -m shared.messaging.definitions`; a test fails when the file is stale).

Besides the vhost, exchanges, quorum queues and bindings, it holds one user per service with
least privilege (each reads only its own queues and writes only the exchanges it publishes to;
nobody but the admin may configure, so services run with DVK_DECLARE_TOPOLOGY=false), a
monitoring user, an operator user for `dvk ops`, a submitter for integrating systems, and a
dead-letter policy per work queue. The passwords are DEVELOPMENT passwords (`<user>-dev`):
change them on any real broker (docs/operations.md, "Users and passwords").
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .topology import (
    DEAD_LETTER,
    DEAD_LETTER_QUEUE_ARGUMENTS,
    DELIVERY_LIMIT,
    EVENTS,
    INGRESS,
    QUEUES,
    declared_arguments,
    exchanges,
)

VHOST = "dvk"
DEFAULT_EXCHANGE = "amq.default"  # the resource name RabbitMQ checks for the default exchange
DEFINITIONS_PATH = (Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq"
                    / "definitions.json")
NOTHING = "^$"

# What each service publishes to: events through its outbox, dead letters through the consume
# guard, and intake's replies to a sender's reply_to (sent by services/intake/subscribers.py
# through the default exchange).
SERVICE_WRITES: dict[str, tuple[str, ...]] = {
    "intake": (EVENTS, DEAD_LETTER, DEFAULT_EXCHANGE),
    "routing": (EVENTS, DEAD_LETTER),
    "notify": (EVENTS, DEAD_LETTER),
    "reporting": (EVENTS, DEAD_LETTER),
}


@dataclass(frozen=True)
class User:
    name: str
    tags: tuple[str, ...]
    configure: str
    write: str
    read: str
    purpose: str

    @property
    def development_password(self) -> str:
        return f"{self.name}-dev"


def exactly(names: list[str] | tuple[str, ...]) -> str:
    """A permission regex matching exactly these resource names."""
    return "^(" + "|".join(re.escape(n) for n in sorted(set(names))) + ")$"


def service_user(service: str) -> User:
    own = [q.name for q in QUEUES if q.service == service]
    return User(f"dvk-{service}", (), NOTHING, exactly(SERVICE_WRITES[service]), exactly(own),
                f"the {service} service: reads {', '.join(own)}")


def users() -> list[User]:
    dead_letter_queues = [q.dead_letter_queue for q in QUEUES]
    return [
        *(service_user(s) for s in SERVICE_WRITES),
        User("dvk-monitoring", ("monitoring",), NOTHING, NOTHING, NOTHING,
             "Prometheus exporters and `dvk ops queues` as a probe: management API, read-only"),
        User("dvk-ops", ("management",), NOTHING,
             exactly([INGRESS, EVENTS]), exactly(dead_letter_queues),
             "`dvk ops`: lists, replays and discards dead letters"),
        User("dvk-submitter", (), r"^amq\.gen-.*$", exactly([INGRESS]), r"^amq\.gen-.*$",
             "integrating systems and `dvk submit`: publish to dvk.ingress, private reply queue"),
        User("dvk-admin", ("administrator",), ".*", ".*", ".*",
             "operators and `dvk migrate`: everything, including declaring the topology"),
    ]


def password_hash(user: str, password: str) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256, with a salt derived from the user name so
    that the generated file is reproducible."""
    salt = hashlib.sha256(user.encode()).digest()[:4]
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def _user(user: User) -> dict[str, Any]:
    return {"name": user.name, "password_hash": password_hash(user.name,
                                                                user.development_password),
            "hashing_algorithm": "rabbit_password_hashing_sha256",
            "tags": list(user.tags), "limits": {}}


def _permission(user: User) -> dict[str, Any]:
    return {"user": user.name, "vhost": VHOST, "configure": user.configure,
            "write": user.write, "read": user.read}


def _dead_letter_policy(queue: str) -> dict[str, Any]:
    """The broker's own dead-lettering, also for a queue declared without arguments."""
    return {"vhost": VHOST, "name": f"dvk-dead-letter-{queue}", "pattern": exactly([queue]),
            "apply-to": "queues", "priority": 0,
            "definition": {"dead-letter-exchange": DEAD_LETTER,
                           "dead-letter-routing-key": queue,
                           "dead-letter-strategy": "at-least-once",
                           "delivery-limit": DELIVERY_LIMIT, "overflow": "reject-publish"}}


def _queue(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "vhost": VHOST, "durable": True, "auto_delete": False,
            "arguments": arguments}


def _binding(source: str, queue: str, key: str) -> dict[str, Any]:
    return {"source": source, "vhost": VHOST, "destination": queue,
            "destination_type": "queue", "routing_key": key, "arguments": {}}


def definitions() -> dict[str, Any]:
    queues, bindings = [], []
    for spec in QUEUES:
        queues.append(_queue(spec.name, declared_arguments(spec)))
        queues.append(_queue(spec.dead_letter_queue, DEAD_LETTER_QUEUE_ARGUMENTS))
        bindings += [_binding(spec.exchange, spec.name, key) for key in spec.bindings]
        bindings.append(_binding(DEAD_LETTER, spec.dead_letter_queue, spec.name))
    return {
        "rabbit_version": "3.10.8",
        "users": [_user(u) for u in users()],
        "vhosts": [{"name": VHOST}],
        "permissions": [_permission(u) for u in users()],
        "policies": [_dead_letter_policy(spec.name) for spec in QUEUES],
        "exchanges": [{"name": name, "vhost": VHOST, "type": kind, "durable": True,
                       "auto_delete": False, "internal": False, "arguments": {}}
                      for name, kind in exchanges()],
        "queues": queues,
        "bindings": bindings,
    }


def render() -> str:
    return json.dumps(definitions(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    DEFINITIONS_PATH.parent.mkdir(parents=True, exist_ok=True)
    DEFINITIONS_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DEFINITIONS_PATH}")


if __name__ == "__main__":
    main()
