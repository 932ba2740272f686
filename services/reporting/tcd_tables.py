"""The inspectorate's data tables (01/TCD, 01/XLD…04/XLD, 01/KQGQ, 02/KQGQ) over a data period.

One SQL pass groups the letters of the period by unit and counts every column at once. Which
letters a table counts, and what each column means here, is in docs/reporting.md (⚠ the
columns are not from the official annex). Columns the events carry no data for (the subject
areas, money and land, criminal referrals…) stay blank, with a note under the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .content import UnitRef
from .documents.forms import load_forms
from .documents.settings import DocumentSettings
from .orm import CaseFact
from .queries import Window, count_if
from .report_tables import Table

F = CaseFact
Namer = Callable[[str | None], UnitRef]
BLANK_NOTE = "Các cột để trống: hệ thống chưa thu thập số liệu này, đơn vị bổ sung nếu có."
TOTAL = "Tổng cộng"
KN, TC, PA = ("khieu_nai",), ("to_cao",), ("kien_nghi", "phan_anh", "gop_y")


class _Letters:
    """The conditions the columns are made of, for the letters of window `w`."""

    def __init__(self, w: Window) -> None:
        self.received_in = F.received_on.between(w.start, w.end)
        self.processed = F.processed_on <= w.end
        self.unprocessed = or_(F.processed_on.is_(None), F.processed_on > w.end)
        self.open_end = or_(F.closed_on.is_(None), F.closed_on > w.end)
        self.resolved_in = and_(F.closed_on.between(w.start, w.end), F.close_kind == "resolved")
        self.resolved_by_end = and_(F.closed_on <= w.end, F.close_kind == "resolved")
        self.eligible = or_(F.letter_eligible.is_(True), and_(F.letter_eligible.is_(None), or_(
            F.close_kind.is_(None), F.close_kind != "rejected")))
        self.competent, self.outside = F.competent.is_(True), F.competent.is_(False)
        self.round2 = func.coalesce(F.complaint_round, 1) == 2

    def kind(self, kinds: tuple[str, ...], *more: Any) -> Any:
        return and_(self.eligible, F.kind.in_(kinds), *more)

    def outside_actions(self, prefix: str, kinds: tuple[str, ...]) -> dict[str, Any]:
        return {f"{prefix}_ktq_{column}": self.kind(kinds, self.outside, F.outside_action == a)
                for column, a in (("huong_dan", "guided"), ("chuyen_don", "transferred"),
                                  ("don_doc", "urged"))}

    def xld1(self) -> dict[str, Any]:
        kind, competent = self.kind, self.competent
        return {
            "x1_tong": F.ref.is_not(None), "x1_trong_ky": self.received_in,
            "x1_ky_truoc": not_(self.received_in), "x1_da_xu_ly": self.processed,
            "x1_du_dk_don": self.eligible, "x1_nd_khieu_nai": kind(KN),
            "x1_nd_to_cao": kind(TC), "x1_nd_kien_nghi": kind(PA),
            "x1_tt_lan_dau": kind(KN, self.round2), "x1_tq_tong": and_(self.eligible, competent),
            "x1_tq_khieu_nai": kind(KN, competent), "x1_tq_to_cao": kind(TC, competent),
            "x1_tq_kien_nghi": kind(PA, competent), "x1_van_ban_phuc_dap":
                F.letter_replied.is_(True), **self.outside_actions("x1", KN + TC + PA)}

    def xld2_to_4(self) -> dict[str, Any]:
        kind, competent, first = self.kind, self.competent, not_(self.round2)
        return {
            "x2_tong": kind(KN), "x2_gq_lan_dau": kind(KN, self.round2),
            "x2_dang_gq": kind(KN, first, self.open_end, self.processed),
            "x2_chua_gq": kind(KN, first, self.open_end, self.unprocessed),
            "x2_tq_lan_dau": kind(KN, competent, first),
            "x2_tq_lan_hai": kind(KN, competent, self.round2),
            "x3_tong": kind(TC), "x3_chua_gq": kind(TC, self.open_end),
            "x3_tq_lan_dau": kind(TC, competent), "x4_tong": kind(PA),
            "x4_thuoc_tq": kind(PA, competent), "x4_khong_thuoc_tq": kind(PA, self.outside),
            "x4_da_gq": kind(PA, self.resolved_by_end),
            **self.outside_actions("x2", KN), **self.outside_actions("x3", TC)}

    def kqgq(self) -> dict[str, Any]:
        mine = and_(F.kind == "khieu_nai", self.competent)
        solved = and_(mine, self.resolved_in)
        first, second = and_(solved, not_(self.round2)), and_(solved, self.round2)
        return {
            "k1_don_tong": mine, "k1_don_ky_truoc": and_(mine, not_(self.received_in)),
            "k1_don_trong_ky": and_(mine, self.received_in),
            "k1_gq_quyet_dinh": and_(solved, F.result != "rut_don"),
            "k1_gq_rut_don": and_(solved, F.result == "rut_don"),
            **{f"k1_ld_{r}": and_(first, F.result == r) for r in ("dung", "sai",
                                                                   "dung_mot_phan")},
            "k1_lh_cong_nhan": and_(second, F.result == "cong_nhan"),
            "k1_lh_huy_sua": and_(second, F.result == "huy_sua"),
            "k1_th_dung": and_(solved, F.on_time.is_(True)),
            "k1_th_khong_dung": and_(solved, F.on_time.is_(False)),
            "k2_qd_tong": and_(solved, F.status_decided.is_(True), F.result != "rut_don")}


def _letter_columns(w: Window) -> dict[str, Any]:
    """Every counted column, as a condition on a letter of the period (ky_truoc or trong_ky)."""
    letters = _Letters(w)
    return {**letters.xld1(), **letters.xld2_to_4(), **letters.kqgq()}


async def letter_counts(session: AsyncSession, w: Window) -> dict[str | None, dict[str, int]]:
    """{unit code: {column: count}} over the letters of the window: received in it, or
    received before it and still open at its start (kỳ trước chuyển sang)."""
    columns = _letter_columns(w)
    carried = and_(F.received_on < w.start, or_(F.closed_on.is_(None), F.closed_on >= w.start))
    query = (select(F.unit_code, *[count_if(c).label(k) for k, c in columns.items()])
             .where(or_(F.received_on.between(w.start, w.end), carried))
             .group_by(F.unit_code))
    if w.unit is not None:
        query = query.where(F.unit_code == w.unit)
    return {row.unit_code: {k: int(getattr(row, k)) for k in columns}
            for row in await session.execute(query)}


def _derived(values: dict[str, int]) -> dict[str, int]:
    """Columns that are differences of counted ones."""
    return {**values, "x1_chua_xu_ly": values["x1_tong"] - values["x1_da_xu_ly"],
            "x1_du_dk_vu_viec": values["x1_du_dk_don"],
            "x1_tt_chua_xong": values["x1_du_dk_don"] - values["x1_tt_lan_dau"],
            "x4_chua_gq": values["x4_tong"] - values["x4_da_gq"],
            "k1_so_vu_viec": values["k1_don_tong"]}


_PREFIX = {"01/XLD": "x1_", "02/XLD": "x2_", "03/XLD": "x3_", "04/XLD": "x4_",
           "01/KQGQ": "k1_", "02/KQGQ": "k2_"}


def letter_tables(counts: Mapping[str | None, dict[str, int]], namer: Namer,
                  settings: DocumentSettings | None) -> list[Table]:
    forms = load_forms(settings)
    per_unit = sorted(((namer(code).name_vi, _derived(v)) for code, v in counts.items()))
    tables = []
    for code, prefix in _PREFIX.items():
        spec = forms[code]
        rows = [{k: v for k, v in values.items() if k.startswith(prefix)} for _, values in per_unit]
        keyed = [{k.removeprefix(prefix): v for k, v in r.items()} for r in rows]
        columns = spec.keys()  # FormSpec's own columns: a pydantic model has no `in`
        keyed = [{k: v for k, v in r.items() if k in columns} for r in keyed]
        named = [{"don_vi": name, **r} for (name, _), r in zip(per_unit, keyed, strict=True)]
        tables.append(spec.build([*named, _total(named)], notes=_notes(spec.keys(), keyed)))
    return tables


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = {k for r in rows for k in r if k != "don_vi"}
    return {"don_vi": TOTAL, **{k: sum(r.get(k) or 0 for r in rows) for k in keys}}


def _notes(keys: list[str], rows: list[dict[str, Any]]) -> list[str]:
    filled = {"don_vi", *(k for r in rows for k in r)} if rows else {"don_vi"}
    return [BLANK_NOTE] if any(k not in filled and k != "ghi_chu" for k in keys) else []


def reception_table(rows: list[Any], namer: Namer, settings: DocumentSettings | None) -> Table:
    """01/TCD from the citizen-reception sessions of the data period, by unit."""
    per_unit: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in rows:
        into = per_unit[s.unit_code]
        cases = s.cases_first_time + s.cases_repeated
        for key, value in (("tong_luot", s.visits), ("tong_nguoi", s.persons),
                           ("tong_vu_viec", cases)):
            into[key] += value
        group = _reception_group(s)
        for key, value in (("luot", s.visits), ("nguoi", s.persons),
                           ("vv_lan_dau", s.cases_first_time), ("vv_nhieu_lan", s.cases_repeated),
                           ("doan_so_doan", s.group_delegations), ("doan_nguoi", s.group_persons),
                           ("so_ky", 1)):
            if not (group == "tx" and key == "so_ky"):
                into[f"{group}_{key}"] += value
    named = sorted(({"don_vi": namer(code).name_vi, **values} for code, values in
                    per_unit.items()), key=lambda r: r["don_vi"])
    spec = load_forms(settings)["01/TCD"]
    return spec.build([*named, _total(named)] if named else [],
                      notes=[BLANK_NOTE] if named else [])


def _reception_group(session: Any) -> str:
    """tx: regular reception (or by staff); tt: the head received; uq: delegated."""
    if session.regularity == "thuong_xuyen" or session.received_by == "can_bo":
        return "tx"
    return "tt" if session.received_by == "thu_truong" else "uq"
