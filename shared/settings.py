"""Settings common to every service, read from the environment (prefix DVK_ and DVK_<SERVICE>_)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("intake", "routing", "notify", "reporting")
DEFAULT_HTTP_PORTS = {"intake": 8081, "routing": 8082, "notify": 8083, "reporting": 8084}


class CommonSettings(BaseSettings):
    """DVK_AMQP_URL, DVK_DATA_DIR, DVK_LOG_LEVEL, DVK_CONFIDENTIALITY_KEY apply to all services."""

    model_config = SettingsConfigDict(env_prefix="DVK_", extra="ignore")

    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    data_dir: Path = Path("var")
    log_level: str = "INFO"
    prefetch: int = 64
    http_host: str = "127.0.0.1"
    confidentiality_key: str = ""
    catalogue_dir: Path | None = None
    declare_topology: bool = True
    # Then the process exits anyway (unacked messages requeue); above the broker's 30 s of
    # graceful_timeout for handlers in flight, so that a slow handler still finishes.
    shutdown_deadline_s: float = 45.0


def catalogue_file(common: CommonSettings, name: str) -> Path | None:
    """An operator's edited copy of a catalogue file in DVK_CATALOGUE_DIR, if there is one;
    None means: use the default shipped with the code."""
    if common.catalogue_dir is None:
        return None
    candidate = common.catalogue_dir / name
    return candidate if candidate.exists() else None


class ServiceSettings(BaseSettings):
    """Per-service settings: DVK_<SERVICE>_DATABASE_URL, DVK_<SERVICE>_HTTP_PORT, ..."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = ""
    http_port: int = 0
    amqp_url: str = ""


def load_settings(service: str) -> tuple[CommonSettings, ServiceSettings]:
    common = CommonSettings()
    own = ServiceSettings(_env_prefix=f"DVK_{service.upper()}_")  # type: ignore[call-arg]
    if not own.database_url:
        own.database_url = f"sqlite+aiosqlite:///{common.data_dir / (service + '.db')}"
    if not own.http_port:
        own.http_port = DEFAULT_HTTP_PORTS[service]
    if not own.amqp_url:
        own.amqp_url = common.amqp_url
    return common, own
