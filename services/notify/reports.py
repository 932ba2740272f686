"""The plan's reports: reminders to the units that owe the 6-month and annual reports, and the
reports reporting generated, mailed to the Office (Văn phòng Sở) with their files attached."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from shared.contracts.base import Envelope
from shared.contracts.reporting import ReportGenerated
from shared.plan import REPORTING_KINDS, ReportObligation
from shared.units import UnitCatalogue

from . import scheduling
from .contexts import period_label
from .schedule import PlannedNotification, ReportDue, idempotency_key, plan_task_report_reminders
from .scheduling import Planning, trace
from .uow import NotifyUnitOfWork

CONSUMER = "notify.reports"
OFFICE = "VAN_PHONG"
PLAN_SECTION = "II.10 (sơ kết, tổng kết)"
HORIZON = timedelta(days=45)  # obligations are planned this long before they fall due
OBLIGATION_PERIODS = {"H1": "{year}-H1", "year": "{year}"}


def obligations_for_period(obligations: tuple[ReportObligation, ...], period: str
                           ) -> list[ReportObligation]:
    """'2026-H1' matches the 6-month report of 2026, '2026' the annual one."""
    year = period.split("-", 1)[0]
    return [o for o in obligations if OBLIGATION_PERIODS[o.period].format(year=year) == period]


def obligation_label(obligation: ReportObligation, year: int) -> str:
    return period_label(OBLIGATION_PERIODS[obligation.period].format(year=year))


def obligation_reminders(today: date, planning: Planning, units: UnitCatalogue
                         ) -> list[tuple[PlannedNotification, str, dict[str, Any]]]:
    """(item, unit code, context) for each obligation due within the horizon, per reporting
    unit active on its due date."""
    planned = []
    for year in (today.year, today.year + 1):
        for obligation in planning.obligations:
            due = obligation.due_on(year)
            if not today <= due <= today + HORIZON:
                continue
            for unit in units.active(on=due):
                if unit.kind not in REPORTING_KINDS:
                    continue
                context = _obligation_context(obligation, year, due, units)
                report = ReportDue(unit.code, obligation.id, due)
                planned += [(item, unit.code, context) for item in plan_task_report_reminders(
                    report, planning.policy, planning.calendar)]
    return planned


def _obligation_context(obligation: ReportObligation, year: int, due: date,
                        units: UnitCatalogue) -> dict[str, Any]:
    office = units.get(OFFICE, on=due)
    return {"report": {"title": obligation.title,
                       "period_label": obligation_label(obligation, year),
                       "due_date": due.isoformat(), "plan_section": PLAN_SECTION,
                       "submit_to": office.name if office else None}}


async def plan_obligations(work: NotifyUnitOfWork, today: date, planning: Planning,
                           units: UnitCatalogue) -> int:
    now, values = planning.clock(), []
    for item, unit_code, context in obligation_reminders(today, planning, units):
        values += scheduling.with_copies(
            scheduling.row_values(item, unit_code=unit_code, now=now, context=context),
            planning.webhooks)
    await work.schedule.insert_missing(values)
    return len(values)


def delivery_item(report: ReportGenerated, now: Any) -> PlannedNotification:
    generated = report.generated_at
    key = idempotency_key(report.report_id, generated.isoformat(), generated.date(),
                          "report_delivery", "office")
    return PlannedNotification(
        kind="report_delivery", audience="office", send_at=now, idempotency_key=key,
        template="report_delivery", case_ref=report.report_id, step="report", due_date=None,
        phase="report", office_hours_only=False)


def delivery_context(report: ReportGenerated) -> dict[str, Any]:
    files = [{"name": f.path.rsplit("/", 1)[-1], "size_bytes": f.size, "path": f.path,
              "sha256": f.sha256, "format": f.format} for f in report.files]
    return {"report": {"title": report.title, "period_label": period_label(report.period),
                       "generated_at": report.generated_at.isoformat(), "family": report.family,
                       "scope": report.scope, "number": None},
            "attachments": files}


async def on_report_generated(envelope: Envelope[ReportGenerated], *,
                              uow: Callable[[], NotifyUnitOfWork], planning: Planning) -> None:
    """reporting.report_generated: one mail to the Office with every file attached."""
    report = envelope.data
    async with uow() as work:
        if not await work.claim(envelope.event_id, CONSUMER):
            return
        now = planning.clock()
        item = delivery_item(report, now)
        if not await work.schedule.existing_keys([item.idempotency_key]):
            values = scheduling.row_values(item, unit_code=OFFICE, now=now,
                                           context={**delivery_context(report), **trace(envelope)})
            await work.schedule.insert(scheduling.with_copies(values, planning.webhooks))
        await work.commit()
