"""Sealing of protected personal data (Luật Tố cáo 2018 Điều 9, 47, 56).

Keys: DVK_CONFIDENTIALITY_KEY, a comma-separated list of Fernet keys, newest first. Data sealed
with an older key still opens; `rotate` re-seals with the newest. Without a configured key a
development key is created once under the data folder (never for production: set the variable).
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from shared.logging import get_logger
from shared.text import fold, nfc

log = get_logger()

REDACTED = "[đã ẩn]"


class Sealer:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one confidentiality key is required")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def seal(self, clear: str) -> str:
        return self._fernet.encrypt(clear.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("sealed data cannot be opened with the configured keys") from exc

    def rotate(self, sealed: str) -> str:
        return self._fernet.rotate(sealed.encode()).decode()


def sealer_from_settings(configured: str, data_dir: Path) -> Sealer:
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    return Sealer(keys or [_development_key(data_dir)])


@lru_cache(maxsize=4)
def _development_key(data_dir: Path) -> str:
    """The services start side by side on one data folder: the key is written whole to a file
    of its own, then linked into place, which fails rather than replaces if another process
    got there first. Either way every process then reads the one complete key."""
    path = data_dir / "confidentiality.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, written = tempfile.mkstemp(dir=data_dir, prefix=".confidentiality.key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(Fernet.generate_key().decode())
            os.link(written, path)
            log.warning("no DVK_CONFIDENTIALITY_KEY set; created a development key",
                        path=str(path))
        except FileExistsError:
            pass
        finally:
            os.unlink(written)
    return path.read_text().strip()


def redact_identity(text: str, identifiers: list[str | None]) -> str:
    """Removes each identifier (name, phone, id number, e-mail, address) from a free text.

    A name or address is found in any case, with or without diacritics, in NFC or NFD, with any
    spacing or dots/dashes/underscores between its words; a name's given name also when a title
    stands before it ("Ông Lực"). A number is found with a 0, 84 or +84 prefix and any
    separators ("(0978) 200-204"); an e-mail in any case.
    """
    idents = [i.strip() for i in identifiers if i and len(i.strip()) >= 3]
    if not idents or not text:
        return text
    folded, origin = _fold_with_origin(text)
    spans = [span for ident in idents for span in _find(ident, text, folded, origin)]
    return _replace(text, spans)


def redact_url(url: str, identifiers: list[str | None]) -> str:
    """A link with the identifiers removed from its readable (percent-decoded) parts; it stays a
    valid URL. A host naming the sender is replaced as a whole."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if redact_identity(unquote(netloc), identifiers) != unquote(netloc):
        netloc = "redacted.invalid"
    path, query, fragment = (_redact_quoted(p, identifiers)
                             for p in (parts.path, parts.query, parts.fragment))
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def redact_texts(value: Any, identifiers: list[str | None], *,
                 keep: frozenset[str] = frozenset(), links: frozenset[str] = frozenset(),
                 field: str = "") -> Any:
    """A JSON-like value with the identifiers removed from every string in it, but those of the
    fields named in `keep` (left as sent); the strings of the fields in `links` stay URLs."""
    if isinstance(value, dict):
        return {k: redact_texts(v, identifiers, keep=keep, links=links, field=k)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact_texts(v, identifiers, keep=keep, links=links, field=field) for v in value]
    if not isinstance(value, str) or field in keep:
        return value
    if field in links:
        return redact_url(value, identifiers)
    return redact_identity(value, identifiers)


def _redact_quoted(part: str, identifiers: list[str | None]) -> str:
    clear = unquote(part)
    redacted = redact_identity(clear, identifiers)
    return part if redacted == clear else quote(redacted, safe="/=&;:@+,!$'()*~")


_TITLES = ("ông", "bà", "anh", "chị", "em", "cô", "chú")
_WORD_GAP = r"[\s.,;:\-_+/]*"
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![^\W_])", r"(?![^\W_])"
_DIGIT_GAP = r"[\s.\-_()/]{0,3}"
_TRUNK = rf"(?:\(?(?:(?:\+|00)\s?)?84\)?|\(?0){_DIGIT_GAP}"
# A person's name: a few words of letters only (an address has digits or commas). Only a name
# is also looked for as "title + given name".
_NAME_SHAPE = re.compile(r"[^\W\d_]+(?:\s+[^\W\d_]+){0,4}")


def _find(ident: str, text: str, folded: str, origin: list[int]) -> list[tuple[int, int]]:
    digits = re.sub(r"\D", "", ident)
    if re.fullmatch(r"[+0-9 .\-()]+", ident) and len(digits) >= 6:
        return [_number_span(m) for m in _number_pattern(digits).finditer(text)]
    if "@" in ident and not re.search(r"\s", ident):
        return [m.span() for m in re.finditer(re.escape(ident), text, re.IGNORECASE)]
    return [_original_span(text, origin, *span) for span in _word_spans(ident, text, folded,
                                                                         origin)]


def _number_pattern(digits: str) -> re.Pattern[str]:
    national = _national_number(digits)
    return re.compile(rf"(?<!\d)(?:{_TRUNK})?{_DIGIT_GAP.join(national)}(?!\d)")


def _number_span(match: re.Match[str]) -> tuple[int, int]:
    """The match, less an opening parenthesis that is not closed in it: "(0912 345 678)"."""
    start, end = match.span()
    unclosed = match.group().startswith("(") and ")" not in match.group()
    return (start + 1, end) if unclosed else (start, end)


def _national_number(digits: str) -> str:
    """0978200203, 84978200203 and 0084978200203 are the same number: 978200203."""
    for trunk in ("0084", "84", "0"):
        if digits.startswith(trunk) and len(digits) - len(trunk) >= 8:
            return digits[len(trunk):]
    return digits


def _word_spans(ident: str, text: str, folded: str,
                origin: list[int]) -> list[tuple[int, int]]:
    """Spans in `folded` of the whole identifier and, for a name, of its given name after a
    title."""
    words = _words(fold(ident))
    if not words:
        return []
    whole = re.compile(_EDGE_BEFORE + _WORD_GAP.join(map(re.escape, words)) + _EDGE_AFTER)
    spans = [m.span() for m in whole.finditer(folded)]
    if len(words) == 1:
        # One syllable folds onto many words (Lực, lúc, lục): the diacritics typed must agree.
        spans = [s for s in spans if _typed_as(_original(text, origin, s), ident)]
    elif _NAME_SHAPE.fullmatch(nfc(ident)):
        spans += _titled_given_name_spans(ident, words, text, folded, origin)
    return spans


def _titled_given_name_spans(ident: str, words: list[str], text: str, folded: str,
                             origin: list[int]) -> list[tuple[int, int]]:
    """"Ông Lực", "chị Ánh Tuyết": only the name is taken, and only if typed with the name's
    own diacritics or none ("có lúc" is not "cô Lực")."""
    given = [_WORD_GAP.join(map(re.escape, words[k:])) for k in range(1, len(words))]
    titles = "|".join(fold(t) for t in _TITLES)
    pattern = re.compile(rf"{_EDGE_BEFORE}(?P<title>{titles})[\s.\-_]+(?P<given>"
                         rf"{'|'.join(given)}){_EDGE_AFTER}")
    given_name = " ".join(ident.split()[1:])
    return [m.span("given") for m in pattern.finditer(folded)
            if _typed_as(_original(text, origin, m.span("title")), *_TITLES)
            and _typed_as(_original(text, origin, m.span("given")), given_name)]


def _typed_as(typed: str, *expected: str) -> bool:
    """`typed` is written without diacritics, or as the last words of one of `expected`
    ("Lực" as in "Văn Lực")."""
    words = _words(nfc(typed).lower())
    if all(w == fold(w) for w in words):
        return True
    return any(_words(nfc(e).lower())[-len(words):] == words for e in expected)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def _fold_with_origin(text: str) -> tuple[str, list[int]]:
    """`text` folded character by character (every whitespace kept as one space, so positions
    stay close), with the index in `text` each folded character comes from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for folded in _fold_char(ch):
            chars.append(folded)
            origin.append(index)
    return "".join(chars), origin


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return " " if ch.isspace() else fold(ch)


def _original_span(text: str, origin: list[int], start: int, end: int) -> tuple[int, int]:
    first, last = origin[start], origin[end - 1] + 1
    while last < len(text) and not _fold_char(text[last]):
        last += 1  # combining marks of the last letter (NFD) belong to it
    return first, last


def _original(text: str, origin: list[int], span: tuple[int, int]) -> str:
    start, end = _original_span(text, origin, *span)
    return text[start:end]


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    pieces: list[str] = []
    done = 0
    for start, end in sorted(spans):
        if start < done:  # overlaps the previous span: already under its marker
            done = max(done, end)
            continue
        pieces += [text[done:start], REDACTED]
        done = end
    return "".join(pieces) + text[done:]
