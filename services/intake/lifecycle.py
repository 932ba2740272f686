"""Which status updates fit a case's state: the transitions the Department allows."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.updates import CaseStatus as S
from shared.contracts.updates import UpdateCase

LEGAL_KINDS = frozenset({"khieu_nai", "to_cao"})  # thụ lý and gia hạn are legal steps for these
MAX_EXTENSIONS = {"to_cao": 2, "khieu_nai": 1}  # Luật Tố cáo 2018 Điều 30; Luật Khiếu nại
EXTENSION_DAYS_LIMIT = 30
OPEN_WORK = frozenset({S.ACCEPTED, S.IN_PROGRESS, S.EXTENDED, S.REOPENED})
CLOSED = frozenset({S.RESOLVED, S.REJECTED})

_FROM: dict[S, frozenset[S]] = {
    S.ACCEPTED: frozenset({S.RECEIVED, S.REOPENED, S.TRANSFERRED}),
    S.IN_PROGRESS: OPEN_WORK | {S.TRANSFERRED},
    S.EXTENDED: OPEN_WORK,
    S.TRANSFERRED: OPEN_WORK | {S.RECEIVED, S.TRANSFERRED},
    S.RESOLVED: OPEN_WORK,
    S.REJECTED: frozenset({S.RECEIVED, S.REOPENED, S.TRANSFERRED}),
    S.REOPENED: CLOSED | {S.TRANSFERRED},
}


@dataclass(frozen=True)
class CaseState:
    kind: str
    status: S
    holder: str | None
    accepted: bool
    extensions: int
    external: bool  # transferred outside the Department


class Refused(Exception):
    """The update does not fit the case; the reason is shown to the unit that sent it, with
    the field it is about."""

    def __init__(self, reason: str, field: str = "data.status") -> None:
        super().__init__(reason)
        self.field = field


def check(state: CaseState, update: UpdateCase) -> None:
    """Raises Refused with a reason when the update may not be applied."""
    if update.unit_code != state.holder and not _reopening_by_office(update):
        raise Refused(f"hồ sơ đang do đơn vị {state.holder} xử lý, không phải {update.unit_code}",
                      "data.unit_code")
    if state.external and update.status is not S.REOPENED:
        raise Refused("hồ sơ đã chuyển ra ngoài Sở; chỉ có thể mở lại")
    allowed = _allowed_from(state, update.status)
    if state.status not in allowed:
        raise Refused(f"không thể chuyển từ trạng thái {state.status.value} sang "
                      f"{update.status.value}")
    _check_legal_steps(state, update)


def _reopening_by_office(update: UpdateCase) -> bool:
    return update.status is S.REOPENED and update.unit_code == "VAN_PHONG"


def _allowed_from(state: CaseState, target: S) -> frozenset[S]:
    allowed = _FROM[target]
    if state.kind not in LEGAL_KINDS and target in {S.IN_PROGRESS, S.RESOLVED}:
        return allowed | {S.RECEIVED}  # phản ánh, kiến nghị, góp ý need no formal thụ lý
    return allowed


def _check_legal_steps(state: CaseState, update: UpdateCase) -> None:
    if update.status is S.RESOLVED and state.kind in LEGAL_KINDS and not state.accepted:
        raise Refused("chưa thụ lý: phải có quyết định thụ lý trước khi giải quyết")
    if update.status is S.EXTENDED:
        _check_extension(state, update)
    if update.acceptance and update.acceptance.remote_area and state.kind != "khieu_nai":
        raise Refused("thời hạn cho vùng sâu, vùng xa chỉ áp dụng cho đơn khiếu nại",
                      "data.acceptance.remote_area")


def _check_extension(state: CaseState, update: UpdateCase) -> None:
    limit = MAX_EXTENSIONS.get(state.kind)
    if limit is None:
        raise Refused(f"loại đơn {state.kind} không có gia hạn theo luật")
    if state.extensions >= limit:
        raise Refused(f"đã gia hạn {state.extensions} lần; luật chỉ cho phép tối đa {limit} lần")
    if update.extension and update.extension.days > EXTENSION_DAYS_LIMIT:
        raise Refused(f"mỗi lần gia hạn không quá {EXTENSION_DAYS_LIMIT} ngày",
                      "data.extension.days")


def apply(state: CaseState, update: UpdateCase) -> CaseState:
    """The state after an accepted update."""
    holder, external = state.holder, state.external
    if update.status is S.TRANSFERRED and update.transfer is not None:
        external = update.transfer.to_external_body is not None
        holder = update.transfer.to_unit or holder
    if update.status is S.REOPENED:
        external = False
    return CaseState(
        kind=state.kind, status=update.status, holder=holder,
        accepted=(state.accepted or update.status is S.ACCEPTED)
        and update.status is not S.TRANSFERRED,
        extensions=state.extensions + (update.status is S.EXTENDED), external=external)
