"""A generated history of cases, as events, with the story each case was generated from.

For tests and benchmarks only: the events go through the same projections as live ones, and
the story (`CaseTruth`) lets a test compute every figure independently of the read model.
Deterministic for a seed. No personal data: to_cao subjects carry a marker a test can look for
in the outputs.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shared.contracts.base import Envelope, Payload, make_envelope
from shared.contracts.feedback import FeedbackReceived
from shared.contracts.notify import CaseEscalated, NotificationsScheduled
from shared.contracts.routing import CaseAssigned, CaseReassigned, DeadlineChanged
from shared.contracts.updates import CaseStatusChanged

START, END = date(2025, 1, 1), date(2026, 12, 31)
# (code, share of cases, probability a case is resolved on time)
UNITS = (("VAN_PHONG", 0.30, 0.93), ("THANH_TRA", 0.22, 0.85),
         ("LAO_DONG_VIEC_LAM", 0.20, 0.78), ("NGUOI_CO_CONG", 0.17, 0.88),
         ("TT_DICH_VU_VIEC_LAM", 0.1097, 0.70), ("KE_HOACH_TAI_CHINH", 0.0003, 0.5))
KINDS = (("phan_anh", 0.35), ("kien_nghi", 0.30), ("khieu_nai", 0.15), ("to_cao", 0.07),
         ("gop_y", 0.13))
CHANNELS = (("don_thu", 0.30), ("tiep_cong_dan", 0.20), ("cong_dich_vu_cong", 0.25),
            ("duong_day_nong", 0.10), ("email", 0.10), ("hom_thu_gop_y", 0.05))
RESOLVE_DAYS = {"phan_anh": 21, "kien_nghi": 21, "gop_y": 21, "khieu_nai": 40, "to_cao": 45}
RESULTS = {"khieu_nai": ("dung", "sai", "dung_mot_phan", "rut_don"),
           "khieu_nai_2": ("cong_nhan", "huy_sua", "rut_don"),
           "to_cao": ("dung", "sai", "dung_mot_phan", "rut", "dinh_chi")}
DENUNCIATION_MARK = "DAU-HIEU-TO-CAO"


@dataclass
class GeneratedEvent:
    payload: Payload
    event_id: str
    occurred_at: datetime

    def envelope(self) -> Envelope[Any]:
        return make_envelope(self.payload, producer="synthetic", event_id=self.event_id,
                             occurred_at=self.occurred_at)


@dataclass
class CaseTruth:
    """What happened to a case, as the generator decided it (local dates)."""

    ref: str
    kind: str
    channel: str
    received_on: date
    unit: str | None
    due_on: date | None
    complaint_round: int | None
    eligible: bool | None = None
    within: bool | None = None
    action: str | None = None
    replied: bool = False
    closed_on: date | None = None
    close_kind: str | None = None
    result: str | None = None
    decided: bool = False
    processed_on: date | None = None
    escalations: list[date] = field(default_factory=list)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    return rng.choices(weighted, weights=[w[1] for w in weighted])[0]


def _at(day: date, hour: int = 3) -> datetime:
    """10:00 in Hà Tĩnh (03:00 UTC): its local date is `day`."""
    return datetime.combine(day, time(hour, rng_minute(day)), tzinfo=UTC)


def rng_minute(day: date) -> int:
    return day.toordinal() % 60


class CaseGenerator:
    def __init__(self, seed: int, start: date = START, end: date = END) -> None:
        self.rng, self.start, self.end = random.Random(seed), start, end
        self.n = 0

    def _id(self) -> str:
        self.n += 1
        return f"{self.rng.getrandbits(64):016x}-{self.n:08d}"

    def chunks(self, total: int, size: int = 10_000
               ) -> Iterator[tuple[list[CaseTruth], list[GeneratedEvent]]]:
        done = 0
        while done < total:
            truths, events = [], []
            for i in range(done, min(total, done + size)):
                truth, evs = self.case(i)
                truths.append(truth)
                self.rng.shuffle(evs)  # projections must not care about the order
                events.extend(evs)
            done += len(truths)
            yield truths, events

    def case(self, i: int) -> tuple[CaseTruth, list[GeneratedEvent]]:
        rng = self.rng
        days = (self.end - self.start).days
        received_on = self.start + timedelta(days=rng.randrange(days + 1))
        kind, channel = _pick(rng, KINDS)[0], _pick(rng, CHANNELS)[0]
        rnd = (2 if rng.random() < 0.15 else 1) if kind == "khieu_nai" else None
        truth = CaseTruth(ref=f"PAKN-{received_on.year}-{i:07d}", kind=kind, channel=channel,
                          received_on=received_on, unit=None, due_on=None, complaint_round=rnd)
        events = [self._received(truth)]
        unit_spec = _pick(rng, UNITS)
        if rng.random() < 0.003:  # never assigned: the Office still holds it
            return truth, events
        events += self._routing(truth, unit_spec[0])
        events += self._story(truth, on_time=rng.random() < unit_spec[2])
        return truth, events

    def _received(self, t: CaseTruth) -> GeneratedEvent:
        rng = self.rng
        letter = None
        if rng.random() < 0.4:
            t.eligible = rng.random() < 0.9
            t.within = rng.random() < 0.85
            t.action = None if t.within else rng.choice(("guided", "transferred", "urged"))
            t.replied = rng.random() < 0.3
            letter = {"eligible": t.eligible, "within_competence": t.within, "action": t.action,
                      "reply_document": "12/TB-VP" if t.replied else None}
            if t.action:
                t.processed_on = t.received_on
        subject = f"{DENUNCIATION_MARK} {t.ref}" if t.kind == "to_cao" else f"Vụ việc {t.ref}"
        payload = FeedbackReceived(
            source_system="synthetic", external_id=t.ref, kind=t.kind, channel=t.channel,
            received_at=_at(t.received_on, 2), subject=subject, content="Nội dung vụ việc.",
            locality={"district": "Thạch Hà"}, letter=letter,
            complaint={"round": t.complaint_round} if t.complaint_round else None, ref=t.ref,
            sender={"anonymous": False, "consent_to_contact": False, "has_contact": False,
                    "protected": t.kind == "to_cao"})
        return GeneratedEvent(payload, self._id(), _at(t.received_on, 2))

    def _deadlines(self, t: CaseTruth, due: date) -> list[dict[str, Any]]:
        steps = (("xu_ly_don", t.received_on + timedelta(days=10)), ("giai_quyet", due))
        return [{"step": s, "label": s, "due_on": d, "days": (d - t.received_on).days,
                 "day_unit": "calendar", "counted_from": t.received_on, "legal_basis": "x"}
                for s, d in steps]

    def _routing(self, t: CaseTruth, unit: str) -> list[GeneratedEvent]:
        rng = self.rng
        days = RESOLVE_DAYS[t.kind] + (15 if t.complaint_round == 2 else 0)
        t.unit, t.due_on = unit, t.received_on + timedelta(days=days)
        assignment = {"unit_code": unit, "unit_name": unit, "rule_id": "r", "explanation": "x"}
        events = [GeneratedEvent(CaseAssigned(
            ref=t.ref, kind=t.kind, received_at=_at(t.received_on, 2), assignment=assignment,
            deadlines=self._deadlines(t, t.due_on)), self._id(), _at(t.received_on, 4))]
        if rng.random() < 0.04:  # transferred to another unit of the Department
            t.unit = rng.choice([u[0] for u in UNITS[:5] if u[0] != unit])
            events.append(GeneratedEvent(CaseReassigned(
                ref=t.ref, kind=t.kind, from_unit=unit, reason="x",
                assignment={**assignment, "unit_code": t.unit, "unit_name": t.unit},
                deadlines=self._deadlines(t, t.due_on)), self._id(),
                _at(t.received_on + timedelta(days=3))))
        if t.kind in ("khieu_nai", "to_cao") and rng.random() < 0.1:  # gia hạn
            t.due_on += timedelta(days=20)
            events.append(GeneratedEvent(DeadlineChanged(
                ref=t.ref, kind=t.kind, unit_code=t.unit, reason="gia hạn",
                deadlines=self._deadlines(t, t.due_on)), self._id(),
                _at(t.received_on + timedelta(days=20))))
        if rng.random() < 0.1:
            events.append(GeneratedEvent(NotificationsScheduled(
                ref=t.ref, unit_code=t.unit, items=[]), self._id(), _at(t.received_on, 5)))
        return events

    def _status(self, t: CaseTruth, status: str, day: date, previous: str = "accepted",
                hour: int = 3, **details: Any) -> GeneratedEvent:
        """A status change at `hour` UTC: acceptance 3, reopening 5, closing 8 (same-day
        changes keep their order)."""
        return GeneratedEvent(CaseStatusChanged(
            ref=t.ref, kind=t.kind, status=status, previous_status=previous,
            unit_code=t.unit or "VAN_PHONG", occurred_at=_at(day, hour), **details),
            self._id(), _at(day, hour))

    def _story(self, t: CaseTruth, *, on_time: bool) -> list[GeneratedEvent]:
        rng, events = self.rng, []
        accepted = t.received_on + timedelta(days=rng.randint(1, 8))
        if rng.random() < 0.9 and accepted <= self.end:
            events.append(self._status(t, "accepted", accepted, previous="received"))
            t.processed_on = min(filter(None, (t.processed_on, accepted)))
        if rng.random() < 0.03:
            return events  # forgotten: open, and overdue once its date passes
        span = (t.due_on - t.received_on).days
        closed = (t.received_on + timedelta(days=rng.randint(8, span)) if on_time
                  else t.due_on + timedelta(days=rng.randint(1, 40)))
        events += self._escalations(t, closed)
        if rng.random() < 0.02 and closed + timedelta(days=60) <= self.end:  # reopened
            events.append(self._close(t, closed, record=False))
            events.append(self._status(t, "reopened", closed + timedelta(days=10), "resolved",
                                       hour=5))
            closed += timedelta(days=rng.randint(15, 50))
        if closed <= self.end:
            events.append(self._close(t, closed))
        return events

    def _escalations(self, t: CaseTruth, closed: date) -> list[GeneratedEvent]:
        events = []
        for after in (1, 8):
            sent = t.due_on + timedelta(days=after)
            if sent < closed and sent <= self.end:
                t.escalations.append(sent)
                events.append(GeneratedEvent(CaseEscalated(
                    ref=t.ref, unit_code=t.unit, step="giai_quyet", level=f"l{after}",
                    due_on=t.due_on, sent_at=_at(sent, 1)), self._id(), _at(sent, 1)))
        return events

    def _close(self, t: CaseTruth, day: date, record: bool = True) -> GeneratedEvent:
        rng = self.rng
        how = rng.choices(("resolved", "rejected", "transferred"), weights=(88, 7, 5))[0]
        key = "khieu_nai_2" if t.complaint_round == 2 else t.kind
        result = rng.choice(RESULTS.get(key, ("da_tra_loi",)))
        decided = how == "resolved" and rng.random() < 0.8
        details: dict[str, Any] = {
            "resolved": {"resolution": {"result": result,
                                        "document_number": "15/QĐ-SNV" if decided else None}},
            "rejected": {"rejection": {"legal_ground": "Điều 11"}},
            "transferred": {"transfer": {"to_external_body": "UBND huyện", "reason": "x"}},
        }[how]
        t.processed_on = min(filter(None, (t.processed_on, day)))
        if record:
            t.closed_on, t.decided = day, decided
            t.close_kind = {"transferred": "transferred_out"}.get(how, how)
            t.result = result if how == "resolved" else None
        return self._status(t, how, day, hour=8, **details)
