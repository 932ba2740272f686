"""Tables derived from the report content (annex of models, rankings, overdue cases…).

Titles and columns come from labels.yaml; the figures from the content. Every derived table is
a generic `Table`, so the .docx, .xlsx and JSON renderers treat them like the inspectorate forms.
"""

from __future__ import annotations

from typing import Any

from ..content import ReportContent
from ..report_tables import Cell, ColumnKind, Table, leaf_header
from .formatting import fmt_date
from .labels import label


def _table(spec: dict[str, Any], rows: list[list[Cell]], kinds: list[ColumnKind]) -> Table:
    return Table(code=spec["code"], title_vi=spec["title"], header=leaf_header(spec["columns"]),
                 rows=rows, column_kinds=kinds)


def annex_models(content: ReportContent, labels: dict[str, Any]) -> Table | None:
    if not content.models:
        return None
    rows: list[list[Cell]] = []
    for i, m in enumerate(content.models, start=1):
        status = label(labels, "model_status", m.status)
        if m.recognition_level_vi:
            status = f"{status} ({m.recognition_level_vi})"
        rows.append([i, m.name_vi, label(labels, "model_kind", m.kind),
                     label(labels, "model_field", m.field), m.implementer_vi or m.unit.name_vi,
                     m.time_vi, m.content_vi, m.results_vi, status, m.note_vi])
    return _table(labels["tables"]["annex_models"], rows, ["number"] + ["text"] * 9)


def models_by_field(content: ReportContent, labels: dict[str, Any]) -> Table | None:
    if not content.models:
        return None
    statuses = ("dang_ky", "dang_thuc_hien", "cong_nhan")
    rows: list[list[Cell]] = []
    for field, field_label in labels["model_field"].items():
        counts = [sum(1 for m in content.models if m.field == field and m.status == s)
                  for s in statuses]
        rows.append([field_label, *counts, sum(counts)])
    totals = [sum(int(r[i] or 0) for r in rows) for i in range(1, 5)]
    rows.append(["Tổng cộng", *totals])
    return _table(labels["tables"]["models_by_field"], rows, ["text"] + ["number"] * 4)


def models_by_unit(content: ReportContent, labels: dict[str, Any]) -> Table | None:
    if not content.models:
        return None
    fields = list(labels["model_field"])
    units = sorted({m.unit.code: m.unit for m in content.models}.values(), key=lambda u: u.name_vi)
    rows: list[list[Cell]] = []
    for unit in units:
        counts = [sum(1 for m in content.models if m.unit.code == unit.code and m.field == f)
                  for f in fields]
        rows.append([unit.name_vi, *counts, sum(counts)])
    totals = [sum(int(r[i] or 0) for r in rows) for i in range(1, len(fields) + 2)]
    rows.append(["Tổng cộng", *totals])
    kinds: list[ColumnKind] = ["text"] + ["number"] * (len(fields) + 1)
    return _table(labels["tables"]["models_by_unit"], rows, kinds)


def feedback_by_unit(content: ReportContent, labels: dict[str, Any]) -> Table | None:
    if content.feedback is None or not content.feedback.by_unit:
        return None
    rows: list[list[Cell]] = [
        [u.unit.name_vi, u.received, u.handled, u.on_time, u.late, u.open, u.overdue]
        for u in content.feedback.by_unit
    ]
    return _table(labels["tables"]["feedback_by_unit"], rows, ["text"] + ["number"] * 6)


def ranking(content: ReportContent, labels: dict[str, Any]) -> Table | None:
    if content.ranking is None or not content.ranking.rows:
        return None
    rows: list[list[Cell]] = [[r.rank, r.unit.name_vi, r.cases, r.on_time, r.on_time_rate]
                              for r in content.ranking.rows]
    table = _table(labels["tables"]["ranking"], rows,
                   ["number", "text", "number", "number", "percent"])
    if content.ranking.excluded:
        names = ", ".join(f"{e.unit.name_vi} ({e.cases} vụ việc)"
                          for e in content.ranking.excluded)
        note = (f"Không xếp hạng các đơn vị có dưới {content.ranking.min_cases} vụ việc: "
                f"{names}.")
        table = table.model_copy(update={"notes_vi": [note]})
    return table


def overdue(content: ReportContent, labels: dict[str, Any]) -> Table | None:
    if content.feedback is None or not content.feedback.overdue:
        return None
    rows: list[list[Cell]] = [
        [i, c.case_ref, c.kind.label_vi, c.unit.name_vi, fmt_date(c.received_on),
         fmt_date(c.due_on), c.days_overdue]
        for i, c in enumerate(content.feedback.overdue, start=1)
    ]
    return _table(labels["tables"]["overdue"], rows, ["number"] + ["text"] * 5 + ["number"])


DERIVED = {
    "annex_models": annex_models,
    "models_by_field": models_by_field,
    "models_by_unit": models_by_unit,
    "feedback_by_unit": feedback_by_unit,
    "ranking": ranking,
    "overdue": overdue,
}


def derived_table(name: str, content: ReportContent, labels: dict[str, Any]) -> Table | None:
    """The derived table called `name` (a key of DERIVED), or None when there is no data."""
    try:
        builder = DERIVED[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}; known: {', '.join(DERIVED)}") from None
    return builder(content, labels)


def derived_tables(content: ReportContent, labels: dict[str, Any]) -> dict[str, Table]:
    """Every derived table the content has data for, by name, in DERIVED's order: built once
    for all of a report's files (the overdue cases of a large department are many)."""
    tables = {name: derived_table(name, content, labels) for name in DERIVED}
    return {name: table for name, table in tables.items() if table is not None}


def all_tables(content: ReportContent, labels: dict[str, Any],
               derived: dict[str, Table] | None = None) -> list[tuple[str, Table]]:
    """(sheet name, table) for every table of the report: the forms first, then derived ones
    (`derived`: from derived_tables, when already built)."""
    if derived is None:
        derived = derived_tables(content, labels)
    out = [(t.code, t) for t in content.tables]
    out.extend((labels["tables"][name].get("sheet", table.code), table)
               for name, table in derived.items())
    return out
