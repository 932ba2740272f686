import re
import unicodedata
from datetime import date, datetime, UTC

import pytest
from jinja2 import UndefinedError

from services.notify.templating import (
    DEFAULT_TEMPLATE_DIR, MISSING, SPECS, TemplateDataError, TemplateRenderer, vn_date,
    vn_datetime,
)

VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]",
                        re.IGNORECASE)
ITEM = {"ref": "PA-2026-0012", "due_date": "2026-02-25", "case_type": "phan_anh",
        "step": "resolve", "working_days_left": 2, "working_days_overdue": 1}
SAMPLE = {
    "case.ref": "KN-2026-0007", "case.case_type": "khieu_nai",
    "case.summary": "Khiếu nại về việc chi trả trợ cấp ưu đãi người có công",
    "case.handler_name": "Trần Thị Bình", "case.received_at": "2026-01-20T09:15:00+07:00",
    "case.accepted_at": date(2026, 1, 28), "unit.name": "Phòng Người có công",
    "unit.head_name": "Lê Văn Cường", "deadline.step": "resolve",
    "deadline.due_date": date(2026, 2, 27), "deadline.working_days_left": 3,
    "deadline.working_days_overdue": 2, "deadline.urged_on": date(2026, 3, 2),
    "deadline.escalated_head_on": date(2026, 3, 4), "sender.name": "Phạm Thị Dung",
    "forwarded_on": date(2026, 1, 22), "extension.new_due_date": date(2026, 3, 13),
    "extension.reason": "Vụ việc phức tạp, cần xác minh thêm",
    "extension.decision_ref": "Quyết định số 12/QĐ-SLĐTBXH",
    "answer.answered_at": date(2026, 2, 20), "answer.document_ref": "Công văn số 45/SLĐTBXH-NCC",
    "answer.summary": "Đã chi trả bổ sung trợ cấp tháng 01/2026",
    "acceptance.decision_ref": "Quyết định số 07/QĐ-SLĐTBXH",
    "acceptance.resolver": "Giám đốc Sở", "report.title": "Báo cáo sơ kết 6 tháng",
    "report.period_label": "6 tháng đầu năm 2026", "report.due_date": date(2026, 6, 15),
    "report.plan_section": "II.10", "report.submit_to": "Văn phòng Sở",
    "report.number": "Số: 05/BC-SLĐTBXH",
    "report.generated_at": datetime(2026, 7, 1, 1, 30, tzinfo=UTC),
    "day": date(2026, 2, 23), "due_soon_days": 3,
}
LISTS = {"overdue": [ITEM], "due_soon": [ITEM], "open_cases": [ITEM, ITEM],
         "attachments": [{"name": "bao-cao-so-ket.docx", "size_bytes": 20480}]}


def nest(paths):
    context = {}
    for path in paths:
        *parents, last = path.split(".")
        node = context
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = SAMPLE[path]
    return context


def full_context(kind):
    spec = SPECS[kind]
    return {**nest(spec.required + spec.optional), **{k: LISTS[k] for k, *_ in spec.lists}}


def minimal_context(kind):
    return nest(SPECS[kind].required)


def assert_clean(text):
    assert "None" not in text and "Undefined" not in text
    assert "{{" not in text and "{%" not in text and "[]" not in text and "()" not in text
    assert unicodedata.is_normalized("NFC", text)
    assert VIETNAMESE.search(text)
    lines = [line for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        assert not re.search(r":\s*[,.;)]", line), line
        if line.rstrip().endswith(":"):
            assert re.match(r"(- |\d+\. )", lines[i + 1]), f"nothing after {line!r}"


@pytest.fixture(scope="module")
def renderer():
    return TemplateRenderer()


def test_every_spec_has_a_template_and_every_template_a_spec():
    files = {p.stem for p in DEFAULT_TEMPLATE_DIR.glob("*.j2") if not p.stem.startswith("_")}
    assert files == set(SPECS)
    assert len(files) == 14


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_renders_with_full_context(renderer, kind):
    message = renderer.render(kind, full_context(kind))
    assert_clean(message.subject)
    assert_clean(message.body_text)
    assert "\n" not in message.subject
    assert MISSING not in message.subject + message.body_text


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_renders_with_minimal_context__missing_data_said_explicitly(renderer, kind):
    message = renderer.render(kind, minimal_context(kind))
    assert_clean(message.subject)
    assert_clean(message.body_text)
    if kind != "daily_digest":
        assert MISSING in message.body_text


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_blank_and_none_values_count_as_missing(renderer, kind):
    context = full_context(kind)
    for path in SPECS[kind].optional:
        *parents, last = path.split(".")
        node = context
        for part in parents:
            node = node[part]
        node[last] = [None, "", "   "][len(path) % 3]
    message = renderer.render(kind, context)
    assert_clean(message.body_text)


def test_missing_required_data_is_named(renderer):
    context = full_context("reminder")
    del context["deadline"]["due_date"]
    context["case"]["ref"] = ""
    with pytest.raises(TemplateDataError) as error:
        renderer.render("reminder", context)
    assert error.value.missing == ["case.ref", "deadline.due_date"]


def test_missing_required_data_in_a_list_item_is_named(renderer):
    context = {**minimal_context("daily_digest"), "overdue": [{"due_date": "2026-02-20"}]}
    with pytest.raises(TemplateDataError, match=r"overdue\[0\]\.ref"):
        renderer.render("daily_digest", context)


def test_reminder_reads_as_expected(renderer):
    message = renderer.render("reminder", full_context("reminder"))
    assert message.subject == "[Nhắc hạn] Hồ sơ KN-2026-0007: hạn giải quyết ngày 27/02/2026"
    assert "Kính gửi: Phòng Người có công" in message.body_text
    assert "- Số ngày làm việc còn lại: 3" in message.body_text
    assert "- Ngày tiếp nhận: 20/01/2026" in message.body_text


def test_digest_lists_and_counts(renderer):
    message = renderer.render("daily_digest", full_context("daily_digest"))
    assert message.subject.endswith("1 hồ sơ quá hạn, 1 sắp đến hạn, 2 đang xử lý")
    assert "- PA-2026-0012 (loại đơn: Phản ánh), hạn giải quyết: 25/02/2026" in message.body_text
    empty = renderer.render("daily_digest", minimal_context("daily_digest"))
    assert "- Không có hồ sơ quá hạn." in empty.body_text


def test_report_delivery_lists_attachments(renderer):
    message = renderer.render("report_delivery", full_context("report_delivery"))
    assert "- bao-cao-so-ket.docx (dung lượng: 20,0 KB)" in message.body_text
    assert "- Thời điểm lập: 08:30 ngày 01/07/2026" in message.body_text


class TestDates:
    def test_dd_mm_yyyy_in_ho_chi_minh_time(self):
        assert vn_date(datetime(2026, 2, 12, 18, 0, tzinfo=UTC)) == "13/02/2026"
        assert vn_date("2026-02-12T23:30:00+00:00") == "13/02/2026"
        assert vn_date(date(2026, 1, 5)) == "05/01/2026"
        assert vn_date("2026-01-05") == "05/01/2026"
        assert vn_date("2026-01-05 23:00") == "05/01/2026"
        assert vn_date(datetime(2026, 1, 5, 23, 0)) == "05/01/2026"  # naive = local

    def test_datetime_and_missing_pass_through(self):
        assert vn_datetime(datetime(2026, 2, 12, 18, 5, tzinfo=UTC)) == "01:05 ngày 13/02/2026"
        assert vn_date(MISSING) == MISSING and vn_datetime(MISSING) == MISSING


class TestOverrideDirectory:
    def test_override_wins_and_other_templates_still_load(self, tmp_path):
        (tmp_path / "reminder.j2").write_text(
            "{% block subject %}Nhắc việc {{ case.ref }}{% endblock %}"
            "{% block body %}Đơn vị {{ unit.name }} lưu ý.{% endblock %}", encoding="utf-8")
        renderer = TemplateRenderer(template_dir=tmp_path)
        message = renderer.render("reminder", full_context("reminder"))
        assert (message.subject, message.body_text) == (
            "Nhắc việc KN-2026-0007", "Đơn vị Phòng Người có công lưu ý.\n")
        assert renderer.render("urging", full_context("urging")).subject.startswith("[Đôn đốc]")

    def test_override_cannot_reach_a_denouncers_identity(self, tmp_path):
        (tmp_path / "urging.j2").write_text(
            "{% block subject %}x{% endblock %}{% block body %}{{ case.sender.name }}"
            "{% endblock %}", encoding="utf-8")
        context = full_context("urging")
        context["case"].update(case_type="to_cao", sender={"name": "Hoàng Văn Em"})
        with pytest.raises(UndefinedError):
            TemplateRenderer(template_dir=tmp_path).render("urging", context)

    def test_defaults_are_settings(self):
        renderer = TemplateRenderer(defaults={"department_name": "Sở Nội vụ tỉnh Hà Tĩnh"})
        body = renderer.render("ack_received", full_context("ack_received")).body_text
        assert "Sở Nội vụ tỉnh Hà Tĩnh xác nhận đã tiếp nhận" in body
