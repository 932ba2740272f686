"""redact_identity / redact_url: a denouncer's identity is removed however it is written, and
the rest of the text is left as it was."""

import unicodedata

import pytest
from pydantic import AnyUrl, TypeAdapter

from shared.confidential import REDACTED, redact_identity, redact_url
from shared.text import nfc

LUC = ["Bùi Văn Lực", "0978 200 206", "042088004512", "luc.bv@example.vn",
       "Thôn 3, xã Cẩm Lạc, huyện Cẩm Xuyên"]


@pytest.mark.parametrize("written", [
    "Hoàng Minh Đức", "Hoang Minh Duc", "HOÀNG MINH ĐỨC", "hoang minh duc",
    unicodedata.normalize("NFD", "Hoàng Minh Đức"), "Hoàng  Minh\tĐức", "Hoàng\u00a0Minh Đức",
    "hoang-minh-duc", "Hoàng.Minh.Đức", "hoang_minh_duc", "HoangMinhDuc",
])
def test_a_full_name_is_found_in_any_case_accents_form_or_spacing(written):
    redacted = redact_identity(f"Tôi là {written}, ở thôn Trung Hòa.", ["Hoàng Minh Đức"])
    assert nfc(redacted) == f"Tôi là {REDACTED}, ở thôn Trung Hòa."


def test_an_nfd_name_leaves_no_stray_accent_behind():
    text = unicodedata.normalize("NFD", "Tôi là Nguyễn Thị Ánh Tuyết.")
    redacted = redact_identity(text, ["Nguyễn Thị Ánh Tuyết"])
    assert nfc(redacted) == f"Tôi là {REDACTED}."
    assert not unicodedata.combining(redacted[redacted.index(REDACTED) + len(REDACTED)])


@pytest.mark.parametrize("written", [
    "+84 978 200 203", "84978200203", "+84978200203", "(+84) 978-200-203", "0084 978 200 203",
    "0978 200 203", "0978200203", "0978.200.203", "(0978) 200-203", "0978  200  203",
    "0978-200-203", "0978 / 200 / 203",
])
def test_a_phone_is_found_with_any_prefix_and_separators(written):
    text = f"Liên hệ người tố cáo qua số {written}. Cán bộ xã yêu cầu nộp tiền."
    assert redact_identity(text, ["0978 200 203"]) == \
        f"Liên hệ người tố cáo qua số {REDACTED}. Cán bộ xã yêu cầu nộp tiền."


@pytest.mark.parametrize("given", ["+84 978 200 203", "84978200203", "(0978) 200-203"])
def test_the_senders_phone_may_itself_be_written_in_any_form(given):
    assert redact_identity("Gọi 0978.200.203 nhé", [given]) == f"Gọi {REDACTED} nhé"


def test_a_longer_number_that_contains_the_phone_is_not_touched():
    text = "Số hồ sơ 10978200203, mã 9782002031, ngày 12/3/2026."
    assert redact_identity(text, ["0978 200 203"]) == text


def test_a_phone_in_parentheses_keeps_its_parentheses():
    assert redact_identity("Người tố cáo (0912 345 678) phản ánh", ["0912345678"]) == \
        f"Người tố cáo ({REDACTED}) phản ánh"


def test_an_email_is_found_in_any_case():
    text = "Thư gửi Yen.Phan@Example.VN hoặc YEN.PHAN@EXAMPLE.VN."
    assert redact_identity(text, ["yen.phan@example.vn"]) == \
        f"Thư gửi {REDACTED} hoặc {REDACTED}."


@pytest.mark.parametrize(("text", "expected"), [
    ("Ông Lực ở thôn 3 tố cáo cán bộ xã", f"Ông {REDACTED} ở thôn 3 tố cáo cán bộ xã"),
    ("ông Văn Lực cho biết", f"ông {REDACTED} cho biết"),
    ("anh Luc goi lai", f"anh {REDACTED} goi lai"),
    ("ONG LUC", f"ONG {REDACTED}"),
])
def test_the_given_name_after_a_title_is_found(text, expected):
    assert redact_identity(text, ["Bùi Văn Lực"]) == expected


def test_a_compound_given_name_after_a_title_is_found():
    text = "Chị Ánh Tuyết và chị Tuyết là một người."
    assert redact_identity(text, ["Nguyễn Thị Ánh Tuyết"]) == \
        f"Chị {REDACTED} và chị {REDACTED} là một người."


@pytest.mark.parametrize("text", [
    "Có lúc cán bộ xã đòi tiền.",  # "có lúc" folds as "co luc" but is not "cô Lực"
    "Lực lượng công an xã đã vào cuộc.",
    "Cán bộ địa chính xã Văn Lực nhận tiền.",  # a place sharing the name's syllables
    "Ông Lục, bà Lúc và chú Lựu không liên quan.",
])
def test_words_that_only_fold_like_the_name_are_left(text):
    assert redact_identity(text, ["Bùi Văn Lực"]) == text


def test_a_realistic_denunciation_keeps_everything_but_the_identity():
    text = ("Tôi là Bùi Văn Lực (SĐT +84 978 200 206, email Luc.BV@Example.VN), trú tại thôn 3, "
            "xã Cẩm Lạc. Tôi tố cáo ông Trần Văn Hải, cán bộ địa chính xã Văn Lực, đã nhận "
            "5 triệu đồng của gia đình tôi ngày 12/3/2026. Có lúc ông Hải nói nếu không nộp thì "
            "hồ sơ bị trả lại; lực lượng công an xã đã được báo. CCCD của tôi: 042088004512. "
            "Xin liên hệ anh Lực qua số 0978.200.206.")
    assert redact_identity(text, LUC) == (
        f"Tôi là {REDACTED} (SĐT {REDACTED}, email {REDACTED}), trú tại thôn 3, "
        "xã Cẩm Lạc. Tôi tố cáo ông Trần Văn Hải, cán bộ địa chính xã Văn Lực, đã nhận "
        "5 triệu đồng của gia đình tôi ngày 12/3/2026. Có lúc ông Hải nói nếu không nộp thì "
        f"hồ sơ bị trả lại; lực lượng công an xã đã được báo. CCCD của tôi: {REDACTED}. "
        f"Xin liên hệ anh {REDACTED} qua số {REDACTED}.")


def test_the_same_paragraph_typed_without_diacritics():
    text = "Toi la Bui Van Luc, so 0978 200 206. Toi to cao ong Tran Van Hai o xa Cam Lac."
    assert redact_identity(text, LUC) == \
        f"Toi la {REDACTED}, so {REDACTED}. Toi to cao ong Tran Van Hai o xa Cam Lac."


def test_the_whole_address_is_found_however_spaced():
    text = "Địa chỉ: thôn 3,xã Cẩm Lạc,  huyện Cẩm Xuyên. Việc xảy ra ở xã Cẩm Lạc."
    assert redact_identity(text, LUC) == f"Địa chỉ: {REDACTED}. Việc xảy ra ở xã Cẩm Lạc."


def test_a_one_word_name_must_be_typed_with_its_own_diacritics_or_none():
    assert redact_identity("Lực, Luc và lúc", ["Lực"]) == f"{REDACTED}, {REDACTED} và lúc"


def test_without_identifiers_or_with_too_short_ones_the_text_is_unchanged():
    text = "Tôi là Bùi Văn Lực."
    assert redact_identity(text, []) == text
    assert redact_identity(text, [None, "", "  ", "Bù"]) == text


def test_redacting_a_json_text_keeps_it_valid_json():
    text = '{"note":"Đã làm việc với ông Lực","phone":"0978 200 206","x":"Bùi","y":"Văn Lực"}'
    redacted = redact_identity(text, LUC)
    assert redacted == (f'{{"note":"Đã làm việc với ông {REDACTED}","phone":"{REDACTED}",'
                        '"x":"Bùi","y":"Văn Lực"}')


URL = TypeAdapter(AnyUrl)


def test_a_link_loses_the_identifiers_in_its_path_and_stays_a_url():
    url = "https://hotline.example/ghi-am/ly-van-cuong-0978200207.mp3"
    redacted = redact_url(url, ["Lý Văn Cường", "0978200207"])
    assert "cuong" not in redacted and "0978200207" not in redacted
    assert redacted.startswith("https://hotline.example/ghi-am/") and redacted.endswith(".mp3")
    assert str(URL.validate_python(redacted)) == redacted


def test_a_link_loses_a_percent_encoded_name_in_its_query():
    url = "https://dvc.example/tep?ten=L%C3%BD%20V%C4%83n%20C%C6%B0%E1%BB%9Dng&so=2"
    redacted = redact_url(url, ["Lý Văn Cường"])
    assert "C%C6%B0%E1%BB%9Dng" not in redacted and redacted.endswith("&so=2")


def test_a_link_naming_the_sender_in_its_host_loses_the_host():
    assert redact_url("https://lyvancuong.example/a.pdf", ["Lý Văn Cường"]) == \
        "https://redacted.invalid/a.pdf"


def test_an_unrelated_link_is_left_as_it_was():
    url = "https://dvc.example/tep/don-to-cao.pdf?v=2"
    assert redact_url(url, ["Lý Văn Cường", "0978200207"]) == url
