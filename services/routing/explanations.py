"""Short Vietnamese sentences that say why a case went to a unit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.routing.rules import RoutingInput
    from services.routing.rules_schema import RuleSpec
    from shared.units import Unit

KIND_LABELS_VI = {
    "phan_anh": "phản ánh",
    "kien_nghi": "kiến nghị",
    "khieu_nai": "khiếu nại",
    "to_cao": "tố cáo",
    "gop_y": "góp ý",
}

CHANNEL_LABELS_VI = {
    "tiep_cong_dan": "tiếp công dân",
    "don_thu": "đơn thư",
    "duong_day_nong": "đường dây nóng",
    "cong_dich_vu_cong": "Cổng dịch vụ công",
    "hom_thu_gop_y": "hòm thư góp ý",
    "hoi_nghi_doi_thoai": "hội nghị đối thoại",
    "email": "thư điện tử",
}


def explain_fallback(unit: Unit) -> str:
    return f"Không có quy tắc nào khớp; giao {unit.name} phân loại thủ công."


def explain_match(
    spec: RuleSpec,
    matched: Iterable[str],
    item: RoutingInput,
    unit: Unit,
    replaced: Unit | None,
    *,
    issuer: Unit | None = None,
    by_request: bool = False,
) -> str:
    """`replaced` is the unit the rule named when its work has passed to `unit`; `issuer` the
    unit whose decision is complained about, when the rule chose by it."""
    reasons = "; ".join(_reasons(spec, tuple(matched), item, issuer, by_request))
    sentence = f'Theo quy tắc "{spec.id}" ({spec.description}): {reasons}; giao {unit.name}'
    if replaced:
        sentence += f" (chức năng của {replaced.name} đã chuyển giao {_day(replaced)})"
    if unit.is_external:
        sentence += "; đơn vị ngoài Sở: thực hiện chuyển đơn"
    if spec.triage:
        sentence += " để phân loại, chuyển cơ quan có thẩm quyền (việc không thuộc lĩnh vực của Sở)"
    return sentence + "."


def _day(unit: Unit) -> str:
    if unit.valid_to is None:
        return "trước đó"
    return f"sau ngày {unit.valid_to:%d/%m/%Y}"


def _reasons(
    spec: RuleSpec, matched: tuple[str, ...], item: RoutingInput, issuer: Unit | None,
    by_request: bool = False,
) -> list[str]:
    when = spec.when
    reasons = []
    if when.kinds:
        reasons.append(f"loại đơn là {KIND_LABELS_VI.get(item.kind, item.kind)}")
    if when.complaint_rounds:
        reasons.append("khiếu nại lần hai" if item.complaint_round == 2 else "khiếu nại lần đầu")
    if issuer is not None:
        reasons.append(f"quyết định bị khiếu nại do {issuer.name} ban hành")
    if when.channels:
        channel = item.channel or ""
        reasons.append(f"kênh tiếp nhận: {CHANNEL_LABELS_VI.get(channel, channel)}")
    if when.categories:
        reasons.append(f"nhóm {', '.join(item.category_hints)}")
    if when.districts or when.communes:
        place = ", ".join(p for p in (item.commune, item.district) if p)
        reasons.append(f"địa bàn {place}")
    if matched:
        reasons.append("khớp từ khóa " + ", ".join(f'"{k}"' for k in matched)
                       + (" trong nội dung đề nghị của đơn" if by_request else ""))
    return reasons
