"""Operators: parked and uncertain messages are listed, resent or confirmed; `dvk notify`."""

from __future__ import annotations

import asyncio
import json
from datetime import date

from typer.testing import CliRunner

from services.notify import cli, operations
from services.notify.channels import DeliveryResult
from shared.db import create_engine, session_factory
from shared.migrations import upgrade

from .notify_harness import SettableClock, assigned, build_harness, deadline, vn

REF = "PAKN-2026-000801"


async def _uncertain_and_failed(url: str) -> tuple[str, str]:
    """One reminder held as uncertain (a crash after the dot), one parked (SMTP 550)."""
    engine = create_engine(url)
    clock = SettableClock(vn(2026, 3, 2, 9, 0))
    harness = build_harness(engine, session_factory(engine), clock, lease_seconds=60)
    for n, ref in enumerate((REF, "PAKN-2026-000802")):
        await harness.handle(assigned(ref, deadlines=[deadline("giai_quyet", date(2026, 3, 13))],
                                      at=vn(2026, 3, 2, 9, n)))
    clock.now = vn(2026, 3, 10, 8, 0)
    first, second = await harness.dispatcher.claim(clock.now)
    await harness.dispatcher._pass_point(first)
    harness.transports["email"].results = [DeliveryResult.permanent("SMTP 550: no such user")]
    await harness.dispatcher.deliver(second)
    clock.advance(minutes=5)
    await harness.dispatcher.recover(clock.now)
    await engine.dispose()
    return first.key, second.key


def test_cli_lists_confirms_and_resends(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path / 'notify.db'}"
    upgrade("notify", url)
    uncertain, failed = asyncio.run(_uncertain_and_failed(url))
    monkeypatch.setenv("DVK_NOTIFY_DATABASE_URL", url)
    runner = CliRunner()
    listed = json.loads(runner.invoke(cli.app, ["pending", "--json"]).output)
    assert {(i["key"], i["status"]) for i in listed["items"]} == {
        (uncertain, "uncertain"), (failed, "failed")}
    assert runner.invoke(cli.app, ["confirm", uncertain]).exit_code == 0
    refused = runner.invoke(cli.app, ["confirm", failed])
    assert refused.exit_code == 1 and "only uncertain" in refused.output
    resent = runner.invoke(cli.app, ["retry", failed])
    assert resent.exit_code == 0 and "failed → scheduled" in resent.output
    log = json.loads(runner.invoke(cli.app, ["log", "--json", "--key", uncertain]).output)
    assert [e["outcome"] for e in log] == ["confirmed", "uncertain"]
    log = json.loads(runner.invoke(cli.app, ["log", "--json", "--key", failed]).output)
    assert [e["outcome"] for e in log] == ["retry", "failed"]
    after = json.loads(runner.invoke(cli.app, ["pending", "--json"]).output)
    assert after["items"] == [] and after["counts"]["sent"] == 1


async def test_confirm_emits_the_sent_event(sqlite_harness, clock):
    harness = sqlite_harness
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", date(2026, 3, 13))],
                                  at=vn(2026, 3, 2, 9, 0)))
    clock.now = vn(2026, 3, 10, 8, 0)
    [claim] = await harness.dispatcher.claim(clock.now)
    await harness.dispatcher._pass_point(claim)
    clock.advance(minutes=10)
    await harness.dispatcher.recover(clock.now)
    await operations.confirm(claim.key, uow=harness.notify.uow, now=clock.now)
    sent = [e for e in await harness.events() if e["type"] == "notify.notification_sent"]
    assert [e["data"]["idempotency_key"] for e in sent] == [claim.key]


async def test_http_shows_schedule_log_and_waiting_messages_without_a_senders_address(
        sqlite_harness, clock):
    import httpx
    from fastapi import FastAPI

    from services.notify.http import build_http

    from .notify_harness import received
    from .test_notify_acks import CONTACT

    harness = sqlite_harness
    await harness.handle(received(REF, harness.sealer, at=vn(2026, 3, 2, 8, 0), contact=CONTACT))
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", date(2026, 3, 13))],
                                  at=vn(2026, 3, 2, 9, 0)))
    await harness.dispatcher.tick()
    app = FastAPI()
    app.include_router(build_http(harness.notify))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://notify") as client:
        schedule = (await client.get(f"/v1/schedules/{REF}")).json()
        log = (await client.get("/v1/deliveries", params={"ref": REF})).json()
        waiting = (await client.get("/v1/notifications")).json()
        channels = (await client.get("/v1/channels")).json()
    assert [i["kind"] for i in schedule["items"]] == [
        "reminder", "due_today", "urging", "escalation_head", "escalation_leadership"]
    assert [i["status"] for i in schedule["to_sender"]] == ["sent"]
    [entry] = log
    assert entry["outcome"] == "sent" and "hoa.nt" not in json.dumps(log)
    assert entry["recipient"].startswith("người gửi đơn")
    assert waiting["items"] == [] and waiting["counts"]["scheduled"] == 5
    assert channels == {"failing": {}}
