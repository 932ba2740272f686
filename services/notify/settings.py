"""notify's settings: DVK_NOTIFY_DATABASE_URL and DVK_NOTIFY_HTTP_PORT (shared/settings.py), and
the delivery settings below, all DVK_NOTIFY_*. Office hours, reminders and the ladder are in the
policy catalogue (notify_policy.yaml), not here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.contracts.base import utc_now

SERVICE = "notify"


class Webhook(BaseModel):
    """An integrating system that receives copies of notifications, signed with its secret.
    `kinds`: message kinds it wants ("*" = every kind addressed to units, heads, leadership or
    the Office). Messages to senders never go to webhooks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,29}$")
    url: str = Field(pattern=r"^https?://")
    secret: str = Field(min_length=16)
    kinds: tuple[str, ...] = ("*",)

    def wants(self, kind: str, audience: str) -> bool:
        return audience != "sender" and ("*" in self.kinds or kind in self.kinds)


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DVK_NOTIFY_", extra="ignore")

    smtp_host: str = Field("", description="empty: mails are written to outbox_dir instead")
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_from: str = "dvk-khong-tra-loi@localhost"
    smtp_timeout_s: float = 30.0
    smtp_validate_certs: bool = True
    smtp_cert_bundle: str | None = None
    message_id_domain: str = "dvk.local"
    outbox_dir: Path | None = Field(None, description="default: <DVK_DATA_DIR>/notify-outbox")
    webhooks: list[Webhook] = Field(default_factory=list, description="JSON list")
    webhook_timeout_s: float = 10.0
    template_dir: Path | None = None
    poll_seconds: float = 5.0
    send_on_commit: bool = Field(True, description="wake the dispatcher when a commit schedules "
                                 "something, instead of waiting for the next poll")
    batch_size: int = Field(50, ge=1, le=1000)
    lease_seconds: float = Field(300.0, gt=0, description="longer than one send can take")
    in_doubt_email: Literal["hold", "resend"] = "hold"
    retry_base_seconds: float = 60.0
    retry_max_seconds: float = 3600.0
    failing_after: int = 5
    worker_id: str = ""
    clock_offset_seconds: float = Field(
        0.0, description="tests and demonstrations only: the service clock runs this far ahead "
                         "of real time (negative: behind); replicas given the same offset agree")

    @field_validator("webhooks")
    @classmethod
    def _unique_names(cls, value: list[Webhook]) -> list[Webhook]:
        names = [w.name for w in value]
        if len(names) != len(set(names)):
            raise ValueError("webhook names must be unique")
        return value

    def outbox_folder(self, data_dir: Path) -> Path:
        return self.outbox_dir or Path(data_dir) / "notify-outbox"


def clock_from(settings: NotifySettings) -> Callable[[], datetime]:
    """The service clock: real UTC time, shifted by `clock_offset_seconds` when set."""
    if not settings.clock_offset_seconds:
        return utc_now
    offset = timedelta(seconds=settings.clock_offset_seconds)

    def shifted() -> datetime:
        return utc_now() + offset

    return shifted
