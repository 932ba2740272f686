"""Vietnamese administrative formatting: document number, place and date line, numbers."""

from __future__ import annotations

from datetime import date


def document_number(number: int | None, doc_type: str, symbol: str, blank: str = "      ") -> str:
    """"Số: 05/BC-SLĐTBXH" (numbers below 10 take a leading 0); a blank when not yet numbered."""
    if number is not None and number < 1:
        raise ValueError(f"document number must be 1 or more, got {number}")
    shown = blank if number is None else f"{number:02d}"
    return f"Số: {shown}/{doc_type}-{symbol}"


def date_line(place: str, day: date) -> str:
    """"Hà Tĩnh, ngày 05 tháng 01 năm 2025": days below 10 and months 1–2 take a leading 0."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def fmt_int(value: int | float) -> str:
    """1234567 → "1.234.567"."""
    return f"{round(value):,}".replace(",", ".")


def fmt_decimal(value: float, digits: int = 1) -> str:
    """3.25 → "3,3"; thousands with ".", decimals with ","."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_pct(rate: float | None, digits: int = 1) -> str:
    """0.875 → "87,5%"; None → "—"."""
    return "—" if rate is None else f"{fmt_decimal(rate * 100, digits)}%"


def fmt_date(day: date | None) -> str:
    """05/01/2025; without strftime, which took most of the time of a long overdue list."""
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year}"


NO_CHANGE = "không thay đổi"
NOT_COMPARABLE = "chưa xác định được mức tăng, giảm"


def change_vi(current: float, previous: float | None) -> str:
    """How `current` compares with `previous`: "tăng 5 (+25,0%)", "giảm 2 (-10,0%)",
    "không thay đổi"; the templates go on with "so với <kỳ trước>"."""
    if previous is None:
        return NOT_COMPARABLE
    delta = current - previous
    if delta == 0:
        return NO_CHANGE
    word = "tăng" if delta > 0 else "giảm"
    if previous == 0:
        return f"{word} {fmt_int(abs(delta))}"
    sign = "+" if delta > 0 else "-"
    return f"{word} {fmt_int(abs(delta))} ({sign}{fmt_pct(abs(delta) / previous)})"


def change_points_vi(current: float | None, previous: float | None) -> str:
    """Change of a rate in percentage points: "tăng 2,5 điểm phần trăm"."""
    if current is None or previous is None:
        return NOT_COMPARABLE
    delta = (current - previous) * 100
    if abs(delta) < 0.05:
        return NO_CHANGE
    word = "tăng" if delta > 0 else "giảm"
    return f"{word} {fmt_decimal(abs(delta))} điểm phần trăm"
