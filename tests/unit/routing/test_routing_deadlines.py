"""Statutory deadlines on the real calendar 2024–2027: steps, holidays, provisional acceptance."""

from datetime import date
from pathlib import Path

import pytest

from services.routing.deadline_policies import (
    DEFAULT_POLICIES_PATH,
    DeadlinePolicies,
    DeadlinePolicyError,
)
from services.routing.deadlines import DeadlineRequest, compute_deadlines, transfer_deadline
from shared.calendar import default_calendar

D = date


@pytest.fixture(scope="module")
def policies() -> DeadlinePolicies:
    return DeadlinePolicies.load()


def due_dates(request: DeadlineRequest, policies: DeadlinePolicies) -> dict[str, date]:
    steps = compute_deadlines(request, policies=policies, calendar=default_calendar())
    return {s.step: s.due_on for s in steps}


# (request, expected due date per step, why)
CASES = [
    (
        DeadlineRequest("khieu_nai", D(2024, 1, 29), accepted_on=D(2024, 2, 5)),
        {"xu_ly_don": D(2024, 2, 15), "thu_ly": D(2024, 2, 15), "giai_quyet": D(2024, 3, 6)},
        "10 days end on 29 Tết 2024: next working day after Tết",
    ),
    (
        DeadlineRequest("khieu_nai", D(2025, 1, 17), accepted_on=D(2025, 2, 3), complicated=True),
        {"xu_ly_don": D(2025, 2, 3), "thu_ly": D(2025, 2, 3), "giai_quyet": D(2025, 3, 20)},
        "round 1 complicated: 45 days",
    ),
    (
        DeadlineRequest("khieu_nai", D(2025, 3, 21), accepted_on=D(2025, 3, 31)),
        {"xu_ly_don": D(2025, 3, 31), "thu_ly": D(2025, 3, 31), "giai_quyet": D(2025, 5, 5)},
        "30 days end on 30/4/2025: past the 30/4–4/5 break",
    ),
    (
        DeadlineRequest("khieu_nai", D(2025, 3, 21), accepted_on=D(2025, 3, 31), remote=True),
        {"xu_ly_don": D(2025, 3, 31), "thu_ly": D(2025, 3, 31), "giai_quyet": D(2025, 5, 15)},
        "round 1 remote area: 45 days",
    ),
    (
        DeadlineRequest("khieu_nai", D(2026, 7, 20), accepted_on=D(2026, 7, 30), complaint_round=2),
        {"xu_ly_don": D(2026, 7, 30), "thu_ly": D(2026, 7, 30), "giai_quyet": D(2026, 9, 14)},
        "round 2: 45 days end on a Sunday",
    ),
    (
        DeadlineRequest(
            "khieu_nai", D(2026, 6, 15), accepted_on=D(2026, 6, 23), complaint_round=2,
            complicated=True, remote=True,
        ),
        {"xu_ly_don": D(2026, 6, 25), "thu_ly": D(2026, 6, 25), "giai_quyet": D(2026, 9, 3)},
        "round 2 remote and complicated: 70 days end on Quốc khánh 2026",
    ),
    (
        DeadlineRequest("to_cao", D(2026, 2, 6), accepted_on=D(2026, 2, 24)),
        {
            "xu_ly_don": D(2026, 2, 24),
            "thong_bao_nguoi_to_cao": D(2026, 3, 3),
            "giai_quyet": D(2026, 3, 26),
        },
        "denunciation across Tết 2026: working days skip Tết",
    ),
    (
        DeadlineRequest("to_cao", D(2024, 4, 24), accepted_on=D(2024, 5, 3)),
        {
            "xu_ly_don": D(2024, 5, 7),
            "thong_bao_nguoi_to_cao": D(2024, 5, 9),
            "giai_quyet": D(2024, 6, 3),
        },
        "across 27/4–1/5/2024; the worked Saturday 4/5 counts",
    ),
    (
        DeadlineRequest("phan_anh", D(2026, 12, 22)),
        {"xu_ly_don": D(2027, 1, 4), "giai_quyet": D(2027, 1, 13)},
        "ends on 1/1/2027; internal SLA 15 working days",
    ),
    (
        DeadlineRequest("kien_nghi", D(2026, 8, 12)),
        {"xu_ly_don": D(2026, 8, 22), "giai_quyet": D(2026, 9, 4)},
        "ends on Saturday 22/8/2026, which is worked",
    ),
    (
        DeadlineRequest("gop_y", D(2027, 1, 25)),
        {"xu_ly_don": D(2027, 2, 11), "giai_quyet": D(2027, 2, 22)},
        "ends in Tết 2027",
    ),
]


@pytest.mark.parametrize(("request_", "expected", "why"), CASES)
def test_compute_deadlines(policies, request_: DeadlineRequest, expected: dict, why: str) -> None:
    assert due_dates(request_, policies) == expected, why


def test_steps_carry_unit_basis_and_confirmation(policies: DeadlinePolicies) -> None:
    request = DeadlineRequest("to_cao", D(2026, 2, 6), accepted_on=D(2026, 2, 24))
    steps = {s.step: s for s in compute_deadlines(request, policies=policies,
                                                  calendar=default_calendar())}
    notify, resolve = steps["thong_bao_nguoi_to_cao"], steps["giai_quyet"]
    assert (notify.unit, notify.counted_from, notify.days) == ("working", "acceptance", 5)
    assert notify.legal_basis == "Luật Tố cáo 2018, Điều 29" and not notify.unconfirmed
    assert (resolve.unit.value, resolve.days, resolve.start_on) == ("calendar", 30, D(2026, 2, 24))
    assert steps["xu_ly_don"].unconfirmed
    assert notify.step_label_vi == "Thông báo thụ lý cho người tố cáo"


def test_without_acceptance_date_counts_from_latest_lawful_acceptance(policies) -> None:
    request = DeadlineRequest("khieu_nai", D(2024, 1, 29))
    steps = compute_deadlines(request, policies=policies, calendar=default_calendar())
    resolve = next(s for s in steps if s.step == "giai_quyet")
    assert resolve.provisional and resolve.start_on == D(2024, 2, 15)
    assert resolve.due_on == D(2024, 3, 18)  # 16/3/2024 is a Saturday
    assert not any(s.provisional for s in steps if s.step != "giai_quyet")


@pytest.mark.parametrize(
    ("kind", "received", "due", "days", "unit"),
    [
        ("to_cao", D(2026, 2, 12), D(2026, 2, 26), 5, "working"),
        ("phan_anh", D(2026, 2, 6), D(2026, 2, 23), 10, "calendar"),
        ("khieu_nai", D(2024, 8, 23), D(2024, 9, 4), 10, "calendar"),
    ],
)
def test_transfer_deadline(policies, kind: str, received: date, due: date, days: int, unit: str):
    step = transfer_deadline(kind, received, policies=policies, calendar=default_calendar())
    assert (step.step, step.due_on, step.days, step.unit.value) == ("chuyen_don", due, days, unit)
    assert step.unconfirmed


def test_transfer_is_not_a_routine_step(policies: DeadlinePolicies) -> None:
    assert "chuyen_don" not in due_dates(DeadlineRequest("to_cao", D(2026, 3, 2)), policies)


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (DeadlineRequest("to_cao", D(2026, 3, 2), complaint_round=2), "chỉ áp dụng cho"),
        (DeadlineRequest("khieu_nai", D(2026, 3, 2), complaint_round=3), "1 hoặc 2"),
        (DeadlineRequest("khieu_nai", D(2026, 3, 2), accepted_on=D(2026, 3, 1)), "trước ngày nhận"),
    ],
)
def test_invalid_requests_are_refused(policies, request_: DeadlineRequest, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compute_deadlines(request_, policies=policies, calendar=default_calendar())


def test_unconfirmed_values_are_flagged_in_the_data(policies: DeadlinePolicies) -> None:
    flagged = {p.id for p in policies.all if p.unconfirmed}
    assert {"pakn-xu-ly-don", "pakn-giai-quyet-sla", "kn2-thu-ly", "tc-xu-ly-ban-dau",
            "tc-chuyen-don"} <= flagged
    assert not flagged & {"kn1-thu-ly", "kn1-giai-quyet", "tc-thong-bao-nguoi-to-cao",
                          "tc-giai-quyet"}


def test_every_kind_has_routine_steps(policies: DeadlinePolicies) -> None:
    for kind in ("phan_anh", "kien_nghi", "khieu_nai", "to_cao", "gop_y"):
        assert "xu_ly_don" in policies.steps_for(kind, 1 if kind == "khieu_nai" else None)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("up_to_policy: kn1-giai-quyet-phuc-tap", "up_to_policy: khong-co"), "is unknown"),
        (("  giai_quyet: \"Giải quyết\"\n", ""), "has no label"),
        (("id: kn1-giai-quyet-phuc-tap", "id: kn1-giai-quyet"), "share an id"),
        (("    days: 45\n", "    days: 0\n"), "greater than 0"),
    ],
)
def test_invalid_policy_files_are_refused(tmp_path: Path, edit, message: str) -> None:
    text = DEFAULT_POLICIES_PATH.read_text(encoding="utf-8")
    assert edit[0] in text
    path = tmp_path / "policies.yaml"
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(DeadlinePolicyError, match=message):
        DeadlinePolicies.load(path)
