"""Expected report figures computed straight from a generated history's story (CaseTruth and the
movement payloads), in plain Python: independent of the projections, the read model and SQL."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from services.reporting.periods import parse_period

RECOGNISED = {"cong_nhan", "tieu_bieu", "de_nghi_khen_thuong"}


def in_range(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def is_open(t: Any, day: date) -> bool:
    return t.received_on <= day and (t.closed_on is None or t.closed_on > day)


def feedback(truths: list[Any], start: date, end: date, as_of: date) -> dict[str, Any]:
    received = [t for t in truths if in_range(t.received_on, start, end)]
    handled = [t for t in truths if in_range(t.closed_on, start, end)]
    on_time = [t for t in handled if t.due_on is not None and t.closed_on <= t.due_on]
    late = [t for t in handled if t.due_on is not None and t.closed_on > t.due_on]
    days = sorted((t.closed_on - t.received_on).days for t in handled)
    still_open = [t for t in truths if is_open(t, as_of)]
    overdue = sorted((t for t in still_open if t.due_on is not None and t.due_on < as_of),
                     key=lambda t: (t.due_on, t.ref))
    return {
        "received_total": len(received),
        "by_kind": Counter(t.kind for t in received),
        "by_channel": Counter(t.channel for t in received),
        "by_month": Counter((t.received_on.strftime("%Y-%m"), t.kind) for t in received),
        "handled": len(handled), "on_time": len(on_time), "late": len(late),
        "without_deadline": len(handled) - len(on_time) - len(late),
        "open": len(still_open),
        "overdue": [(t.ref, t.due_on, (as_of - t.due_on).days, t.unit) for t in overdue],
        "rate": len(on_time) / (len(on_time) + len(late)),
        "median": float(statistics.median(days)),
        "p90": float(days[math.ceil(0.9 * len(days)) - 1]),
        "complaints": _outcomes(handled, "khieu_nai"),
        "denunciations": _outcomes(handled, "to_cao"),
        "escalations": sum(1 for t in truths for d in t.escalations if in_range(d, start, end)),
        "by_unit": _by_unit(truths, received, handled, still_open, as_of),
    }


def _outcomes(handled: list[Any], kind: str) -> Counter:
    names = {"rejected": "khong_thu_ly", "transferred_out": "chuyen_don"}
    return Counter(names.get(t.close_kind, t.result) for t in handled if t.kind == kind)


def _by_unit(truths, received, handled, still_open, as_of) -> dict[str | None, dict[str, int]]:
    units: dict[str | None, Counter] = defaultdict(Counter)
    for t in received:
        units[t.unit]["received"] += 1
    for t in handled:
        units[t.unit]["handled"] += 1
        if t.due_on is not None:
            units[t.unit]["on_time" if t.closed_on <= t.due_on else "late"] += 1
    for t in still_open:
        units[t.unit]["open"] += 1
        units[t.unit]["overdue"] += int(t.due_on is not None and t.due_on < as_of)
    return {u: dict(c) for u, c in units.items()}


def ranking(by_unit: dict[str | None, dict[str, int]], min_cases: int
            ) -> tuple[list[tuple[str, int, int]], list[str]]:
    """([(unit, cases, on time)] best first, [units left out])."""
    scored = [(u, f.get("on_time", 0) + f.get("late", 0), f.get("on_time", 0))
              for u, f in by_unit.items() if u is not None]
    kept = [s for s in scored if s[1] >= min_cases]
    kept.sort(key=lambda s: (-s[2] / s[1], -s[1]))
    return kept, sorted(s[0] for s in scored if s[1] < min_cases)


# ----------------------------------------------------------------------------- the movement

def _latest(events: list[Any], key) -> dict[Any, Any]:
    chosen: dict[Any, Any] = {}
    for e in events:
        k = key(e)
        if k not in chosen or (e.payload.reported_at, e.event_id) > (
                chosen[k].payload.reported_at, chosen[k].event_id):
            chosen[k] = e
    return chosen


def progress(movement: list[Any], start: date, end: date) -> dict[tuple[str, str], Any]:
    """(task, unit) → the payload of the report that counts for the period."""
    reports = [e for e in movement if e.payload.message_type == "intake.task_progress_reported"]
    per_code = _latest(reports, lambda e: (e.payload.task_id, e.payload.unit_code,
                                           e.payload.period))
    counted = []
    for e in per_code.values():
        own = parse_period(e.payload.period)
        sent = e.payload.reported_at.astimezone(_tz()).date()
        overlaps = own.start <= end and own.end >= start
        if overlaps and ((start <= own.start and own.end <= end) or start <= sent <= end):
            counted.append(e)
    return {k: e.payload for k, e in _latest(counted, lambda e: (e.payload.task_id,
                                                                   e.payload.unit_code)).items()}


def _tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Ho_Chi_Minh")


def models(movement: list[Any], start: date, end: date) -> dict[str, tuple[str, str, str]]:
    """model_id → (field, unit, status) for the annex of the period."""
    registered = {e.payload.model_id: e.payload for e in movement
                  if e.payload.message_type == "intake.model_registered"}
    reviews: dict[str, Any] = {}
    for e in movement:
        p = e.payload
        if p.message_type != "intake.model_reviewed" or p.reviewed_on > end:
            continue
        if p.model_id not in reviews or p.reviewed_on > reviews[p.model_id].reviewed_on:
            reviews[p.model_id] = p
    out = {}
    for model_id, p in registered.items():
        if start.year <= p.year <= end.year and p.registered_on <= end:
            review = reviews[model_id].result if model_id in reviews else None
            status = ("cong_nhan" if review in RECOGNISED else review if review else
                      "dang_ky" if p.registered_on >= start else "dang_thuc_hien")
            out[model_id] = (p.field.value, p.unit_code, status)
    return out


def sessions(movement: list[Any], start: date, end: date, types: tuple[str, ...]) -> list[Any]:
    return sorted((e.payload for e in movement
                   if e.payload.message_type == "intake.session_recorded"
                   and e.payload.session_type in types and start <= e.payload.held_on <= end),
                  key=lambda p: (p.held_on, p.session_id))


def inspections(movement: list[Any], start: date, end: date) -> list[str]:
    return sorted(e.payload.inspection_id for e in movement
                  if e.payload.message_type == "intake.inspection_recorded"
                  and e.payload.started_on <= end
                  and (e.payload.ended_on is None or e.payload.ended_on >= start))
