"""Generated movement records for tests and benchmarks: plan progress, models, sessions,
inspections, as events (see synthetic.py). The events are their own truth: a test computes the
expected figures from the payloads, never from the read model."""

from __future__ import annotations

import random
from datetime import date, timedelta

from shared.contracts.plan import (InspectionRecorded, ModelRegistered, ModelReviewed,
                                   SessionRecorded, TaskProgressReported)
from shared.plan import PlanCatalogue
from shared.units import UnitCatalogue

from .periods import half_period
from .synthetic import END, START, GeneratedEvent, _at

FIELDS = ("kinh_te", "van_hoa_xa_hoi", "quoc_phong_an_ninh", "xay_dung_he_thong_chinh_tri")
REVIEWS = ("cong_nhan", "tieu_bieu", "de_nghi_khen_thuong", "khong_cong_nhan", "loai_bo")
STATUSES = ("not_started", "in_progress", "done", "blocked")


class MovementGenerator:
    def __init__(self, seed: int, *, plan: PlanCatalogue, units: UnitCatalogue) -> None:
        self.rng, self.plan, self.units, self.n = random.Random(seed), plan, units, 0

    def _id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.rng.getrandbits(48):012x}-{self.n:06d}"

    def events(self) -> list[GeneratedEvent]:
        events: list[GeneratedEvent] = []
        for year in range(START.year, END.year + 1):
            for half in (1, 2):
                events += self.progress(year, half)
            events += self.models(year) + self.inspections(year)
        events += self.sessions()
        return events

    def progress(self, year: int, half: int) -> list[GeneratedEvent]:
        rng, period = self.rng, half_period(year, half)
        events = []
        for section in self.plan.sections:
            for task in section.tasks:
                for unit in self.plan.units_for(task, units=self.units, on=period.end):
                    if rng.random() < 0.15:
                        continue  # this unit has not reported on this task
                    code = rng.choices((f"{year}-H{half}", f"{year}",
                                        f"{year}-Q{2 * half}"), weights=(8, 1, 1))[0]
                    for _ in range(rng.choice((1, 1, 2))):  # sometimes a later update
                        day = period.end - timedelta(days=rng.randint(0, 40))
                        events.append(self._progress(task, section, unit, code, day))
        return events

    def _progress(self, task, section, unit: str, code: str, day: date) -> GeneratedEvent:
        rng = self.rng
        status = rng.choice(STATUSES)
        done = {"done": 100, "not_started": 0}.get(status, rng.randint(10, 90))
        at = _at(day, rng.randint(1, 9))
        return GeneratedEvent(TaskProgressReported(
            task_id=task.id, unit_code=unit, period=code, percent_done=done, status=status,
            done_text=f"Đã triển khai nội dung {task.id} tại đơn vị ({done}%).",
            evidence=[f"https://vanban.example.vn/{task.id}/{unit}"], reported_at=at,
            section=section.code, task_title=task.title), self._id("progress"), at)

    def models(self, year: int) -> list[GeneratedEvent]:
        rng, events = self.rng, []
        units = [u.code for u in self.units.active(on=date(year, 6, 30))
                 if u.kind.value in ("office", "inspectorate", "division",
                                     "public_service_unit")]
        for i in range(rng.randint(25, 40)):
            model_id = f"MH-{year}-{i:03d}"
            registered = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
            events.append(GeneratedEvent(ModelRegistered(
                model_id=model_id, name=f"Mô hình “Dân vận khéo” số {i + 1} năm {year}",
                field=rng.choice(FIELDS), kind=rng.choice(("tap_the", "ca_nhan")),
                unit_code=rng.choice(units), description="Cách làm gần dân, sát dân.",
                year=year, registered_on=registered), self._id("model"), _at(registered)))
            if rng.random() < 0.6:
                reviewed = registered + timedelta(days=rng.randint(10, 200))
                events.append(GeneratedEvent(ModelReviewed(
                    model_id=model_id, result=rng.choice(REVIEWS), level="cấp Sở",
                    reviewed_on=reviewed, note="Hiệu quả, được nhân rộng."), self._id("review"),
                    _at(reviewed)))
        return events

    def sessions(self) -> list[GeneratedEvent]:
        rng, events, day = self.rng, [], START
        while day <= END:
            kind = rng.choices(("thuong_xuyen", "dinh_ky", "dot_xuat", "doi_thoai"),
                               weights=(6, 2, 1, 1))[0]
            events.append(self._session(day, kind))
            day += timedelta(days=rng.randint(3, 9))
        return events

    def _session(self, day: date, kind: str) -> GeneratedEvent:
        rng = self.rng
        dialogue = kind == "doi_thoai"
        first, repeated = rng.randint(0, 6), rng.randint(0, 3)
        payload = SessionRecorded(
            session_id=self._id("session"), session_type="doi_thoai" if dialogue
            else "tiep_cong_dan", regularity="dinh_ky" if dialogue else kind, held_on=day,
            chaired_by="Phó Giám đốc Sở", received_by=rng.choice(("thu_truong", "uy_quyen",
                                                                   "can_bo")),
            unit_code=rng.choice(("VAN_PHONG", "THANH_TRA", "LAO_DONG_VIEC_LAM")),
            participants=rng.randint(10, 120), visits=first + repeated + rng.randint(0, 3),
            persons=first + repeated + rng.randint(0, 5), cases_first_time=first,
            cases_repeated=repeated, group_delegations=rng.choice((0, 0, 0, 1)),
            group_persons=rng.choice((0, 0, 6, 12)),
            issues_raised=[f"Ý kiến {i + 1}" for i in range(rng.randint(0, 5))])
        return GeneratedEvent(payload, payload.session_id, _at(day, 9))

    def inspections(self, year: int) -> list[GeneratedEvent]:
        rng, events = self.rng, []
        for i in range(rng.randint(5, 10)):
            started = date(year, 1, 1) + timedelta(days=rng.randint(0, 350))
            ended = started + timedelta(days=rng.randint(5, 30)) if rng.random() < 0.8 else None
            payload = InspectionRecorded(
                inspection_id=f"TTr-{year}-{i:02d}", unit_inspected=rng.choice((
                    "LAO_DONG_VIEC_LAM", "NGUOI_CO_CONG", "TT_DICH_VU_VIEC_LAM")),
                mode=rng.choice(("dinh_ky", "dot_xuat")), started_on=started, ended_on=ended,
                findings="Đơn vị thực hiện cơ bản đúng quy định; còn chậm công khai.",
                recommendations=[f"Kiến nghị {k + 1}" for k in range(rng.randint(0, 3))])
            events.append(GeneratedEvent(payload, self._id("inspection"), _at(ended or started)))
        return events
