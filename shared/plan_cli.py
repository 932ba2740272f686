"""`dvk plan ...`: the plan's catalogue as the Office reads it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from shared.plan import default_plan
from shared.units import UnitCatalogue

app = typer.Typer(no_args_is_help=True, help="Kế hoạch: các mục, nhiệm vụ, hạn báo cáo.")


@app.command()
def reports(year: Annotated[int, typer.Option(help="năm")] = date.today().year) -> None:
    """Hạn các báo cáo định kỳ các đơn vị phải gửi Văn phòng Sở trong năm."""
    plan, units = default_plan(), UnitCatalogue.load()
    for obligation in plan.report_obligations:
        due = obligation.due_on(year)
        owing = [u.code for u in units.active(on=due) if u.kind.value in
                 {"office", "inspectorate", "division", "public_service_unit"}]
        typer.echo(f"{obligation.title}: hạn {due:%d/%m/%Y} — {len(owing)} đơn vị: "
                   f"{', '.join(owing)}")


@app.command()
def tasks() -> None:
    """Các mục và nhiệm vụ của kế hoạch, với đơn vị chủ trì."""
    for section in default_plan().sections:
        typer.echo(f"{section.code}. {section.title}")
        for task in section.tasks:
            typer.echo(f"  {task.id} {task.title} (chủ trì: {task.lead})")
