"""`make bench`: the baseline and the system, measured in one run on this machine; the annual
report build. Prints a table and writes bench/results/<date>.json.

    python -m bench.run                                   # defaults of `make bench`
    python -m bench.run --cases 2000 --report-cases 100000 --databases sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench import report_build
from bench.baseline import measure_baseline
from bench.profile import CpuMeter, fixed, server_groups, settled_broker_totals
from bench.stack_floor import measure_floor
from bench.system_bench import (cpu_meter, latency, memory, start_system, throughput,
                                wait_until_idle)
from shared.logging import configure_logging
from shared.runtime import event_loop_runner
from shared.testing.system import free_port

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
RESULTS = Path(__file__).parent / "results"


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def new_vhost() -> tuple[str, str]:
    vhost = f"dvk-bench-{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    return vhost, f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


async def pg_databases(names: list[str], drop: bool = False) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop:
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def baseline(messages: int) -> dict:
    vhost, url = new_vhost()
    name = f"dvk_bench_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(pg_databases([name]))
        meter = CpuMeter({"bench": fixed(os.getpid()), **server_groups()})
        result = asyncio.run(measure_baseline(url, f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}",
                                              messages, meter=meter))
        result["broker_per_msg"] = per_item(settled_broker_totals(vhost), messages)
        return result
    finally:
        asyncio.run(pg_databases([name], drop=True))
        rabbitmqctl("delete_vhost", vhost)


def floor(database: str, messages: int) -> dict:
    """The baseline's shape through the project's own stack (bench/stack_floor.py), in this
    process on the services' event loop, on `database`."""
    vhost, url = new_vhost()
    name = f"dvk_bench_floor_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as data:
        database_url = (f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
                        if database == "postgres" else f"sqlite+aiosqlite:///{data}/floor.db")
        try:
            if database == "postgres":
                asyncio.run(pg_databases([name]))
            meter = CpuMeter({"bench": fixed(os.getpid()), **server_groups()})
            result = event_loop_runner()(measure_floor(url, database_url, messages,
                                                       http_port=free_port(), meter=meter))
            result["broker_per_msg"] = per_item(settled_broker_totals(vhost), messages)
            return result
        finally:
            if database == "postgres":
                asyncio.run(pg_databases([name], drop=True))
            rabbitmqctl("delete_vhost", vhost)


def system(database: str, cases: int, latency_seconds: float) -> dict:
    vhost, url = new_vhost()
    prefix = f"dvk_bench_{uuid.uuid4().hex[:6]}"
    names = {s: f"{prefix}_{s}" for s in ("intake", "routing", "notify", "reporting")}
    urls = ({s: f"postgresql+asyncpg://postgres@127.0.0.1:5432/{n}" for s, n in names.items()}
            if database == "postgres" else {})
    with tempfile.TemporaryDirectory() as data:
        if urls:
            asyncio.run(pg_databases(list(names.values())))
        sut = start_system(url, Path(data), urls)
        try:
            result = {"throughput": asyncio.run(throughput(sut, cases, meter=cpu_meter(sut)))}
            result["broker_per_case"] = per_item(settled_broker_totals(vhost), cases)
            rate = result["throughput"]["cases_per_s"] / 2
            result["idle_wait_s"] = asyncio.run(wait_until_idle(sut))
            load = max(50, int(rate * latency_seconds))
            result["latency"] = asyncio.run(latency(sut, rate, load))
            result["peak_rss_mb"] = memory(sut)
        finally:
            sut.stop()
            if urls:
                asyncio.run(pg_databases(list(names.values()), drop=True))
            rabbitmqctl("delete_vhost", vhost)
    return result


def per_item(totals: dict[str, int], items: int) -> dict[str, float]:
    return {name: round(count / items, 2) for name, count in totals.items()}


def report_builds(sizes: list[int], folder: Path) -> dict:
    """bench/report_build.py's own generation and measurement, per size."""
    out = {}
    for cases in sizes:
        db = folder / f"reporting-{cases}.db"
        url = f"sqlite+aiosqlite:///{db}"
        if not db.exists():
            folder.mkdir(parents=True, exist_ok=True)
            asyncio.run(report_build.generate(url, cases))
        out[str(cases)] = report_build.measure(url)
    return out


def main() -> None:
    # A stopped run (kill, Ctrl-C) still stops the services it started and drops its virtual
    # hosts and databases: the `finally` blocks run on SystemExit, not on a bare SIGTERM.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    args = parse_args()
    result: dict = {"at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": machine(),
                    "args": {k: str(v) if isinstance(v, Path) else v
                             for k, v in vars(args).items()},
                    "baseline": baseline(args.baseline_messages),
                    "floor": {}, "system": {}}
    configure_logging("bench", "WARNING")
    for database in args.databases:
        result["floor"][database] = floor(database, args.baseline_messages)
    for database in args.databases:
        result["system"][database] = system(database, args.cases, args.latency_seconds)
    if args.report_cases:
        result["report_build"] = report_builds(args.report_cases, args.report_dir)
    path = results_path(datetime.now(UTC))
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print_table(result)
    print(f"\nwritten to {path}")


def results_path(now: datetime) -> Path:
    """bench/results/<date>.json; a later run of the same day gets <date>-2.json, -3 … rather
    than overwriting the figures an earlier run of the day left there."""
    RESULTS.mkdir(exist_ok=True)
    path, n = RESULTS / f"{now:%Y-%m-%d}.json", 1
    while path.exists():
        n += 1
        path = RESULTS / f"{now:%Y-%m-%d}-{n}.json"
    return path


def machine() -> dict:
    import os

    return {"cpus": os.cpu_count(), "python": sys.version.split()[0]}


def print_table(r: dict) -> None:
    base = r["baseline"]["msg_per_s"]
    print("\n| measurement | figure | target |\n|---|---:|---|")
    print(f"| baseline: raw aio-pika, confirms, 2 quorum hops, 1 INSERT per hop | "
          f"{base:,.0f} msg/s | — |")
    base_cpu = r["baseline"].get("cpu_ms_per_msg") or {}
    if base_cpu:
        print(f"| baseline: CPU per message | {_cpu(base_cpu)} | — |")
    print(f"| baseline: broker work per message | {_broker(r['baseline'].get('broker_per_msg'))} "
          f"| — |")
    for db, f in r.get("floor", {}).items():
        share = f["msg_per_s"] / base * 100
        print(f"| stack floor on {db}: the same 2 hops through the project's stack (FastStream, "
              f"guard, envelope, inbox claim, outbox, group commit, relay), 1 INSERT per hop | "
              f"{f['msg_per_s']:,.0f} msg/s = {share:.1f}% of baseline | — |")
        if cpu := f.get("cpu_ms_per_msg"):
            times = (f" = {cpu['total'] / base_cpu['total']:.1f}× a baseline message"
                     if base_cpu.get("total") else "")
            print(f"| stack floor on {db}: CPU per message{times} | {_cpu(cpu)} | — |")
        print(f"| stack floor on {db}: broker work per message | "
              f"{_broker(f.get('broker_per_msg'))} | — |")
    for db, s in r["system"].items():
        t, lat = s["throughput"], s["latency"]
        share = t["cases_per_s"] / base * 100
        print(f"| system on {db}: throughput ({t['cases']:,} cases) | {t['cases_per_s']:,.1f} "
              f"cases/s = {share:.1f}% of baseline | ≥ 50% |")
        if cpu := t.get("cpu_ms_per_case"):
            times = (f" = {cpu['total'] / base_cpu['total']:.0f}× a baseline message"
                     if base_cpu.get("total") else "")
            floor_cpu = (r.get("floor", {}).get(db) or {}).get("cpu_ms_per_msg") or {}
            if floor_cpu.get("total"):
                times += f", {cpu['total'] / floor_cpu['total']:.1f}× a floor message"
            print(f"| system on {db}: CPU per case{times} | {_cpu(cpu)} | — |")
        print(f"| system on {db}: broker work per case | {_broker(s.get('broker_per_case'))} "
              f"| — |")
        print(f"| system on {db}: latency at {lat['offered_per_s']} cases/s "
              f"({lat['completed']}/{lat['cases']}) | p50 {lat['p50_ms']:,.0f} ms, "
              f"p99 {lat['p99_ms']:,.0f} ms | p99 < 250 ms |")
        mem = ", ".join(f"{k} {v:.0f}" for k, v in s["peak_rss_mb"].items() if v)
        print(f"| system on {db}: peak RSS MB | {mem} | < 200 MB each |")
    for cases, b in r.get("report_build", {}).items():
        total = sum(b[f]["total_s"] for f in ("dan_van_kheo", "tiep_cong_dan"))
        print(f"| annual report over {int(cases):,} cases (both families) | {total:.1f} s, "
              f"{b['peak_rss_mb']:.0f} MB | < 60 s, < 1 GB at 1,000,000 |")


def _cpu(per: dict[str, float]) -> str:
    parts = ", ".join(f"{k} {v:.1f}" for k, v in per.items() if k != "total")
    return f"{per['total']:.1f} ms ({parts})"


def _broker(per: dict[str, float] | None) -> str:
    if not per:
        return "n/a (RabbitMQ's management API not reachable on port 15672)"
    return f"{per.get('publish', 0):.1f} published, {per.get('deliver_get', 0):.1f} delivered"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-messages", type=int, default=5000)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--latency-seconds", type=float, default=30.0)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--report-cases", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--report-dir", type=Path, default=Path("var/bench"))
    return parser.parse_args()


if __name__ == "__main__":
    main()
