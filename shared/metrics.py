"""Domain counters every service can import and increment; served on each service's /metrics
beside FastStream's own metrics (received, processed, published, durations) and the process's.

Increment after the unit of work commits, so that a rolled-back or redelivered message is not
counted twice. Labels take values from closed sets only (kinds, channels, report families): never
a reference, a name or anything a person wrote.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

# prometheus_client's default registry: it also holds the process and Python collectors.
DOMAIN_REGISTRY: CollectorRegistry = REGISTRY

CASES_RECEIVED = Counter(
    "dvk_cases_received", "Feedback cases accepted by intake.", ["kind", "channel"],
    registry=DOMAIN_REGISTRY)
CASES_REJECTED = Counter(
    "dvk_cases_rejected", "Ingress messages intake refused (kept in its rejected store).",
    registry=DOMAIN_REGISTRY)
CASES_ASSIGNED = Counter(
    "dvk_cases_assigned", "Cases routing assigned to a unit (triage: held by the Office).",
    ["triage"], registry=DOMAIN_REGISTRY)
CASES_OVERDUE = Counter(
    "dvk_cases_overdue", "Case steps whose deadline passed without being done.", ["kind"],
    registry=DOMAIN_REGISTRY)
NOTIFICATIONS_SENT = Counter(
    "dvk_notifications_sent", "Notifications delivered.", ["channel"], registry=DOMAIN_REGISTRY)
NOTIFICATIONS_FAILED = Counter(
    "dvk_notifications_failed", "Notification deliveries that failed (each attempt).",
    ["channel"], registry=DOMAIN_REGISTRY)
REPORTS_BUILT = Counter(
    "dvk_reports_built", "Consolidated reports built.", ["family"], registry=DOMAIN_REGISTRY)
MESSAGES_DEAD_LETTERED = Counter(
    "dvk_messages_dead_lettered", "Messages the consume guard copied to dvk.dlx.", ["queue"],
    registry=DOMAIN_REGISTRY)

GROUP_COMMIT_MESSAGES = Histogram(
    "dvk_group_commit_messages", "Messages committed together in one transaction.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128), registry=DOMAIN_REGISTRY)
GROUP_COMMITS_ABORTED = Counter(
    "dvk_group_commits_aborted",
    "Shared transactions rolled back because one of their messages failed.",
    registry=DOMAIN_REGISTRY)


def case_received(*, kind: str, channel: str) -> None:
    CASES_RECEIVED.labels(kind=kind, channel=channel).inc()


def case_rejected() -> None:
    CASES_REJECTED.inc()


def case_assigned(*, triage: bool = False) -> None:
    CASES_ASSIGNED.labels(triage=str(triage).lower()).inc()


def case_overdue(*, kind: str) -> None:
    CASES_OVERDUE.labels(kind=kind).inc()


def notification_sent(*, channel: str) -> None:
    NOTIFICATIONS_SENT.labels(channel=channel).inc()


def notification_failed(*, channel: str) -> None:
    NOTIFICATIONS_FAILED.labels(channel=channel).inc()


def report_built(*, family: str) -> None:
    REPORTS_BUILT.labels(family=family).inc()


def message_dead_lettered(queue: str) -> None:
    MESSAGES_DEAD_LETTERED.labels(queue=queue).inc()


def value(counter: Counter, **labels: str) -> float:
    """The current value of a counter (for tests and `dvk ops`): 0 when never incremented."""
    sample = DOMAIN_REGISTRY.get_sample_value(f"{counter._name}_total", labels or None)
    return sample or 0.0


def group_committed(messages: int) -> None:
    GROUP_COMMIT_MESSAGES.observe(messages)


def group_aborted() -> None:
    GROUP_COMMITS_ABORTED.inc()
