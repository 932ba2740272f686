"""Vietnamese text helpers for case- and diacritics-insensitive matching.

Citizens often type without diacritics ("tro cap that nghiep") or mix Unicode forms
(precomposed NFC from one keyboard, decomposed NFD from another). `fold` maps all of
these to one plain form so that "Trợ cấp THẤT NGHIỆP" and "tro cap that nghiep" compare equal.

Folding also makes different words equal ("nghiện" and "nghiên", "lương" and "lượng"), so a
text written with its diacritics is matched with them (`marked`, `is_marked`): "người nghiện"
then does not find "người nghiên cứu". `marked` keeps the marks but not the two ways of placing
a tone on oa/oe/uy ("hóa" and "hoá" are one word).
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# Letters NFD does not decompose: đ/Đ (d with stroke), and ð (eth), sometimes typed for đ.
_UNDECOMPOSABLE = str.maketrans({"đ": "d", "ð": "d"})
_WORD_GAP = r"[\W_]+"
_WORD_START, _WORD_END = r"(?<!\w)", r"(?!\w)"


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC (the precomposed form used for storage and display)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase, strip Vietnamese diacritics, map đ→d and collapse whitespace; invisible
    format characters (a soft hyphen or zero-width space pasted from a web page or Word) are
    dropped, so they cannot split a word.

    >>> fold("  Trợ cấp   THẤT NGHIỆP, Đà Nẵng ")
    'tro cap that nghiep, da nang'
    """
    without_marks = "".join(ch for ch in _decomposed(text) if not unicodedata.combining(ch))
    plain = without_marks.translate(_UNDECOMPOSABLE)
    return _WHITESPACE.sub(" ", plain).strip()


# Tone on the first vowel of a final oa/oe/uy ("hóa", "khỏe", "thủy") moved to the second
# ("hoá", "khoẻ", "thuỷ"): both placements are in use, for the same word.
_TONE_PLACEMENT = re.compile(r"([oO])([\u0300\u0301\u0303\u0309\u0323])([aAeE])(?!\w)"
                             r"|([uU])([\u0300\u0301\u0303\u0309\u0323])([yY])(?!\w)")
_MARKED_SHARE = 0.25  # of a text's words: below it, the text was typed without diacritics


def marked(text: str) -> str:
    """Lowercase NFC with the diacritics kept, one tone placement, whitespace collapsed.

    >>> marked("  Chất độc HÓA học, sức khỏe ")
    'chất độc hoá học, sức khoẻ'
    """
    placed = _TONE_PLACEMENT.sub(_move_tone, _decomposed(text))
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", placed)).strip()


def _decomposed(text: str) -> str:
    """Lowercase NFD without invisible format characters (a soft hyphen or zero-width space
    pasted from a web page or Word), which would split a word."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFD", visible.lower())


def _move_tone(match: re.Match[str]) -> str:
    first, tone, second = match.group(1, 2, 3) if match.group(1) else match.group(4, 5, 6)
    return first + unicodedata.normalize("NFD", second + tone)


def is_marked(text: str) -> bool:
    """Whether `text` was written with its diacritics (a quarter of its words or more carry
    one), as opposed to typed without them."""
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return False
    with_marks = sum(1 for word in words if not word.isascii())
    return with_marks >= _MARKED_SHARE * len(words)


def marked_phrase_pattern(phrase: str) -> re.Pattern[str]:
    """phrase_pattern for text prepared by `marked`: the phrase must carry the same marks
    (a phrase written without any, like "BHXH", matches as it is)."""
    return _whole_words(phrase, marked(phrase))


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A regex that finds `phrase` as whole words in already-folded text.

    The phrase is folded too; words may be separated by any run of spaces or punctuation,
    so "xuất khẩu lao động" also finds "xuat-khau lao dong". Raises ValueError on an
    empty phrase.
    """
    return _whole_words(phrase, fold(phrase))


def _whole_words(phrase: str, prepared: str) -> re.Pattern[str]:
    words = re.findall(r"\w+", prepared)
    if not words:
        raise ValueError(f"phrase {phrase!r} has no letters or digits")
    body = _WORD_GAP.join(re.escape(word) for word in words)
    return re.compile(_WORD_START + body + _WORD_END)


def any_phrase_pattern(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that finds any of several phrase patterns (None for none): the word
    boundaries are tested once per position, not once per phrase."""
    if not patterns:
        return None
    bodies = [p.pattern.removeprefix(_WORD_START).removesuffix(_WORD_END) for p in patterns]
    return re.compile(_WORD_START + "(?:" + "|".join(bodies) + ")" + _WORD_END)
