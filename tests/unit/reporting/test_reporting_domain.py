from __future__ import annotations

import math
import statistics
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.reporting import domain
from services.reporting.domain import UnitScore


def histogram(values: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=300))
def test_median_and_p90_from_a_histogram_match_the_sorted_list(values):
    ordered = sorted(values)
    assert domain.median_from_histogram(histogram(values)) == statistics.median(values)
    nearest_rank = ordered[math.ceil(0.9 * len(values)) - 1]
    assert domain.percentile_from_histogram(histogram(values), 90) == nearest_rank


def test_no_cases_no_median():
    assert domain.median_from_histogram({}) is None
    assert domain.percentile_from_histogram({}, 90) is None
    assert domain.rate(0, 0) is None


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert domain.median_from_histogram({3: 1, 10: 1}) == 6.5


def test_local_date_is_the_date_in_ha_tinh():
    assert domain.local_date(datetime(2026, 6, 30, 17, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert domain.local_date(datetime(2026, 6, 30, 16, 59, tzinfo=UTC)) == date(2026, 6, 30)


def test_the_later_event_wins_and_ties_go_to_the_larger_id():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert domain.is_newer(at, "a", None, None)
    assert domain.is_newer(at, "b", at, "a") and not domain.is_newer(at, "a", at, "b")
    assert not domain.is_newer(at, "z", datetime(2026, 1, 2, tzinfo=UTC), "a")


def test_what_closes_a_case():
    assert domain.closing_kind("resolved", external_transfer=False) == "resolved"
    assert domain.closing_kind("rejected", external_transfer=False) == "rejected"
    assert domain.closing_kind("transferred", external_transfer=True) == "transferred_out"
    assert domain.closing_kind("transferred", external_transfer=False) is None
    assert domain.closing_kind("reopened", external_transfer=False) is None


def test_due_date_is_the_resolve_step_else_the_latest_step():
    assert domain.resolve_due({"xu_ly_don": "2026-01-11", "giai_quyet": "2026-02-10"}) == date(
        2026, 2, 10)
    assert domain.resolve_due({"xu_ly_don": "2026-01-11", "thu_ly": "2026-01-21"}) == date(
        2026, 1, 21)
    assert domain.resolve_due(None) is None


def test_competence_as_classified_else_from_what_was_done():
    assert domain.competent(False, None, None) is False
    assert domain.competent(None, "guided", None) is False
    assert domain.competent(None, None, "transferred_out") is False
    assert domain.competent(None, None, "resolved") is True
    assert domain.outside_action(False, None, "transferred_out") == "transferred"
    assert domain.outside_action(False, "urged", None) == "urged"
    assert domain.outside_action(True, "urged", None) is None


def test_ranking_leaves_out_small_units_and_shares_ranks_on_ties():
    scores = [UnitScore("A", "Phòng A", 40, 36), UnitScore("B", "Phòng B", 20, 18),
              UnitScore("C", "Phòng C", 30, 30), UnitScore("D", "Phòng D", 4, 4),
              UnitScore("E", "Phòng E", 0, 0)]
    rows, excluded = domain.rank_units(scores, min_cases=10)
    assert [(rank, s.code) for rank, s in rows] == [(1, "C"), (2, "A"), (2, "B")]
    assert [s.code for s in excluded] == ["D", "E"]


def test_a_progress_report_counts_for_its_period_or_when_sent_within_it():
    h1 = dict(report_start=date(2026, 1, 1), report_end=date(2026, 6, 30))
    q2 = (date(2026, 4, 1), date(2026, 6, 30))
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert domain.progress_counts(*q2, date(2026, 7, 2), **h1)  # inside, sent late
    assert domain.progress_counts(*year, date(2026, 6, 10), **h1)  # the year's, sent in H1
    assert not domain.progress_counts(*year, date(2026, 12, 1), **h1)
    assert not domain.progress_counts(date(2025, 7, 1), date(2025, 12, 31), date(2026, 1, 5),
                                      **h1)


def test_model_status_from_review_or_registration():
    start = date(2026, 1, 1)
    assert domain.model_status(date(2026, 3, 1), None, start) == "dang_ky"
    assert domain.model_status(date(2025, 3, 1), None, start) == "dang_thuc_hien"
    assert domain.model_status(date(2026, 3, 1), "tieu_bieu", start) == "cong_nhan"
    assert domain.model_status(date(2026, 3, 1), "khong_cong_nhan", start) == "khong_cong_nhan"
    assert domain.model_status(date(2026, 3, 1), "loai_bo", start) == "loai_bo"


def test_session_kinds():
    assert domain.session_kind("doi_thoai", "dinh_ky") == "doi_thoai"
    assert domain.session_kind("tiep_cong_dan", "dot_xuat") == "tiep_dot_xuat"
