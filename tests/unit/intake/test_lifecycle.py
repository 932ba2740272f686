import pytest

from services.intake.lifecycle import CaseState, Refused, apply, check
from shared.contracts.updates import CaseStatus as S
from shared.contracts.updates import UpdateCase
from shared.testing.factories import update_payload


def _state(kind="khieu_nai", status=S.RECEIVED, holder="THANH_TRA", accepted=False,
           extensions=0, external=False) -> CaseState:
    return CaseState(kind, status, holder, accepted, extensions, external)


def _update(status: str, unit="THANH_TRA", **kw) -> UpdateCase:
    return UpdateCase.model_validate(update_payload("PAKN-2026-000001", status,
                                                    unit_code=unit, **kw))


@pytest.mark.parametrize(("state", "status"), [
    (_state(), "accepted"),
    (_state(), "rejected"),
    (_state(), "transferred"),
    (_state(status=S.ACCEPTED, accepted=True), "in_progress"),
    (_state(status=S.ACCEPTED, accepted=True), "extended"),
    (_state(status=S.EXTENDED, accepted=True, extensions=1, kind="to_cao"), "extended"),
    (_state(status=S.IN_PROGRESS, accepted=True), "resolved"),
    (_state(status=S.RESOLVED, accepted=True), "reopened"),
    (_state(kind="kien_nghi"), "resolved"),
    (_state(kind="phan_anh"), "in_progress"),
])
def test_allowed(state, status):
    check(state, _update(status))


@pytest.mark.parametrize(("state", "status", "why"), [
    (_state(), "resolved", "trạng thái"),
    (_state(status=S.ACCEPTED, accepted=False, kind="to_cao"), "resolved", "thụ lý"),
    (_state(status=S.RESOLVED, accepted=True), "in_progress", "trạng thái"),
    (_state(status=S.EXTENDED, accepted=True, extensions=2, kind="to_cao"), "extended", "2 lần"),
    (_state(status=S.EXTENDED, accepted=True, extensions=1), "extended", "1 lần"),
    (_state(kind="kien_nghi", status=S.IN_PROGRESS), "extended", "không có gia hạn"),
    (_state(status=S.TRANSFERRED, external=True), "accepted", "ngoài Sở"),
])
def test_refused(state, status, why):
    with pytest.raises(Refused, match=why):
        check(state, _update(status))


def test_update_from_a_unit_that_does_not_hold_the_case_is_refused():
    with pytest.raises(Refused, match="THANH_TRA"):
        check(_state(), _update("accepted", unit="NGUOI_CO_CONG"))


def test_extension_longer_than_the_law_allows_is_refused():
    update = _update("extended", extension={"reason": "x", "decision_number": "1", "days": 45})
    with pytest.raises(Refused, match="30 ngày"):
        check(_state(status=S.ACCEPTED, accepted=True, kind="to_cao"), update)


def test_internal_transfer_moves_the_case_and_needs_a_new_acceptance():
    after = apply(_state(status=S.ACCEPTED, accepted=True), _update("transferred"))
    assert (after.holder, after.accepted, after.external) == ("NGUOI_CO_CONG", False, False)


def test_external_transfer_closes_until_reopened():
    update = _update("transferred", transfer={"to_external_body": "Công an tỉnh",
                                              "reason": "Có dấu hiệu tội phạm"})
    after = apply(_state(status=S.ACCEPTED, accepted=True), update)
    assert after.external and after.holder == "THANH_TRA"
    assert not apply(after, _update("reopened", unit="VAN_PHONG")).external


def test_extensions_are_counted():
    state = _state(status=S.ACCEPTED, accepted=True, kind="to_cao")
    assert apply(apply(state, _update("extended")), _update("extended")).extensions == 2


def test_remote_area_limits_are_for_complaints_only():
    with pytest.raises(Refused, match="vùng sâu, vùng xa") as refused:
        check(_state(kind="to_cao"), _update("accepted", acceptance={"remote_area": True}))
    assert refused.value.field == "data.acceptance.remote_area"
    check(_state(), _update("accepted", acceptance={"remote_area": True}))


def test_acceptance_details_go_only_with_status_accepted():
    with pytest.raises(ValueError, match="acceptance goes only with status accepted"):
        _update("in_progress", acceptance={"remote_area": True})
