"""The shipped rules and units route realistic feedback (feedback_cases.yaml) to the right unit."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from services.routing.rules import RoutingInput, RuleBook
from shared.units import UnitCatalogue

CASES = yaml.safe_load(
    (Path(__file__).parent / "feedback_cases.yaml").read_text(encoding="utf-8")
)["cases"]
BEFORE_MERGER = date(2024, 10, 15)


@pytest.fixture(scope="module")
def rulebook() -> RuleBook:
    return RuleBook.load()


@pytest.fixture(scope="module")
def units() -> UnitCatalogue:
    return UnitCatalogue.load()


def _input(case: dict) -> RoutingInput:
    return RoutingInput(
        kind=case.get("kind", "phan_anh"),
        content=case["text"],
        channel=case.get("channel"),
        decision_issuer_unit=case.get("decision_issuer"),
        complaint_round=case.get("round"),
    )


def test_the_table_is_large_and_a_third_typed_without_diacritics() -> None:
    plain = [c for c in CASES if c["text"].isascii()]
    assert len(CASES) >= 150
    assert 0.3 <= len(plain) / len(CASES) <= 0.6
    assert sum(1 for c in CASES if c.get("triage")) >= 3


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:50] for c in CASES])
def test_routes_feedback_to_expected_unit(rulebook: RuleBook, units: UnitCatalogue, case: dict):
    on = case.get("routed_on", BEFORE_MERGER)

    decision = rulebook.route(_input(case), units=units, on=on)

    assert decision.unit_code == case["unit"], decision.explanation
    assert decision.needs_triage is case.get("triage", False)
    assert decision.explanation


def test_shipped_rules_name_only_known_units(rulebook: RuleBook, units: UnitCatalogue) -> None:
    assert rulebook.unknown_unit_codes(units) == []
