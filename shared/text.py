"""Vietnamese text helpers for case- and diacritics-insensitive matching.

Citizens often type without diacritics ("tro cap that nghiep") or mix Unicode forms
(precomposed NFC from one keyboard, decomposed NFD from another). `fold` maps all of
these to one plain form so that "Trợ cấp THẤT NGHIỆP" and "tro cap that nghiep" compare equal.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# Letters NFD does not decompose: đ/Đ (d with stroke), and ð (eth), sometimes typed for đ.
_UNDECOMPOSABLE = str.maketrans({"đ": "d", "ð": "d"})
_WORD_GAP = r"[\W_]+"


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
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    decomposed = unicodedata.normalize("NFD", visible.lower())
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = without_marks.translate(_UNDECOMPOSABLE)
    return _WHITESPACE.sub(" ", plain).strip()


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A regex that finds `phrase` as whole words in already-folded text.

    The phrase is folded too; words may be separated by any run of spaces or punctuation,
    so "xuất khẩu lao động" also finds "xuat-khau lao dong". Raises ValueError on an
    empty phrase.
    """
    words = re.findall(r"\w+", fold(phrase))
    if not words:
        raise ValueError(f"phrase {phrase!r} has no letters or digits")
    body = _WORD_GAP.join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)")
