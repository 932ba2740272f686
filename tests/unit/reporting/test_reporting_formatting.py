from __future__ import annotations

from datetime import date

import pytest

from services.reporting.documents.formatting import (change_points_vi, change_vi, date_line,
                                                     document_number, fmt_decimal, fmt_int,
                                                     fmt_pct)


@pytest.mark.parametrize(("number", "expected"), [
    (5, "Số: 05/BC-SLĐTBXH"), (9, "Số: 09/BC-SLĐTBXH"), (10, "Số: 10/BC-SLĐTBXH"),
    (125, "Số: 125/BC-SLĐTBXH"), (None, "Số: " + " " * 6 + "/BC-SLĐTBXH"),
])
def test_document_number_has_leading_zero_below_ten(number, expected):
    assert document_number(number, "BC", "SLĐTBXH") == expected


def test_document_number_refuses_zero():
    with pytest.raises(ValueError, match="got 0"):
        document_number(0, "BC", "SNV")


@pytest.mark.parametrize(("day", "expected"), [
    (date(2025, 1, 5), "Hà Tĩnh, ngày 05 tháng 01 năm 2025"),
    (date(2025, 2, 28), "Hà Tĩnh, ngày 28 tháng 02 năm 2025"),
    (date(2025, 3, 9), "Hà Tĩnh, ngày 09 tháng 3 năm 2025"),
    (date(2025, 12, 10), "Hà Tĩnh, ngày 10 tháng 12 năm 2025"),
])
def test_date_line_pads_days_below_ten_and_months_one_and_two(day, expected):
    assert date_line("Hà Tĩnh", day) == expected


def test_numbers_use_vietnamese_separators():
    assert fmt_int(1234567) == "1.234.567"
    assert fmt_decimal(1234.5) == "1.234,5"
    assert fmt_pct(0.875) == "87,5%"
    assert fmt_pct(None) == "—"


@pytest.mark.parametrize(("current", "previous", "expected"), [
    (12, 10, "tăng 2 (+20,0%)"), (8, 10, "giảm 2 (-20,0%)"), (10, 10, "không thay đổi"),
    (3, 0, "tăng 3"), (3, None, "chưa xác định được mức tăng, giảm"),
])
def test_change_against_comparison_period(current, previous, expected):
    assert change_vi(current, previous) == expected


def test_change_of_rate_in_points():
    assert change_points_vi(0.95, 0.9) == "tăng 5,0 điểm phần trăm"
    assert change_points_vi(None, 0.9) == "chưa xác định được mức tăng, giảm"
    assert change_points_vi(0.9, 0.9) == "không thay đổi"
