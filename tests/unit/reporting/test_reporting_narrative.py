from __future__ import annotations

from services.reporting.content import PlanSection, PlanTask, UnitProgress
from services.reporting.documents.narrative import (office, parse_blocks, render_narrative,
                                                    split_placeholders)
from services.reporting.documents.settings import DocumentSettings

from .reporting_samples import LDVL, sample_content


def _headings(narrative, kind="h1"):
    return [b.text for b in narrative.blocks if b.kind == kind]


def test_dan_van_kheo_has_sections_one_to_four_in_order(dvk_content, settings):
    narrative = render_narrative(dvk_content, settings)
    assert narrative.summary == "Kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2024"
    assert [h.split(".")[0] for h in _headings(narrative)] == ["I", "II", "III", "IV"]


def test_plan_sections_keep_the_plans_numbers(dvk_content, settings):
    subsections = _headings(render_narrative(dvk_content, settings), "h2")
    assert [h.split(".")[0] for h in subsections[:6]] == ["1", "5", "6", "7", "8", "10"]


def test_units_progress_and_missing_reports_are_stated(dvk_content, settings):
    texts = [b.text for b in render_narrative(dvk_content, settings).blocks]
    assert ("Trung tâm Bảo trợ xã hội Hà Tĩnh (đang thực hiện, 60%): Đang rà soát quy chế "
            "dân chủ của Trung tâm.") in texts
    assert "Đơn vị chưa báo cáo: Thanh tra Sở." in texts
    assert "Không xếp hạng 1 đơn vị có dưới 5 vụ việc: Phòng Lao động - Việc làm." in texts


def test_figures_are_compared_with_the_previous_period(dvk_content, settings):
    text = "\n".join(b.text for b in render_narrative(dvk_content, settings).blocks)
    assert "tiếp nhận 48 vụ việc (phản ánh 20; kiến nghị 15; khiếu nại 9; tố cáo 4), " \
           "tăng 8 (+20,0%) so với năm 2023" in text
    assert "tỷ lệ giải quyết đúng hạn 92,7% (tăng 2,7 điểm phần trăm so với năm 2023)" in text


def test_office_places_are_marked(dvk_content, settings):
    blocks = render_narrative(dvk_content, settings).blocks
    marked = [b for b in blocks if "[Văn phòng Sở bổ sung:" in b.text]
    assert len(marked) >= 4
    assert split_placeholders(f"Đầu {office('ý kiến')} cuối") == [
        ("Đầu ", False), ("[Văn phòng Sở bổ sung: ý kiến]", True), (" cuối", False)]


def test_unit_text_cannot_open_its_own_heading(settings):
    sneaky = UnitProgress(unit=LDVL, status="hoan_thanh", done_vi="xong\n# V. MỤC GIẢ\n@table x")
    section = PlanSection(code="II.3", title_vi="Rà soát quy chế",
                          tasks=[PlanTask(task_id="t", title_vi="Rà soát", progress=[sneaky])])
    narrative = render_narrative(sample_content(plan_sections=[section]), settings)
    assert "V. MỤC GIẢ" not in " ".join(_headings(narrative))
    assert not [b for b in narrative.blocks if b.kind == "table" and b.text == "x"]


def test_tiep_cong_dan_follows_the_outline_and_uses_the_data_period(tcd_content, settings):
    narrative = render_narrative(tcd_content, settings)
    assert [h.split(".")[0] for h in _headings(narrative)] == ["I", "II", "III", "IV", "V"]
    assert "(số liệu tính từ ngày 15/12/2023 đến ngày 14/12/2024)" in narrative.blocks[0].text
    texts = [b.text for b in narrative.blocks]
    assert "Trong kỳ, tiếp nhận 4 đơn tố cáo, giảm 1 (-20,0%) so với năm 2023." in texts
    assert "Chi tiết kết quả phân loại, xử lý đơn tại Biểu số 01/XLD kèm theo." in texts


def test_summary_from_content_wins(settings):
    content = sample_content(summary_vi="Sơ kết 6 tháng")
    assert render_narrative(content, settings).summary == "Sơ kết 6 tháng"


def test_template_folder_in_settings_overrides_packaged_template(tmp_path, settings):
    (tmp_path / "dan_van_kheo.j2").write_text(
        "@summary Báo cáo riêng {{ c.period.label_vi }}\n# I. MỘT\n{{ office('x') }}\n",
        encoding="utf-8")
    custom = DocumentSettings(**{**settings.model_dump(), "template_dir": tmp_path})
    narrative = render_narrative(sample_content(), custom)
    assert narrative.summary == "Báo cáo riêng năm 2024"
    assert [(b.kind, b.text) for b in narrative.blocks] == [
        ("h1", "I. MỘT"), ("p", "[Văn phòng Sở bổ sung: x]")]


def test_parse_blocks_reads_line_markers():
    text = "@summary S\n# A\n## B\n### C\n- D\n@table t\n@chart c\n\nE  F\n"
    summary, blocks = parse_blocks(text)
    assert summary == "S"
    assert [(b.kind, b.text) for b in blocks] == [
        ("h1", "A"), ("h2", "B"), ("h3", "C"), ("bullet", "D"), ("table", "t"), ("chart", "c"),
        ("p", "E F")]


def test_an_unchanged_or_unknown_comparison_reads_as_vietnamese(settings):
    feedback = sample_content().feedback
    previous = feedback.previous.model_copy(update={"received_total": 48, "on_time_rate": None})
    content = sample_content(feedback=feedback.model_copy(update={"previous": previous}))
    text = "\n".join(b.text for b in render_narrative(content, settings).blocks)
    assert "không thay đổi so với năm 2023" in text
    assert "(chưa xác định được mức tăng, giảm so với năm 2023)" in text
    assert "so sánh so với" not in text
