"""Where `dvk ops` finds the broker, its management API, intake and the audit log.

DVK_OPS_AMQP_URL (default DVK_AMQP_URL): reads dead-letter queues, publishes replays; the
  deploy/ user for it is `dvk-ops`.
DVK_OPS_MANAGEMENT_URL (default http://<broker host>:15672), DVK_OPS_MANAGEMENT_USER and
  DVK_OPS_MANAGEMENT_PASSWORD (default: the AMQP URL's credentials): queue statistics; a user
  with the `monitoring` or `management` tag is enough.
DVK_OPS_INTAKE_URL (default http://<DVK_HTTP_HOST>:<intake's port>): intake's rejected store;
  DVK_OPS_INTAKE_API_KEY: a key with the `operate` right when not calling from loopback.
DVK_OPS_AUDIT_LOG (default <DVK_DATA_DIR>/ops-audit.jsonl): one JSON line per replay, discard
  or reveal.
DVK_OPS_OPERATOR (default: the login): who the audit log and a loopback reveal name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import CommonSettings, load_settings


class _OpsEnvironment(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DVK_OPS_", extra="ignore")

    amqp_url: str = ""
    management_url: str = ""
    management_user: str = ""
    management_password: str = ""
    intake_url: str = ""
    intake_api_key: str = ""
    audit_log: Path | None = None


@dataclass(frozen=True)
class OpsSettings:
    amqp_url: str
    vhost: str
    management_url: str
    management_user: str
    management_password: str
    intake_url: str
    intake_api_key: str
    audit_log: Path


def load_ops_settings() -> OpsSettings:
    common, env = CommonSettings(), _OpsEnvironment()
    amqp_url = env.amqp_url or common.amqp_url
    parts = urlsplit(amqp_url)
    host = parts.hostname or "127.0.0.1"
    intake_port = load_settings("intake")[1].http_port
    return OpsSettings(
        amqp_url=amqp_url,
        vhost=unquote(parts.path[1:]) if len(parts.path) > 1 else "/",
        management_url=(env.management_url or f"http://{host}:15672").rstrip("/"),
        management_user=env.management_user or unquote(parts.username or "guest"),
        management_password=env.management_password or unquote(parts.password or "guest"),
        intake_url=(env.intake_url or f"http://{common.http_host}:{intake_port}").rstrip("/"),
        intake_api_key=env.intake_api_key,
        audit_log=env.audit_log or common.data_dir / "ops-audit.jsonl",
    )
