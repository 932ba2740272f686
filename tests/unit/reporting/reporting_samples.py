"""Builders of report content for the reporting document tests."""

from __future__ import annotations

from datetime import date, datetime, UTC
from typing import Any

from services.reporting.content import (Count, DialogueSession, DvkModel, ExcludedUnit,
                                        FeedbackFigures, Finding, Inspection, MonthlyCount,
                                        OverdueCase, PlanSection, PlanTask, PreviousFigures,
                                        Ranking, RankingRow, ReportContent, Scope, UnitFeedback,
                                        UnitProgress, UnitRef)
from services.reporting.documents.forms import form_table
from services.reporting.periods import parse_period, previous_period, tcd_data_period

VP = UnitRef(code="VP", name_vi="Văn phòng Sở")
TTR = UnitRef(code="TTR", name_vi="Thanh tra Sở")
LDVL = UnitRef(code="LDVL", name_vi="Phòng Lao động - Việc làm")
BTXH = UnitRef(code="BTXH", name_vi="Trung tâm Bảo trợ xã hội Hà Tĩnh")
KINDS = {"phan_anh": "Phản ánh", "kien_nghi": "Kiến nghị", "khieu_nai": "Khiếu nại",
         "to_cao": "Tố cáo"}


def kinds(**values: int) -> list[Count]:
    return [Count(key=k, label_vi=KINDS[k], value=v) for k, v in values.items()]


def count(key: str, label: str, value: int) -> Count:
    return Count(key=key, label_vi=label, value=value)


def sample_feedback() -> FeedbackFigures:
    by_unit = [
        UnitFeedback(unit=VP, received=30, handled=26, on_time=24, late=2, open=4, overdue=1),
        UnitFeedback(unit=TTR, received=18, handled=15, on_time=14, late=1, open=3, overdue=0),
    ]
    by_month = [MonthlyCount(month=f"2024-{m:02d}", by_kind=kinds(phan_anh=m + 1, khieu_nai=m % 3))
                for m in range(1, 13)]
    overdue = OverdueCase(case_ref="PA-2024-0042", kind=kinds(khieu_nai=1)[0], unit=VP,
                          received_on=date(2024, 4, 2), due_on=date(2024, 5, 12), days_overdue=49)
    previous = PreviousFigures(period=previous_period(parse_period("2024")), received_total=40,
                               received_by_kind=kinds(khieu_nai=6, to_cao=5), on_time_rate=0.9)
    return FeedbackFigures(
        received_total=48, received_by_kind=kinds(phan_anh=20, kien_nghi=15, khieu_nai=9, to_cao=4),
        received_by_channel=[count("tiep_cong_dan", "Tiếp công dân", 18),
                             count("don_thu", "Đơn thư", 30)],
        by_unit=by_unit, by_month=by_month, handled=41, on_time=38, late=3, open=7,
        overdue=[overdue], on_time_rate=38 / 41, median_handling_days=8.5, p90_handling_days=24.0,
        complaints_by_outcome=[count("dung", "Khiếu nại đúng", 1),
                               count("sai", "Khiếu nại sai", 5)],
        denunciations_by_outcome=[count("dung_mot_phan", "Tố cáo đúng một phần", 1)],
        previous=previous,
    )


def sample_sections() -> list[PlanSection]:
    done = UnitProgress(unit=LDVL, status="hoan_thanh", progress_pct=100,
                        done_vi="Tổ chức 02 hội nghị quán triệt Luật Thực hiện dân chủ ở cơ sở.",
                        reported_on=date(2024, 6, 10))
    doing = UnitProgress(unit=BTXH, status="dang_thuc_hien", progress_pct=60,
                         done_vi="Đang rà soát quy chế dân chủ\ncủa Trung tâm")
    return [
        PlanSection(code="II.1", title_vi="Quán triệt, triển khai các chủ trương, chính sách",
                    tasks=[PlanTask(task_id="II.1-a", title_vi="Quán triệt văn bản",
                                    due_on=date(2024, 3, 31), progress=[done, doing])],
                    units_not_reported=[TTR]),
        PlanSection(code="II.5", title_vi="Tiếp công dân, giải quyết đơn thư, đối thoại"),
        PlanSection(code="II.6", title_vi="Vai trò người đứng đầu; sự hài lòng của người dân"),
        PlanSection(code="II.7", title_vi="Xây dựng mô hình, điển hình “Dân vận khéo”"),
        PlanSection(code="II.8", title_vi="Thanh tra, kiểm tra, giám sát"),
        PlanSection(code="II.10", title_vi="Sơ kết, tổng kết"),
        PlanSection(code="III.1", title_vi="Các đơn vị xây dựng chương trình, kế hoạch",
                    tasks=[PlanTask(task_id="III.1-a", title_vi="Ban hành kế hoạch của đơn vị",
                                    progress=[done])]),
    ]


def sample_models() -> list[DvkModel]:
    return [
        DvkModel(name_vi="Một cửa thân thiện", kind="tap_the", field="van_hoa_xa_hoi", unit=VP,
                 time_vi="2024", content_vi="Hướng dẫn tận tình", results_vi="Hài lòng 98%",
                 status="cong_nhan", recognition_level_vi="cấp Sở"),
        DvkModel(name_vi="Nguyễn Thị Điển Hình", kind="ca_nhan", field="kinh_te", unit=LDVL,
                 status="dang_ky"),
    ]


def sample_content(family: str = "dan_van_kheo", **overrides: Any) -> ReportContent:
    period = parse_period("2024")
    values: dict[str, Any] = dict(
        family=family, period=period,
        data_period=tcd_data_period(period) if family == "tiep_cong_dan" else None,
        scope=Scope(kind="department", name_vi="Sở Lao động - Thương binh và Xã hội"),
        report_date=date(2025, 1, 5), number=5,
        generated_at=datetime(2025, 1, 3, 8, 30, tzinfo=UTC),
        feedback=sample_feedback(), plan_sections=sample_sections(), models=sample_models(),
        sessions=[DialogueSession(held_on=date(2024, 3, 15), unit=VP, kind="tiep_dinh_ky",
                                  chaired_by_vi="Giám đốc Sở", turns=6, people=9, cases=5,
                                  issues_raised=7, issues_resolved=6)],
        inspections=[Inspection(ref="KT-01", title_vi="Kiểm tra thực hiện quy chế dân chủ",
                                kind="dinh_ky", lead_unit=VP, inspected_units=[BTXH],
                                started_on=date(2024, 5, 4), ended_on=date(2024, 5, 8),
                                findings=[Finding(summary_vi="Chưa công khai quy chế chi tiêu",
                                                  remedied=True)])],
        ranking=Ranking(min_cases=5, rows=[
            RankingRow(rank=1, unit=TTR, cases=18, on_time=14, on_time_rate=14 / 15),
            RankingRow(rank=2, unit=VP, cases=30, on_time=24, on_time_rate=24 / 26)],
            excluded=[ExcludedUnit(unit=LDVL, cases=2)]),
        tables=sample_forms() if family == "tiep_cong_dan" else [],
    )
    values.update(overrides)
    return ReportContent(**values)


def sample_forms() -> list:
    return [
        form_table("01/TCD", [{"don_vi": "Sở", "tong_luot": 18, "tong_nguoi": 25,
                               "tong_vu_viec": 12, "tt_so_ky": 6, "ghi_chu": ""}]),
        form_table("01/XLD", [{"don_vi": "Sở", "tong": 48, "ky_truoc": 6, "trong_ky": 42,
                               "da_xu_ly": 41, "chua_xu_ly": 7}]),
        form_table("01/KQGQ", [{"don_vi": "Sở", "don_tong": 9, "thu_hoi_tien": 12.5}]),
    ]
