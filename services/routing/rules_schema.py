"""The shape of rules.yaml, validated with pydantic, and readable error messages for editors."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.contracts.feedback import Channel, FeedbackKind
from shared.text import phrase_pattern


class RuleBookError(ValueError):
    """rules.yaml cannot be used; the message names the rule and the field."""


def _check_phrases(phrases: list[str]) -> list[str]:
    for phrase in phrases:
        phrase_pattern(phrase)  # raises ValueError on a phrase without letters or digits
    return phrases


class RuleConditions(BaseModel):
    """All given conditions must hold; inside one list, any element is enough."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[FeedbackKind] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    communes: list[str] = Field(default_factory=list)
    # unit codes: the complaint is against a decision one of these units issued
    decision_issuers: list[str] = Field(default_factory=list)
    # the complaint's round as the sender gave it (complaint.round: 1 or 2)
    complaint_rounds: list[Literal[1, 2]] = Field(default_factory=list)
    keywords_any: list[str] = Field(default_factory=list)
    keywords_none: list[str] = Field(default_factory=list)

    @field_validator("keywords_any", "keywords_none")
    @classmethod
    def phrases_have_words(cls, phrases: list[str]) -> list[str]:
        return _check_phrases(phrases)

    def is_empty(self) -> bool:
        fields = (self.kinds, self.categories, self.channels, self.districts, self.communes,
                  self.decision_issuers, self.complaint_rounds)
        return not any(fields) and not self.keywords_any


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = Field(min_length=1)
    when: RuleConditions = Field(default_factory=RuleConditions)
    unit: str | None = None
    unit_from: Literal["decision_issuer_unit"] | None = None
    # The matter is not the Department's (land, electricity, traffic…): the unit (the Office)
    # gets it flagged for triage, to forward it, even when a field's word appears in passing.
    triage: bool = False
    # Matched only outside the letter's request ("ông nội em là thương binh… đề nghị… trợ cấp
    # xã hội cho em"), the rule gives way to the field the request names.
    yields_to_request: bool = False
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _one_target_and_a_condition(self) -> RuleSpec:
        if (self.unit is None) == (self.unit_from is None):
            raise ValueError("give exactly one of `unit` or `unit_from`")
        if self.when.is_empty() and self.unit_from is None:
            raise ValueError("a rule needs at least one condition under `when`")
        return self

    def is_active(self, on: date) -> bool:
        starts_ok = self.valid_from is None or self.valid_from <= on
        return starts_ok and (self.valid_to is None or on <= self.valid_to)


class FallbackSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: str = "VAN_PHONG"
    description: str = "Không khớp quy tắc nào: phân loại thủ công"


class RuleBookSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    fallback: FallbackSpec = Field(default_factory=FallbackSpec)
    ignore_phrases: list[str] = Field(default_factory=list)
    # Words several fields use ("trợ cấp hằng tháng"): a letter's request made of them does not
    # take it from the field its background names (yields_to_request).
    generic_phrases: list[str] = Field(default_factory=list)
    rules: list[RuleSpec]

    @field_validator("ignore_phrases", "generic_phrases")
    @classmethod
    def phrases_have_words(cls, phrases: list[str]) -> list[str]:
        return _check_phrases(phrases)

    @model_validator(mode="after")
    def _ids_are_unique(self) -> RuleBookSpec:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return self


def parse_rulebook_yaml(text: str, *, source: str = "rules.yaml") -> RuleBookSpec:
    """Parse and validate; raise RuleBookError naming the rule (id and position) and field."""
    try:
        raw = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. a date like 2026-13-01
        raise RuleBookError(f"{source}: không đọc được YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise RuleBookError(f"{source}: cần một bảng (mapping) có khóa `rules`")
    try:
        return RuleBookSpec.model_validate(raw)
    except ValidationError as exc:
        lines = [_describe_error(err, raw) for err in exc.errors()]
        raise RuleBookError(f"{source}:\n  " + "\n  ".join(lines)) from exc


def _describe_error(error: Any, raw: dict[str, Any]) -> str:
    loc = list(error["loc"])
    message = error["msg"]
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        index = loc[1]
        rule_id = _rule_id_at(raw, index)
        field = _dotted(loc[2:]) or "(cả quy tắc)"
        return f"quy tắc {rule_id!r} (rules[{index}]), trường {field}: {message}"
    return f"trường {_dotted(loc) or '(gốc)'}: {message}"


def _rule_id_at(raw: dict[str, Any], index: int) -> str:
    rules = raw.get("rules")
    if isinstance(rules, list) and index < len(rules) and isinstance(rules[index], dict):
        return str(rules[index].get("id", "?"))
    return "?"


def _dotted(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
