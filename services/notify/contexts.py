"""Template contexts, built at send time from what notify knows then (pure): the case as the
unit may see it, the unit from the dated catalogue, working days left or overdue, earlier ladder
steps. Nested as the templates expect: {"case": …, "unit": …, "deadline": …}."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.units import Unit

from .schedule import WorkingCalendarPort

PERIOD_LABELS = {"H1": "6 tháng đầu năm {y}", "H2": "6 tháng cuối năm {y}",
                 "Q1": "quý I năm {y}", "Q2": "quý II năm {y}", "Q3": "quý III năm {y}",
                 "Q4": "quý IV năm {y}"}


@dataclass(frozen=True)
class CaseFacts:
    ref: str
    kind: str | None
    received_at: datetime | None
    summary: str | None
    protected: bool
    unit_code: str | None
    unit_name: str | None
    deadlines: tuple[dict, ...] = ()
    accepted_at: datetime | None = None


def working_days_after(calendar: WorkingCalendarPort, start: date, end: date) -> int:
    """Working days d with start < d <= end (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day = date.fromordinal(day.toordinal() + 1)
        count += calendar.is_working_day(day)
    return count


def case_view(case: CaseFacts) -> dict[str, Any]:
    return {"ref": case.ref, "case_type": case.kind, "kind": case.kind,
            "summary": None if case.protected else case.summary,
            "received_at": case.received_at, "accepted_at": case.accepted_at,
            "confidential": case.protected, "protected": case.protected}


def unit_view_of(unit: Unit | None, fallback_name: str | None = None) -> dict[str, Any]:
    if unit is None:
        return {"name": fallback_name}
    return {"code": unit.code, "name": unit.name,
            "head_name": unit.head.name if unit.head else None}


def deadline_view(step: str, due_on: date | None, today: date, calendar: WorkingCalendarPort,
                  ladder: dict[str, datetime] | None = None) -> dict[str, Any]:
    ladder = ladder or {}
    view: dict[str, Any] = {"step": step, "due_date": due_on,
                            "urged_on": ladder.get("urging"),
                            "escalated_head_on": ladder.get("escalation_head")}
    if due_on is not None:
        view["working_days_left"] = working_days_after(calendar, today, due_on)
        view["working_days_overdue"] = working_days_after(calendar, due_on, today)
    return view


def case_message_context(case: CaseFacts, unit: Unit | None, *, step: str, due_on: date | None,
                         today: date, calendar: WorkingCalendarPort,
                         ladder: dict[str, datetime] | None = None) -> dict[str, Any]:
    """reminder, due_today, urging, escalation_head, escalation_leadership."""
    return {"case": case_view(case), "unit": unit_view_of(unit, case.unit_name),
            "deadline": deadline_view(step, due_on, today, calendar, ladder)}


def resolution_due(case: CaseFacts) -> date | None:
    """The due date a sender is told: the resolution step's, else the latest one."""
    dates = [(d.get("step"), date.fromisoformat(d["due_on"])) for d in case.deadlines
             if d.get("due_on")]
    chosen = [d for s, d in dates if s == "giai_quyet"] or [d for _, d in dates]
    return max(chosen) if chosen else None


def sender_context(case: CaseFacts, contact: dict[str, Any], row_context: dict[str, Any]
                   ) -> dict[str, Any]:
    """ack_*, status_*, to_cao_acceptance: the sender may see their own case in full."""
    context = {key: value for key, value in row_context.items() if not key.startswith("_")}
    view = {**case_view(case), "summary": case.summary, **context.pop("case", {})}
    return {**context, "case": view, "sender": {"name": contact.get("name")},
            "unit": {"name": case.unit_name},
            "deadline": {"due_date": resolution_due(case), **context.get("deadline", {})}}


def digest_item(case: CaseFacts, deadline: dict, today: date,
                calendar: WorkingCalendarPort) -> dict[str, Any]:
    due = date.fromisoformat(deadline["due_on"])
    return {"ref": case.ref, "case_type": case.kind, "step": deadline.get("step"),
            "due_date": due, "working_days_left": working_days_after(calendar, today, due),
            "working_days_overdue": working_days_after(calendar, due, today)}


def digest_context(unit: Unit, cases: list[CaseFacts], today: date,
                   calendar: WorkingCalendarPort, due_soon_days: int) -> dict[str, Any]:
    """The unit's open cases; each case's running deadlines sorted into overdue / due soon."""
    overdue, due_soon = [], []
    for case in sorted(cases, key=lambda c: c.ref):
        for deadline in case.deadlines:
            item = digest_item(case, deadline, today, calendar)
            if item["due_date"] < today:
                overdue.append(item)
            elif item["working_days_left"] <= due_soon_days:
                due_soon.append(item)
    open_cases = [_open_item(c) for c in sorted(cases, key=lambda c: c.ref) if c.deadlines]
    return {"unit": unit_view_of(unit), "day": today, "due_soon_days": due_soon_days,
            "overdue": overdue, "due_soon": due_soon, "open_cases": open_cases}


def _open_item(case: CaseFacts) -> dict[str, Any]:
    dues = sorted(date.fromisoformat(d["due_on"]) for d in case.deadlines)
    return {"ref": case.ref, "case_type": case.kind, "due_date": dues[-1]}


def period_label(period: str) -> str:
    """'2026-H1' → '6 tháng đầu năm 2026'; '2026' → 'năm 2026'; '2026-05' → 'tháng 05 năm 2026'."""
    year, _, part = period.partition("-")
    if not part:
        return f"năm {year}"
    if part in PERIOD_LABELS:
        return PERIOD_LABELS[part].format(y=year)
    if part.isdigit():
        return f"tháng {part} năm {year}"
    return period
