"""Benchmark: build the annual report over 100,000 and 1,000,000 cases; time and peak memory.

    python bench/report_build.py                      # 100,000 and 1,000,000 cases
    python bench/report_build.py --cases 100000       # one size
    python bench/report_build.py --database-url postgresql+asyncpg://…/dvk_bench  (empty db)

Each size's read model is generated once (the service's own projections over generated events,
bulk-inserted) into <--dir>/reporting-<cases>.db and reused. The build itself runs in a fresh
process, so its peak RSS is the build's alone: it reads the figures (SQL), then writes the
.docx, the .xlsx annex, the JSON and the charts, for both report families.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

YEAR = 2026
REPORT_DATE = date(YEAR + 1, 1, 10)


async def generate(url: str, cases: int, seed: int = 1) -> float:
    from services.reporting.synthetic import CaseGenerator
    from services.reporting.synthetic_load import load_events
    from services.reporting.synthetic_movement import MovementGenerator
    from shared.db import create_engine, session_factory
    from shared.migrations import upgrade
    from shared.plan import default_plan
    from shared.units import UnitCatalogue

    started = time.perf_counter()
    await asyncio.to_thread(upgrade, "reporting", url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    generator = CaseGenerator(seed, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))
    for n, (_, events) in enumerate(generator.chunks(cases, size=20_000), start=1):
        await load_events(sessions, events)
        print(f"  generated {min(n * 20_000, cases):,} cases", end="\r", file=sys.stderr)
    movement = MovementGenerator(seed, plan=default_plan(), units=UnitCatalogue.load())
    await load_events(sessions, movement.events())
    await engine.dispose()
    print(file=sys.stderr)
    return time.perf_counter() - started


async def build_once(url: str, out: Path) -> dict[str, object]:
    """In the child process: build both families of the annual report; report timings."""
    from services.reporting.bootstrap import build_context, read_sessions
    from services.reporting.builder import ReportRequest
    from services.reporting.outputs import folder_for, write_report
    from services.reporting.reports import ReportMaker
    from services.reporting.settings import ReportingSettings
    from shared.db import create_engine
    from shared.settings import CommonSettings

    engine = create_engine(url)
    maker = ReportMaker(read=read_sessions(url, engine), output_dir=out,
                        context=build_context(CommonSettings(), ReportingSettings()))
    now, result = datetime(YEAR + 1, 1, 10, 1, tzinfo=UTC), {}
    for family in ("dan_van_kheo", "tiep_cong_dan"):
        request = ReportRequest(family, str(YEAR), report_date=REPORT_DATE)
        started = time.perf_counter()
        content = await maker.content(request, now)
        figures = time.perf_counter() - started
        settings = maker.context.document_settings(REPORT_DATE)
        files = write_report(content, settings, folder_for(out, family, str(YEAR), "d", "b"),
                             str(YEAR))
        result[family] = {"figures_s": figures, "total_s": time.perf_counter() - started,
                          "received": content.feedback.received_total,
                          "overdue": len(content.feedback.overdue),
                          "bytes": sum(f.size for f in files)}
    await engine.dispose()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: on Linux ru_maxrss survives
    exec, so a child would report its parent's peak (the generator's) as its own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as out:
        child = subprocess.run([sys.executable, __file__, "--child", url, "--out", out],
                               capture_output=True, text=True, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(asyncio.run(build_once(args.child, Path(args.out)))))
        return
    rows = []
    for cases in args.cases:
        url = args.database_url or f"sqlite+aiosqlite:///{args.dir / f'reporting-{cases}.db'}"
        if args.database_url or not (args.dir / f"reporting-{cases}.db").exists():
            args.dir.mkdir(parents=True, exist_ok=True)
            print(f"generating {cases:,} cases in {YEAR} …", file=sys.stderr)
            print(f"  done in {asyncio.run(generate(url, cases)):.0f} s", file=sys.stderr)
        rows.append((cases, measure(url)))
    print_table(rows)


def print_table(rows: list[tuple[int, dict]]) -> None:
    print(f"\nAnnual report {YEAR} (both families: figures, .docx, .xlsx, JSON, charts)\n")
    print("| cases in the year | family | figures (SQL) | total with files | received "
          "| overdue listed | peak RSS (build process) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for cases, result in rows:
        for family in ("dan_van_kheo", "tiep_cong_dan"):
            r = result[family]
            print(f"| {cases:,} | {family} | {r['figures_s']:.1f} s | {r['total_s']:.1f} s | "
                  f"{r['received']:,} | {r['overdue']:,} | {result['peak_rss_mb']:.0f} MB |")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--dir", type=Path, default=Path("var/bench"))
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
