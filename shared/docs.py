"""Generates docs/asyncapi.yaml from the four services' brokers and docs/openapi-intake.json
from intake's HTTP gateway (`make docs`).

FastStream documents each subscriber and its payload. intake validates the ingress bytes itself
(so that bad input is rejected with a reason rather than lost), so its channel is documented
here with the command contracts it accepts."""

from __future__ import annotations

import importlib
import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from faststream.specification import AsyncAPI

from shared.contracts.base import Envelope
from shared.contracts.catalogue import EVENTS, INGRESS_COMMANDS
from shared.settings import SERVICES, CommonSettings, ServiceSettings

DOCS = Path(__file__).resolve().parent.parent / "docs"
ASYNCAPI_PATH = DOCS / "asyncapi.yaml"
OPENAPI_PATH = DOCS / "openapi-intake.json"


def _parts() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        common = CommonSettings(data_dir=Path(tmp), confidentiality_key=_doc_key())
        parts = {}
        for name in SERVICES:
            own = ServiceSettings(database_url="sqlite+aiosqlite:///:memory:", http_port=1,
                                  amqp_url=common.amqp_url)
            parts[name] = importlib.import_module(f"services.{name}.app").build(common, own)
        return parts


def _brokers() -> list[Any]:
    return [p.broker for p in _parts().values()]


def generate_openapi() -> str:
    """The HTTP gateway of intake, as integrating systems see it."""
    return json.dumps(_parts()["intake"].http.openapi(), ensure_ascii=False, indent=1,
                      sort_keys=True) + "\n"


def _doc_key() -> str:
    return "ZG9jcy1vbmx5LWtleS1uZXZlci11c2VkLWZvci1kYXQ="


def generate() -> str:
    spec = AsyncAPI(*_brokers(), title="dvk", version="1",
                    description="Message flows of dvk. Commands go to dvk.ingress, events to "
                                "dvk.events; every body is a JSON envelope.").to_specification()
    document = spec.to_jsonable()
    document.setdefault("components", {})["x-dvk-contracts"] = _contracts()
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=True, width=100)


def _contracts() -> dict[str, Any]:
    """Every command and event with its routing key and JSON schema (payload under `data`)."""
    return {
        model.routing_key(): {
            "direction": "ingress command" if model in INGRESS_COMMANDS else "event",
            "exchange": "dvk.ingress" if model in INGRESS_COMMANDS else "dvk.events",
            "envelope": Envelope[model].model_json_schema(),  # type: ignore[valid-type]
        }
        for model in (*INGRESS_COMMANDS, *EVENTS)
    }


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    ASYNCAPI_PATH.write_text(generate(), encoding="utf-8")
    OPENAPI_PATH.write_text(generate_openapi(), encoding="utf-8")
    print(f"wrote {ASYNCAPI_PATH} and {OPENAPI_PATH}")


if __name__ == "__main__":
    main()
