"""Pure rules of the reports: local dates, the order of events, statuses, percentiles, ranking.

Definitions (docs/reporting.md gives them in full):
- a case is *closed* when its latest status change (by occurred_at, then event id) is
  `resolved`, `rejected`, or `transferred` to a body outside the Department; the close date is
  that change's local date. A later `reopened` opens it again.
- *handled in a period* = closed on a date within the period;
- *on time* = closed on or before the due date of the resolve step (`giai_quyet`; the latest
  step's date when a kind has none), as last set by routing (assignment, transfer, extension);
- *open at a date* = received on or before it and not closed on or before it;
- *overdue at a date* = open at that date with a due date before it;
- handling time = calendar days from the local date received to the local date closed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from shared.calendar import LOCAL_TZ, local_date  # noqa: F401  (re-exported to the service)

RESOLVE_STEP = "giai_quyet"
PROCESSING_STATUSES = frozenset(
    {"accepted", "in_progress", "extended", "transferred", "resolved", "rejected"})
TASK_STATUS = {"not_started": "chua_trien_khai", "in_progress": "dang_thuc_hien",
               "done": "hoan_thanh", "blocked": "vuong_mac"}
RECOGNISED = frozenset({"cong_nhan", "tieu_bieu", "de_nghi_khen_thuong"})


def is_newer(at: datetime | date, event_id: str, current_at: datetime | date | None,
             current_id: str | None) -> bool:
    """Whether an event at (at, event_id) is later than the one a row holds: the same answer
    whatever order events arrive in."""
    if current_at is None:
        return True
    return (at, event_id) > (current_at, current_id or "")


# Where a status stands in a case's life: breaks a tie between two changes reported for the
# same instant (a unit that sends "accepted" and "resolved" with one timestamp resolved it).
STATUS_ORDER = {"received": 0, "accepted": 1, "in_progress": 2, "extended": 3,
                "transferred": 4, "rejected": 5, "resolved": 5, "reopened": 6}


def status_key(status: str, event_id: str) -> str:
    """The tie-breaker of a status change, after its time: its place in the case's life,
    then its event id."""
    return f"{STATUS_ORDER.get(status, 9)}:{event_id}"


def closing_kind(status: str, *, external_transfer: bool) -> str | None:
    """What a status change does to the case: closes it (how), or leaves it open (None)."""
    if status in ("resolved", "rejected"):
        return status
    if status == "transferred" and external_transfer:
        return "transferred_out"
    return None


def resolve_due(due_dates: Mapping[str, str] | None) -> date | None:
    """The due date on-time is measured against: the resolve step's, else the latest step's."""
    if not due_dates:
        return None
    chosen = due_dates.get(RESOLVE_STEP) or max(due_dates.values())
    return date.fromisoformat(chosen)


def competent(within: bool | None, action: str | None, close_kind: str | None) -> bool:
    """Within the Department's competence (thuộc thẩm quyền): as intake classified the letter,
    otherwise not when it was guided elsewhere or transferred out, otherwise yes."""
    if within is not None:
        return within
    return not (action in ("guided", "transferred") or close_kind == "transferred_out")


def outside_action(is_competent: bool, action: str | None, close_kind: str | None) -> str | None:
    """For a letter outside competence: guided, transferred or urged (01/XLD's last columns)."""
    if is_competent:
        return None
    if action is not None:
        return action
    return "transferred" if close_kind == "transferred_out" else None


def median_from_histogram(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}; the mean of the two middle values
    when the count is even."""
    n = sum(histogram.values())
    if n == 0:
        return None
    if n % 2:
        return float(_nth(histogram, n // 2))
    return (_nth(histogram, n // 2 - 1) + _nth(histogram, n // 2)) / 2


def percentile_from_histogram(histogram: Mapping[int, int], pct: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least pct % of values at or below."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, math.ceil(pct / 100 * n))
    return float(_nth(histogram, rank - 1))


def _nth(histogram: Mapping[int, int], index: int) -> int:
    """The value at 0-based `index` of the sorted values."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if index < seen:
            return value
    raise IndexError(index)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class UnitScore:
    code: str
    name: str
    cases: int
    on_time: int


def rank_units(scores: Iterable[UnitScore], min_cases: int
               ) -> tuple[list[tuple[int, UnitScore]], list[UnitScore]]:
    """Units with at least `min_cases` cases by on-time rate, best first (ties share a rank:
    1, 1, 3); the others, left out, by name. Ties in rate are ordered by cases, then name."""
    scores = list(scores)
    ranked = sorted((s for s in scores if s.cases >= min_cases and s.cases > 0),
                    key=lambda s: (-s.on_time / s.cases, -s.cases, s.name))
    rows: list[tuple[int, UnitScore]] = []
    for i, score in enumerate(ranked):
        tied = rows and rows[-1][1].on_time * score.cases == score.on_time * rows[-1][1].cases
        rows.append((rows[-1][0] if tied else i + 1, score))
    excluded = sorted((s for s in scores if s.cases < min_cases or s.cases == 0),
                      key=lambda s: s.name)
    return rows, excluded


def session_kind(session_type: str, regularity: str) -> str:
    if session_type == "doi_thoai":
        return "doi_thoai"
    return {"thuong_xuyen": "tiep_thuong_xuyen", "dinh_ky": "tiep_dinh_ky",
            "dot_xuat": "tiep_dot_xuat"}[regularity]


def model_status(registered_on: date | None, review: str | None, period_start: date) -> str:
    """The status shown in the annex: from the latest review, else registered in the period
    (đăng ký) or earlier (đang thực hiện)."""
    if review in RECOGNISED:
        return "cong_nhan"
    if review == "loai_bo":
        return "loai_bo"
    if review == "khong_cong_nhan":
        return "khong_cong_nhan"
    if registered_on is not None and registered_on >= period_start:
        return "dang_ky"
    return "dang_thuc_hien"


def progress_counts(period_start: date, period_end: date, reported_on: date, *,
                    report_start: date, report_end: date) -> bool:
    """Whether a progress report (for period_start..period_end, sent on reported_on) belongs to
    the report period: its own period overlaps it, and lies within it or was sent within it
    (a unit reporting on the year's task during the first half)."""
    if period_end < report_start or period_start > report_end:
        return False
    within = report_start <= period_start and period_end <= report_end
    return within or report_start <= reported_on <= report_end
