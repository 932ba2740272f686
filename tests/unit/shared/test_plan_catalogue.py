from datetime import date

from shared.plan import PlanCatalogue
from shared.units import UnitCatalogue


def test_sections_keep_the_plans_numbering():
    plan = PlanCatalogue.load()
    assert [s.code for s in plan.sections] == [
        "II.1", "II.2", "II.3", "II.4", "II.5", "II.6", "II.7", "II.8", "II.10", "III.1", "III.2"]


def test_every_task_names_known_units():
    plan, units = PlanCatalogue.load(), UnitCatalogue.load()
    for task in plan.tasks():
        assert units.knows(task.lead), task.id
        if task.units != "all":
            assert all(units.knows(code) for code in task.units), task.id


def test_all_means_the_units_active_on_the_date():
    plan, units = PlanCatalogue.load(), UnitCatalogue.load()
    task = plan.task("II.1.1")
    before, after = (plan.units_for(task, units=units, on=date(2024, 11, 1)),
                     plan.units_for(task, units=units, on=date(2025, 6, 1)))
    assert "TRE_EM_BINH_DANG_GIOI" in before and "TRE_EM_BINH_DANG_GIOI" not in after
    assert "BAN_GIAM_DOC" not in before and "VAN_PHONG" in after


def test_report_obligations_have_due_dates():
    plan = PlanCatalogue.load()
    assert {o.id: o.due_on(2026) for o in plan.report_obligations} == {
        "so_ket_6_thang": date(2026, 6, 10), "tong_ket_nam": date(2026, 12, 10)}
    # 10/06/2028 is a Saturday: the deadline moves to Monday 12/06/2028.
    assert plan.report_obligations[0].due_on(2028) == date(2028, 6, 12)


def test_section_of_a_task():
    assert PlanCatalogue.load().section_of("II.5.2").code == "II.5"
