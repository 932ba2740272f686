import unicodedata

import pytest

from shared.text import fold, nfc, phrase_pattern


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
