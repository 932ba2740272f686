"""A text typed without diacritics is matched folded, where different words meet: "dâm ô" and
"dám ở", "văn thư" and "vẫn thu", "đình công" and "gia đình, cộng đồng". No keyword may match
a table text typed again without its diacritics where it does not match the text as written,
or a letter typed without diacritics goes to a unit by accident. Besides the table's texts, the
check reads ordinary_texts.yaml: Hà Tĩnh's place names and everyday sentences on no programme."""

from pathlib import Path

import pytest
import yaml

from services.routing.rules import RoutingInput, RuleBook
from shared.text import fold, is_marked, marked_phrase_pattern, phrase_pattern

HERE = Path(__file__).parent
ORDINARY = yaml.safe_load((HERE / "ordinary_texts.yaml").read_text(encoding="utf-8"))
TEXTS = [case["text"] for case in yaml.safe_load(
    (HERE / "feedback_cases.yaml").read_text(encoding="utf-8"))["cases"]
    if is_marked(case["text"])] + ORDINARY["texts"] + [
    f"Tôi ở xã {place}, nay viết đơn này." for place in ORDINARY["places"]]

# Folding makes these the same words on purpose, or the other reading is not a letter's:
KNOWN = {
    "trợ cấp hàng tháng": "hằng tháng: the same words, two spellings",
    "trợ cấp hằng tháng": "hàng tháng: the same words, two spellings",
    "tìm kiếm việc làm hàng tháng": "hằng tháng: the same words, two spellings",
    "đi Nhật": "'đi nhặt' (go and pick up) is rare beside work in Japan",
    "người nghiện": "'người nghiên cứu' typed without diacritics is rare in a letter",
    "mưa lũ": "'mùa lũ' (the flood season) is the same matter",
    "bọ dượng": "'bố dượng': 'bọ' is the Nghệ Tĩnh word for father, the same person",
    "bố dượng": "'bọ dượng', the same person in Nghệ Tĩnh words",
}


@pytest.fixture(scope="module")
def rulebook() -> RuleBook:
    return RuleBook.load()


def test_no_keyword_matches_a_text_only_once_its_diacritics_are_gone(rulebook) -> None:
    as_written = [rulebook.text_for_matching(RoutingInput(kind="phan_anh", content=t)).text
                  for t in TEXTS]
    typed_plain = [rulebook.text_for_matching(RoutingInput(kind="phan_anh", content=fold(t))).text
                   for t in TEXTS]
    collisions = []
    for rule in rulebook.spec.rules:
        for phrase in rule.when.keywords_any:
            if phrase in KNOWN:
                continue
            folded, with_marks = phrase_pattern(phrase), marked_phrase_pattern(phrase)
            collisions += [(rule.id, phrase, text[:80])
                           for text, plain in zip(as_written, typed_plain, strict=True)
                           if folded.search(plain) and not with_marks.search(text)]

    assert collisions == []


def test_the_check_finds_a_collision() -> None:
    written = "Nhà nứt hết tường, vợ chồng tôi không dám ở."

    assert phrase_pattern("dâm ô").search(fold(written))
    assert not marked_phrase_pattern("dâm ô").search(written.lower())
