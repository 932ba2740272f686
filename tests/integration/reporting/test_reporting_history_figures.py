"""Acceptance: from a generated history of 100,000 cases over two years, every figure of a
6-month report equals an independent computation from the history's story."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from services.reporting.content import Count, ReportContent
from services.reporting.documents.forms import load_forms
from services.reporting.report_tables import Table
from shared.plan import default_plan
from shared.units import UnitCatalogue

from . import reporting_expected as expected
from . import reporting_expected_tcd as expected_tcd
from .conftest import generate_history

pytestmark = pytest.mark.slow
H1 = (date(2026, 1, 1), date(2026, 6, 30))
H2_2025 = (date(2025, 7, 1), date(2025, 12, 31))
TCD_H1 = (date(2025, 12, 15), date(2026, 6, 14))  # TT 01/2024: 15/12 → 14/6
TCD_H2_2025 = (date(2025, 6, 15), date(2025, 12, 14))


def values(counts: list[Count]) -> dict[str, int]:
    return {c.key: c.value for c in counts}


def nonzero(counter: Counter) -> dict:
    return {k: v for k, v in counter.items() if v}


def check_feedback(content: ReportContent, truths, window, previous, as_of) -> None:
    f, want = content.feedback, expected.feedback(truths, *window, as_of)
    share = (window[1] - window[0]).days / 730  # of a two-year history
    assert f.received_total == want["received_total"] > 0.8 * share * len(truths)
    assert values(f.received_by_kind) == nonzero(want["by_kind"])
    assert values(f.received_by_channel) == nonzero(want["by_channel"])
    months = {(m.month, c.key): c.value for m in f.by_month for c in m.by_kind}
    assert months == nonzero(want["by_month"])
    assert (f.handled, f.on_time, f.late, f.handled_without_deadline, f.open) == (
        want["handled"], want["on_time"], want["late"], want["without_deadline"], want["open"])
    assert [(c.case_ref, c.due_on, c.days_overdue, c.unit.code) for c in f.overdue] == [
        (ref, due, days, unit) for ref, due, days, unit in want["overdue"]]
    assert f.on_time_rate == pytest.approx(want["rate"])
    assert (f.median_handling_days, f.p90_handling_days) == (want["median"], want["p90"])
    assert values(f.complaints_by_outcome) == nonzero(want["complaints"])
    assert values(f.denunciations_by_outcome) == nonzero(want["denunciations"])
    assert f.escalations == want["escalations"] > 0
    by_unit = {u.unit.code: {k: v for k, v in u.model_dump().items() if k != "unit" and v}
               for u in f.by_unit}
    assert by_unit == {("CHUA_PHAN_CONG" if u is None else u): {k: v for k, v in d.items() if v}
                       for u, d in want["by_unit"].items()}
    before = expected.feedback(truths, *previous, previous[1])
    assert (f.previous.period.start, f.previous.period.end) == previous
    assert f.previous.received_total == before["received_total"]
    assert values(f.previous.received_by_kind) == nonzero(before["by_kind"])
    assert f.previous.on_time_rate == pytest.approx(before["rate"])


async def test_six_month_dvk_report_every_figure(history_100k):
    content = await history_100k.build("dan_van_kheo", "2026-H1")
    truths, movement = history_100k.truths, history_100k.movement
    check_feedback(content, truths, H1, H2_2025, H1[1])
    by_unit = expected.feedback(truths, *H1, H1[1])["by_unit"]
    kept, left_out = expected.ranking(by_unit, 10)
    ranking = content.ranking
    assert [(r.unit.code, r.cases, r.on_time) for r in ranking.rows] == kept
    assert [r.rank for r in ranking.rows] == list(range(1, len(kept) + 1))
    assert [e.unit.code for e in ranking.excluded] == left_out == ["KE_HOACH_TAI_CHINH"]
    check_plan(content, movement)
    check_movement(content, movement, H1, ("doi_thoai", "tiep_cong_dan"))


def check_plan(content: ReportContent, movement) -> None:
    plan, units = default_plan(), UnitCatalogue.load()
    progress = expected.progress(movement, *H1)
    for section, shown in zip(plan.sections, content.plan_sections, strict=True):
        assert shown.code == section.code
        missing = set()
        for task, task_shown in zip(section.tasks, shown.tasks, strict=True):
            want = {u: p for (t, u), p in progress.items() if t == task.id}
            got = {p.unit.code: p for p in task_shown.progress}
            assert set(got) == set(want)
            for unit, p in want.items():
                status = {"not_started": "chua_trien_khai", "in_progress": "dang_thuc_hien",
                          "done": "hoan_thanh", "blocked": "vuong_mac"}[p.status.value]
                assert (got[unit].status, got[unit].progress_pct, got[unit].done_vi) == (
                    status, p.percent_done, p.done_text)
            owed = plan.units_for(task, units=units, on=H1[1])
            missing |= set(owed) - set(want)
        assert {u.code for u in shown.units_not_reported} == missing
    assert any(s.units_not_reported for s in content.plan_sections)


def check_movement(content: ReportContent, movement, window, session_types) -> None:
    want_models = expected.models(movement, *window)
    got_models = {m.note_vi: (m.field, m.unit.code, m.status) for m in content.models}
    assert got_models == want_models and len(got_models) > 10
    want_sessions = expected.sessions(movement, *window, session_types)
    assert [(s.held_on, s.unit.code, s.turns, s.cases, s.issues_raised) for s in
            content.sessions] == [(p.held_on, p.unit_code, p.visits, p.cases_first_time +
                                   p.cases_repeated, len(p.issues_raised))
                                  for p in want_sessions]
    assert sorted(i.ref for i in content.inspections) == expected.inspections(movement, *window)


def table_values(table: Table) -> dict[str, dict[str, object]]:
    keys = load_forms()[table.code].keys()
    return {row[0]: dict(zip(keys, row, strict=True)) for row in table.rows}


async def test_six_month_tcd_report_every_figure_and_table(history_100k):
    content = await history_100k.build("tiep_cong_dan", "2026-H1")
    check_tcd(content, history_100k.truths, history_100k.movement)


async def test_the_same_figures_on_sqlite_and_postgresql(database_url):
    history = await generate_history(database_url, 3_000, seed=7)
    dvk = await history.build("dan_van_kheo", "2026-H1")
    check_feedback(dvk, history.truths, H1, H2_2025, H1[1])
    check_movement(dvk, history.movement, H1, ("doi_thoai", "tiep_cong_dan"))
    check_tcd(await history.build("tiep_cong_dan", "2026-H1"), history.truths, history.movement)


def check_tcd(content: ReportContent, truths, movement) -> None:
    assert (content.data_period.start, content.data_period.end) == TCD_H1
    check_feedback(content, truths, TCD_H1, TCD_H2_2025, TCD_H1[1])
    names = {u.unit.code: u.unit.name_vi for u in content.feedback.by_unit}
    letters = expected_tcd.letters(truths, *TCD_H1)
    tables = {t.code: t for t in content.tables}
    for code in ("01/XLD", "02/XLD", "03/XLD", "04/XLD", "01/KQGQ", "02/KQGQ"):
        got = table_values(tables[code])
        computed = {k.split(".", 1)[1] for c in letters.values() for k in c if
                    k.startswith(code + ".")}
        assert computed, code
        for unit, counts in letters.items():
            row = got[names[unit or "CHUA_PHAN_CONG"]]
            want = {k: counts.get(f"{code}.{k}", 0) for k in computed}
            assert {k: row[k] for k in computed} == want, (code, unit)
            blank = set(row) - computed - {"don_vi", "ghi_chu"}
            assert all(row[k] is None for k in blank), (code, unit, blank)
        total = got["Tổng cộng"]
        assert {k: total[k] for k in computed} == {
            k: sum(c[f"{code}.{k}"] for c in letters.values()) for k in computed}
        assert len(got) == len(letters) + 1
    sessions = expected.sessions(movement, *TCD_H1, ("tiep_cong_dan",))
    assert [(s.held_on, s.unit.code, s.people) for s in content.sessions] == [
        (p.held_on, p.unit_code, p.persons) for p in sessions]
    reception = expected_tcd.reception(sessions)
    got = table_values(tables["01/TCD"])
    for unit, counts in reception.items():
        row = got[UnitCatalogue.load().get(unit, on=TCD_H1[1]).name]
        assert {k: row[k] for k in counts} == dict(counts)
    assert got["Tổng cộng"]["tong_luot"] == sum(c["tong_luot"] for c in reception.values())


async def test_unit_scope_report_counts_only_that_unit(history_100k):
    content = await history_100k.build("dan_van_kheo", "2026-H1", scope="THANH_TRA")
    mine = [t for t in history_100k.truths if t.unit == "THANH_TRA"]
    assert content.scope.kind == "unit" and content.scope.unit.code == "THANH_TRA"
    want = expected.feedback(mine, *H1, H1[1])
    f = content.feedback
    assert (f.received_total, f.handled, f.on_time, f.late, f.open) == (
        want["received_total"], want["handled"], want["on_time"], want["late"], want["open"])
    assert [u.unit.code for u in f.by_unit] == ["THANH_TRA"]
    assert content.ranking is None
    assert {m.unit.code for m in content.models} <= {"THANH_TRA"}
    for section in content.plan_sections:
        assert {p.unit.code for t in section.tasks for p in t.progress} <= {"THANH_TRA"}
