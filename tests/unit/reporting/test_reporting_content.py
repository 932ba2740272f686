from __future__ import annotations

from datetime import date
from typing import get_args, get_origin

import pytest
from pydantic import BaseModel, ValidationError

from services.reporting import content as content_module
from services.reporting.content import OverdueCase, ReportContent, Scope
from services.reporting.documents.forms import form_table, load_forms
from services.reporting.report_tables import HeaderCell, Table

from .reporting_samples import VP, kinds

IDENTITY_WORDS = ("sender", "denouncer", "complainant", "citizen", "person", "phone", "email",
                  "address", "national_id", "id_number", "handwriting", "contact", "full_name")


def _models(model: type[BaseModel], seen: set[type]) -> set[type[BaseModel]]:
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for arg in _flat_args(field.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                _models(arg, seen)
    return seen


def _flat_args(annotation: object) -> list[object]:
    if get_origin(annotation) is None:
        return [annotation]
    return [a for arg in get_args(annotation) for a in _flat_args(arg)]


def test_no_model_has_a_field_for_a_persons_identity():
    fields = {(m.__name__, name) for m in _models(ReportContent, set()) for name in m.model_fields}
    leaks = [f for f in fields if any(word in f[1] for word in IDENTITY_WORDS)]
    assert leaks == []
    assert ("OverdueCase", "case_ref") in fields


def test_identity_cannot_be_smuggled_in_as_extra_field():
    with pytest.raises(ValidationError, match="sender_name"):
        OverdueCase(case_ref="TC-1", kind=kinds(to_cao=1)[0], unit=VP, received_on=date(2026, 1, 2),
                    due_on=date(2026, 2, 1), days_overdue=3, sender_name="Nguyễn Văn A")


def test_every_content_model_forbids_extra_fields():
    for model in _models(ReportContent, set()):
        assert model.model_config.get("extra") == "forbid", model.__name__
    assert all(hasattr(content_module, name) for name in content_module.__all__)


def test_unit_scope_needs_its_unit():
    with pytest.raises(ValidationError, match="unit scope needs its unit"):
        Scope(kind="unit", name_vi="Văn phòng Sở")
    assert Scope(kind="unit", unit=VP, name_vi="Văn phòng Sở").unit == VP


def test_table_places_multi_level_header():
    table = Table(code="T", title_vi="Bảng", header=[
        [HeaderCell(text="Đơn vị", rowspan=2), HeaderCell(text="Số đơn", colspan=2)],
        [HeaderCell(text="Kỳ trước"), HeaderCell(text="Trong kỳ")],
    ], rows=[["VP", 1, 2.5]])
    assert table.n_columns == 3
    assert [(p.row, p.col, p.cell.text) for p in table.placed_header()] == [
        (0, 0, "Đơn vị"), (0, 1, "Số đơn"), (1, 1, "Kỳ trước"), (1, 2, "Trong kỳ")]
    assert [table.kind_of(i) for i in range(3)] == ["text", "number", "number"]


@pytest.mark.parametrize(("header", "rows", "message"), [
    ([[HeaderCell(text="A"), HeaderCell(text="B")]], [[1]], "row 1 has 1 cells, expected 2"),
    ([[HeaderCell(text="A", rowspan=2), HeaderCell(text="B")], [HeaderCell(text="C", colspan=2)]],
     [], "overflows"),
    ([[HeaderCell(text="A"), HeaderCell(text="B")], [HeaderCell(text="C")]], [], "uncovered"),
])
def test_table_rejects_inconsistent_shapes(header, rows, message):
    with pytest.raises(ValidationError, match=message):
        Table(code="T", title_vi="Bảng", header=header, rows=rows)


def test_table_cells_refuse_booleans():
    with pytest.raises(ValidationError):
        Table(code="T", title_vi="Bảng", header=[[HeaderCell(text="A")]], rows=[[True]])


def test_forms_have_the_documented_columns():
    forms = load_forms()
    assert set(forms) == {"01/TCD", "01/XLD", "02/XLD", "03/XLD", "04/XLD", "01/KQGQ", "02/KQGQ"}
    tcd = forms["01/TCD"]
    assert sum(1 for leaf in tcd.leaves() if leaf.kind == "number") == 29
    assert len(tcd.header()) == 3


def test_form_table_fills_by_key_and_leaves_missing_blank():
    table = form_table("04/XLD", [{"don_vi": "VP", "tong": 4, "chinh_sach": 3, "khac": 1}])
    assert table.rows[0][:4] == ["VP", 4, 3, None]
    assert table.numbered and table.code == "04/XLD"


def test_form_table_rejects_unknown_keys_and_forms():
    with pytest.raises(ValueError, match="unknown column keys \\['tong_so'\\]"):
        form_table("04/XLD", [{"tong_so": 4}])
    with pytest.raises(ValueError, match="unknown form '09/XLD'"):
        form_table("09/XLD", [])
