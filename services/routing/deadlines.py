"""Statutory deadlines of a case, computed from data policies on the working calendar.

Pure functions: a request and the policies in, due dates out. Extensions (gia hạn) and pauses
(tạm đình chỉ) return a new StepDeadline; the law's limits are enforced here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from services.routing.deadline_policies import (
    CountedFrom,
    DayUnit,
    DeadlinePolicies,
    DeadlinePolicy,
    ExtensionAllowance,
    Step,
    Variant,
)
from shared.calendar import WorkingCalendar

# When the acceptance date is not known yet, acceptance-based steps are counted from the
# latest lawful acceptance: the due date of the first of these steps the case has.
_ACCEPTANCE_DEADLINE_STEPS = (Step.THU_LY, Step.XU_LY_DON)


class ExtensionRefused(ValueError):
    """The law does not allow this extension (gia hạn); the message says why, in Vietnamese."""


class PauseRefused(ValueError):
    """The law does not stop this clock, or the pause dates are not usable."""


@dataclass(frozen=True)
class DeadlineRequest:
    kind: str
    received_on: date
    accepted_on: date | None = None
    complaint_round: int | None = None
    complicated: bool = False
    remote: bool = False

    @property
    def variant(self) -> Variant:
        if self.remote:
            return Variant.REMOTE_COMPLICATED if self.complicated else Variant.REMOTE
        return Variant.COMPLICATED if self.complicated else Variant.NORMAL

    @property
    def round_for_policies(self) -> int | None:
        if self.kind != "khieu_nai":
            if self.complaint_round is not None:
                raise ValueError("Lần khiếu nại (complaint_round) chỉ áp dụng cho đơn khiếu nại.")
            return None
        if self.complaint_round not in (None, 1, 2):
            raise ValueError(f"Lần khiếu nại phải là 1 hoặc 2 (nhận: {self.complaint_round}).")
        return self.complaint_round or 1


@dataclass(frozen=True)
class StepDeadline:
    step: str
    step_label_vi: str
    due_on: date
    days: int
    unit: DayUnit
    counted_from: CountedFrom
    legal_basis: str
    unconfirmed: bool
    start_on: date
    policy_id: str
    variant: Variant = Variant.NORMAL
    provisional: bool = False
    extensions: int = 0
    paused_days: int = 0
    note: str = ""


def compute_deadlines(
    request: DeadlineRequest, *, policies: DeadlinePolicies, calendar: WorkingCalendar
) -> list[StepDeadline]:
    """Each routine step of the case with its due date, in the policies' order."""
    if request.accepted_on and request.accepted_on < request.received_on:
        raise ValueError("Ngày thụ lý (accepted_on) trước ngày nhận đơn (received_on).")
    chosen = _policies_for(request, policies)
    by_receipt = {
        p.step: _deadline(p, request.received_on, policies, calendar)
        for p in chosen
        if p.counted_from is CountedFrom.RECEIPT
    }
    acceptance, provisional = _acceptance_date(request, by_receipt)
    results = []
    for policy in chosen:
        if policy.counted_from is CountedFrom.RECEIPT:
            results.append(by_receipt[policy.step])
        elif acceptance is not None:
            step = _deadline(policy, acceptance, policies, calendar)
            results.append(replace(step, provisional=provisional))
    return results


def transfer_deadline(
    kind: str, received_on: date, *, policies: DeadlinePolicies, calendar: WorkingCalendar
) -> StepDeadline:
    """By when a case outside the Department's competence must be forwarded (chuyển đơn)."""
    policy = policies.find(kind, Step.CHUYEN_DON, None, Variant.NORMAL)
    if policy is None:
        raise ValueError(f"Không có chính sách thời hạn chuyển đơn cho loại đơn {kind!r}.")
    return _deadline(policy, received_on, policies, calendar)


def extend(
    deadline: StepDeadline,
    *,
    days: int,
    especially_complicated: bool = False,
    policies: DeadlinePolicies,
    calendar: WorkingCalendar,
) -> StepDeadline:
    """Apply one extension (gia hạn) of `days` within the law's limits.

    Raises ExtensionRefused (message in Vietnamese) when the law does not allow it.
    """
    policy = policies.get_or_raise(deadline.policy_id)
    allowance, basis = _allowance(policy, especially_complicated)
    degree = "đặc biệt phức tạp" if especially_complicated else "phức tạp"
    if deadline.extensions >= allowance.max_extensions:
        raise ExtensionRefused(
            f"Không thể gia hạn lần {deadline.extensions + 1}: {basis} chỉ cho phép gia hạn "
            f"tối đa {allowance.max_extensions} lần đối với vụ việc {degree}."
        )
    limit = _max_extension_days(deadline, allowance, policies)
    if not 0 < days <= limit:
        raise ExtensionRefused(
            f"Số ngày gia hạn phải từ 1 đến {limit} ngày theo {basis} (đề nghị: {days} ngày)."
        )
    return _recomputed(
        replace(deadline, days=deadline.days + days, extensions=deadline.extensions + 1), calendar
    )


def pause(
    deadline: StepDeadline,
    *,
    paused_on: date,
    resumed_on: date,
    policies: DeadlinePolicies,
    calendar: WorkingCalendar,
) -> StepDeadline:
    """Stop the clock from `paused_on` to `resumed_on` where the law allows (tạm đình chỉ)."""
    policy = policies.get_or_raise(deadline.policy_id)
    if not policy.pause_basis:
        raise PauseRefused(f"Luật không quy định tạm dừng thời hạn bước {deadline.step_label_vi}.")
    if resumed_on < paused_on:
        raise PauseRefused("Ngày tiếp tục giải quyết trước ngày tạm đình chỉ.")
    if paused_on < deadline.start_on or paused_on > deadline.due_on:
        raise PauseRefused("Ngày tạm đình chỉ phải nằm trong thời hạn đang tính.")
    if deadline.unit is DayUnit.WORKING:
        length = calendar.working_days_between(paused_on, resumed_on)
    else:
        length = (resumed_on - paused_on).days
    return _recomputed(replace(deadline, paused_days=deadline.paused_days + length), calendar)


# --- internals --------------------------------------------------------------------------


def _policies_for(request: DeadlineRequest, policies: DeadlinePolicies) -> list[DeadlinePolicy]:
    round_ = request.round_for_policies
    steps = policies.steps_for(request.kind, round_)
    if not steps:
        raise ValueError(f"Không có chính sách thời hạn cho loại đơn {request.kind!r}.")
    found = (policies.find(request.kind, s, round_, request.variant) for s in steps)
    return [p for p in found if p is not None]


def _acceptance_date(
    request: DeadlineRequest, by_receipt: dict[Step, StepDeadline]
) -> tuple[date | None, bool]:
    if request.accepted_on is not None:
        return request.accepted_on, False
    for step in _ACCEPTANCE_DEADLINE_STEPS:
        if step in by_receipt:
            return by_receipt[step].due_on, True
    return None, False


def _deadline(
    policy: DeadlinePolicy, start: date, policies: DeadlinePolicies, calendar: WorkingCalendar
) -> StepDeadline:
    return StepDeadline(
        step=str(policy.step),
        step_label_vi=policies.label(policy.step),
        due_on=_due(calendar, policy.unit, start, policy.days),
        days=policy.days,
        unit=policy.unit,
        counted_from=policy.counted_from,
        legal_basis=policy.legal_basis,
        unconfirmed=policy.unconfirmed,
        start_on=start,
        policy_id=policy.id,
        variant=policy.variant,
        note=policy.note,
    )


def _due(calendar: WorkingCalendar, unit: DayUnit, start: date, days: int) -> date:
    if unit is DayUnit.WORKING:
        return calendar.add_working_days(start, days)
    return calendar.add_calendar_days_law(start, days)


def _recomputed(deadline: StepDeadline, calendar: WorkingCalendar) -> StepDeadline:
    total = deadline.days + deadline.paused_days
    return replace(deadline, due_on=_due(calendar, deadline.unit, deadline.start_on, total))


def _allowance(
    policy: DeadlinePolicy, especially_complicated: bool
) -> tuple[ExtensionAllowance, str]:
    if policy.extension is None:
        raise ExtensionRefused(f"Luật không cho phép gia hạn thời hạn này ({policy.legal_basis}).")
    spec = policy.extension
    allowance = spec.especially_complicated if especially_complicated else spec.complicated
    if allowance is None:
        degree = "đặc biệt phức tạp" if especially_complicated else "phức tạp"
        raise ExtensionRefused(f"{spec.legal_basis} không quy định gia hạn cho vụ việc {degree}.")
    return allowance, spec.legal_basis


def _max_extension_days(
    deadline: StepDeadline, allowance: ExtensionAllowance, policies: DeadlinePolicies
) -> int:
    if allowance.max_days_each is not None:
        return allowance.max_days_each
    ceiling = policies.get_or_raise(allowance.up_to_policy or "").days
    return ceiling - deadline.days
