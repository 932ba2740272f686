"""Expected values of the inspectorate's tables, from a generated history's story, in plain
Python (the column definitions are those of docs/reporting.md)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

PA = ("kien_nghi", "phan_anh", "gop_y")


def _competent(t: Any) -> bool:
    if t.within is not None:
        return t.within
    return not (t.action in ("guided", "transferred") or t.close_kind == "transferred_out")


def _outside(t: Any) -> str | None:
    if _competent(t):
        return None
    return t.action or ("transferred" if t.close_kind == "transferred_out" else None)


def _eligible(t: Any) -> bool:
    return t.eligible if t.eligible is not None else t.close_kind != "rejected"


def letters(truths: list[Any], start: date, end: date) -> dict[str | None, Counter]:
    """{unit: {"01/XLD.tong": n, ...}} over the letters of the data period."""
    rows: dict[str | None, Counter] = defaultdict(Counter)
    for t in truths:
        inside = start <= t.received_on <= end
        carried = t.received_on < start and (t.closed_on is None or t.closed_on >= start)
        if inside or carried:
            _count(rows[t.unit], t, inside, start, end)
    return rows


def _count(c: Counter, t: Any, inside: bool, start: date, end: date) -> None:
    processed = t.processed_on is not None and t.processed_on <= end
    eligible = _eligible(t)
    _add(c, "01/XLD", tong=1, trong_ky=inside, ky_truoc=not inside, da_xu_ly=processed,
         chua_xu_ly=not processed, du_dk_don=eligible, du_dk_vu_viec=eligible,
         van_ban_phuc_dap=t.replied)
    if eligible:
        _classified(c, t, processed, end)
    if t.kind == "khieu_nai" and _competent(t):
        _complaint_results(c, t, inside, start, end)


def _classified(c: Counter, t: Any, processed: bool, end: date) -> None:
    competent, outside, r2 = _competent(t), _outside(t), t.complaint_round == 2
    group = "kn" if t.kind == "khieu_nai" else "tc" if t.kind == "to_cao" else "pa"
    actions = {"ktq_huong_dan": outside == "guided", "ktq_chuyen_don": outside == "transferred",
               "ktq_don_doc": outside == "urged"}
    _add(c, "01/XLD", nd_khieu_nai=group == "kn", nd_to_cao=group == "tc",
         nd_kien_nghi=group == "pa", tt_lan_dau=r2, tt_chua_xong=not r2, tq_tong=competent,
         tq_khieu_nai=competent and group == "kn", tq_to_cao=competent and group == "tc",
         tq_kien_nghi=competent and group == "pa", **actions)
    open_end = t.closed_on is None or t.closed_on > end
    if group == "kn":
        _add(c, "02/XLD", tong=1, gq_lan_dau=r2, dang_gq=not r2 and open_end and processed,
             chua_gq=not r2 and open_end and not processed, tq_lan_dau=competent and not r2,
             tq_lan_hai=competent and r2, **actions)
    elif group == "tc":
        _add(c, "03/XLD", tong=1, chua_gq=open_end, tq_lan_dau=competent, **actions)
    else:
        done = not open_end and t.close_kind == "resolved"
        _add(c, "04/XLD", tong=1, thuoc_tq=competent, khong_thuoc_tq=not competent, da_gq=done,
             chua_gq=not done)


def _complaint_results(c: Counter, t: Any, inside: bool, start: date, end: date) -> None:
    resolved_in = (t.closed_on is not None and start <= t.closed_on <= end
                   and t.close_kind == "resolved")
    result, r2 = (t.result if resolved_in else None), t.complaint_round == 2
    _add(c, "01/KQGQ", don_tong=1, don_ky_truoc=not inside, don_trong_ky=inside, so_vu_viec=1,
         gq_quyet_dinh=resolved_in and result != "rut_don", gq_rut_don=result == "rut_don",
         ld_dung=not r2 and result == "dung", ld_sai=not r2 and result == "sai",
         ld_dung_mot_phan=not r2 and result == "dung_mot_phan",
         lh_cong_nhan=r2 and result == "cong_nhan", lh_huy_sua=r2 and result == "huy_sua",
         th_dung=resolved_in and t.closed_on <= t.due_on,
         th_khong_dung=resolved_in and t.closed_on > t.due_on)
    _add(c, "02/KQGQ", qd_tong=resolved_in and t.decided and result != "rut_don")


def _add(c: Counter, form: str, **values: bool | int) -> None:
    for key, value in values.items():
        c[f"{form}.{key}"] += int(value)


def reception(sessions: list[Any]) -> dict[str, Counter]:
    """{unit: {key: n}} of 01/TCD from the citizen-reception sessions."""
    rows: dict[str, Counter] = defaultdict(Counter)
    for s in sessions:
        c = rows[s.unit_code]
        cases = s.cases_first_time + s.cases_repeated
        c.update({"tong_luot": s.visits, "tong_nguoi": s.persons, "tong_vu_viec": cases})
        if s.regularity == "thuong_xuyen" or s.received_by == "can_bo":
            g = "tx"
        else:
            g = "tt" if s.received_by == "thu_truong" else "uq"
            c[f"{g}_so_ky"] += 1
        c.update({f"{g}_luot": s.visits, f"{g}_nguoi": s.persons,
                  f"{g}_vv_lan_dau": s.cases_first_time, f"{g}_vv_nhieu_lan": s.cases_repeated,
                  f"{g}_doan_so_doan": s.group_delegations, f"{g}_doan_nguoi": s.group_persons})
    return rows
