"""notify's pure rules: reconciling a schedule with new deadlines, when a sender's message may
go, what a dispatcher does with due rows, and the send-time contexts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest

from services.notify import domain
from services.notify.compose import Claim
from services.notify.contexts import (
    CaseFacts, case_message_context, digest_context, period_label, sender_context,
    working_days_after,
)
from services.notify.outcomes import events, scrub
from services.notify.retry import RetryAction, RetryDecision
from services.notify.settings import NotifySettings, Webhook
from shared.units import Person, Unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Row:
    idempotency_key: str
    phase: str
    status: str


def _plan(policy, calendar, due):
    return domain.plan_deadlines("PAKN-2026-000001", [domain.Deadline("giai_quyet", due)],
                                 policy=policy, calendar=calendar)


class TestReconcile:
    def test_a_moved_deadline_cancels_pending_rows_and_inserts_new_keys(self, policy, calendar):
        old = _plan(policy, calendar, date(2026, 3, 13))
        rows = [Row(p.idempotency_key, p.phase, "sent" if p.kind == "reminder" else "scheduled")
                for p in old] + [Row(old[1].idempotency_key + "~qlvb", "before", "scheduled"),
                                 Row("ack_forwarded:1", "ack", "held")]
        change = domain.reconcile(rows, _plan(policy, calendar, date(2026, 4, 10)))
        assert len(change.insert) == 5 and change.revive == []
        assert set(change.cancel) == {p.idempotency_key for p in old[1:]} | {
            old[1].idempotency_key + "~qlvb"}  # sent stays sent; acks are not the case's plan

    def test_the_same_deadline_again_changes_nothing(self, policy, calendar):
        plan = _plan(policy, calendar, date(2026, 3, 13))
        rows = [Row(p.idempotency_key, p.phase, "scheduled") for p in plan]
        assert domain.reconcile(rows, plan) == domain.Reconciliation()

    def test_cancelled_rows_come_back_with_their_deadline(self, policy, calendar):
        plan = _plan(policy, calendar, date(2026, 3, 13))
        rows = [Row(p.idempotency_key, p.phase, "cancelled") for p in plan]
        assert set(domain.reconcile(rows, plan).revive) == {p.idempotency_key for p in plan}


class TestSettle:
    facts: ClassVar[dict] = dict(case_type="kien_nghi", sender_known=True, consent=True,
                                 has_contact=True, reached_unit=True)

    def test_goes_once_everything_is_known(self, policy):
        assert domain.settle(domain.SenderFacts(**self.facts), {}, policy) == ("scheduled", None)

    @pytest.mark.parametrize("change, expected", [
        ({"sender_known": False}, ("held", None)),
        ({"reached_unit": False}, ("held", None)),
        ({"consent": False}, ("blocked", "sender did not consent to electronic notices")),
        ({"has_contact": False}, ("blocked", "sender gave no contact address")),
    ])
    def test_waits_or_blocks(self, policy, change, expected):
        assert domain.settle(domain.SenderFacts(**{**self.facts, **change}), {}, policy) == \
            expected

    def test_an_extension_notice_waits_for_the_new_deadline(self, policy):
        at = datetime(2026, 3, 5, 8, 0, tzinfo=VN)
        waiting = {"wait_for_deadlines_after": at.isoformat()}
        before = domain.SenderFacts(**self.facts, deadlines_changed_at=at - timedelta(days=3))
        after = domain.SenderFacts(**self.facts, deadlines_changed_at=at + timedelta(minutes=1))
        assert domain.settle(before, waiting, policy)[0] == "held"
        assert domain.settle(after, waiting, policy)[0] == "scheduled"


def _candidate(key, kind, phase, due_at, **over):
    values = dict(key=key, case_ref="PAKN-2026-000001", channel="email", kind=kind,
                  audience="unit", phase=phase, step="giai_quyet", due_on=date(2026, 3, 13),
                  due_at=due_at, unit_code="LAO_DONG_VIEC_LAM", office_hours_only=True)
    return domain.Candidate(**{**values, **over})


class TestTriage:
    now = datetime(2026, 3, 13, 9, 0, tzinfo=VN)

    def test_superseded_reminder_is_skipped_per_channel(self, policy, calendar):
        items = [_candidate("r", "reminder", "before", self.now - timedelta(days=3)),
                 _candidate("d", "due_today", "before", self.now - timedelta(hours=1)),
                 _candidate("r~h", "reminder", "before", self.now - timedelta(days=3),
                            channel="webhook:h")]
        result = domain.triage(items, self.now, policy, calendar, lambda _: False)
        assert result.send == ["d", "r~h"] and list(result.skip) == ["r"]

    def test_passed_deadline_skips_reminders_not_the_ladder(self, policy, calendar):
        later = self.now + timedelta(days=3)  # the Monday after
        items = [_candidate("d", "due_today", "before", self.now),
                 _candidate("u", "urging", "after", self.now)]
        result = domain.triage(items, later, policy, calendar, lambda _: False)
        assert result.send == ["u"] and result.skip == {"d": "the deadline has passed"}

    def test_digest_units_get_case_reminders_in_the_digest(self, policy, calendar):
        items = [_candidate("d", "due_today", "before", self.now),
                 _candidate("u", "urging", "after", self.now)]
        result = domain.triage(items, self.now, policy, calendar, lambda _: True)
        assert result.digested == ["d"] and result.send == ["u"]

    def test_office_hours_messages_wait_outside_office_hours(self, policy, calendar):
        evening = datetime(2026, 3, 13, 17, 0, tzinfo=VN)
        items = [_candidate("d", "due_today", "before", self.now),
                 _candidate("a", "ack_forwarded", "ack", self.now, office_hours_only=False)]
        result = domain.triage(items, evening, policy, calendar, lambda _: False)
        assert result.wait == ["d"] and result.send == ["a"]


UNIT = Unit(code="LAO_DONG_VIEC_LAM", name="Phòng Lao động - Việc làm", kind="division",
            head=Person(name="Ngô Văn Lực", email="ldvl@so.example"))
CASE = CaseFacts(ref="PAKN-2026-000001", kind="to_cao", received_at=None,
                 summary="Tố cáo ông Nguyễn Văn A", protected=True,
                 unit_code="LAO_DONG_VIEC_LAM", unit_name="Phòng Lao động - Việc làm",
                 deadlines=({"step": "giai_quyet", "due_on": "2026-03-05"},
                            {"step": "thu_ly", "due_on": "2026-03-20"}))


class TestContexts:
    def test_working_days_after_skips_weekends_and_tet(self, calendar):
        assert working_days_after(calendar, date(2026, 2, 13), date(2026, 2, 23)) == 1
        assert working_days_after(calendar, date(2026, 2, 23), date(2026, 2, 13)) == 0

    def test_case_context_is_nested_and_counts_working_days(self, calendar):
        context = case_message_context(CASE, UNIT, step="giai_quyet", due_on=date(2026, 3, 5),
                                       today=date(2026, 3, 10), calendar=calendar,
                                       ladder={"urging": datetime(2026, 3, 6, 1, 0)})
        assert context["unit"] == {"code": UNIT.code, "name": UNIT.name,
                                   "head_name": "Ngô Văn Lực"}
        assert context["deadline"]["working_days_overdue"] == 3
        assert context["case"]["summary"] is None and context["case"]["confidential"] is True

    def test_digest_sorts_overdue_and_due_soon(self, calendar):
        context = digest_context(UNIT, [CASE], date(2026, 3, 10), calendar, 3)
        assert [i["step"] for i in context["overdue"]] == ["giai_quyet"]
        assert context["due_soon"] == [] and len(context["open_cases"]) == 1

    def test_sender_context_keeps_private_keys_out(self):
        context = sender_context(CASE, {"name": "Hoa"}, {"_correlation_id": "c",
                                                         "extension": {"reason": "x"}})
        assert "_correlation_id" not in context and context["sender"] == {"name": "Hoa"}
        assert context["deadline"]["due_date"] == date(2026, 3, 5)
        assert context["case"]["summary"] == "Tố cáo ông Nguyễn Văn A"  # their own words

    @pytest.mark.parametrize("period, label", [
        ("2026-H1", "6 tháng đầu năm 2026"), ("2026", "năm 2026"),
        ("2026-Q2", "quý II năm 2026"), ("2026-05", "tháng 05 năm 2026")])
    def test_period_labels(self, period, label):
        assert period_label(period) == label


def _claim(**over):
    values = dict(key="status_accepted:1", case_ref="PAKN-2026-000001", unit_code="",
                  kind="status_accepted", audience="sender", template="status_accepted",
                  step="accepted:", phase="ack", due_on=None, channel="email", context={},
                  attempts=1, not_after=None, alerted=False)
    return Claim(**{**values, **over})


class TestOutcomes:
    def test_a_senders_address_is_scrubbed_from_reasons(self):
        assert scrub(_claim(), "SMTP 550: <hoa.nt@example.vn> unknown") == \
            "SMTP 550: <[địa chỉ người gửi]> unknown"
        assert scrub(_claim(audience="unit"), "x@y.vn") == "x@y.vn"

    def test_ladder_step_is_also_an_escalation_event(self):
        claim = _claim(kind="urging", audience="unit", phase="after", due_on=date(2026, 3, 5),
                       unit_code="LAO_DONG_VIEC_LAM")
        now = datetime(2026, 3, 6, 1, 0, tzinfo=VN)
        found = events(claim, RetryDecision(RetryAction.DONE), now, alert=False)
        assert [e.type for e in found] == ["notify.notification_sent", "notify.case_escalated"]

    def test_a_retry_is_silent_until_reported(self):
        now = datetime(2026, 3, 6, 1, 0, tzinfo=VN)
        decision = RetryDecision(RetryAction.RETRY, now, "SMTP 451")
        assert events(_claim(), decision, now, alert=False) == []
        [failed] = events(_claim(), decision, now, alert=True)
        assert failed.data.parked is False


class TestSettings:
    def test_webhooks_from_json_never_get_sender_messages(self, monkeypatch):
        monkeypatch.setenv("DVK_NOTIFY_WEBHOOKS", '[{"name": "qlvb", "url": "https://q.vn/h",'
                                                  ' "secret": "0123456789abcdef"}]')
        [hook] = NotifySettings().webhooks
        assert hook.wants("urging", "unit") and not hook.wants("status_accepted", "sender")

    def test_webhook_names_are_unique(self):
        hook = {"name": "a", "url": "https://a.vn", "secret": "0123456789abcdef"}
        with pytest.raises(ValueError, match="unique"):
            NotifySettings(webhooks=[hook, hook])
        assert Webhook(**hook, kinds=("reminder",)).wants("reminder", "unit")
