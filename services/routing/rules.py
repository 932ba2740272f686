"""Routing rules: ordered policies, first match wins, loaded from rules.yaml.

Pure decisions: `RuleBook.route` takes the case, the unit catalogue and a date, and returns
which unit is responsible and why. `RuleBookSource` re-reads the YAML when it changes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from services.routing.explanations import explain_fallback, explain_match
from services.routing.rules_schema import (
    RuleBookError,
    RuleBookSpec,
    RuleSpec,
    parse_rulebook_yaml,
)
from shared.units import Unit, UnitCatalogue, UnitNotFound
from shared.text import (
    any_phrase_pattern,
    fold,
    is_marked,
    marked,
    marked_phrase_pattern,
    phrase_pattern,
)

DEFAULT_RULES_PATH = Path(__file__).parent / "catalogue" / "rules.yaml"


__all__ = [
    "DEFAULT_RULES_PATH",
    "RoutingDecision",
    "RoutingInput",
    "RuleBook",
    "RuleBookError",
    "RuleBookSource",
    "RuleBookState",
]


@dataclass(frozen=True)
class RoutingInput:
    """What routing looks at. `kind` is a FeedbackKind value (e.g. "khieu_nai")."""

    kind: str
    subject: str = ""
    content: str = ""
    category_hints: tuple[str, ...] = ()
    channel: str | None = None
    district: str | None = None
    commune: str | None = None
    decision_issuer_unit: str | None = None
    complaint_round: int | None = None


@dataclass(frozen=True)
class RoutingDecision:
    unit_code: str
    unit_name: str
    rule_id: str
    rule_description: str
    matched_keywords: tuple[str, ...]
    needs_triage: bool
    explanation: str
    is_external: bool = False
    redirected_from: str | None = None


# Chat shorthand for words the rules' phrases are made of ("cty ko đóng bh", "k chốt sổ đc"),
# written out before matching. Whole words only: "500k" stays, and so does the initial in
# "Nguyễn Văn K.". Not "hd" or "hđ" (hướng dẫn, hoạt động) nor "tt" (trung tâm, thông tư).
_SHORTHAND_WORDS = {
    "ko": "không", "k": "không", "kg": "không", "khg": "không", "hok": "không",
    "dc": "được", "đc": "được", "cty": "công ty", "bh": "bảo hiểm", "ng": "người",
    "lđ": "lao động", "ld": "lao động", "nlđ": "người lao động", "nld": "người lao động",
    "dn": "doanh nghiệp", "tts": "thực tập sinh", "xh": "xã hội",
}


def _shorthand_pattern(words: dict[str, str]) -> tuple[re.Pattern[str], dict[str, str]]:
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?![\w.])"), words


_SHORTHAND = {
    True: _shorthand_pattern(_SHORTHAND_WORDS),
    False: _shorthand_pattern({fold(k): fold(v) for k, v in _SHORTHAND_WORDS.items()}),
}


def _written_out(text: str, is_marked_text: bool) -> str:
    pattern, words = _SHORTHAND[is_marked_text]
    return pattern.sub(lambda found: words[found.group(0)], text)


class _MatchText(NamedTuple):
    """The case's text as it is matched: with its diacritics when it was written with them,
    folded when it was typed without; chat shorthand written out."""

    text: str
    is_marked: bool

    @classmethod
    def of(cls, raw: str) -> _MatchText:
        written_marked = is_marked(raw)
        text = marked(raw) if written_marked else fold(raw)
        return cls(_written_out(text, written_marked), written_marked)


class _Phrase(NamedTuple):
    """A keyword, found in text typed without diacritics by its folded form and in text
    written with them by its marked form ("người nghiện" must not find "người nghiên cứu")."""

    text: str
    folded: re.Pattern[str]
    marked: re.Pattern[str]

    @classmethod
    def of(cls, text: str) -> _Phrase:
        return cls(text, phrase_pattern(text), marked_phrase_pattern(text))

    def pattern(self, is_marked: bool) -> re.Pattern[str]:
        return self.marked if is_marked else self.folded

    def search(self, text: _MatchText) -> bool:
        return self.pattern(text.is_marked).search(text.text) is not None

    def remove(self, text: _MatchText) -> _MatchText:
        return _MatchText(self.pattern(text.is_marked).sub(" ", text.text), text.is_marked)


class _PhraseSet:
    """A rule's keywords, with one pattern for all of them in each form: most rules match
    nothing in a given text, and one search tells that instead of one per keyword."""

    def __init__(self, phrases: tuple[_Phrase, ...]) -> None:
        self.phrases = phrases
        self._any = {marked_form: any_phrase_pattern([p.pattern(marked_form) for p in phrases])
                     for marked_form in (False, True)}

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def any_in(self, text: _MatchText) -> bool:
        pattern = self._any[text.is_marked]
        return pattern is not None and pattern.search(text.text) is not None

    def found_in(self, text: _MatchText) -> tuple[str, ...]:
        if not self.any_in(text):
            return ()
        return tuple(phrase.text for phrase in self.phrases if phrase.search(text))


@dataclass(frozen=True)
class _CompiledRule:
    spec: RuleSpec
    keywords: _PhraseSet
    excluded: _PhraseSet
    folded: dict[str, frozenset[str]] = field(default_factory=dict)
    # Chosen by the letter's words alone, not by its kind, channel or the decision it contests:
    # one of the Department's fields of work, which a letter's request may name.
    is_field: bool = False

    @classmethod
    def of(cls, spec: RuleSpec) -> _CompiledRule:
        when = spec.when
        folded = {
            "categories": frozenset(fold(c) for c in when.categories),
            "districts": frozenset(fold(d) for d in when.districts),
            "communes": frozenset(fold(c) for c in when.communes),
        }
        keywords = _PhraseSet(tuple(_Phrase.of(k) for k in when.keywords_any))
        excluded = _PhraseSet(tuple(_Phrase.of(k) for k in when.keywords_none))
        is_field = bool(keywords) and not (when.kinds or when.channels or when.decision_issuers
                                           or when.complaint_rounds or spec.unit_from)
        return cls(spec, keywords, excluded, folded, is_field)

    def match(self, item: RoutingInput, text: _MatchText,
              letter: _MatchText | None = None) -> tuple[str, ...] | None:
        """Matched keywords (empty when the rule has none) if every condition holds, else None.
        `letter`: the whole letter, when `text` is a part of it (its request): an excluded
        phrase anywhere in the letter still excludes."""
        if not self._attributes_match(item) or self.excluded.any_in(text):
            return None
        if letter is not None and self.excluded.any_in(letter):
            return None
        if not self.keywords:
            return ()
        return self.keywords.found_in(text) or None

    def _attributes_match(self, item: RoutingInput) -> bool:
        when = self.spec.when
        if when.kinds and item.kind not in when.kinds:
            return False
        if when.channels and item.channel not in when.channels:
            return False
        if when.decision_issuers and item.decision_issuer_unit not in when.decision_issuers:
            return False
        if when.complaint_rounds and item.complaint_round not in when.complaint_rounds:
            return False
        hints = {fold(h) for h in item.category_hints}
        if self.folded["categories"] and not hints & self.folded["categories"]:
            return False
        return _one_of(item.district, self.folded["districts"]) and _one_of(
            item.commune, self.folded["communes"]
        )


def _one_of(value: str | None, allowed: frozenset[str]) -> bool:
    return not allowed or (value is not None and fold(value) in allowed)


# A rule that matched, the keywords it found and the unit code it names.
_Match = tuple[_CompiledRule, tuple[str, ...], str]


class RuleBook:
    """An ordered list of routing rules with a fallback unit."""

    def __init__(self, spec: RuleBookSpec, *, content_hash: str = "") -> None:
        self.spec = spec
        self.content_hash = content_hash
        self._rules = tuple(_CompiledRule.of(rule) for rule in spec.rules)
        self._ignored = tuple(_Phrase.of(p) for p in spec.ignore_phrases)
        self._generic = tuple(_Phrase.of(p) for p in spec.generic_phrases)

    @classmethod
    def from_yaml_text(cls, text: str, *, source: str = "rules.yaml") -> RuleBook:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(parse_rulebook_yaml(text, source=source), content_hash=digest)

    @classmethod
    def load(cls, path: Path | str | None = None) -> RuleBook:
        source = Path(path) if path is not None else DEFAULT_RULES_PATH
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleBookError(f"{source}: không đọc được tệp: {exc}") from exc
        return cls.from_yaml_text(text, source=str(source))

    @property
    def rule_ids(self) -> list[str]:
        return [rule.spec.id for rule in self._rules]

    def unknown_unit_codes(self, units: UnitCatalogue) -> list[str]:
        """Unit codes named by the rules (as targets or issuers) or the fallback that the catalogue
        does not know."""
        named = [r.spec.unit for r in self._rules if r.spec.unit] + [self.spec.fallback.unit]
        named += [code for r in self._rules for code in r.spec.when.decision_issuers]
        return sorted({code for code in named if not units.knows(code)})

    def route(self, item: RoutingInput, *, units: UnitCatalogue, on: date) -> RoutingDecision:
        """The first matching active rule decides; nothing matched: the fallback, for triage.

        A letter is the unit's that answers what it asks for: when the first rule matched a
        field only in the letter's background ("ông nội em là thương binh") and its request
        ("đề nghị…", "xin…") names another field, the request's field decides."""
        text = self.text_for_matching(item)
        found = self._first_match(item, text, units, on)
        if found is None:
            return self._fallback(units, on)
        if asked := self._asked_instead(found[0], item, text, units, on):
            return self._decision(*asked, item, units, on, by_request=True)
        return self._decision(*found, item, units, on)

    def _asked_instead(self, first: _CompiledRule, item: RoutingInput, text: _MatchText,
                       units: UnitCatalogue, on: date) -> _Match | None:
        """For a first rule that yields to the request and whose words are not in it: the
        field rule the request matches, if another."""
        if not first.spec.yields_to_request:
            return None
        request = _request_of(text)
        if request is None or first.keywords.any_in(request):
            return None
        for phrase in self._generic:
            request = phrase.remove(request)
        asked = self._first_match(item, request, units, on, letter=text)
        return asked if asked is not None and asked[0] is not first else None

    def _first_match(self, item: RoutingInput, text: _MatchText, units: UnitCatalogue, on: date,
                     *, letter: _MatchText | None = None) -> _Match | None:
        """The first rule that matches `text`; with `letter` (`text` is its request), only the
        rules chosen by words alone, and excluded by a phrase anywhere in the letter."""
        for rule in self._rules:
            if letter is not None and not rule.is_field:
                continue
            matched = rule.match(item, text, letter) if rule.spec.is_active(on) else None
            if matched is None:
                continue
            target = _target_code(rule.spec, item, units, on)
            if target is not None:
                return rule, matched, target
        return None

    @staticmethod
    def _decision(rule: _CompiledRule, matched: tuple[str, ...], target: str,
                  item: RoutingInput, units: UnitCatalogue, on: date, *,
                  by_request: bool = False) -> RoutingDecision:
        unit = units.resolve_or_raise(target, on=on)
        replaced = units.by_code[target][-1] if unit.code != target else None
        return _decide(rule.spec, matched, item, unit, replaced,
                       issuer=_issuer(rule.spec, item, units, on), by_request=by_request)

    def text_for_matching(self, item: RoutingInput) -> _MatchText:
        text = _MatchText.of(f"{item.subject}\n{item.content}")
        for phrase in self._ignored:
            text = phrase.remove(text)
        return text

    def _fallback(self, units: UnitCatalogue, on: date) -> RoutingDecision:
        fallback = self.spec.fallback
        unit = units.resolve_or_raise(fallback.unit, on=on)
        return RoutingDecision(
            unit_code=unit.code,
            unit_name=unit.name,
            rule_id="fallback",
            rule_description=fallback.description,
            matched_keywords=(),
            needs_triage=True,
            explanation=explain_fallback(unit),
            is_external=unit.is_external,
        )


def _target_code(spec: RuleSpec, item: RoutingInput, units: UnitCatalogue, on: date) -> str | None:
    """The rule's unit; for `unit_from`, the issuer named by the case if it resolves on `on`."""
    if spec.unit is not None:
        return spec.unit
    issuer = item.decision_issuer_unit
    if not issuer:
        return None
    try:
        units.resolve_or_raise(issuer, on=on)
    except UnitNotFound:
        return None
    return issuer


# Where a letter says what it asks for: the sentences with one of these words (a status named in
# the same sentence as the request, "Bố tôi là bệnh binh, đề nghị…", is what is asked about).
# Not "yêu cầu": as often what someone else demanded ("BHXH yêu cầu bổ sung…"); folded "mong",
# "nho" and "hoi" are also "móng", "nhỏ" and "hội".
_REQUEST_WORDS = {
    True: ("đề nghị", "kiến nghị", "đề xuất", "xin", "mong", "nhờ", "hỏi", "ở đâu", "thế nào"),
    False: ("de nghi", "kien nghi", "de xuat", "xin", "mong muon", "kinh mong", "rat mong",
            "cho hoi", "muon hoi", "o dau", "the nao"),
}
_REQUEST = {marked_form: re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")
            for marked_form, words in _REQUEST_WORDS.items()}
_SENTENCE_END = re.compile(r"[.!?;]")


def _request_of(text: _MatchText) -> _MatchText | None:
    asking = _REQUEST[text.is_marked]
    found = [s for s in _SENTENCE_END.split(text.text) if asking.search(s)]
    return _MatchText(" . ".join(found), text.is_marked) if found else None


def _issuer(spec: RuleSpec, item: RoutingInput, units: UnitCatalogue, on: date) -> Unit | None:
    """The unit whose decision is complained about, when the rule chose by it."""
    code = item.decision_issuer_unit
    if not (spec.unit_from or spec.when.decision_issuers) or not code:
        return None
    versions = units.by_code.get(code, ())  # a unit that has ended is named as it was
    return units.get(code, on=on) or (versions[-1] if versions else None)


def _decide(
    spec: RuleSpec, matched: tuple[str, ...], item: RoutingInput, unit: Unit,
    replaced: Unit | None, *, issuer: Unit | None = None, by_request: bool = False,
) -> RoutingDecision:
    return RoutingDecision(
        unit_code=unit.code,
        unit_name=unit.name,
        rule_id=spec.id,
        rule_description=spec.description,
        matched_keywords=matched,
        needs_triage=spec.triage,
        explanation=explain_match(spec, matched, item, unit, replaced, issuer=issuer,
                                  by_request=by_request),
        is_external=unit.is_external,
        redirected_from=replaced.code if replaced else None,
    )


class RuleBookState(NamedTuple):
    """What `RuleBookSource.current()` returns."""

    rulebook: RuleBook
    changed: bool
    error: str | None


class RuleBookSource:
    """Rules from a YAML file, re-read when the file changes; bad edits keep the old rules."""

    def __init__(self, path: Path | str | None = None, *, units: UnitCatalogue | None = None):
        self.path = Path(path) if path is not None else DEFAULT_RULES_PATH
        self._units = units
        self._signature = self._stat_signature()
        self._rulebook = self._read()
        self._error: str | None = None

    def current(self) -> RuleBookState:
        """The rules in force; `changed` is True when this call loaded a new version."""
        signature = self._stat_signature()
        if signature == self._signature:
            return RuleBookState(self._rulebook, False, self._error)
        self._signature = signature
        return self._reload()

    def _reload(self) -> RuleBookState:
        try:
            candidate = self._read()
        except RuleBookError as exc:
            self._error = str(exc)
            return RuleBookState(self._rulebook, False, self._error)
        self._error = None
        if candidate.content_hash == self._rulebook.content_hash:
            return RuleBookState(self._rulebook, False, None)
        self._rulebook = candidate
        return RuleBookState(candidate, True, None)

    def _read(self) -> RuleBook:
        rulebook = RuleBook.load(self.path)
        unknown = rulebook.unknown_unit_codes(self._units) if self._units else []
        if unknown:
            listed = ", ".join(unknown)
            raise RuleBookError(f"{self.path}: mã đơn vị không có trong danh mục: {listed}")
        return rulebook

    def _stat_signature(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)
