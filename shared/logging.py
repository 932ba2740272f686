"""structlog JSON logs; event and correlation ids are bound per message by the consume
middleware."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

# Keys whose values may identify a person. Dropped from every log line, whatever logged them.
_PERSONAL_KEYS = frozenset(
    {"sender", "name", "phone", "email", "address", "national_id", "sealed_contact", "body"}
)


def _drop_personal_data(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in _PERSONAL_KEYS & event_dict.keys():
        event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.basicConfig(stream=sys.stdout, level=level, format="%(message)s", force=True)
    for noisy in ("aiormq", "aio_pika", "sqlalchemy.engine", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_personal_data,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(**bound: Any) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(**bound)
