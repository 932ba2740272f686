"""The `dvk` command: run the system, migrate, submit feedback, look at a case."""

from __future__ import annotations

import asyncio
import importlib
import json
from pathlib import Path
from typing import Annotated

import typer

from shared.settings import SERVICES

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="dvk: Dân vận khéo — intake, routing, notify, reporting.")


def _service_module(name: str, module: str = "app"):
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.{module}")


@app.command()
def run(service: Annotated[str, typer.Argument(help="intake | routing | notify | reporting")]
        ) -> None:
    """Run one service in the foreground."""
    _service_module(service).main()


@app.command()
def up(restart: Annotated[bool, typer.Option(
        help="start again a service that dies (after a growing pause if it keeps dying)")] = True
       ) -> None:
    """Run the four services, each its own process; Ctrl-C stops them all."""
    from shared.supervisor import supervise

    migrate()
    raise typer.Exit(supervise(restart=restart))


@app.command()
def migrate() -> None:
    """Bring every service's database to the latest schema and declare the RabbitMQ topology."""
    from shared.migrations import upgrade
    from shared.settings import load_settings

    _check_catalogues()
    for name in SERVICES:
        _, own = load_settings(name)
        upgrade(name, own.database_url)
        typer.echo(f"{name}: cơ sở dữ liệu đã cập nhật ({_redact_url(own.database_url)})")
    _declare_topology()


def _check_catalogues() -> None:
    """Loads every catalogue (an operator's edited copy first): a bad edit stops here, named."""
    from services.notify.schedule import load_policy
    from services.routing.deadline_policies import DeadlinePolicies
    from services.routing.rules import RuleBook
    from shared.calendar import WorkingCalendar
    from shared.plan import PlanCatalogue
    from shared.settings import CommonSettings, catalogue_file
    from shared.units import UnitCatalogue

    common = CommonSettings()
    try:
        units = UnitCatalogue.load(catalogue_file(common, "units.yaml"))
        plan = PlanCatalogue.load(catalogue_file(common, "plan.yaml"))
        rules = RuleBook.load(catalogue_file(common, "rules.yaml"))
        DeadlinePolicies.load(catalogue_file(common, "deadline_policies.yaml"))
        WorkingCalendar(catalogue_file(common, "calendar_overrides.yaml"))
        load_policy(catalogue_file(common, "notify_policy.yaml"))
    except Exception as exc:
        typer.echo(f"Danh mục không hợp lệ: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"danh mục: {len(units.by_code)} đơn vị, {len(plan.sections)} mục và "
               f"{len(plan.tasks())} nhiệm vụ của kế hoạch, {len(rules.spec.rules)} quy tắc "
               "định tuyến — hợp lệ")


def _declare_topology() -> None:
    from shared.messaging.declare import wait_and_declare
    from shared.settings import CommonSettings

    try:
        asyncio.run(wait_and_declare(CommonSettings().amqp_url, attempts=3))
        typer.echo("rabbitmq: đã khai báo exchange và hàng đợi")
    except Exception as exc:
        typer.echo(f"rabbitmq: chưa kết nối được ({type(exc).__name__}); các dịch vụ sẽ tự "
                   "khai báo khi khởi động", err=True)


def _redact_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def submit(file: Annotated[Path, typer.Argument(exists=True, readable=True)],
           timeout: Annotated[float, typer.Option(help="seconds to wait for intake")] = 30.0
           ) -> None:
    """Publish a feedback JSON to dvk.ingress as an integrating system would; print the
    reference."""
    from shared.client import submit_file

    reply = asyncio.run(submit_file(file, timeout=timeout))
    _print_reply(reply)


def _print_reply(reply: dict) -> None:
    status = reply.get("status")
    if status in {"accepted", "duplicate"}:
        label = "Đã tiếp nhận" if status == "accepted" else "Đã có từ trước (trùng)"
        typer.echo(f"{label}: {reply['ref']}")
        return
    if status == "queued":
        typer.echo(f"Đã gửi (mã thông điệp {reply['message_id']}); intake chưa trả lời, "
                   "hồ sơ sẽ được xử lý khi intake chạy.")
        return
    typer.echo(f"Bị từ chối: {reply.get('reason')}", err=True)
    for error in reply.get("errors", []):
        typer.echo(f"  - {error['field']}: {error['reason']}", err=True)
    raise typer.Exit(1)


@app.command()
def status(ref: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show a case as each service sees it: intake, routing, notify, reporting."""
    from shared.client import case_status

    view = asyncio.run(case_status(ref))
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
        return
    for service, data in view.items():
        typer.echo(f"[{service}] {json.dumps(data, ensure_ascii=False)}")


@app.command("import")
def import_progress(
        file: Annotated[Path, typer.Argument(exists=True, readable=True)],
        source_system: Annotated[str, typer.Option(help="tên hệ thống gửi")] = "dvk-import",
        timeout: Annotated[float, typer.Option(help="giây chờ intake trả lời")] = 120.0) -> None:
    """Nhập hàng loạt tiến độ nhiệm vụ (CSV hoặc JSON); báo lỗi từng dòng, không dừng ở lỗi đầu."""
    from services.intake.importer import run_import

    raise typer.Exit(asyncio.run(run_import(file, source_system=source_system, timeout=timeout)))


def _mount_service_commands() -> None:
    from services.intake import cli as intake_cli
    from services.reporting import cli as reporting_cli
    from shared import plan_cli
    from shared.ops import cli as ops_cli

    app.add_typer(reporting_cli.app, name="report",
                  help="Báo cáo tổng hợp: lập báo cáo, dựng lại dữ liệu báo cáo, lịch lập.")
    app.add_typer(ops_cli.app, name="ops",
                  help="Vận hành: hàng đợi, thư chết, thông điệp bị từ chối.")
    app.add_typer(plan_cli.app, name="plan", help="Kế hoạch: các mục, nhiệm vụ, hạn báo cáo.")
    from services.notify import cli as notify_cli
    from services.routing import cli as routing_cli

    app.add_typer(notify_cli.app, name="notify",
                  help="Thông báo: việc chờ xử lý, nhật ký gửi, gửi lại, xác nhận.")
    app.add_typer(intake_cli.app, name="intake",
                  help="intake: khóa API, xem danh tính có kiểm soát, đổi khóa.")
    app.add_typer(routing_cli.app, name="route",
                  help="Which unit a text would be routed to, and why.")
    app.add_typer(routing_cli.deadline_app)


_mount_service_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
