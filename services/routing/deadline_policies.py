"""Deadline policies as data (deadline_policies.yaml), validated with pydantic."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.feedback import FeedbackKind

DEFAULT_POLICIES_PATH = Path(__file__).parent / "catalogue" / "deadline_policies.yaml"


class Step(StrEnum):
    XU_LY_DON = "xu_ly_don"
    THU_LY = "thu_ly"
    THONG_BAO_NGUOI_TO_CAO = "thong_bao_nguoi_to_cao"
    GIAI_QUYET = "giai_quyet"
    CHUYEN_DON = "chuyen_don"


class Variant(StrEnum):
    NORMAL = "normal"
    COMPLICATED = "complicated"
    REMOTE = "remote"
    REMOTE_COMPLICATED = "remote_complicated"


class DayUnit(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


class CountedFrom(StrEnum):
    RECEIPT = "receipt"
    ACCEPTANCE = "acceptance"


class DeadlinePolicyError(ValueError):
    """deadline_policies.yaml cannot be read or is inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExtensionAllowance(_Strict):
    """How often and by how much a deadline may be extended for one degree of complexity."""

    max_extensions: int = Field(ge=1)
    max_days_each: int | None = Field(default=None, ge=1)
    up_to_policy: str | None = None

    @model_validator(mode="after")
    def _one_limit(self) -> ExtensionAllowance:
        if (self.max_days_each is None) == (self.up_to_policy is None):
            raise ValueError("give exactly one of `max_days_each` or `up_to_policy`")
        return self


class ExtensionSpec(_Strict):
    legal_basis: str = Field(min_length=1)
    note: str = ""
    complicated: ExtensionAllowance | None = None
    especially_complicated: ExtensionAllowance | None = None


class DeadlinePolicy(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kinds: list[FeedbackKind] = Field(min_length=1)
    step: Step
    round: Literal[1, 2] | None = None
    variant: Variant = Variant.NORMAL
    days: int = Field(gt=0)
    unit: DayUnit
    counted_from: CountedFrom
    legal_basis: str = Field(min_length=1)
    unconfirmed: bool = False
    note: str = ""
    on_request: bool = False
    extension: ExtensionSpec | None = None
    pause_basis: str | None = None


class _PoliciesFile(_Strict):
    step_labels: dict[Step, str]
    policies: list[DeadlinePolicy]


class DeadlinePolicies:
    """All policies, looked up by case kind, step, complaint round and variant."""

    def __init__(self, policies: Iterable[DeadlinePolicy], step_labels: dict[Step, str]):
        self._policies = tuple(policies)
        self._by_id = {p.id: p for p in self._policies}
        self.step_labels = dict(step_labels)
        _check_consistency(self._policies, self._by_id, self.step_labels)

    @classmethod
    def load(cls, path: Path | str | None = None) -> DeadlinePolicies:
        source = Path(path) if path is not None else DEFAULT_POLICIES_PATH
        try:
            raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
            parsed = _PoliciesFile.model_validate(raw)
            return cls(parsed.policies, parsed.step_labels)
        except (OSError, yaml.YAMLError, ValueError) as exc:  # incl. ValidationError
            raise DeadlinePolicyError(f"deadline policies {source}: {exc}") from exc

    @property
    def all(self) -> tuple[DeadlinePolicy, ...]:
        return self._policies

    def get_or_raise(self, policy_id: str) -> DeadlinePolicy:
        try:
            return self._by_id[policy_id]
        except KeyError:
            raise DeadlinePolicyError(f"unknown deadline policy {policy_id!r}") from None

    def label(self, step: Step | str) -> str:
        return self.step_labels.get(Step(step), str(step))

    def steps_for(self, kind: str, complaint_round: int | None) -> list[Step]:
        """The routine steps (not on request) of a case kind, in file order."""
        steps: list[Step] = []
        for policy in self._candidates(kind, complaint_round):
            if not policy.on_request and policy.step not in steps:
                steps.append(policy.step)
        return steps

    def find(
        self, kind: str, step: Step | str, complaint_round: int | None, variant: Variant
    ) -> DeadlinePolicy | None:
        """The policy for this variant, else the normal one, else None."""
        matching = [p for p in self._candidates(kind, complaint_round) if p.step == step]
        exact = next((p for p in matching if p.variant == variant), None)
        return exact or next((p for p in matching if p.variant == Variant.NORMAL), None)

    def _candidates(self, kind: str, complaint_round: int | None) -> list[DeadlinePolicy]:
        return [
            p
            for p in self._policies
            if kind in p.kinds and (p.round is None or p.round == complaint_round)
        ]


def _check_consistency(
    policies: tuple[DeadlinePolicy, ...],
    by_id: dict[str, DeadlinePolicy],
    step_labels: dict[Step, str],
) -> None:
    if len(by_id) != len(policies):
        raise DeadlinePolicyError("two policies share an id")
    seen: set[tuple[str, Step, int | None, Variant]] = set()
    for policy in policies:
        for kind in policy.kinds:
            key = (str(kind), policy.step, policy.round, policy.variant)
            if key in seen:
                raise DeadlinePolicyError(f"policy {policy.id!r} duplicates {key}")
            seen.add(key)
        if policy.step not in step_labels:
            raise DeadlinePolicyError(f"policy {policy.id!r}: step {policy.step} has no label")
        _check_extension_targets(policy, by_id)


def _check_extension_targets(policy: DeadlinePolicy, by_id: dict[str, DeadlinePolicy]) -> None:
    if policy.extension is None:
        return
    for allowance in (policy.extension.complicated, policy.extension.especially_complicated):
        target = allowance.up_to_policy if allowance else None
        if target is None:
            continue
        if target not in by_id:
            raise DeadlinePolicyError(f"policy {policy.id!r}: up_to_policy {target!r} is unknown")
        if by_id[target].days <= policy.days:
            raise DeadlinePolicyError(f"policy {policy.id!r}: {target!r} is not longer")
