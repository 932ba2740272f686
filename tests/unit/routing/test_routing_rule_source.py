"""Editing rules.yaml takes effect on the next current() call; a bad edit keeps the old rules."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from services.routing.rules import DEFAULT_RULES_PATH, RoutingInput, RuleBookError, RuleBookSource
from shared.units import UnitCatalogue

ON = date(2024, 10, 15)
DIRTY_STREET = RoutingInput(kind="phan_anh", content="Đường vào thôn bị sạt lở, đề nghị sửa chữa.")
NEW_RULE = """
  - id: ha-tang
    description: "Hạ tầng (thử nghiệm)"
    when: {keywords_any: ["sạt lở"]}
    unit: KE_HOACH_TAI_CHINH
"""


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    shutil.copy(DEFAULT_RULES_PATH, path)
    return path


@pytest.fixture(scope="module")
def units() -> UnitCatalogue:
    return UnitCatalogue.load()


def test_unchanged_file_is_not_reloaded(rules_file: Path, units: UnitCatalogue) -> None:
    source = RuleBookSource(rules_file, units=units)
    first = source.current()
    second = source.current()
    assert first.rulebook is second.rulebook
    assert (second.changed, second.error) == (False, None)


def test_edit_takes_effect_on_next_current(rules_file: Path, units: UnitCatalogue) -> None:
    source = RuleBookSource(rules_file, units=units)
    before = source.current().rulebook.route(DIRTY_STREET, units=units, on=ON)

    rules_file.write_text(rules_file.read_text(encoding="utf-8") + NEW_RULE, encoding="utf-8")
    state = source.current()

    after = state.rulebook.route(DIRTY_STREET, units=units, on=ON)
    assert before.needs_triage
    assert state.changed and state.error is None
    assert (after.unit_code, after.rule_id) == ("KE_HOACH_TAI_CHINH", "ha-tang")
    assert source.current().changed is False


def test_invalid_yaml_keeps_previous_rules_and_reports(rules_file: Path, units: UnitCatalogue):
    source = RuleBookSource(rules_file, units=units)
    old = source.current().rulebook

    rules_file.write_text("rules: [\n  - id: broken\n", encoding="utf-8")
    state = source.current()

    assert state.rulebook is old
    assert state.changed is False
    assert state.error and "không đọc được YAML" in state.error
    assert state.rulebook.route(DIRTY_STREET, units=units, on=ON).needs_triage


def test_invalid_rule_keeps_previous_rules_and_names_the_rule(rules_file: Path, units):
    source = RuleBookSource(rules_file, units=units)
    old = source.current().rulebook

    bad = NEW_RULE.replace("unit: KE_HOACH_TAI_CHINH", "unit: KE_HOACH_TAI_CHINH\n    kinds: x")
    rules_file.write_text(rules_file.read_text(encoding="utf-8") + bad, encoding="utf-8")
    state = source.current()

    assert state.rulebook is old
    assert "quy tắc 'ha-tang'" in state.error and "kinds" in state.error


def test_unknown_unit_code_is_refused(rules_file: Path, units: UnitCatalogue) -> None:
    source = RuleBookSource(rules_file, units=units)
    typo = NEW_RULE.replace("KE_HOACH_TAI_CHINH", "KE_HOACH_TAI_CHINHH")
    rules_file.write_text(rules_file.read_text(encoding="utf-8") + typo, encoding="utf-8")

    state = source.current()

    assert "KE_HOACH_TAI_CHINHH" in state.error
    assert "ha-tang" not in state.rulebook.rule_ids


def test_fixing_the_file_clears_the_error(rules_file: Path, units: UnitCatalogue) -> None:
    good_text = rules_file.read_text(encoding="utf-8")
    source = RuleBookSource(rules_file, units=units)
    rules_file.write_text("rules: [\n", encoding="utf-8")
    assert source.current().error

    rules_file.write_text(good_text + NEW_RULE, encoding="utf-8")
    state = source.current()

    assert state.changed and state.error is None
    assert "ha-tang" in state.rulebook.rule_ids


def test_deleted_file_keeps_rules(rules_file: Path, units: UnitCatalogue) -> None:
    source = RuleBookSource(rules_file, units=units)
    rules_file.unlink()
    state = source.current()
    assert state.error and state.rulebook.rule_ids


def test_a_broken_file_at_start_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules: 3\n", encoding="utf-8")
    with pytest.raises(RuleBookError):
        RuleBookSource(path)
