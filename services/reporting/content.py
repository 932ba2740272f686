"""The computed content of a consolidated report: what the renderers turn into documents.

The projections fill these models from the read model; the document layer only renders them.
Confidentiality (Luật Tố cáo 2018, Điều 9, 47, 56): no model here has a field for a sender's
or denouncer's identity (name, address, handwriting, phone, e-mail, ID number), and every model
forbids extra fields, so none can be smuggled in. Cases appear only by their reference.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .periods import Period
from .report_tables import Table

ReportFamily = Literal["dan_van_kheo", "tiep_cong_dan"]
TaskStatus = Literal["chua_trien_khai", "dang_thuc_hien", "hoan_thanh", "vuong_mac", "qua_han"]
ModelField = Literal[
    "kinh_te", "van_hoa_xa_hoi", "quoc_phong_an_ninh", "xay_dung_he_thong_chinh_tri"]
ModelKind = Literal["tap_the", "ca_nhan"]
ModelStatus = Literal["dang_ky", "dang_thuc_hien", "cong_nhan", "khong_cong_nhan", "loai_bo"]
SessionKind = Literal["doi_thoai", "tiep_thuong_xuyen", "tiep_dinh_ky", "tiep_dot_xuat"]
InspectionKind = Literal["dinh_ky", "dot_xuat", "tu_kiem_tra"]

__all__ = [
    "Count", "DialogueSession", "DvkModel", "ExcludedUnit", "FeedbackFigures", "Finding",
    "Inspection",
    "MonthlyCount", "OverdueCase", "PlanSection", "PlanTask", "PreviousFigures", "Ranking",
    "RankingRow", "ReportContent", "ReportFamily", "Scope", "Table", "UnitFeedback", "UnitProgress",
    "UnitRef",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class UnitRef(_Model):
    code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)


class Scope(_Model):
    """Whole department, or one unit."""

    kind: Literal["department", "unit"] = "department"
    unit: UnitRef | None = None
    name_vi: str = Field(min_length=1)

    @model_validator(mode="after")
    def _unit_scope_names_its_unit(self) -> Scope:
        if (self.kind == "unit") != (self.unit is not None):
            raise ValueError("a unit scope needs its unit, and only a unit scope has one")
        return self


class Count(_Model):
    """One labelled figure, e.g. received feedback of kind "khieu_nai" ("Khiếu nại")."""

    key: str = Field(min_length=1)
    label_vi: str = Field(min_length=1)
    value: int = Field(ge=0)


class MonthlyCount(_Model):
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    by_kind: list[Count] = Field(default_factory=list)


class UnitFeedback(_Model):
    unit: UnitRef
    received: int = Field(0, ge=0)
    handled: int = Field(0, ge=0)
    on_time: int = Field(0, ge=0)
    late: int = Field(0, ge=0)
    open: int = Field(0, ge=0)
    overdue: int = Field(0, ge=0)


class OverdueCase(_Model):
    """An open case past its deadline, identified only by its reference."""

    case_ref: str = Field(min_length=1)
    kind: Count
    unit: UnitRef
    received_on: date
    due_on: date
    days_overdue: int = Field(ge=1)


class PreviousFigures(_Model):
    """The same figures for the comparison period (kỳ trước or cùng kỳ)."""

    period: Period
    received_total: int = Field(ge=0)
    received_by_kind: list[Count] = Field(default_factory=list)
    on_time_rate: float | None = Field(None, ge=0, le=1)


class FeedbackFigures(_Model):
    received_total: int = Field(0, ge=0)
    received_by_kind: list[Count] = Field(default_factory=list)
    received_by_channel: list[Count] = Field(default_factory=list)
    by_unit: list[UnitFeedback] = Field(default_factory=list)
    by_month: list[MonthlyCount] = Field(default_factory=list)
    handled: int = Field(0, ge=0)
    on_time: int = Field(0, ge=0)
    late: int = Field(0, ge=0)
    open: int = Field(0, ge=0)
    overdue: list[OverdueCase] = Field(default_factory=list)
    on_time_rate: float | None = Field(None, ge=0, le=1)
    median_handling_days: float | None = Field(None, ge=0)
    p90_handling_days: float | None = Field(None, ge=0)
    complaints_by_outcome: list[Count] = Field(default_factory=list)
    denunciations_by_outcome: list[Count] = Field(default_factory=list)
    handled_without_deadline: int = Field(0, ge=0, description="Handled, no due date known")
    escalations: int = Field(0, ge=0, description="Urging/escalation notices sent")
    previous: PreviousFigures | None = None


class UnitProgress(_Model):
    unit: UnitRef
    status: TaskStatus
    progress_pct: int | None = Field(None, ge=0, le=100)
    done_vi: str = ""
    reported_on: date | None = None
    evidence: list[str] = Field(default_factory=list)


class PlanTask(_Model):
    task_id: str = Field(min_length=1)
    title_vi: str = Field(min_length=1)
    due_on: date | None = None
    progress: list[UnitProgress] = Field(default_factory=list)


class PlanSection(_Model):
    """A section of the plan, numbered as the plan does ("II.1" … "II.8", "II.10", "III.1")."""

    code: str = Field(pattern=r"^[IVX]+\.\d+$")
    title_vi: str = Field(min_length=1)
    tasks: list[PlanTask] = Field(default_factory=list)
    units_not_reported: list[UnitRef] = Field(default_factory=list)


class DvkModel(_Model):
    """A "Dân vận khéo" model (mô hình, tập thể) or exemplar (điển hình, cá nhân): an annex row."""

    name_vi: str = Field(min_length=1)
    kind: ModelKind
    field: ModelField
    unit: UnitRef
    implementer_vi: str = ""
    time_vi: str = ""
    content_vi: str = ""
    results_vi: str = ""
    status: ModelStatus
    recognition_level_vi: str = ""
    note_vi: str = ""


class DialogueSession(_Model):
    """A dialogue (đối thoại) or citizen-reception session (tiếp công dân), as counts only."""

    held_on: date
    unit: UnitRef
    kind: SessionKind
    chaired_by_vi: str = ""
    turns: int = Field(0, ge=0)
    people: int = Field(0, ge=0)
    cases: int = Field(0, ge=0)
    delegations: int = Field(0, ge=0)
    issues_raised: int = Field(0, ge=0)
    issues_resolved: int | None = Field(None, ge=0, description="None: not reported")
    summary_vi: str = ""


class Finding(_Model):
    summary_vi: str = Field(min_length=1)
    remedied: bool | None = Field(None, description="None: not reported")


class Inspection(_Model):
    ref: str = Field(min_length=1)
    title_vi: str = Field(min_length=1)
    kind: InspectionKind
    lead_unit: UnitRef
    inspected_units: list[UnitRef] = Field(default_factory=list)
    started_on: date
    ended_on: date | None = None
    findings: list[Finding] = Field(default_factory=list)
    recommendations_vi: list[str] = Field(default_factory=list)
    conclusion_vi: str = ""


class RankingRow(_Model):
    rank: int = Field(ge=1)
    unit: UnitRef
    cases: int = Field(ge=0)
    on_time: int = Field(ge=0)
    on_time_rate: float = Field(ge=0, le=1)


class ExcludedUnit(_Model):
    unit: UnitRef
    cases: int = Field(ge=0)


class Ranking(_Model):
    """Units by on-time rate; units with fewer than `min_cases` cases are left out and listed."""

    min_cases: int = Field(ge=0)
    rows: list[RankingRow] = Field(default_factory=list)
    excluded: list[ExcludedUnit] = Field(default_factory=list)


class ReportContent(_Model):
    family: ReportFamily
    period: Period
    data_period: Period | None = None
    scope: Scope
    report_date: date
    number: int | None = Field(None, ge=1, description="Số văn bản; None leaves a blank to fill")
    summary_vi: str | None = Field(None, description="Trích yếu; None uses the family template's")
    generated_at: datetime
    feedback: FeedbackFigures | None = None
    plan_sections: list[PlanSection] = Field(default_factory=list)
    models: list[DvkModel] = Field(default_factory=list)
    sessions: list[DialogueSession] = Field(default_factory=list)
    inspections: list[Inspection] = Field(default_factory=list)
    ranking: Ranking | None = None
    tables: list[Table] = Field(default_factory=list)

    def section(self, code: str) -> PlanSection | None:
        return next((s for s in self.plan_sections if s.code == code), None)
