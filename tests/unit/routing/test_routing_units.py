"""Units as dated data: lookups on a date, successors after the 2025 merger, consistency."""

from datetime import date
from pathlib import Path

import pytest

from shared.units import (
    DEFAULT_UNITS_PATH,
    Unit,
    UnitCatalogue,
    UnitCatalogueError,
    UnitKind,
    UnitNotFound,
)

BEFORE = date(2024, 10, 15)
AFTER = date(2026, 3, 10)


@pytest.fixture(scope="module")
def units() -> UnitCatalogue:
    return UnitCatalogue.load()


def test_default_catalogue_is_marked_as_a_default_to_edit() -> None:
    head = DEFAULT_UNITS_PATH.read_text(encoding="utf-8")[:400]
    assert "DEFAULT TO EDIT" in head and "⚠" in head


def test_default_catalogue_has_the_department_structure(units: UnitCatalogue) -> None:
    kinds = {u.kind for u in units.active(on=BEFORE)}
    assert kinds == set(UnitKind)
    names = {u.name for u in units.active(on=BEFORE)}
    assert {"Văn phòng Sở", "Thanh tra Sở", "Ban Giám đốc Sở", "Phòng Người có công"} <= names


def test_every_unit_has_a_head_and_a_focal_point_with_example_mail(units: UnitCatalogue) -> None:
    for versions in units.by_code.values():
        for unit in versions:
            assert unit.head and unit.focal_point, unit.code
            assert unit.focal_point.email.endswith(".hatinh.example"), unit.code


def test_get_or_raise_returns_the_version_valid_on_the_date(units: UnitCatalogue) -> None:
    before = units.get_or_raise("VAN_PHONG", on=BEFORE)
    after = units.get_or_raise("VAN_PHONG", on=AFTER)
    assert "Lao động - Thương binh" in before.parent
    assert after.parent == "Sở Nội vụ tỉnh Hà Tĩnh"
    assert len(units.by_code["VAN_PHONG"]) == 2


def test_get_or_raise_explains_unknown_and_inactive(units: UnitCatalogue) -> None:
    with pytest.raises(UnitNotFound, match="unknown unit code 'NOPE'"):
        units.get_or_raise("NOPE", on=BEFORE)
    with pytest.raises(UnitNotFound, match="not active on 2026-03-10"):
        units.get_or_raise("BAO_TRO_XA_HOI", on=AFTER)


@pytest.mark.parametrize(
    ("code", "successor"),
    [
        ("BAO_TRO_XA_HOI", "SO_Y_TE"),
        ("TRE_EM_BINH_DANG_GIOI", "SO_Y_TE"),
        ("GIAO_DUC_NGHE_NGHIEP", "SO_GIAO_DUC_DAO_TAO"),
        ("CO_SO_CAI_NGHIEN", "CONG_AN_TINH"),
        ("LAO_DONG_VIEC_LAM", "LAO_DONG_VIEC_LAM"),
    ],
)
def test_resolve_follows_successors_after_the_merger(units, code: str, successor: str) -> None:
    assert units.resolve_or_raise(code, on=BEFORE).code == code
    assert units.resolve_or_raise(code, on=AFTER).code == successor


def test_merger_day_boundaries(units: UnitCatalogue) -> None:
    assert units.get("BAO_TRO_XA_HOI", on=date(2025, 2, 28)) is not None
    assert units.get("BAO_TRO_XA_HOI", on=date(2025, 3, 1)) is None
    assert units.get("SO_NONG_NGHIEP_MOI_TRUONG", on=date(2025, 2, 28)) is None


def test_active_lists_each_code_once(units: UnitCatalogue) -> None:
    codes = [u.code for u in units.active(on=AFTER)]
    assert len(codes) == len(set(codes))
    assert "PHONG_CHONG_TE_NAN" not in codes and "VAN_PHONG" in codes


def test_overlapping_versions_are_refused() -> None:
    versions = [
        Unit(code="X", name="X1", kind=UnitKind.DIVISION, valid_to=date(2025, 3, 1)),
        Unit(code="X", name="X2", kind=UnitKind.DIVISION, valid_from=date(2025, 3, 1)),
    ]
    with pytest.raises(UnitCatalogueError, match="overlap"):
        UnitCatalogue(versions)


def test_unknown_successor_is_refused() -> None:
    unit = Unit(code="X", name="X", kind=UnitKind.DIVISION, successor="Y")
    with pytest.raises(UnitCatalogueError, match="successor 'Y'"):
        UnitCatalogue([unit])


def test_invalid_file_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text("units:\n  - {code: X, name: X, kind: ministry}\n", encoding="utf-8")
    with pytest.raises(UnitCatalogueError, match="kind"):
        UnitCatalogue.load(path)
