"""intake's settings: DVK_INTAKE_DATABASE_URL, DVK_INTAKE_HTTP_PORT (shared/settings.py), plus
the common DVK_*, and its own below, all DVK_INTAKE_*."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE = "intake"

# The most intake reads of one message's body (as sent, or once inflated). Any valid command
# is far smaller (a feedback's content is at most 20,000 characters, some 60 KB in UTF-8).
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# Below this a valid feedback with its longest content could be refused.
SMALLEST_MAX_BODY_BYTES = 64 * 1024


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DVK_INTAKE_", extra="ignore")

    max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES, ge=SMALLEST_MAX_BODY_BYTES,
        description="the largest body intake reads, on AMQP and HTTP alike; a larger one is "
                    "refused naming `body` and kept (its first max_body_bytes bytes)")
