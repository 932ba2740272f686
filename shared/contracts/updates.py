"""Status updates on a case, from the unit handling it (ingress) and as intake announces them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AnyUrl, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from .base import Payload


class CaseStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"  # thụ lý
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"  # gia hạn
    TRANSFERRED = "transferred"  # chuyển đơn
    RESOLVED = "resolved"  # đã trả lời / giải quyết
    REJECTED = "rejected"  # không thụ lý, đơn không đủ điều kiện
    REOPENED = "reopened"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Extension(_Strict):
    reason: str = Field(min_length=1, max_length=2000)
    decision_number: str = Field(min_length=1, max_length=100)
    days: int = Field(ge=1, le=60)
    especially_complicated: bool = False


class Acceptance(_Strict):
    remote_area: bool = Field(default=False, description=(
        "khieu_nai only: the complainant is in a remote area that is hard to reach (vùng sâu, "
        "vùng xa đi lại khó khăn); the time limit to resolve is longer (Luật Khiếu nại 2011, "
        "Điều 28 and 37: 45 instead of 30 days, 60 instead of 45 at the second round)"))


class Transfer(_Strict):
    to_unit: str | None = Field(default=None, max_length=100,
                                description="Code of a unit of the Department")
    to_external_body: str | None = Field(default=None, max_length=300,
                                         description="A body outside the Department")
    reason: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _one_destination(self) -> Transfer:
        if bool(self.to_unit) == bool(self.to_external_body):
            raise ValueError("exactly one of to_unit or to_external_body is required")
        return self


class Resolution(_Strict):
    result: str = Field(min_length=1, max_length=60, description=(
        "khieu_nai: dung | sai | dung_mot_phan | cong_nhan | huy_sua | rut_don; "
        "to_cao: dung | sai | dung_mot_phan | rut | dinh_chi; others: da_tra_loi"))
    document_number: str | None = Field(default=None, max_length=100)
    document_date: date | None = None
    summary: str | None = Field(default=None, max_length=5000)


class Rejection(_Strict):
    legal_ground: str = Field(min_length=1, max_length=1000)


class UpdateDetails(_Strict):
    note: str | None = Field(default=None, max_length=5000)
    acceptance: Acceptance | None = Field(default=None, description="with status accepted")
    extension: Extension | None = None
    transfer: Transfer | None = None
    resolution: Resolution | None = None
    rejection: Rejection | None = None
    documents: list[AnyUrl] = Field(default_factory=list, max_length=20)


_REQUIRED = {CaseStatus.EXTENDED: "extension", CaseStatus.TRANSFERRED: "transfer",
             CaseStatus.RESOLVED: "resolution", CaseStatus.REJECTED: "rejection"}


class UpdateCase(UpdateDetails, Payload):
    """Command on dvk.ingress (feedback.update.v1): the handling unit reports a change."""

    message_type = "feedback.update"

    ref: str = Field(pattern=r"^PAKN-\d{4}-\d{6}$")
    source_system: str = Field(min_length=1, max_length=100)
    update_id: str = Field(min_length=1, max_length=200,
                           description="The sender's id of this update (de-duplication)")
    unit_code: str = Field(min_length=1, max_length=100, description="The unit reporting")
    status: CaseStatus
    occurred_at: AwareDatetime

    @model_validator(mode="after")
    def _details_for_status(self) -> UpdateCase:
        if self.status is CaseStatus.RECEIVED:
            raise ValueError("status received is set by intake, not by an update")
        needed = _REQUIRED.get(self.status)
        if needed and getattr(self, needed) is None:
            raise ValueError(f"status {self.status.value} requires {needed}")
        if self.acceptance is not None and self.status is not CaseStatus.ACCEPTED:
            raise ValueError("acceptance goes only with status accepted")
        return self


class CaseStatusChanged(UpdateDetails, Payload):
    """Event: a case moved to a new status (the update was checked against the case's state)."""

    message_type = "intake.case_status_changed"

    ref: str
    kind: str
    status: CaseStatus
    previous_status: CaseStatus
    unit_code: str
    occurred_at: AwareDatetime
