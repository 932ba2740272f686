"""deploy/rabbitmq/definitions.json, generated from topology.py so the two cannot drift
(`python -m shared.messaging.definitions`; a test fails when the file is stale)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .topology import (
    DEAD_LETTER,
    DEAD_LETTER_QUEUE_ARGUMENTS,
    QUEUES,
    declared_arguments,
    exchanges,
)

VHOST = "dvk"
DEFINITIONS_PATH = (Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq"
                    / "definitions.json")


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
        "vhosts": [{"name": VHOST}],
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
