"""`dvk ops`: queues at a glance (also a monitoring probe), dead letters, intake's rejected store
(list, show masked, reveal whole on record, replay, discard).

Exit codes of `dvk ops queues`: 0 all well; 1 a queue is missing, has no consumer, or its
dead-letter queue is not empty; 3 the management API cannot be reached.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from shared.messaging.topology import QUEUES

from . import queues as queue_view
from . import render
from .audit import AuditLog, current_operator
from .deadletters import Selection, group
from .dlq import DeadLetterStore, NothingSelected, Outcome
from .management import ManagementClient, ManagementError
from .redaction import parse_json, redact_document, restore_redacted
from .rejected import RejectedStore, RejectedStoreError
from .settings import OpsSettings, load_ops_settings

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Vận hành: hàng đợi, thư chết (dead letters), thông điệp bị từ chối.")
dlq_app = typer.Typer(no_args_is_help=True, help="Thư chết: xem theo nhóm, gửi lại, hủy.")
rejected_app = typer.Typer(no_args_is_help=True,
                           help="Kho thông điệp intake từ chối: xem, xem toàn văn (có ghi "
                                "nhận), gửi lại (có thể sửa), hủy.")
app.add_typer(dlq_app, name="dlq")
app.add_typer(rejected_app, name="rejected")

EXIT_PROBLEMS, EXIT_UNKNOWN = 1, 3
AsJson = Annotated[bool, typer.Option("--json", help="JSON output")]
Queues = Annotated[list[str] | None, typer.Option(
    "--queue", "-q", help="only this work queue's dead letters (repeatable)")]
Ids = Annotated[list[str] | None, typer.Argument(help="dead-letter ids (or unique prefixes)")]
Groups = Annotated[list[str] | None, typer.Option("--group", "-g", help="a group id (repeatable)")]
Everything = Annotated[bool, typer.Option("--all", help="every dead letter (of --queue)")]


def _echo_json(document: Any) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))


# ---- queues ---------------------------------------------------------------------------------

@app.command()
def queues(watch: Annotated[bool, typer.Option(help="refresh in place until Ctrl-C")] = False,
           interval: Annotated[float, typer.Option(help="seconds between refreshes")] = 2.0,
           as_json: AsJson = False,
           iterations: Annotated[int, typer.Option(hidden=True)] = 0) -> None:
    """Every queue: depth, ready, unacked, consumers, rates, dead letters. Non-zero exit when a
    queue has no consumer or a dead-letter queue is not empty (a monitoring probe)."""
    settings = load_ops_settings()
    status, shown = EXIT_UNKNOWN, 0
    with ManagementClient(settings.management_url, settings.management_user,
                          settings.management_password) as api:
        try:
            while True:
                status = _show_queues(api, settings.vhost, as_json=as_json, clear=watch)
                shown += 1
                if not watch or (iterations and shown >= iterations):
                    break
                time.sleep(interval)
        except KeyboardInterrupt:
            pass
    raise typer.Exit(status)


def _show_queues(api: ManagementClient, vhost: str, *, as_json: bool, clear: bool) -> int:
    try:
        stats = api.queues(vhost)
    except ManagementError as exc:
        typer.echo(f"Không đọc được thống kê hàng đợi: {exc}", err=True)
        return EXIT_UNKNOWN
    rows = queue_view.queue_rows(stats)
    found = queue_view.problems(rows, stats)
    if as_json:
        _echo_json({"vhost": vhost, "queues": [r.as_dict() for r in rows], "problems": found})
    else:
        if clear:
            typer.echo("\033[H\033[J", nl=False)  # home, clear: refresh in place
        typer.echo(f"vhost {vhost} — {render.local_time(_now())}")
        typer.echo(queue_view.render(rows, found))
    return EXIT_PROBLEMS if found else 0


def _now():
    from shared.contracts.base import utc_now

    return utc_now()


# ---- dead letters ---------------------------------------------------------------------------

def _store(settings: OpsSettings) -> DeadLetterStore:
    return DeadLetterStore(settings.amqp_url, audit=AuditLog(settings.audit_log))


def _dead_letter_queues(queues: list[str] | None) -> list[str]:
    known = {spec.name: spec.dead_letter_queue for spec in QUEUES}
    unknown = [q for q in queues or [] if q.removesuffix(".dlq") not in known]
    if unknown:
        raise typer.BadParameter(f"unknown queue {', '.join(unknown)}; one of "
                                 f"{', '.join(known)}")
    return [known[q.removesuffix(".dlq")] for q in queues] if queues else list(known.values())


@dlq_app.command("list")
def dlq_list(queue: Queues = None, as_json: AsJson = False) -> None:
    """Dead letters grouped by queue and reason."""
    letters = asyncio.run(_store(load_ops_settings()).peek(_dead_letter_queues(queue)))
    groups = group(letters)
    if as_json:
        _echo_json(render.groups_json(groups))
    else:
        typer.echo(render.groups_text(groups))


@dlq_app.command("show")
def dlq_show(letter_id: str, queue: Queues = None, as_json: AsJson = False,
             raw: Annotated[bool, typer.Option(help="show a non-JSON body as text")] = False
             ) -> None:
    """One dead letter: its headers and body (a denouncer's identity masked)."""
    letters = asyncio.run(_store(load_ops_settings()).peek(_dead_letter_queues(queue)))
    matching = [x for x in letters if x.id.startswith(letter_id)]
    if len(matching) != 1:
        typer.echo(f"{len(matching)} thư chết khớp với {letter_id!r}", err=True)
        raise typer.Exit(1)
    detail = render.letter_detail(matching[0], raw=raw)
    if as_json:
        _echo_json(detail)
    else:
        typer.echo(render.detail_text(detail))


@dlq_app.command("replay")
def dlq_replay(ids: Ids = None, group_id: Groups = None, everything: Everything = False,
               queue: Queues = None,
               body: Annotated[Path | None, typer.Option(
                   exists=True, readable=True, help="the fixed message, replayed instead")] = None,
               edit: Annotated[bool, typer.Option(help="fix the message in $EDITOR")] = False
               ) -> None:
    """Publish dead letters again to the exchange and routing key they came from. With --body
    or --edit (one id): only the fixed copy is published, the original is removed."""
    selection = _selection(ids, group_id, everything)
    settings, names = load_ops_settings(), _dead_letter_queues(queue)
    store = _store(settings)
    edited = None
    if body is not None or edit:
        edited = _edited_body(store, names, ids or [], body)
    try:
        outcomes = asyncio.run(store.replay(names, selection, edited_body=edited))
    except NothingSelected as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    _report(outcomes, "gửi lại")


@dlq_app.command("discard")
def dlq_discard(reason: Annotated[str, typer.Option(help="why (kept in the audit log)")],
                ids: Ids = None, group_id: Groups = None, everything: Everything = False,
                queue: Queues = None) -> None:
    """Remove dead letters for good, with a reason written to the audit log."""
    if not reason.strip():
        raise typer.BadParameter("--reason must say why")
    selection = _selection(ids, group_id, everything)
    settings = load_ops_settings()
    outcomes = asyncio.run(_store(settings).discard(
        _dead_letter_queues(queue), selection, reason=reason))
    _report(outcomes, "hủy")
    typer.echo(f"Nhật ký: {settings.audit_log}")


def _selection(ids: list[str] | None, groups: list[str] | None, everything: bool) -> Selection:
    selection = Selection(ids=ids or [], groups=groups or [], everything=everything)
    if not selection:
        raise typer.BadParameter("name dead-letter ids, --group G or --all")
    return selection


def _edited_body(store: DeadLetterStore, names: list[str], ids: list[str],
                 body: Path | None) -> bytes:
    if len(ids) != 1:
        raise typer.BadParameter("an edited replay names exactly one dead-letter id")
    letters = [x for x in asyncio.run(store.peek(names)) if x.id.startswith(ids[0])]
    if len(letters) != 1:
        typer.echo(f"{len(letters)} thư chết khớp với {ids[0]!r}", err=True)
        raise typer.Exit(1)
    original = parse_json(letters[0].body)
    text = body.read_text(encoding="utf-8") if body else _edit_in_editor(original, letters[0])
    edited = parse_json(text.encode())
    if original is None or edited is None:
        return text.encode()
    return json.dumps(restore_redacted(edited, original), ensure_ascii=False).encode()


def _edit_in_editor(original: Any, letter: Any) -> str:
    shown = (json.dumps(redact_document(original), ensure_ascii=False, indent=2)
             if original is not None else letter.body.decode("utf-8", errors="replace"))
    edited = typer.edit(shown, extension=".json")
    if edited is None or edited.strip() == shown.strip():
        typer.echo("Không có thay đổi; không gửi lại.", err=True)
        raise typer.Exit(1)
    return edited


def _report(outcomes: list[Outcome], verb: str) -> None:
    for outcome in outcomes:
        mark = "✓" if outcome.done else "✗"
        typer.echo(f"{mark} {outcome.letter.id} ({outcome.letter.queue}): {outcome.detail}")
    done = sum(o.done for o in outcomes)
    typer.echo(f"Đã {verb} {done}/{len(outcomes)} thư chết.")
    if not outcomes or done < len(outcomes):
        raise typer.Exit(1)


# ---- intake's rejected store ----------------------------------------------------------------

def _rejected_store() -> RejectedStore:
    settings = load_ops_settings()
    return RejectedStore(settings.intake_url, api_key=settings.intake_api_key)


def _rejected_call(action: Any) -> Any:
    try:
        with _rejected_store() as store:
            return action(store)
    except RejectedStoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


@rejected_app.command("list")
def rejected_list(status: Annotated[str, typer.Option(
                      help="pending | replayed | discarded | superseded (a corrected resend "
                           "was accepted)")] = "pending",
                  as_json: AsJson = False) -> None:
    """What intake refused, grouped by reason."""
    items = _rejected_call(lambda store: store.list(status=status))
    if as_json:
        _echo_json(items)
    else:
        typer.echo(render.rejected_text(items, status=status))


@rejected_app.command("show")
def rejected_show(rejection_id: str) -> None:
    """One rejected message with its errors; the sender's identity masked by intake."""
    _echo_json(_rejected_call(lambda store: store.show(rejection_id)))


@rejected_app.command("replay")
def rejected_replay(rejection_id: str, body: Annotated[Path | None, typer.Option(
        exists=True, readable=True, help="the fixed message, sent instead")] = None) -> None:
    """Run a rejected message through intake again, as kept or as fixed (never both)."""
    fixed = json.loads(body.read_text(encoding="utf-8")) if body else None
    reply = _rejected_call(lambda store: store.replay(rejection_id, fixed))
    _echo_json(reply)
    AuditLog(load_ops_settings().audit_log).record(
        "rejected-replay-edited" if fixed is not None else "rejected-replay",
        rejection_id=rejection_id, result=reply.get("status"))
    if reply.get("status") not in {"accepted", "duplicate", "pending"}:
        raise typer.Exit(1)


@rejected_app.command("reveal")
def rejected_reveal(rejection_id: str, reason: Annotated[str, typer.Option(
                        help="why the whole body must be seen (kept by intake and in the audit "
                             "log)")],
                    officer: Annotated[str | None, typer.Option(
                        help="who sees it, from loopback (default: DVK_OPS_OPERATOR or the "
                             "login); with an API key intake records the key's system")] = None
                    ) -> None:
    """The whole kept body, sender included, which `show` withholds or masks; intake records
    who saw it, when and why."""
    reason, who = reason.strip(), (officer or current_operator()).strip()
    if not reason:
        typer.echo("Cần nêu lý do xem toàn văn (--reason); lý do được ghi lại cùng người xem.",
                   err=True)
        raise typer.Exit(2)
    revealed = _rejected_call(
        lambda store: store.reveal(rejection_id, reason=reason, officer=who))
    _echo_json(revealed)
    settings = load_ops_settings()
    AuditLog(settings.audit_log).record("rejected-reveal", rejection_id=rejection_id,
                                        reason=reason)
    typer.echo(f"Đã ghi nhận lần xem toàn văn (người xem, thời điểm, lý do) vào nhật ký của "
               f"intake và {settings.audit_log}.", err=True)


@rejected_app.command("discard")
def rejected_discard(rejection_id: str, reason: Annotated[str, typer.Option(
        help="why (kept by intake and in the audit log)")]) -> None:
    """Close a rejected message for good, with a reason."""
    if not reason.strip():
        raise typer.BadParameter("--reason must say why")
    _echo_json(_rejected_call(lambda store: store.discard(rejection_id, reason=reason)))
    AuditLog(load_ops_settings().audit_log).record("rejected-discard",
                                                   rejection_id=rejection_id, reason=reason)


if __name__ == "__main__":  # `python -m shared.ops.cli ...`, the same as `dvk ops ...`
    app()
