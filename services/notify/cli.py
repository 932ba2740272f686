"""`dvk notify …`: what waits for an operator, the delivery log, resend, confirm, key rotation.
Works on notify's own database (DVK_NOTIFY_DATABASE_URL), with or without the service running."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import typer

from shared.contracts.base import utc_now

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Thông báo: việc chờ xử lý, nhật ký gửi, gửi lại, xác nhận.")


def _with_notify(action: Callable[[Any], Awaitable[Any]]) -> Any:
    from shared.db import create_engine, session_factory
    from shared.settings import load_settings

    from .bootstrap import Notify

    async def go() -> Any:
        _, own = load_settings("notify")
        engine = create_engine(own.database_url)
        try:
            return await action(Notify(engine=engine, sessions=session_factory(engine)))
        finally:
            await engine.dispose()

    return asyncio.run(go())


@app.command()
def pending(status: Annotated[list[str] | None, typer.Option(help="failed, uncertain, "
                                                             "blocked, held, scheduled…")] = None,
            ref: Annotated[str | None, typer.Option(help="one case")] = None,
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Messages that wait for a person (parked, uncertain, blocked), with counts."""
    from .http import OPERATOR_STATUSES, schedule_item

    async def query(notify: Any) -> dict[str, Any]:
        async with notify.uow() as work:
            rows = await work.schedule.listing(statuses=tuple(status or OPERATOR_STATUSES),
                                               ref=ref)
            return {"counts": await work.schedule.count_by_status(),
                    "items": [schedule_item(r) for r in rows]}

    result = _with_notify(query)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo("Số lượng theo trạng thái: " + ", ".join(
        f"{k}={v}" for k, v in sorted(result["counts"].items())))
    for item in result["items"]:
        typer.echo(f"{item['status']:<10} {item['key']}  {item['case_ref']}  {item['kind']}"
                   f"  {item['channel']}  lần gửi: {item['attempts']}  {item['last_error'] or ''}")


@app.command("log")
def delivery_log(ref: Annotated[str | None, typer.Option()] = None,
                 key: Annotated[str | None, typer.Option()] = None,
                 limit: Annotated[int, typer.Option()] = 50,
                 as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The delivery log: what went to whom, when, how, with what outcome (newest first)."""
    from .http import log_item

    async def query(notify: Any) -> list[dict[str, Any]]:
        async with notify.uow() as work:
            return [log_item(e) for e in await work.log.recent(ref=ref, key=key, limit=limit)]

    items = _with_notify(query)
    if as_json:
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for item in items:
        typer.echo(f"{item['at']}  {item['outcome']:<10} {item['key']}  {item['channel']}"
                   f"/{item['transport'] or '-'}  → {item['recipient'] or '-'}"
                   f"  {item['detail'] or ''}")


@app.command()
def retry(key: str) -> None:
    """Send a parked (failed) or uncertain message again, now."""
    from . import operations

    try:
        before = _with_notify(lambda n: operations.retry(key, uow=n.uow, now=utc_now()))
    except operations.OperationRefused as exc:
        typer.echo(f"Không thực hiện được: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Đã đưa vào hàng gửi lại ({before} → scheduled): {key}")


@app.command()
def confirm(key: str) -> None:
    """Mark an uncertain message as delivered (the relay's log shows its Message-ID)."""
    from . import operations

    try:
        _with_notify(lambda n: operations.confirm(key, uow=n.uow, now=utc_now()))
    except operations.OperationRefused as exc:
        typer.echo(f"Không thực hiện được: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Đã xác nhận đã gửi: {key}")


@app.command("rotate-key")
def rotate_key() -> None:
    """Mã hóa lại liên hệ người gửi bằng khóa mới nhất; sau đó có thể bỏ khóa cũ."""
    from shared.confidential import sealer_from_settings
    from shared.settings import load_settings

    from .rotation import reseal_all

    common, _ = load_settings("notify")
    sealer = sealer_from_settings(common.confidentiality_key, common.data_dir)
    counts = _with_notify(lambda notify: reseal_all(notify, sealer))
    for table, count in counts.items():
        typer.echo(f"{table}: {count}")
