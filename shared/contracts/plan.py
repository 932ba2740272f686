"""The plan's tasks (progress from units) and the movement's records."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AnyUrl, AwareDatetime, BaseModel, ConfigDict, Field

from .base import Payload


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


class TaskProgressBody(_Strict):
    task_id: str = Field(min_length=1, max_length=40, description="e.g. II.5.1")
    unit_code: str = Field(min_length=1, max_length=100)
    period: str = Field(min_length=4, max_length=30, pattern=r"^\d{4}(-(H[12]|Q[1-4]|\d{2}))?$",
                        description="Reporting period: 2026, 2026-H1, 2026-Q2, 2026-05")
    percent_done: int = Field(ge=0, le=100)
    status: TaskStatus
    done_text: str = Field(min_length=1, max_length=10000, description="What was done")
    evidence: list[AnyUrl] = Field(default_factory=list, max_length=20)
    reported_at: AwareDatetime


class ReportTaskProgress(TaskProgressBody, Payload):
    """Command on dvk.ingress (task.progress.v1)."""

    message_type = "task.progress"

    source_system: str = Field(min_length=1, max_length=100)
    external_id: str = Field(min_length=1, max_length=200)


class TaskProgressReported(TaskProgressBody, Payload):
    message_type = "intake.task_progress_reported"

    section: str
    task_title: str


class ModelField(StrEnum):
    KINH_TE = "kinh_te"
    VAN_HOA_XA_HOI = "van_hoa_xa_hoi"
    QUOC_PHONG_AN_NINH = "quoc_phong_an_ninh"
    XAY_DUNG_HE_THONG_CHINH_TRI = "xay_dung_he_thong_chinh_tri"


class ModelBody(_Strict):
    model_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=500)
    field: ModelField
    kind: str = Field(default="tap_the", pattern=r"^(tap_the|ca_nhan)$",
                      description="tập thể (a model) or cá nhân (an exemplary person)")
    unit_code: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=10000)
    year: int = Field(ge=2008, le=2100)
    registered_on: date


class RegisterModel(ModelBody, Payload):
    message_type = "movement.model_register"

    source_system: str = Field(min_length=1, max_length=100)


class ModelRegistered(ModelBody, Payload):
    message_type = "intake.model_registered"


class ModelReviewBody(_Strict):
    model_id: str = Field(min_length=1, max_length=200)
    result: str = Field(pattern=r"^(cong_nhan|tieu_bieu|de_nghi_khen_thuong|khong_cong_nhan|"
                                r"loai_bo)$")
    level: str | None = Field(default=None, max_length=100)
    reviewed_on: date
    note: str | None = Field(default=None, max_length=5000)


class ReviewModel(ModelReviewBody, Payload):
    message_type = "movement.model_review"

    source_system: str = Field(min_length=1, max_length=100)


class ModelReviewed(ModelReviewBody, Payload):
    message_type = "intake.model_reviewed"


class SessionBody(_Strict):
    """A dialogue or citizen-reception session, with what 01/TCD counts."""

    session_id: str = Field(min_length=1, max_length=200)
    session_type: str = Field(pattern=r"^(doi_thoai|tiep_cong_dan)$")
    regularity: str = Field(pattern=r"^(thuong_xuyen|dinh_ky|dot_xuat)$")
    held_on: date
    chaired_by: str = Field(min_length=1, max_length=300)
    received_by: str = Field(default="thu_truong", pattern=r"^(thu_truong|uy_quyen|can_bo)$")
    unit_code: str = Field(min_length=1, max_length=100)
    participants: int = Field(ge=0, le=100000)
    visits: int = Field(default=0, ge=0, description="lượt")
    persons: int = Field(default=0, ge=0, description="người")
    cases_first_time: int = Field(default=0, ge=0)
    cases_repeated: int = Field(default=0, ge=0)
    group_delegations: int = Field(default=0, ge=0, description="đoàn đông người")
    group_persons: int = Field(default=0, ge=0)
    issues_raised: list[str] = Field(default_factory=list, max_length=200)


class RecordSession(SessionBody, Payload):
    message_type = "movement.session_record"

    source_system: str = Field(min_length=1, max_length=100)


class SessionRecorded(SessionBody, Payload):
    message_type = "intake.session_recorded"


class InspectionBody(_Strict):
    inspection_id: str = Field(min_length=1, max_length=200)
    unit_inspected: str = Field(min_length=1, max_length=100)
    mode: str = Field(pattern=r"^(dinh_ky|dot_xuat)$")
    started_on: date
    ended_on: date | None = None
    findings: str = Field(min_length=1, max_length=20000)
    recommendations: list[str] = Field(default_factory=list, max_length=100)


class RecordInspection(InspectionBody, Payload):
    message_type = "movement.inspection_record"

    source_system: str = Field(min_length=1, max_length=100)


class InspectionRecorded(InspectionBody, Payload):
    message_type = "intake.inspection_recorded"


class RequestReport(Payload):
    """Command on dvk.ingress (report.request.v1): build a report now."""

    message_type = "report.request"

    family: str = Field(pattern=r"^(dan_van_kheo|tiep_cong_dan)$")
    period: str = Field(
        pattern=r"^\d{4}(-(H[12]|Q[1-4]|9M|\d{2}))?$|^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$",
        description="2026-H1, 2026, 2026-Q2, 2026-9M, 2026-05 or 2026-01-01..2026-03-31")
    scope: str = Field(default="department", max_length=100,
                       description="department, or a unit code")
    requested_by: str = Field(min_length=1, max_length=200)


class ReportRequested(RequestReport):
    message_type = "intake.report_requested"
