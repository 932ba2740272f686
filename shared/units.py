"""The Department's units as dated data: who exists, on which date, and who took over from whom.

A code may have several versions with non-overlapping validity periods (the organisation
changes, e.g. the 01/3/2025 merger into Sở Nội vụ). Every lookup is made "on" a date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
import itertools

DEFAULT_UNITS_PATH = Path(__file__).parent / "catalogue" / "units.yaml"
_MAX_SUCCESSOR_HOPS = 5


class UnitKind(StrEnum):
    OFFICE = "office"
    INSPECTORATE = "inspectorate"
    DIVISION = "division"
    PUBLIC_SERVICE_UNIT = "public_service_unit"
    LEADERSHIP = "leadership"
    EXTERNAL = "external"


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str = ""
    email: str | None = None
    phone: str | None = None


class Unit(BaseModel):
    """One version of a unit, valid from `valid_from` to `valid_to` (inclusive; None = open)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str = Field(min_length=1)
    kind: UnitKind
    parent: str = ""
    head: Person | None = None
    focal_point: Person | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    prefers_digest: bool = False
    successor: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _period_is_ordered(self) -> Unit:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError(f"{self.code}: valid_from {self.valid_from} is after valid_to")
        return self

    @property
    def is_external(self) -> bool:
        return self.kind is UnitKind.EXTERNAL

    def is_active(self, on: date) -> bool:
        starts_ok = self.valid_from is None or self.valid_from <= on
        return starts_ok and (self.valid_to is None or on <= self.valid_to)


class UnitCatalogueError(ValueError):
    """The units file cannot be read or is inconsistent."""


class UnitNotFound(LookupError):
    """No unit with that code, or none active on the date asked."""


class _UnitsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: list[Unit]


class UnitCatalogue:
    """All versions of all units, looked up by code and date."""

    def __init__(self, units: Iterable[Unit]) -> None:
        versions: dict[str, list[Unit]] = defaultdict(list)
        for unit in units:
            versions[unit.code].append(unit)
        self._by_code = {
            code: tuple(sorted(vs, key=lambda u: u.valid_from or date.min))
            for code, vs in versions.items()
        }
        _check_consistency(self._by_code)

    @classmethod
    def load(cls, path: Path | str | None = None) -> UnitCatalogue:
        """Load the YAML catalogue (the shipped default when `path` is None)."""
        source = Path(path) if path is not None else DEFAULT_UNITS_PATH
        try:
            raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
            return cls(_UnitsFile.model_validate(raw).units)
        except (OSError, yaml.YAMLError, ValueError) as exc:  # incl. ValidationError
            raise UnitCatalogueError(f"units catalogue {source}: {exc}") from exc

    @property
    def by_code(self) -> Mapping[str, tuple[Unit, ...]]:
        """Every version of every unit, keyed by code, oldest first."""
        return self._by_code

    def knows(self, code: str) -> bool:
        return code in self._by_code

    def get(self, code: str, *, on: date) -> Unit | None:
        """The version of `code` active on `on`, or None."""
        return next((u for u in self._by_code.get(code, ()) if u.is_active(on)), None)

    def get_or_raise(self, code: str, *, on: date) -> Unit:
        unit = self.get(code, on=on)
        if unit is not None:
            return unit
        if code not in self._by_code:
            raise UnitNotFound(f"unknown unit code {code!r}")
        periods = ", ".join(_period(u) for u in self._by_code[code])
        raise UnitNotFound(f"unit {code!r} is not active on {on.isoformat()} (valid: {periods})")

    def resolve_or_raise(self, code: str, *, on: date) -> Unit:
        """The unit that handles `code`'s work on `on`, following `successor` after it ended."""
        current = code
        for _ in range(_MAX_SUCCESSOR_HOPS):
            unit = self.get(current, on=on)
            if unit is not None:
                return unit
            successor = self._successor_after_end(current, on)
            if successor is None:
                return self.get_or_raise(current, on=on)
            current = successor
        raise UnitNotFound(f"successor chain from {code!r} is too long on {on.isoformat()}")

    def active(self, *, on: date) -> list[Unit]:
        """Units active on `on`, in catalogue-code order."""
        return [u for code in sorted(self._by_code) if (u := self.get(code, on=on))]

    def _successor_after_end(self, code: str, on: date) -> str | None:
        ended = [u for u in self._by_code.get(code, ()) if u.valid_to and u.valid_to < on]
        return ended[-1].successor if ended else None


def _period(unit: Unit) -> str:
    start = unit.valid_from.isoformat() if unit.valid_from else "…"
    end = unit.valid_to.isoformat() if unit.valid_to else "…"
    return f"{start}–{end}"


def _check_consistency(by_code: Mapping[str, tuple[Unit, ...]]) -> None:
    for code, versions in by_code.items():
        for earlier, later in itertools.pairwise(versions):
            if earlier.valid_to is None or later.valid_from is None:
                raise UnitCatalogueError(f"unit {code!r}: versions overlap (open-ended period)")
            if earlier.valid_to >= later.valid_from:
                raise UnitCatalogueError(
                    f"unit {code!r}: versions overlap ({_period(earlier)} and {_period(later)})"
                )
        for unit in versions:
            if unit.successor and unit.successor not in by_code:
                raise UnitCatalogueError(
                    f"unit {code!r}: successor {unit.successor!r} is not in the catalogue"
                )
