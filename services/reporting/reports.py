"""Make a report: read a snapshot of the read model, write the files, describe them.

Used by the request handler, the scheduler and the CLI. Building reads through `read` sessions
(a consistent snapshot that does not hold the write lock), and files are written off the event
loop; recording the build and announcing it is the caller's unit of work.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker

from shared.contracts.reporting import ReportGenerated

from .builder import BuildContext, ReportRequest, build_content
from .content import ReportContent
from .documents.narrative import render_narrative
from .gc_pause import run_paused
from .orm import ReportBuild
from .outputs import folder_for, write_report


@dataclass
class ReportMaker:
    read: async_sessionmaker
    context: BuildContext
    output_dir: Path

    async def content(self, request: ReportRequest, now: datetime) -> ReportContent:
        async with self.read() as session, session.begin():
            return await build_content(session, request, context=self.context, now=now)

    async def make(self, request: ReportRequest, now: datetime,
                   report_id: str | None = None) -> ReportGenerated:
        """Build the content, write the files under the output folder, return the event."""
        content = await self.content(request, now)
        settings = self.context.document_settings(content.report_date)
        report_id = report_id or new_report_id(request, now)
        folder = folder_for(self.output_dir, request.family, request.period, request.scope,
                            report_id.rsplit("_", 1)[-1])
        narrative = await asyncio.to_thread(run_paused, render_narrative, content, settings)
        files = await asyncio.to_thread(write_report, content, settings, folder, request.period,
                                        narrative)
        return ReportGenerated(report_id=report_id, family=request.family,
                               period=request.period, scope=request.scope,
                               title=narrative.summary,
                               files=files, generated_at=now)


def new_report_id(request: ReportRequest, now: datetime) -> str:
    """e.g. "dan_van_kheo:2026-H1:department_20260612T000000Z-3f9a1c"; the part after the
    last "_" names the build's folder."""
    return (f"{request.family}:{request.period}:{request.scope}_"
            f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}")


def build_record(generated: ReportGenerated, *, trigger: str, requested_by: str,
                 started_at: datetime, finished_at: datetime) -> ReportBuild:
    return ReportBuild(report_id=generated.report_id, family=generated.family,
                       period=generated.period, scope=generated.scope, trigger=trigger,
                       requested_by=requested_by, status="done", started_at=started_at,
                       finished_at=finished_at, title=generated.title,
                       files=[f.model_dump() for f in generated.files])


def finish_record(build: ReportBuild, generated: ReportGenerated, finished_at: datetime) -> None:
    build.status, build.finished_at, build.title = "done", finished_at, generated.title
    build.files = [f.model_dump() for f in generated.files]
