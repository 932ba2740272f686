"""reporting's events."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict

from .base import Payload


class ReportFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: str
    path: str
    sha256: str
    size: int


class ReportGenerated(Payload):
    message_type = "reporting.report_generated"

    report_id: str
    family: str
    period: str
    scope: str
    title: str
    files: list[ReportFile]
    generated_at: AwareDatetime
