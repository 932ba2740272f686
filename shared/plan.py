"""The plan's sections, tasks and report obligations as data (shared/catalogue/plan.yaml)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.calendar import WorkingCalendar, default_calendar
from shared.units import UnitCatalogue, UnitKind

DEFAULT_PLAN_PATH = Path(__file__).parent / "catalogue" / "plan.yaml"
REPORTING_KINDS = {UnitKind.OFFICE, UnitKind.INSPECTORATE, UnitKind.DIVISION,
                   UnitKind.PUBLIC_SERVICE_UNIT}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanTask(_Strict):
    id: str = Field(pattern=r"^(II|III)\.\d+\.\d+$")
    title: str
    units: Literal["all"] | tuple[str, ...]
    lead: str


class PlanSection(_Strict):
    code: str = Field(pattern=r"^(II|III)\.\d+$")
    title: str
    tasks: tuple[PlanTask, ...]


class ReportObligation(_Strict):
    id: str
    title: str
    period: Literal["H1", "year"]
    due: str = Field(pattern=r"^\d{2}-\d{2}$")

    def due_on(self, year: int, calendar: WorkingCalendar | None = None) -> date:
        """The due date in a year; one that falls on a day off moves to the next working day,
        as the law counts deadlines (Bộ luật Dân sự 2015 Điều 148)."""
        month, day = (int(x) for x in self.due.split("-"))
        return (calendar or default_calendar()).next_working_day_on_or_after(
            date(year, month, day))


class PlanHeader(_Strict):
    code: str
    title: str
    valid_from: date


class PlanCatalogueError(ValueError):
    pass


class PlanCatalogue(_Strict):
    plan: PlanHeader
    report_obligations: tuple[ReportObligation, ...]
    sections: tuple[PlanSection, ...]

    @classmethod
    def load(cls, path: Path | None = None) -> PlanCatalogue:
        source = path or DEFAULT_PLAN_PATH
        try:
            return cls.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise PlanCatalogueError(f"{source}: {exc}") from exc

    def tasks(self) -> list[PlanTask]:
        return [task for section in self.sections for task in section.tasks]

    def task(self, task_id: str) -> PlanTask | None:
        return next((t for t in self.tasks() if t.id == task_id), None)

    def section_of(self, task_id: str) -> PlanSection | None:
        return next((s for s in self.sections if any(t.id == task_id for t in s.tasks)), None)

    def units_for(self, task: PlanTask, *, units: UnitCatalogue, on: date) -> list[str]:
        """The units that owe progress on a task on a date."""
        if task.units == "all":
            return sorted(u.code for u in units.active(on=on) if u.kind in REPORTING_KINDS)
        return [code for code in task.units if units.get(code, on=on) is not None]


@lru_cache(maxsize=4)
def default_plan(path: Path | None = None) -> PlanCatalogue:
    return PlanCatalogue.load(path)
