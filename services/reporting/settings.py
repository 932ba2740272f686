"""reporting's settings.

DVK_REPORTING_DATABASE_URL, DVK_REPORTING_HTTP_PORT and DVK_* come from shared/settings.py;
the report settings below are read from DVK_REPORTING_* as well.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import CommonSettings, catalogue_file

SERVICE = "reporting"
PACKAGED_SCHEDULE = Path(__file__).parent / "catalogue" / "report_schedule.yaml"


class ReportingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DVK_REPORTING_", extra="ignore")

    output_dir: Path | None = Field(None, description="Where report files are kept "
                                    "(default: <DVK_DATA_DIR>/reports)")
    ranking_min_cases: int = Field(10, ge=1, description="Units with fewer handled cases in "
                                   "the period are left out of the ranking")
    schedule_enabled: bool = True
    schedule_poll_seconds: float = Field(60.0, gt=0)
    schedule_catch_up_days: int = Field(7, ge=0, description="A scheduled build missed while "
                                        "the service was down is still made this many days on")
    build_lease_minutes: int = Field(30, ge=1, description="A scheduled build unfinished after "
                                     "this long (its replica died) may be claimed again")
    inspection_lead_unit: str = Field("THANH_TRA", description="⚠ the unit shown as leading "
                                      "inspections (the events do not name it)")

    def reports_dir(self, common: CommonSettings) -> Path:
        return self.output_dir or common.data_dir / "reports"


def document_settings_override(common: CommonSettings) -> Path | None:
    """An edited report_settings.yaml in DVK_CATALOGUE_DIR, laid over the packaged one."""
    return catalogue_file(common, "report_settings.yaml")


def schedule_file(common: CommonSettings) -> Path:
    """report_schedule.yaml from DVK_CATALOGUE_DIR, else the packaged one."""
    return catalogue_file(common, "report_schedule.yaml") or PACKAGED_SCHEDULE
