"""Command line: explain a routing decision, compute a case's deadlines.

Mount in the main CLI:
    app.add_typer(routing_cli.app, name="route")   # dvk route explain "…"
    app.add_typer(routing_cli.deadline_app)        # dvk deadline KIND --from YYYY-MM-DD
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from services.routing.deadline_policies import DeadlinePolicies, Step
from services.routing.deadlines import (
    DeadlineRequest,
    StepDeadline,
    compute_deadlines,
    transfer_deadline,
)
from services.routing.explanations import KIND_LABELS_VI
from services.routing.rules import RoutingDecision, RoutingInput, RuleBook
from shared.units import UnitCatalogue
from shared.calendar import WorkingCalendar, local_date
from shared.contracts.base import utc_now
from shared.contracts.feedback import Channel, FeedbackKind
from shared.settings import CommonSettings, catalogue_file
from shared.text import nfc

app = typer.Typer(help="Định tuyến đơn thư đến đơn vị phụ trách.", no_args_is_help=True)
deadline_app = typer.Typer(help="Tính thời hạn xử lý, giải quyết đơn theo luật.")

_DATE = ["%Y-%m-%d"]
_UNIT_LABELS = {"calendar": "ngày", "working": "ngày làm việc"}
_FROM_LABELS = {"receipt": "ngày nhận đơn", "acceptance": "ngày thụ lý"}


def _catalogue(given: Path | None, name: str) -> Path | None:
    """The file named on the command line, else the operator's copy in DVK_CATALOGUE_DIR (as
    the service reads it), else None: the default shipped with the code."""
    return given or catalogue_file(CommonSettings(), name)


@app.command("explain")
def explain(
    text: Annotated[str, typer.Argument(help="Tiêu đề và nội dung đơn.")],
    kind: Annotated[FeedbackKind, typer.Option(help="Loại đơn.")] = FeedbackKind.PHAN_ANH,
    category: Annotated[list[str] | None, typer.Option(help="Nhóm gợi ý (lặp lại được).")] = None,
    channel: Annotated[Channel | None, typer.Option(help="Kênh tiếp nhận.")] = None,
    district: Annotated[str | None, typer.Option(help="Huyện/thị xã/thành phố.")] = None,
    commune: Annotated[str | None, typer.Option(help="Xã/phường/thị trấn.")] = None,
    decision_issuer: Annotated[
        str | None, typer.Option(help="Mã đơn vị ban hành quyết định bị khiếu nại.")
    ] = None,
    complaint_round: Annotated[
        int | None,
        typer.Option("--round", min=1, max=2, help="Khiếu nại lần đầu (1) hay lần hai (2)."),
    ] = None,
    on: Annotated[
        datetime | None, typer.Option(formats=_DATE, help="Ngày định tuyến (mặc định: hôm nay).")
    ] = None,
    rules: Annotated[Path | None, typer.Option(help="Tệp rules.yaml khác.")] = None,
    units: Annotated[Path | None, typer.Option(help="Tệp units.yaml khác.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
) -> None:
    """Cho biết đơn sẽ được giao cho đơn vị nào và vì sao."""
    routed_on = on.date() if on else local_date(utc_now())
    item = RoutingInput(
        kind=kind.value,
        content=nfc(text),
        category_hints=tuple(category or ()),
        channel=channel.value if channel else None,
        district=district,
        commune=commune,
        decision_issuer_unit=decision_issuer,
        complaint_round=complaint_round,
    )
    decision = RuleBook.load(_catalogue(rules, "rules.yaml")).route(
        item, units=UnitCatalogue.load(_catalogue(units, "units.yaml")), on=routed_on)
    typer.echo(_decision_json(decision, routed_on) if as_json else _decision_text(decision))


@deadline_app.command("deadline")
def deadline_command(
    kind: Annotated[FeedbackKind, typer.Argument(help="Loại đơn.")],
    received: Annotated[
        datetime, typer.Option("--from", formats=_DATE, help="Ngày nhận đơn (YYYY-MM-DD).")
    ],
    accepted: Annotated[
        datetime | None, typer.Option("--accepted", formats=_DATE, help="Ngày thụ lý, nếu đã có.")
    ] = None,
    step: Annotated[Step | None, typer.Option(help="Chỉ in một bước.")] = None,
    complicated: Annotated[bool, typer.Option(help="Vụ việc phức tạp.")] = False,
    remote: Annotated[bool, typer.Option(help="Vùng sâu, vùng xa đi lại khó khăn.")] = False,
    complaint_round: Annotated[
        int | None, typer.Option("--round", min=1, max=2, help="Khiếu nại lần 1 hay 2.")
    ] = None,
    policies: Annotated[Path | None, typer.Option(help="Tệp deadline_policies.yaml khác.")] = None,
    calendar: Annotated[
        Path | None, typer.Option(help="Tệp calendar_overrides.yaml khác.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
) -> None:
    """Tính hạn từng bước (xử lý đơn, thụ lý, giải quyết...) theo lịch làm việc."""
    accepted_on = accepted.date() if accepted else None
    request = DeadlineRequest(
        kind.value, received.date(), accepted_on, complaint_round, complicated, remote
    )
    try:
        deadlines = _deadlines(
            request, step,
            DeadlinePolicies.load(_catalogue(policies, "deadline_policies.yaml")),
            WorkingCalendar(_catalogue(calendar, "calendar_overrides.yaml")))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    output = _deadlines_json(request, deadlines) if as_json else _deadlines_text(request, deadlines)
    typer.echo(output)


def _deadlines(
    request: DeadlineRequest,
    step: Step | None,
    policies: DeadlinePolicies,
    calendar: WorkingCalendar,
) -> list[StepDeadline]:
    if step is Step.CHUYEN_DON:
        return [
            transfer_deadline(
                request.kind, request.received_on, policies=policies, calendar=calendar
            )
        ]
    found = compute_deadlines(request, policies=policies, calendar=calendar)
    return [d for d in found if step is None or d.step == step.value]


# --- output -----------------------------------------------------------------------------


def _decision_text(decision: RoutingDecision) -> str:
    keywords = ", ".join(decision.matched_keywords) or "(không có)"
    lines = [
        f"Đơn vị phụ trách: {decision.unit_name} ({decision.unit_code})",
        f"Quy tắc: {decision.rule_id} — {decision.rule_description}",
        f"Từ khóa khớp: {keywords}",
        f"Cần phân loại thủ công: {'có' if decision.needs_triage else 'không'}",
    ]
    if decision.is_external:
        lines.append("Đơn vị ngoài Sở: thực hiện chuyển đơn.")
    lines.append(f"Giải thích: {decision.explanation}")
    return "\n".join(lines)


def _decision_json(decision: RoutingDecision, routed_on: date) -> str:
    payload = asdict(decision) | {"routed_on": routed_on.isoformat()}
    payload["matched_keywords"] = list(decision.matched_keywords)
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _deadlines_text(request: DeadlineRequest, deadlines: list[StepDeadline]) -> str:
    header = f"Loại đơn: {KIND_LABELS_VI.get(request.kind, request.kind)}"
    if request.kind == "khieu_nai":
        header += f" lần {request.complaint_round or 1}"
    header += f" — nhận đơn ngày {request.received_on:%d/%m/%Y}"
    lines = [header] + [_deadline_line(d) for d in deadlines]
    if any(d.provisional for d in deadlines):
        lines.append("(*) Chưa có ngày thụ lý: tính từ hạn thụ lý muộn nhất theo luật.")
    if any(d.unconfirmed for d in deadlines):
        lines.append("⚠ Giá trị chưa được xác nhận trong văn bản gốc; có thể chỉnh trong cấu hình.")
    return "\n".join(lines)


def _deadline_line(deadline: StepDeadline) -> str:
    unit = _UNIT_LABELS[deadline.unit.value]
    counted = _FROM_LABELS[deadline.counted_from.value]
    mark = " (*)" if deadline.provisional else ""
    warning = " ⚠" if deadline.unconfirmed else ""
    return (
        f"- {deadline.step_label_vi}: hạn {deadline.due_on:%d/%m/%Y}{mark} — "
        f"{deadline.days} {unit}, tính từ {counted} {deadline.start_on:%d/%m/%Y}; "
        f"căn cứ: {deadline.legal_basis}{warning}"
    )


def _deadlines_json(request: DeadlineRequest, deadlines: list[StepDeadline]) -> str:
    payload = {
        "kind": request.kind,
        "received_on": request.received_on.isoformat(),
        "accepted_on": request.accepted_on.isoformat() if request.accepted_on else None,
        "complaint_round": request.round_for_policies,
        "variant": request.variant.value,
        "deadlines": [_deadline_dict(d) for d in deadlines],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _deadline_dict(deadline: StepDeadline) -> dict[str, object]:
    return {
        "step": deadline.step,
        "step_label_vi": deadline.step_label_vi,
        "due_on": deadline.due_on.isoformat(),
        "days": deadline.days,
        "unit": deadline.unit.value,
        "counted_from": deadline.counted_from.value,
        "start_on": deadline.start_on.isoformat(),
        "legal_basis": deadline.legal_basis,
        "unconfirmed": deadline.unconfirmed,
        "provisional": deadline.provisional,
        "policy_id": deadline.policy_id,
        "note": deadline.note,
    }
