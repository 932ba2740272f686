from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.notify.schedule import (
    AckRequest, CaseDeadline, NotifyPolicy, ReportDue, StepWalker, acknowledgement_blocker,
    clamp_to_office_hours, idempotency_key, load_policy, messages_per_deadline,
    plan_acknowledgement, plan_case_notifications, plan_daily_digest, plan_task_report_reminders,
    select_due,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def assert_in_office_hours(dt, calendar):
    local = dt.astimezone(VN)
    assert calendar.is_working_day(local.date()), local
    assert time(7, 30) <= local.time() < time(16, 30), local


class TestClampToOfficeHours:
    def test_keeps_time_inside_office_hours(self, policy, calendar):
        assert clamp_to_office_hours(at(2026, 3, 4, 10), policy, calendar) == at(2026, 3, 4, 10)

    def test_moves_early_morning_to_opening(self, policy, calendar):
        assert clamp_to_office_hours(at(2026, 3, 4, 6), policy, calendar) == at(2026, 3, 4, 7, 30)

    def test_moves_friday_evening_to_monday(self, policy, calendar):
        assert clamp_to_office_hours(at(2026, 3, 6, 17), policy, calendar) == at(2026, 3, 9, 7, 30)

    def test_closing_time_itself_is_outside(self, policy, calendar):
        clamped = clamp_to_office_hours(at(2026, 3, 4, 16, 30), policy, calendar)
        assert clamped == at(2026, 3, 5, 7, 30)

    def test_skips_tet_2026(self, policy, calendar):
        clamped = clamp_to_office_hours(at(2026, 2, 13, 17), policy, calendar)
        assert clamped == at(2026, 2, 23, 7, 30)

    def test_swapped_saturday_is_a_working_day(self, policy, calendar):
        assert clamp_to_office_hours(at(2026, 1, 10, 9), policy, calendar) == at(2026, 1, 10, 9)

    def test_converts_utc_to_local_time(self, policy, calendar):
        utc = datetime(2026, 3, 4, 3, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Hà Nội
        assert clamp_to_office_hours(utc, policy, calendar) == at(2026, 3, 4, 10)

    def test_rejects_naive_datetime(self, policy, calendar):
        with pytest.raises(ValueError):
            clamp_to_office_hours(datetime(2026, 3, 4, 10), policy, calendar)


class TestPlanCaseNotifications:
    def test_default_ladder_dates__due_before_tet(self, policy, calendar):
        plan = plan_case_notifications(CaseDeadline("KN-1", "resolve", date(2026, 2, 13)),
                                       policy, calendar)
        assert [(p.kind, p.audience, p.send_at) for p in plan] == [
            ("reminder", "unit", at(2026, 2, 10, 8)),
            ("due_today", "unit", at(2026, 2, 13, 8)),
            ("urging", "unit", at(2026, 2, 23, 8)),
            ("escalation_head", "unit_head", at(2026, 2, 25, 8)),
            ("escalation_leadership", "leadership", at(2026, 2, 27, 8)),
        ]

    def test_due_on_a_weekend__due_day_reminder_on_previous_working_day(self, policy, calendar):
        plan = plan_case_notifications(CaseDeadline("KN-1", "accept", date(2026, 3, 7)),
                                       policy, calendar)
        sends = {p.kind: p.send_at for p in plan}
        assert sends["due_today"] == at(2026, 3, 6, 8)
        assert sends["reminder"] == at(2026, 3, 4, 8)
        assert sends["urging"] == at(2026, 3, 9, 8)

    def test_keys_are_stable_across_replans(self, policy, calendar):
        deadline = CaseDeadline("KN-1", "resolve", date(2026, 2, 13))
        first = [p.idempotency_key for p in plan_case_notifications(deadline, policy, calendar)]
        again = [p.idempotency_key for p in plan_case_notifications(deadline, policy, calendar)]
        assert first == again and len(set(first)) == len(first)

    def test_new_due_date_gives_new_keys(self, policy, calendar):
        old = plan_case_notifications(CaseDeadline("KN-1", "resolve", date(2026, 2, 13)),
                                      policy, calendar)
        new = plan_case_notifications(CaseDeadline("KN-1", "resolve", date(2026, 3, 13)),
                                      policy, calendar)
        assert not {p.idempotency_key for p in old} & {p.idempotency_key for p in new}

    @pytest.mark.parametrize("due", [date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 16),
                                     date(2026, 1, 10), date(2026, 1, 2), date(2026, 12, 31)])
    def test_every_deadline_calls_for_the_same_number_of_messages(self, policy, calendar, due):
        """notify announces its live count from this number, without planning again."""
        plan = plan_case_notifications(CaseDeadline("KN-1", "resolve", due), policy, calendar)
        assert len(plan) == messages_per_deadline(policy) == 5

    def test_key_depends_on_every_part(self):
        base = ("KN-1", "resolve", date(2026, 2, 13), "urging", "unit")
        keys = {idempotency_key(*base)}
        for i, other in enumerate(("KN-2", "accept", date(2026, 2, 14), "reminder", "unit_head")):
            keys.add(idempotency_key(*base[:i], other, *base[i + 1:]))
        assert len(keys) == 6

    def test_ladder_is_editable(self, calendar):
        policy = NotifyPolicy.model_validate({
            "office_hours": {"start": "08:00", "end": "17:00"}, "send_time": "09:15",
            "ladder": [{"kind": "urging", "offset_working_days": 2, "audience": "unit",
                        "template": "urging"}],
        })
        plan = plan_case_notifications(CaseDeadline("KN-1", "resolve", date(2026, 3, 4)),
                                       policy, calendar)
        assert [(p.kind, p.send_at) for p in plan] == [("urging", at(2026, 3, 6, 9, 15))]

    def test_send_time_outside_office_hours_is_clamped(self, calendar):
        policy = NotifyPolicy.model_validate({"send_time": "18:00", "reminders": [
            {"kind": "due_today", "offset_working_days": 0, "audience": "unit",
             "template": "due_today"}]})
        plan = plan_case_notifications(CaseDeadline("KN-1", "resolve", date(2026, 3, 6)),
                                       policy, calendar)
        assert plan[0].send_at == at(2026, 3, 9, 7, 30)


class TestPolicyFile:
    def test_shipped_defaults(self, policy):
        assert [(s.kind, s.offset_working_days) for s in policy.reminders] == [
            ("reminder", 3), ("due_today", 0)]
        assert [(s.audience, s.offset_working_days) for s in policy.ladder] == [
            ("unit", 1), ("unit_head", 3), ("leadership", 5)]
        assert (policy.office_hours.start, policy.office_hours.end) == (time(7, 30), time(16, 30))

    def test_rejects_office_hours_that_end_before_they_start(self):
        with pytest.raises(ValidationError, match="office_hours"):
            NotifyPolicy.model_validate({"office_hours": {"start": "17:00", "end": "08:00"}})

    def test_rejects_negative_offset_naming_the_field(self):
        bad = {"ladder": [{"kind": "x", "offset_working_days": -1, "audience": "unit",
                           "template": "urging"}]}
        with pytest.raises(ValidationError, match="offset_working_days"):
            NotifyPolicy.model_validate(bad)

    def test_loads_an_edited_copy(self, tmp_path):
        path = tmp_path / "policy.yaml"
        path.write_text('office_hours: {start: "08:00", end: "17:00"}\n', encoding="utf-8")
        assert load_policy(path).office_hours.start == time(8, 0)


class TestSelectDue:
    def test_older_reminder_superseded_when_both_are_due(self, policy, calendar):
        plan = plan_case_notifications(CaseDeadline("KN-1", "resolve", date(2026, 3, 13)),
                                       policy, calendar)
        send, skip = select_due(plan, at(2026, 3, 13, 9), set(), policy, calendar)
        assert [p.kind for p in send] == ["due_today"]
        assert [p.kind for p in skip] == ["reminder"]

    def test_reminders_dropped_once_deadline_passed_but_ladder_kept(self, policy, calendar):
        plan = plan_case_notifications(CaseDeadline("KN-1", "resolve", date(2026, 3, 13)),
                                       policy, calendar)
        send, skip = select_due(plan, at(2026, 3, 16, 9), set(), policy, calendar)
        assert [p.kind for p in send] == ["urging"]
        assert sorted(p.kind for p in skip) == ["due_today", "reminder"]

    def test_waits_outside_office_hours(self, policy, calendar):
        plan = plan_case_notifications(CaseDeadline("KN-1", "resolve", date(2026, 3, 13)),
                                       policy, calendar)
        send, skip = select_due(plan, at(2026, 3, 17, 20), set(), policy, calendar)
        assert send == [] and skip

    def test_done_keys_are_not_sent_again(self, policy, calendar):
        plan = plan_case_notifications(CaseDeadline("KN-1", "resolve", date(2026, 3, 13)),
                                       policy, calendar)
        done = {p.idempotency_key for p in plan}
        assert select_due(plan, at(2026, 4, 1, 9), done, policy, calendar) == ([], [])


class TestWalkerAcrossWeekendAndTet:
    def test_walks_reminder_due_day_urging_and_two_escalations(
        self, policy, calendar, make_clock
    ):
        plan = plan_case_notifications(CaseDeadline("KN-2026-0007", "resolve", date(2026, 2, 13)),
                                       policy, calendar)
        clock = make_clock(at(2026, 2, 5, 22))
        walker = StepWalker(plan, clock, policy, calendar)
        sent = []
        while (wake := walker.next_wakeup()) is not None:
            assert wake >= clock.now
            clock.now = wake
            sent += [(p.kind, clock.now) for p in walker.tick()]
        assert [kind for kind, _ in sent] == [
            "reminder", "due_today", "urging", "escalation_head", "escalation_leadership"]
        assert [when.date() for _, when in sent] == [
            date(2026, 2, 10), date(2026, 2, 13), date(2026, 2, 23), date(2026, 2, 25),
            date(2026, 2, 27)]
        for _, when in sent:
            assert_in_office_hours(when, calendar)
        assert walker.skipped == []

    def test_restart_during_tet_sends_late_items_at_next_opening(
        self, policy, calendar, make_clock
    ):
        plan = plan_case_notifications(CaseDeadline("KN-9", "resolve", date(2026, 2, 12)),
                                       policy, calendar)
        clock = make_clock(at(2026, 2, 18, 10))  # the service was down from 11/2 to Tết
        walker = StepWalker(plan, clock, policy, calendar)
        clock.now = walker.next_wakeup()
        assert clock.now == at(2026, 2, 23, 7, 30)
        assert [p.kind for p in walker.tick()] == ["urging"]
        assert sorted(p.kind for p in walker.skipped) == ["due_today", "reminder"]
        assert_in_office_hours(clock.now, calendar)


class TestAcknowledgements:
    def ack(self, **overrides):
        values = dict(case_ref="TC-1", case_type="to_cao", event="accepted",
                      occurred_on=date(2026, 2, 12), sender_consent=True,
                      sender_contact="nguoi.to.cao@example.org")
        return AckRequest(**{**values, **overrides})

    def test_to_cao_acceptance_notice_due_within_5_working_days(self, policy, calendar):
        [planned] = plan_acknowledgement(self.ack(), policy, calendar, at(2026, 2, 12, 20))
        assert planned.template == "to_cao_acceptance" and planned.audience == "sender"
        assert planned.not_after == at(2026, 2, 26, 16, 30)  # 13, 23, 24, 25, 26 (Tết skipped)

    def test_other_case_types_use_the_plain_status_template(self, policy, calendar):
        [planned] = plan_acknowledgement(self.ack(case_type="khieu_nai"), policy, calendar,
                                         at(2026, 3, 2, 9))
        assert planned.template == "status_accepted" and planned.not_after is None

    def test_sent_immediately_by_default(self, policy, calendar):
        [planned] = plan_acknowledgement(self.ack(event="received"), policy, calendar,
                                         at(2026, 2, 14, 21))
        assert planned.send_at == at(2026, 2, 14, 21) and not planned.office_hours_only

    def test_office_hours_respected_when_configured(self, calendar):
        policy = load_policy().model_copy(update={"acknowledgements": load_policy()
            .acknowledgements.model_copy(update={"respect_office_hours": True})})
        [planned] = plan_acknowledgement(self.ack(event="received"), policy, calendar,
                                         at(2026, 2, 14, 21))
        assert planned.send_at == at(2026, 2, 23, 7, 30)

    @pytest.mark.parametrize("change, reason", [
        ({"sender_consent": False}, "consent"),
        ({"sender_contact": None}, "contact"),
        ({"sender_contact": "  "}, "contact"),
        ({"event": "unknown"}, "template"),
    ])
    def test_blocked__nothing_planned_and_reason_given(self, policy, calendar, change, reason):
        ack = self.ack(**change)
        assert reason in acknowledgement_blocker(ack, policy)
        assert plan_acknowledgement(ack, policy, calendar, at(2026, 3, 2, 9)) == []

    def test_same_event_same_key__repeated_extension_different_key(self, policy, calendar):
        now = at(2026, 3, 2, 9)
        one = plan_acknowledgement(self.ack(event="extended", detail="2026-04-01"), policy,
                                   calendar, now)
        same = plan_acknowledgement(self.ack(event="extended", detail="2026-04-01"), policy,
                                    calendar, now + timedelta(hours=3))
        two = plan_acknowledgement(self.ack(event="extended", detail="2026-05-01"), policy,
                                   calendar, now)
        assert one[0].idempotency_key == same[0].idempotency_key != two[0].idempotency_key


class TestTaskReportsAndDigest:
    def test_report_reminders_at_5_1_0_working_days(self, policy, calendar):
        plan = plan_task_report_reminders(ReportDue("P-LDVL", "so-ket-6-thang-2026",
                                                    date(2026, 6, 15)), policy, calendar)
        assert [p.send_at for p in plan] == [at(2026, 6, 8, 8), at(2026, 6, 12, 8),
                                             at(2026, 6, 15, 8)]
        assert {p.template for p in plan} == {"task_report_reminder"}
        assert len({p.idempotency_key for p in plan}) == 3

    def test_offsets_landing_on_one_day_collapse(self, policy, calendar):
        plan = plan_task_report_reminders(ReportDue("P-LDVL", "tong-ket-2026",
                                                    date(2026, 2, 21)), policy, calendar)
        assert [p.send_at.date() for p in plan] == [date(2026, 2, 9), date(2026, 2, 13)]

    def test_digest_on_working_days_only(self, policy, calendar):
        assert plan_daily_digest("P-LDVL", date(2026, 2, 17), policy, calendar) is None
        digest = plan_daily_digest("P-LDVL", date(2026, 2, 23), policy, calendar)
        assert digest.send_at == at(2026, 2, 23, 7, 30) and digest.template == "daily_digest"
