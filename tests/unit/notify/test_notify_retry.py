from datetime import datetime, timedelta, UTC

from services.notify.channels import DeliveryResult, OutgoingMessage
from services.notify.retry import (
    ChannelHealth, RetryAction, RetryPolicy, backoff_delay, decide, destination_key,
    next_attempt_at,
)

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
POLICY = RetryPolicy(base_delay=timedelta(minutes=1), factor=2, max_delay=timedelta(minutes=30),
                     failing_after=3)


def test_backoff_doubles_then_caps():
    delays = [backoff_delay(n, POLICY) for n in range(1, 9)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 30, 30, 30)]


def test_backoff_is_deterministic_and_survives_huge_attempt_counts():
    assert next_attempt_at(3, NOW, POLICY) == next_attempt_at(3, NOW, POLICY)
    assert next_attempt_at(10_000, NOW, POLICY) == NOW + timedelta(minutes=30)


def test_decide__sent_is_done():
    assert decide(DeliveryResult.sent(), 1, NOW, POLICY).action is RetryAction.DONE


def test_decide__transient_is_retried_forever():
    decision = decide(DeliveryResult.transient("SMTP 451"), 500, NOW, POLICY)
    assert decision.action is RetryAction.RETRY
    assert decision.retry_at == NOW + timedelta(minutes=30)


def test_decide__permanent_is_parked_not_dropped():
    decision = decide(DeliveryResult.permanent("SMTP 550"), 1, NOW, POLICY)
    assert decision.action is RetryAction.PARK and "550" in decision.reason


def test_destination_keys():
    mail = OutgoingMessage("k", "email", ["VanPhong@SoLDTBXH.example.vn"], "s", "b")
    hook = OutgoingMessage("k", "webhook", "https://hooks.example.vn:8443/dvk?x=1", "s", "b")
    assert destination_key(mail) == "email:soldtbxh.example.vn"
    assert destination_key(hook) == "webhook:https://hooks.example.vn:8443"


class TestChannelHealth:
    def test_failing_after_n_consecutive_failures(self):
        health = ChannelHealth(POLICY)
        for i in range(2):
            health.record_failure("email:x", NOW + timedelta(minutes=i), "SMTP 451")
        assert not health.is_failing("email:x")
        state = health.record_failure("email:x", NOW + timedelta(minutes=2), "SMTP 451")
        assert health.is_failing("email:x") and state.consecutive_failures == 3
        assert health.failing() == {"email:x": state}

    def test_failing_destination_lets_one_probe_through_per_backoff(self):
        health = ChannelHealth(POLICY)
        for _ in range(3):
            health.record_failure("webhook:h", NOW)
        assert not health.may_attempt("webhook:h", NOW + timedelta(minutes=3))
        assert health.may_attempt("webhook:h", NOW + timedelta(minutes=4))
        assert health.may_attempt("email:other", NOW)

    def test_success_resets(self):
        health = ChannelHealth(POLICY)
        for _ in range(5):
            health.record("email:x", DeliveryResult.transient("down"), NOW)
        health.record("email:x", DeliveryResult.sent(), NOW)
        assert not health.is_failing("email:x")
        assert health.status("email:x").consecutive_failures == 0

    def test_failing_since_is_kept_while_failures_continue(self):
        health = ChannelHealth(POLICY)
        for i in range(6):
            health.record_failure("email:x", NOW + timedelta(hours=i))
        assert health.status("email:x").failing_since == NOW + timedelta(hours=2)
