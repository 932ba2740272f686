"""Rule mechanics: order, conditions, dates, fallback, explanations, validation errors."""

from datetime import date

import pytest

from services.routing.domain import routing_input
from services.routing.rules import RoutingInput, RuleBook, RuleBookError
from shared.testing.factories import received_event
from shared.units import Unit, UnitCatalogue, UnitKind

ON = date(2024, 10, 15)

UNITS = UnitCatalogue(
    [
        Unit(code="VAN_PHONG", name="Văn phòng Sở", kind=UnitKind.OFFICE),
        Unit(code="THANH_TRA", name="Thanh tra Sở", kind=UnitKind.INSPECTORATE),
        Unit(code="PHONG_A", name="Phòng A", kind=UnitKind.DIVISION, valid_to=date(2025, 2, 28),
             successor="SO_B"),
        Unit(code="PHONG_C", name="Phòng C", kind=UnitKind.DIVISION),
        Unit(code="SO_B", name="Sở B", kind=UnitKind.EXTERNAL),
    ]
)

RULES = """
fallback: {unit: VAN_PHONG, description: "Phân loại thủ công"}
ignore_phrases: ["Thương binh và Xã hội"]
rules:
  - id: to-cao
    description: "Tố cáo"
    when: {kinds: [to_cao]}
    unit: THANH_TRA
  - id: khieu-nai-noi-ban-hanh
    description: "Đơn vị ban hành"
    when: {kinds: [khieu_nai]}
    unit_from: decision_issuer_unit
  - id: sau-2025
    description: "Chỉ từ 2025"
    valid_from: 2025-03-01
    when: {keywords_any: ["hộ nghèo"]}
    unit: SO_B
  - id: dia-ban
    description: "Theo địa bàn và kênh"
    when: {districts: ["Hương Khê"], channels: [duong_day_nong]}
    unit: PHONG_C
  - id: nhom
    description: "Theo nhóm"
    when: {categories: ["Lao động"]}
    unit: PHONG_C
  - id: tu-khoa
    description: "Theo từ khóa"
    when:
      keywords_any: ["hộ nghèo", "thương binh", "việc làm"]
      keywords_none: ["lừa đảo"]
    unit: PHONG_A
"""


@pytest.fixture
def book() -> RuleBook:
    return RuleBook.from_yaml_text(RULES)


def route(book: RuleBook, on: date = ON, **fields) -> object:
    return book.route(RoutingInput(**{"kind": "phan_anh", **fields}), units=UNITS, on=on)


def test_first_matching_rule_wins(book: RuleBook) -> None:
    decision = route(book, kind="to_cao", content="tố cáo việc làm sai")
    assert (decision.unit_code, decision.rule_id) == ("THANH_TRA", "to-cao")


def test_keywords_ignore_case_and_diacritics(book: RuleBook) -> None:
    decision = route(book, subject="HO NGHEO", content="xin xem xet")
    assert decision.unit_code == "PHONG_A"
    assert decision.matched_keywords == ("hộ nghèo",)


def test_keywords_match_whole_words_only(book: RuleBook) -> None:
    assert route(book, content="cac ho ngheon").needs_triage


def test_keywords_none_excludes(book: RuleBook) -> None:
    decision = route(book, content="tuyển dụng việc làm lừa đảo")
    assert decision.needs_triage and decision.unit_code == "VAN_PHONG"


def test_ignore_phrases_are_removed_before_matching(book: RuleBook) -> None:
    assert route(book, content="Sở Lao động - Thương binh và Xã hội trả lời chậm").needs_triage
    assert route(book, content="tôi là thương binh hạng 2/4").unit_code == "PHONG_A"


def test_rule_validity_dates(book: RuleBook) -> None:
    assert route(book, content="hộ nghèo", on=date(2025, 2, 28)).rule_id == "tu-khoa"
    assert route(book, content="hộ nghèo", on=date(2025, 3, 1)).rule_id == "sau-2025"


def test_locality_and_channel_both_required(book: RuleBook) -> None:
    hit = route(book, content="x", district="huong khe", channel="duong_day_nong")
    miss = route(book, content="x", district="Hương Khê", channel="email")
    assert hit.rule_id == "dia-ban"
    assert "địa bàn huong khe" in hit.explanation
    assert "kênh tiếp nhận: đường dây nóng" in hit.explanation
    assert miss.needs_triage


def test_category_hints_compare_without_diacritics(book: RuleBook) -> None:
    assert route(book, content="x", category_hints=("lao dong",)).rule_id == "nhom"


def test_complaint_goes_to_the_issuing_unit(book: RuleBook) -> None:
    decision = route(book, kind="khieu_nai", content="x", decision_issuer_unit="PHONG_C")
    assert decision.unit_code == "PHONG_C"
    assert "Phòng C ban hành" in decision.explanation


def test_complaint_with_unknown_issuer_falls_through(book: RuleBook) -> None:
    decision = route(book, kind="khieu_nai", content="việc làm", decision_issuer_unit="NOPE")
    assert decision.rule_id == "tu-khoa"


def test_work_of_an_ended_unit_goes_to_its_successor(book: RuleBook) -> None:
    decision = route(book, content="việc làm", on=date(2025, 6, 1))
    assert decision.unit_code == "SO_B"
    assert decision.redirected_from == "PHONG_A"
    assert decision.is_external
    assert "chuyển đơn" in decision.explanation


def test_nothing_matched_goes_to_the_office_for_triage(book: RuleBook) -> None:
    decision = route(book, content="đường sạt lở")
    assert decision.needs_triage
    assert (decision.unit_code, decision.rule_id) == ("VAN_PHONG", "fallback")
    assert "Không có quy tắc nào khớp" in decision.explanation


def test_explanation_names_rule_and_matched_words(book: RuleBook) -> None:
    decision = route(book, content="viec lam cho thuong binh")
    assert decision.explanation.startswith('Theo quy tắc "tu-khoa" (Theo từ khóa)')
    assert '"thương binh"' in decision.explanation and '"việc làm"' in decision.explanation
    assert decision.explanation.endswith("giao Phòng A.")


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("rules:\n  - {id: a, description: d, when: {kinds: [tocao]}, unit: X}\n",
         "quy tắc 'a' (rules[0]), trường when.kinds[0]"),
        ("rules:\n  - {id: a, description: d, when: {keywords_any: ['--']}, unit: X}\n",
         "quy tắc 'a' (rules[0]), trường when.keywords_any"),
        ("rules:\n  - {id: ok, description: d, when: {kinds: [gop_y]}, unit: X}\n"
         "  - {id: b, description: d, unit: X}\n",
         "quy tắc 'b' (rules[1]), trường (cả quy tắc): Value error, a rule needs"),
        ("rules:\n  - {id: c, description: d, when: {kinds: [gop_y]}}\n",
         "give exactly one of `unit` or `unit_from`"),
        ("rules:\n  - {id: c, description: d, when: {kinds: [gop_y]}, unit: X, colour: red}\n",
         "trường colour"),
        ("rules:\n  - {id: a, description: d, when: {kinds: [gop_y]}, unit: X}\n"
         "  - {id: a, description: e, when: {kinds: [gop_y]}, unit: X}\n",
         "rule id 'a' is used twice"),
        ("rules: [\n", "không đọc được YAML"),
        ("- just a list\n", "cần một bảng"),
    ],
)
def test_invalid_rules_give_errors_naming_rule_and_field(yaml_text: str, expected: str) -> None:
    with pytest.raises(RuleBookError) as error:
        RuleBook.from_yaml_text(yaml_text)
    assert expected in str(error.value)


def test_unknown_unit_codes_are_reported(book: RuleBook) -> None:
    smaller = UnitCatalogue([Unit(code="VAN_PHONG", name="VP", kind=UnitKind.OFFICE)])
    assert book.unknown_unit_codes(smaller) == ["PHONG_A", "PHONG_C", "SO_B", "THANH_TRA"]


def test_a_rule_that_flags_triage_says_the_matter_is_forwarded() -> None:
    rulebook, units = RuleBook.load(), UnitCatalogue.load()

    letter = "Hàng xóm hát karaoke tại nhà đến 1 giờ sáng, tôi là thương binh."

    decision = rulebook.route(RoutingInput(kind="phan_anh", content=letter), units=units,
                              on=date(2026, 11, 20))

    assert (decision.unit_code, decision.rule_id, decision.needs_triage) == (
        "VAN_PHONG", "ngoai-tham-quyen", True)
    assert "chuyển cơ quan có thẩm quyền" in decision.explanation


BACKGROUND_RULES = """
fallback: {unit: VAN_PHONG}
generic_phrases: ["trợ cấp hằng tháng"]
rules:
  - id: giam-doc
    description: "Khiếu nại quyết định của Giám đốc"
    when: {kinds: [khieu_nai], decision_issuers: [PHONG_C], keywords_none: ["kỷ luật"]}
    unit: THANH_TRA
  - id: ban-hanh
    description: "Đơn vị ban hành"
    when: {kinds: [khieu_nai]}
    unit_from: decision_issuer_unit
  - id: co-cong
    description: "Người có công"
    when: {keywords_any: ["thương binh"]}
    yields_to_request: true
    unit: PHONG_A
  - id: tai-nan
    description: "Tai nạn lao động"
    when: {keywords_any: ["tai nạn lao động"]}
    unit: PHONG_C
  - id: tro-cap
    description: "Trợ cấp xã hội"
    when: {keywords_any: ["trợ cấp xã hội", "trợ cấp hằng tháng"]}
    unit: VAN_PHONG
"""


@pytest.fixture
def background_book() -> RuleBook:
    return RuleBook.from_yaml_text(BACKGROUND_RULES)


def test_a_status_in_the_background_yields_to_what_the_letter_asks(
        background_book: RuleBook) -> None:
    letter = ("Ông nội cháu là thương binh. Cháu bị khuyết tật nặng, gia đình đề nghị giải "
              "quyết trợ cấp xã hội cho cháu.")

    decision = route(background_book, content=letter)

    assert (decision.unit_code, decision.rule_id) == ("VAN_PHONG", "tro-cap")
    assert '"trợ cấp xã hội" trong nội dung đề nghị của đơn' in decision.explanation


def test_the_request_is_found_in_text_typed_without_diacritics(
        background_book: RuleBook) -> None:
    letter = ("anh Hung la con trai ong Dung, thuong binh 2/4; de nghi So huong dan khai bao "
              "tai nan lao dong cho anh Hung")

    assert route(background_book, content=letter).rule_id == "tai-nan"


def test_a_status_in_the_sentence_of_the_request_is_what_is_asked_about(
        background_book: RuleBook) -> None:
    letter = "Bố tôi là thương binh, đề nghị giải quyết trợ cấp xã hội cho bố tôi."

    assert route(background_book, content=letter).rule_id == "co-cong"


def test_a_request_in_words_every_field_uses_does_not_move_the_letter(
        background_book: RuleBook) -> None:
    letter = ("Tôi là thương binh hạng 3/4. Ba tháng nay tôi chưa nhận được trợ cấp hằng tháng, "
              "đề nghị Sở giải quyết.")

    assert route(background_book, content=letter).rule_id == "co-cong"


def test_a_question_is_a_request(background_book: RuleBook) -> None:
    letter = ("Ông nội cháu là thương binh. Cho cháu hỏi cháu bị khuyết tật thì có được trợ cấp "
              "xã hội không")

    assert route(background_book, content=letter).rule_id == "tro-cap"


def test_a_rule_that_does_not_yield_keeps_the_letter(background_book: RuleBook) -> None:
    letter = "Công ty xảy ra tai nạn lao động. Đề nghị xét trợ cấp xã hội cho gia đình anh H."

    assert route(background_book, content=letter).rule_id == "tai-nan"


def test_without_a_request_the_first_rule_decides(background_book: RuleBook) -> None:
    letter = "Ông nội cháu là thương binh. Cháu chưa được trợ cấp xã hội."

    assert route(background_book, content=letter).rule_id == "co-cong"


def test_a_rule_can_choose_by_the_unit_whose_decision_is_contested(
        background_book: RuleBook) -> None:
    contested = route(background_book, kind="khieu_nai", content="Khiếu nại quyết định thu hồi",
                      decision_issuer_unit="PHONG_C")
    discipline = route(background_book, kind="khieu_nai", content="Khiếu nại quyết định kỷ luật",
                       decision_issuer_unit="PHONG_C")
    other = route(background_book, kind="khieu_nai", content="Khiếu nại quyết định thu hồi",
                  decision_issuer_unit="PHONG_A")

    assert (contested.unit_code, contested.rule_id) == ("THANH_TRA", "giam-doc")
    assert "quyết định bị khiếu nại do Phòng C ban hành" in contested.explanation
    assert (discipline.unit_code, discipline.rule_id) == ("PHONG_C", "ban-hanh")
    assert (other.unit_code, other.rule_id) == ("PHONG_A", "ban-hanh")


def test_issuers_named_by_rules_are_checked_against_the_catalogue() -> None:
    book = RuleBook.from_yaml_text(
        "rules:\n  - {id: a, description: d, when: {decision_issuers: [SO_X]}, unit: VAN_PHONG}\n")

    assert book.unknown_unit_codes(UNITS) == ["SO_X"]


def test_a_phrase_that_excludes_a_rule_anywhere_in_the_letter_keeps_it_from_the_request() -> None:
    book = RuleBook.from_yaml_text("""
rules:
  - id: nuoc-ngoai
    description: "Đi làm ở nước ngoài"
    when: {keywords_any: ["thực tập sinh"]}
    yields_to_request: true
    unit: PHONG_A
  - id: hop-dong-cua-so
    description: "Hợp đồng mua sắm của Sở"
    when: {keywords_any: ["thanh lý hợp đồng"], keywords_none: ["thực tập sinh"]}
    unit: PHONG_C
""")
    letter = ("Con tôi đi Nhật theo diện thực tập sinh, chín tháng chưa xuất cảnh. Nhờ Sở hướng "
              "dẫn thủ tục thanh lý hợp đồng và đòi lại tiền.")

    assert route(book, content=letter).rule_id == "nuoc-ngoai"


def test_a_rule_can_choose_by_the_complaints_round() -> None:
    book = RuleBook.from_yaml_text("""
rules:
  - id: lan-hai
    description: "Lần hai"
    when: {kinds: [khieu_nai], complaint_rounds: [2], decision_issuers: [PHONG_C]}
    unit: THANH_TRA
  - id: ban-hanh
    description: "Đơn vị ban hành"
    when: {kinds: [khieu_nai]}
    unit_from: decision_issuer_unit
""")

    second = route(book, kind="khieu_nai", content="x", decision_issuer_unit="PHONG_C",
                   complaint_round=2)
    first = route(book, kind="khieu_nai", content="x", decision_issuer_unit="PHONG_C",
                  complaint_round=1)
    unsaid = route(book, kind="khieu_nai", content="x", decision_issuer_unit="PHONG_C")

    assert (second.rule_id, second.unit_code) == ("lan-hai", "THANH_TRA")
    assert "khiếu nại lần hai" in second.explanation
    assert (first.rule_id, unsaid.rule_id) == ("ban-hanh", "ban-hanh")


def test_the_case_gives_routing_its_complaints_issuer_and_round() -> None:
    case = received_event(kind="khieu_nai", complaint={
        "round": 2, "decision_issuer": "TT_DICH_VU_VIEC_LAM"})

    item = routing_input(case)

    assert (item.decision_issuer_unit, item.complaint_round) == ("TT_DICH_VU_VIEC_LAM", 2)
