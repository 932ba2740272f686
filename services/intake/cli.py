"""`dvk intake ...`: API keys, audited reveal of a protected identity, key rotation.
Operators run these on the intake host; they work on intake's own database."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from shared.contracts.base import utc_now
from shared.settings import load_settings

from . import access
from .bootstrap import Intake, bootstrap
from .rotation import reseal_all

app = typer.Typer(no_args_is_help=True, help="intake: khóa API, xem danh tính có kiểm soát.")
keys = typer.Typer(no_args_is_help=True, help="Khóa API của các hệ thống tích hợp.")
app.add_typer(keys, name="key")


def _intake() -> Intake:
    return bootstrap(*load_settings("intake"))


def _run(coro):
    return asyncio.run(coro)


_RIGHTS_HELP = "submit,read,read_all,read_identity,operate"


@keys.command("create")
def create_key(system: str,
               rights: Annotated[str, typer.Option(help=_RIGHTS_HELP)] = "submit,read") -> None:
    """Tạo khóa cho một hệ thống; khóa chỉ hiện một lần."""
    async def go() -> str:
        intake = _intake()
        key, clear = access.new_key(system, set(rights.split(",")))
        async with intake.uow() as work:
            work.access.add(key)
            await work.commit()
        await intake.engine.dispose()
        return f"{key.id}\t{system}\t{key.rights}\n{clear}"
    typer.echo(_run(go()))
    typer.echo("Lưu khóa này ngay: hệ thống chỉ giữ bản băm.", err=True)


@keys.command("list")
def list_keys() -> None:
    """Liệt kê các khóa (không hiện khóa)."""
    async def go() -> list[str]:
        intake = _intake()
        async with intake.uow() as work:
            rows = [f"{k.id}\t{k.system}\t{k.rights}\t{k.created_at:%d/%m/%Y}\t"
                    f"{'đã thu hồi' if k.revoked_at else 'đang dùng'}"
                    for k in await work.access.keys()]
        await intake.engine.dispose()
        return rows
    for row in _run(go()):
        typer.echo(row)


@keys.command("revoke")
def revoke_key(key_id: str) -> None:
    """Thu hồi một khóa."""
    async def go() -> bool:
        intake = _intake()
        async with intake.uow() as work:
            done = await work.access.revoke(key_id, utc_now())
            await work.commit()
        await intake.engine.dispose()
        return done
    if not _run(go()):
        typer.echo(f"Không có khóa đang dùng với mã {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Đã thu hồi khóa {key_id}")


@app.command()
def reveal(ref: str, officer: Annotated[str, typer.Option(help="người xem")],
           reason: Annotated[str, typer.Option(help="lý do (bắt buộc, được ghi lại)")]) -> None:
    """Xem danh tính người gửi của một hồ sơ; mỗi lần xem được ghi nhật ký."""
    async def go() -> dict:
        intake = _intake()
        async with intake.uow() as work:
            case = await work.cases.get(ref)
            if case is None:
                raise typer.BadParameter(f"không có hồ sơ {ref}")
            sender = access.reveal_sender(work, case, sealer=intake.sealer, officer=officer,
                                          reason=reason, via="cli")
            await work.commit()
        await intake.engine.dispose()
        return sender
    typer.echo(json.dumps(_run(go()), ensure_ascii=False, indent=2))


@app.command("rotate-key")
def rotate_key() -> None:
    """Mã hóa lại mọi dữ liệu được bảo vệ bằng khóa mới nhất (khóa đầu trong
    DVK_CONFIDENTIALITY_KEY); sau đó có thể bỏ khóa cũ."""
    counts = _run(reseal_all(_intake()))
    for table, count in counts.items():
        typer.echo(f"{table}: {count}")
