"""The narrative of a report, from its family's Jinja2 template, as a list of blocks.

A template renders to lines; each non-empty line is one block:

    @summary <text>   the summary (trích yếu) under "BÁO CÁO"
    # <text>          section heading (I., II., …)        ## <text>  sub-heading (1., 2., …)
    ### <text>        minor heading                       - <text>   a "- …" list line
    @table <name>     a derived table (see tables.DERIVED) or a form by its code ("01/TCD")
    @chart <name>     a chart, when render_charts produced it
    anything else     a body paragraph

Text in "[Văn phòng Sở bổ sung: …]" marks where the Office writes its own words; the
renderers highlight it. Unit-supplied text is flattened to one line before rendering, so it
cannot start blocks of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..content import ModelStatus, ReportContent, TaskStatus
from .formatting import (change_points_vi, change_vi, date_line, fmt_date, fmt_decimal, fmt_int,
                         fmt_pct)
from .labels import label, load_labels
from .settings import DocumentSettings

BlockKind = Literal["h1", "h2", "h3", "p", "bullet", "table", "chart"]
OFFICE_PREFIX = "Văn phòng Sở bổ sung"
PLACEHOLDER = re.compile(r"\[" + OFFICE_PREFIX + r":[^\]]*\]")
_PREFIXES: tuple[tuple[str, BlockKind], ...] = (
    ("### ", "h3"), ("## ", "h2"), ("# ", "h1"), ("- ", "bullet"),
    ("@table ", "table"), ("@chart ", "chart"),
)


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Narrative:
    summary: str
    blocks: list[Block]


def office(what: str) -> str:
    """A marked place for the Office's own words."""
    return f"[{OFFICE_PREFIX}: {what}]"


def split_placeholders(text: str) -> list[tuple[str, bool]]:
    """Split text into (piece, is_placeholder) pairs, in order."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > pos:
            pieces.append((text[pos:match.start()], False))
        pieces.append((match.group(0), True))
        pos = match.end()
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


def render_narrative(content: ReportContent, settings: DocumentSettings) -> Narrative:
    env = _environment(settings)
    labels = load_labels(settings)
    template = env.get_template(f"{content.family}.j2")
    flat = ReportContent.model_validate(_flatten(content.model_dump()))
    text = template.render(c=flat, s=settings, labels=labels, **_facts(flat))
    summary, blocks = parse_blocks(text)
    if content.summary_vi:
        summary = content.summary_vi
    if not summary:
        raise ValueError(f"template {content.family}.j2 gives no @summary line")
    return Narrative(summary=summary, blocks=blocks)


def parse_blocks(text: str) -> tuple[str, list[Block]]:
    summary = ""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if line.startswith("@summary "):
            summary = line.removeprefix("@summary ").strip()
            continue
        kind, body = next(((k, line[len(p):]) for p, k in _PREFIXES if line.startswith(p)),
                          ("p", line))
        blocks.append(Block(kind, body.strip()))
    return summary, blocks


def _environment(settings: DocumentSettings) -> Environment:
    env = Environment(loader=FileSystemLoader([str(d) for d in settings.template_dirs()]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      autoescape=False, keep_trailing_newline=True)
    env.filters.update(num=fmt_int, dec=fmt_decimal, pct=fmt_pct, d=fmt_date, clause=_clause)
    env.globals.update(office=office, change=change_vi, change_pts=change_points_vi,
                       date_line=date_line, label=label, value_of=_value_of)
    return env


def _clause(text: str) -> str:
    """Text without its closing punctuation, to end it with the template's own."""
    return text.rstrip(" .;,:")


def _value_of(items: list[Any], key: str) -> int:
    return next((x.value for x in items if x.key == key), 0)


def _flatten(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {k: _flatten(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_flatten(v) for v in value]
    return value


def _facts(c: ReportContent) -> dict[str, Any]:
    """Figures the templates use that take more than a lookup."""
    not_reported = {u.code: u for s in c.plan_sections for u in s.units_not_reported}
    statuses = [p.status for s in c.plan_sections for t in s.tasks for p in t.progress]
    sessions: dict[str, list[Any]] = {}
    for session in c.sessions:
        sessions.setdefault(session.kind, []).append(session)
    findings = [f for i in c.inspections for f in i.findings]
    return {
        "units_not_reported": sorted(not_reported.values(), key=lambda u: u.name_vi),
        "status_counts": {s: statuses.count(s) for s in get_args(TaskStatus)},
        "sessions_by_kind": sessions,
        "findings_total": len(findings),
        "findings_remedied": sum(1 for f in findings if f.remedied),
        "findings_known": any(f.remedied is not None for f in findings),
        "recommendations_total": sum(len(i.recommendations_vi) for i in c.inspections),
        "models_by_status": {s: sum(1 for m in c.models if m.status == s)
                             for s in get_args(ModelStatus)},
        "form_codes": [t.code for t in c.tables],
    }
