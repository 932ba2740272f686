"""Extensions (gia hạn) within the law's limits, and clocks stopped while a case is suspended."""

from datetime import date

import pytest

from services.routing.deadline_policies import DeadlinePolicies
from services.routing.deadlines import (
    DeadlineRequest,
    ExtensionRefused,
    PauseRefused,
    StepDeadline,
    compute_deadlines,
    extend,
    pause,
)
from shared.calendar import default_calendar

D = date


@pytest.fixture(scope="module")
def policies() -> DeadlinePolicies:
    return DeadlinePolicies.load()


def step_of(policies, request: DeadlineRequest, step: str = "giai_quyet") -> StepDeadline:
    steps = compute_deadlines(request, policies=policies, calendar=default_calendar())
    return next(s for s in steps if s.step == step)


def extended(policies, deadline: StepDeadline, days: int, especially: bool = False):
    return extend(deadline, days=days, especially_complicated=especially, policies=policies,
                  calendar=default_calendar())


@pytest.fixture
def denunciation(policies) -> StepDeadline:
    # accepted 4/7/2024: 30 days end on Saturday 3/8 → Monday 5/8/2024
    return step_of(policies, DeadlineRequest("to_cao", D(2024, 6, 24), accepted_on=D(2024, 7, 4)))


def test_complicated_denunciation_extends_once(policies, denunciation: StepDeadline) -> None:
    assert denunciation.due_on == D(2024, 8, 5)
    once = extended(policies, denunciation, 30)
    assert (once.days, once.extensions) == (60, 1)
    assert once.due_on == D(2024, 9, 4)  # 2/9/2024 is Quốc khánh; 3/9 too
    with pytest.raises(ExtensionRefused, match="tối đa 1 lần đối với vụ việc phức tạp"):
        extended(policies, once, 10)


def test_especially_complicated_denunciation_extends_twice_then_refuses(
    policies, denunciation: StepDeadline
) -> None:
    twice = extended(policies, extended(policies, denunciation, 30, True), 30, True)
    assert (twice.days, twice.extensions) == (90, 2)
    assert twice.due_on == D(2024, 10, 2)
    with pytest.raises(ExtensionRefused, match=r"gia hạn lần 3.*Luật Tố cáo 2018, Điều 30"):
        extended(policies, twice, 5, True)


@pytest.mark.parametrize("days", [0, -3, 31])
def test_extension_days_must_be_within_30(policies, denunciation: StepDeadline, days: int):
    with pytest.raises(ExtensionRefused, match="từ 1 đến 30 ngày"):
        extended(policies, denunciation, days)


def test_complaint_extends_up_to_the_complicated_limit(policies) -> None:
    normal = step_of(policies, DeadlineRequest("khieu_nai", D(2025, 3, 21),
                                               accepted_on=D(2025, 3, 31)))
    complicated = step_of(policies, DeadlineRequest("khieu_nai", D(2025, 3, 21),
                                                    accepted_on=D(2025, 3, 31), complicated=True))
    with pytest.raises(ExtensionRefused, match="từ 1 đến 15 ngày"):
        extended(policies, normal, 16)
    assert extended(policies, normal, 15).due_on == complicated.due_on == D(2025, 5, 15)


def test_remote_round_two_complaint_extends_by_at_most_10_days(policies) -> None:
    remote = step_of(policies, DeadlineRequest("khieu_nai", D(2026, 6, 15),
                                               accepted_on=D(2026, 6, 23), complaint_round=2,
                                               remote=True))
    assert remote.days == 60
    assert extended(policies, remote, 10).days == 70
    with pytest.raises(ExtensionRefused, match="từ 1 đến 10 ngày"):
        extended(policies, remote, 11)


def test_complaint_already_at_complicated_limit_cannot_extend(policies) -> None:
    complicated = step_of(policies, DeadlineRequest("khieu_nai", D(2025, 3, 21),
                                                    accepted_on=D(2025, 3, 31), complicated=True))
    with pytest.raises(ExtensionRefused, match="không cho phép gia hạn"):
        extended(policies, complicated, 5)


def test_complaint_has_no_especially_complicated_extension(policies) -> None:
    normal = step_of(policies, DeadlineRequest("khieu_nai", D(2025, 3, 21),
                                               accepted_on=D(2025, 3, 31)))
    with pytest.raises(ExtensionRefused, match="đặc biệt phức tạp"):
        extended(policies, normal, 5, True)


def test_letter_handling_cannot_be_extended(policies) -> None:
    handling = step_of(policies, DeadlineRequest("phan_anh", D(2025, 3, 21)), "xu_ly_don")
    with pytest.raises(ExtensionRefused):
        extended(policies, handling, 5)


def test_suspension_stops_the_denunciation_clock(policies) -> None:
    resolve = step_of(policies, DeadlineRequest("to_cao", D(2026, 2, 6),
                                                accepted_on=D(2026, 2, 24)))
    paused = pause(resolve, paused_on=D(2026, 3, 2), resumed_on=D(2026, 3, 12),
                   policies=policies, calendar=default_calendar())
    assert resolve.due_on == D(2026, 3, 26)
    assert paused.paused_days == 10
    assert paused.due_on == D(2026, 4, 6)  # 5/4/2026 is a Sunday


def test_pause_then_extension_both_count(policies) -> None:
    resolve = step_of(policies, DeadlineRequest("to_cao", D(2026, 2, 6),
                                                accepted_on=D(2026, 2, 24)))
    paused = pause(resolve, paused_on=D(2026, 3, 2), resumed_on=D(2026, 3, 12),
                   policies=policies, calendar=default_calendar())
    assert extended(policies, paused, 30).due_on == D(2026, 5, 5)  # 24/2 + 70 = 5/5/2026


@pytest.mark.parametrize(
    ("paused_on", "resumed_on", "message"),
    [
        (D(2026, 3, 12), D(2026, 3, 2), "trước ngày tạm đình chỉ"),
        (D(2026, 4, 1), D(2026, 4, 10), "nằm trong thời hạn"),
    ],
)
def test_unusable_pause_dates_are_refused(policies, paused_on, resumed_on, message) -> None:
    resolve = step_of(policies, DeadlineRequest("to_cao", D(2026, 2, 6),
                                                accepted_on=D(2026, 2, 24)))
    with pytest.raises(PauseRefused, match=message):
        pause(resolve, paused_on=paused_on, resumed_on=resumed_on, policies=policies,
              calendar=default_calendar())


def test_complaint_clock_cannot_be_paused(policies) -> None:
    resolve = step_of(policies, DeadlineRequest("khieu_nai", D(2025, 3, 21),
                                                accepted_on=D(2025, 3, 31)))
    with pytest.raises(PauseRefused, match="không quy định tạm dừng"):
        pause(resolve, paused_on=D(2025, 4, 2), resumed_on=D(2025, 4, 9), policies=policies,
              calendar=default_calendar())
