import unicodedata

import pytest

from shared.text import fold, is_marked, marked, marked_phrase_pattern, nfc, phrase_pattern


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Trợ cấp thất nghiệp", "tro cap that nghiep"),
        ("TRỢ CẤP THẤT NGHIỆP", "tro cap that nghiep"),
        ("tro cap that nghiep", "tro cap that nghiep"),
        ("Đường Nguyễn Du, Thành phố Hà Tĩnh", "duong nguyen du, thanh pho ha tinh"),
        ("  người   có\tcông \n", "nguoi co cong"),
        ("Ưu đãi – ơn nghĩa", "uu dai – on nghia"),
        ("ðường", "duong"),
        ("thất nghi\u00adệp", "that nghiep"),  # soft hyphen pasted from Word
        ("trợ\u200b cấp\u2060", "tro cap"),  # zero-width space, word joiner
        ("\ufeffBHXH", "bhxh"),  # a byte-order mark at the start
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold__nfd_and_nfc_inputs_fold_alike() -> None:
    precomposed = "Bảo trợ xã hội"
    decomposed = unicodedata.normalize("NFD", precomposed)
    assert decomposed != precomposed
    assert fold(decomposed) == fold(precomposed) == "bao tro xa hoi"


def test_nfc_composes() -> None:
    decomposed = unicodedata.normalize("NFD", "Liệt sĩ")
    assert nfc(decomposed) == "Liệt sĩ"
    assert len(nfc(decomposed)) == len("Liệt sĩ")


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("xuất khẩu lao động", "di xuat-khau lao dong bi lua", True),
        ("xuất khẩu lao động", "XUẤT KHẨU LAO ĐỘNG", True),
        ("tiền lương", "chat luong dich vu kem", False),
        ("tiền lương", "cong ty no tien luong", True),
        ("BHXH", "chua chot so bhxh.", True),
        ("BHXH", "bhxhvn", False),
        ("cai nghiện", "nghien cuu de tai", False),
        ("trẻ em", "tre em bi bo roi", True),
    ],
)
def test_phrase_pattern_matches_whole_words(phrase: str, text: str, found: bool) -> None:
    assert bool(phrase_pattern(phrase).search(fold(text))) is found


def test_phrase_pattern_refuses_a_phrase_without_words() -> None:
    with pytest.raises(ValueError):
        phrase_pattern(" -- ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Chất độc HÓA học ", "chất độc hoá học"),
        ("sức khỏe, thủy lợi, Hòa Bình", "sức khoẻ, thuỷ lợi, hoà bình"),
        ("hoàn thành, quý, khuya", "hoàn thành, quý, khuya"),  # tone inside a word stays
        ("tru\u00adng tâm", "trung tâm"),  # a soft hyphen pasted from Word
    ],
)
def test_marked_keeps_diacritics_with_one_tone_placement(text: str, expected: str) -> None:
    assert marked(text) == expected
    assert marked(unicodedata.normalize("NFD", text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi là mẹ đơn thân ở xã Kỳ Anh", True),
        ("toi la me don than o xa Ky Anh", False),
        ("toi o xa Thạch Kim huyen Loc Ha, xin hoi ve tro cap", False),  # one name pasted in
        ("BHXH 2024", False),
    ],
)
def test_is_marked_tells_a_text_typed_without_diacritics(text: str, expected: bool) -> None:
    assert is_marked(text) is expected


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("người nghiện", "để mọi người nghiên cứu trước", False),
        ("người nghiện", "Người nghiện trong xóm", True),
        ("ma túy", "sử dụng ma tuý", True),
        ("chất độc hóa học", "nhiễm chất độc hoá học", True),
        ("tiền lương", "chất lượng tiền lượng", False),
        ("BHXH", "chưa chốt sổ BHXH.", True),
    ],
)
def test_marked_phrase_pattern_needs_the_same_marks(phrase: str, text: str, found: bool) -> None:
    assert bool(marked_phrase_pattern(phrase).search(marked(text))) is found
