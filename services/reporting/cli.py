"""Command line of reporting: build a report now, rebuild the read model, show the schedule.

Mount in the main CLI:
    app.add_typer(reporting_cli.app, name="report")   # dvk report build --period 2026-H1
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from shared.contracts.base import make_envelope, utc_now

app = typer.Typer(help="Báo cáo tổng hợp: lập báo cáo, dựng lại dữ liệu báo cáo, lịch lập.",
                  no_args_is_help=True)
_DATE = ["%Y-%m-%d"]
_FAMILIES = {"dan_van_kheo": ("dan_van_kheo",), "tiep_cong_dan": ("tiep_cong_dan",),
             "all": ("dan_van_kheo", "tiep_cong_dan")}


def _reporting(out: Path | None = None):
    from services.reporting.bootstrap import bootstrap
    from services.reporting.settings import SERVICE, ReportingSettings
    from shared.settings import load_settings

    common, own = load_settings(SERVICE)
    settings = ReportingSettings()
    if out is not None:
        settings = settings.model_copy(update={"output_dir": out})
    return bootstrap(common, own, settings)


@app.command("build")
def build(
    period: Annotated[str, typer.Option(help="Kỳ báo cáo: 2026, 2026-H1, 2026-Q2, 2026-05, "
                                             "2026-9M hoặc 2026-01-01..2026-03-31.")],
    family: Annotated[str, typer.Option(help="dan_van_kheo | tiep_cong_dan | all")] = "all",
    scope: Annotated[str, typer.Option(help="department (toàn Sở) hoặc mã đơn vị.")] =
        "department",
    out: Annotated[Path | None, typer.Option(help="Thư mục lưu tệp (mặc định: "
                                                  "DVK_REPORTING_OUTPUT_DIR).")] = None,
    on: Annotated[datetime | None, typer.Option("--date", formats=_DATE,
                                                help="Ngày báo cáo (mặc định: hôm nay).")] = None,
    publish: Annotated[bool, typer.Option(help="Thông báo báo cáo đã lập (notify gửi thư "
                                               "cho Văn phòng Sở).")] = False,
) -> None:
    """Lập báo cáo (dự thảo .docx, phụ lục .xlsx, JSON, biểu đồ) từ dữ liệu báo cáo."""
    from services.reporting.builder import ReportRequest

    if family not in _FAMILIES:
        raise typer.BadParameter(f"family phải là một trong: {', '.join(_FAMILIES)}")
    try:
        requests = [ReportRequest(family=f, period=period, scope=scope,
                                  report_date=on.date() if on else None)
                    for f in _FAMILIES[family]]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        asyncio.run(_build(requests, out, publish))
    except ValueError as exc:
        typer.echo(f"Không lập được báo cáo: {exc}", err=True)
        raise typer.Exit(1) from None


async def _build(requests, out: Path | None, publish: bool) -> None:
    from services.reporting.reports import build_record

    reporting = _reporting(out)
    try:
        for request in requests:
            started = utc_now()
            generated = await reporting.maker.make(request, started)
            async with reporting.uow() as work:
                work.builds.add(build_record(generated, trigger="cli", requested_by="cli",
                                             started_at=started, finished_at=utc_now()))
                if publish:
                    await work.publish(make_envelope(generated, producer="reporting",
                                                     correlation_id=generated.report_id))
                await work.commit()
            _print(generated, publish)
    finally:
        await reporting.engine.dispose()


def _print(generated, published: bool) -> None:
    typer.echo(f"Đã lập báo cáo: {generated.title} (mã {generated.report_id})")
    for file in generated.files:
        typer.echo(f"  - {file.format}: {file.path} ({file.size:,} byte)".replace(",", "."))
    if published:
        typer.echo("  Đã ghi thông báo; dịch vụ reporting sẽ gửi đi khi đang chạy.")


@app.command("rebuild")
def rebuild() -> None:
    """Dựng lại dữ liệu báo cáo từ các sự kiện đã lưu (kết quả như khi nhận trực tiếp)."""
    from services.reporting import replay

    async def run() -> None:
        reporting = _reporting()
        try:
            result = await replay.rebuild(reporting.uow)
        finally:
            await reporting.engine.dispose()
        typer.echo(f"Đã dựng lại dữ liệu báo cáo từ {result.events:,} sự kiện "
                   f"({result.projected:,} sự kiện được tổng hợp).".replace(",", "."))

    asyncio.run(run())


@app.command("schedule")
def schedule(days: Annotated[int, typer.Option(help="Số ngày tới.")] = 400) -> None:
    """Các báo cáo sẽ được lập tự động trong thời gian tới (theo report_schedule.yaml)."""
    from services.reporting.domain import LOCAL_TZ
    from services.reporting.schedule import load_schedule, upcoming
    from services.reporting.settings import schedule_file
    from shared.settings import CommonSettings

    path = schedule_file(CommonSettings())
    builds = upcoming(load_schedule(path), now=utc_now(), days=days)
    typer.echo(f"Lịch lập báo cáo ({path}):")
    for due in builds:
        typer.echo(f"  {due.fire_at.astimezone(LOCAL_TZ):%d/%m/%Y %H:%M}  {due.family:<14} "
                   f"{due.period:<10} {due.scope}  [{due.rule_id}]")
    if not builds:
        typer.echo("  (không có báo cáo nào trong thời gian này)")
