"""routing's reaction to status changes: acceptance, extension, closure, transfer."""

from datetime import date

import pytest

from services.routing.deadline_policies import DeadlinePolicies
from services.routing.reactions import Track, react
from shared.calendar import default_calendar
from shared.contracts.updates import CaseStatusChanged
from shared.errors import PermanentError
from shared.testing.factories import update_payload
from shared.units import UnitCatalogue

POLICIES, CALENDAR, UNITS = DeadlinePolicies.load(), default_calendar(), UnitCatalogue.load()


def _change(status: str, on: str, kind: str = "khieu_nai", **details) -> CaseStatusChanged:
    payload = update_payload("PAKN-2026-000001", status, unit_code="THANH_TRA", **details)
    payload["occurred_at"] = f"{on}T09:00:00+07:00"
    for key in ("source_system", "update_id"):
        payload.pop(key)
    return CaseStatusChanged(**payload, kind=kind, previous_status="received")


def _react(track: Track, change: CaseStatusChanged):
    return react(track, change, policies=POLICIES, calendar=CALENDAR, units=UNITS)


def _due(reaction, step: str) -> date:
    return next(d.due_on for d in reaction.deadlines if d.step == step)


def test_acceptance_counts_the_resolution_from_the_acceptance_day():
    track = Track(kind="khieu_nai", received_on=date(2026, 2, 10), complaint_round=1,
                  unit_code="THANH_TRA")
    reaction = _react(track, _change("accepted", "2026-02-12"))
    # 30 days from 12/02/2026 end on Sat 14/03/2026: the next working day, Mon 16/03.
    assert _due(reaction, "giai_quyet") == date(2026, 3, 16)
    assert not next(d for d in reaction.deadlines if d.step == "giai_quyet").provisional


def test_extension_moves_the_resolution_deadline():
    track = Track(kind="to_cao", received_on=date(2026, 3, 2), complaint_round=None,
                  unit_code="THANH_TRA", accepted_on=date(2026, 3, 5))
    before = _react(track, _change("accepted", "2026-03-05", kind="to_cao"))
    after = _react(before.track, _change("extended", "2026-03-20", kind="to_cao"))
    assert _due(after, "giai_quyet") > _due(before, "giai_quyet")
    assert len(after.track.extensions) == 1


def test_extension_beyond_the_law_is_refused():
    ext = {"extension": {"reason": "x", "decision_number": "1", "days": 30}}
    track = Track(kind="to_cao", received_on=date(2026, 3, 2), complaint_round=None,
                  unit_code="THANH_TRA", accepted_on=date(2026, 3, 5))
    once = _react(track, _change("extended", "2026-03-20", kind="to_cao", **ext)).track
    with pytest.raises(PermanentError, match="gia hạn"):
        _react(once, _change("extended", "2026-04-20", kind="to_cao", **ext))


def test_resolution_closes_every_deadline():
    track = Track(kind="kien_nghi", received_on=date(2026, 5, 4), complaint_round=None,
                  unit_code="LAO_DONG_VIEC_LAM")
    reaction = _react(track, _change("resolved", "2026-05-10", kind="kien_nghi"))
    assert reaction.track.closed and reaction.deadlines == []


def test_internal_transfer_moves_the_case_to_the_new_unit():
    track = Track(kind="kien_nghi", received_on=date(2026, 5, 4), complaint_round=None,
                  unit_code="LAO_DONG_VIEC_LAM")
    reaction = _react(track, _change("transferred", "2026-05-06", kind="kien_nghi"))
    assert reaction.new_unit == "NGUOI_CO_CONG" and reaction.deadlines


def test_transfer_outside_the_department_closes_the_case_here():
    transfer = {"transfer": {"to_external_body": "Công an tỉnh Hà Tĩnh",
                             "reason": "Dấu hiệu tội phạm"}}
    track = Track(kind="to_cao", received_on=date(2026, 5, 4), complaint_round=None,
                  unit_code="THANH_TRA")
    reaction = _react(track, _change("transferred", "2026-05-06", kind="to_cao", **transfer))
    assert reaction.external_body == "Công an tỉnh Hà Tĩnh" and reaction.deadlines == []


def test_progress_note_changes_nothing():
    track = Track(kind="kien_nghi", received_on=date(2026, 5, 4), complaint_round=None,
                  unit_code="LAO_DONG_VIEC_LAM")
    assert _react(track, _change("in_progress", "2026-05-06", kind="kien_nghi")) is None


REMOTE = {"acceptance": {"remote_area": True}}


def test_a_complaint_accepted_as_from_a_remote_area_has_45_days_not_30():
    track = Track(kind="khieu_nai", received_on=date(2026, 2, 10), complaint_round=1,
                  unit_code="THANH_TRA")
    reaction = _react(track, _change("accepted", "2026-02-12", **REMOTE))
    # 45 days from 12/02/2026 end on Sun 29/03/2026: the next working day, Mon 30/03.
    assert _due(reaction, "giai_quyet") == date(2026, 3, 30)
    assert "vùng sâu, vùng xa" in reaction.reason
    assert reaction.track.remote_area


def test_a_remote_complaint_extended_as_complicated_may_run_to_60_days():
    def extension(days: int) -> dict:
        return {"extension": {"reason": "Vụ việc phức tạp", "decision_number": "12/QĐ",
                              "days": days}}
    track = Track(kind="khieu_nai", received_on=date(2026, 2, 10), complaint_round=1,
                  unit_code="THANH_TRA")
    accepted = _react(track, _change("accepted", "2026-02-12", **REMOTE)).track
    extended = _react(accepted, _change("extended", "2026-03-20", **extension(15)))
    assert _due(extended, "giai_quyet") == date(2026, 4, 13)  # 60 days, a Monday
    with pytest.raises(PermanentError, match="1 đến 15 ngày"):
        _react(accepted, _change("extended", "2026-03-20", **extension(16)))


def test_a_second_round_remote_complaint_has_60_days():
    track = Track(kind="khieu_nai", received_on=date(2026, 2, 10), complaint_round=2,
                  unit_code="THANH_TRA")
    reaction = _react(track, _change("accepted", "2026-02-12", **REMOTE))
    assert _due(reaction, "giai_quyet") == date(2026, 4, 13)


def test_a_transfer_drops_the_remote_area_until_the_new_unit_accepts():
    track = Track(kind="khieu_nai", received_on=date(2026, 2, 10), complaint_round=1,
                  unit_code="THANH_TRA")
    accepted = _react(track, _change("accepted", "2026-02-12", **REMOTE)).track
    moved = _react(accepted, _change("transferred", "2026-02-13"))
    assert not moved.track.remote_area and moved.track.accepted_on is None
