"""PNG charts for the report: on-time rate by unit, and cases per month by kind.

Uses matplotlib's Agg canvas directly (no pyplot, no global backend switch) and DejaVu Sans,
which has every Vietnamese diacritic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..content import ReportContent
from .labels import load_labels
from .settings import DocumentSettings

FONT_FAMILY = "DejaVu Sans"
DPI = 150


def render_charts(content: ReportContent, out_dir: Path,
                  settings: DocumentSettings | None = None) -> dict[str, Path]:
    """Draw the charts the content has data for; return {chart name: PNG path}."""
    labels = load_labels(settings).get("charts", {})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    drawn: dict[str, Path] = {}
    with matplotlib.rc_context({"font.family": FONT_FAMILY, "font.size": 9}):
        for name, draw in (("on_time_by_unit", _on_time_by_unit),
                           ("cases_by_month", _cases_by_month)):
            figure = draw(content, labels.get(name, {}))
            if figure is not None:
                drawn[name] = _save(figure, out_dir / f"{name}.png")
    return drawn


def _save(figure: Figure, path: Path) -> Path:
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def _on_time_by_unit(content: ReportContent, text: dict[str, Any]) -> Figure | None:
    if content.ranking is None or not content.ranking.rows:
        return None
    rows = sorted(content.ranking.rows, key=lambda r: r.rank, reverse=True)
    names = [r.unit.name_vi for r in rows]
    rates = [r.on_time_rate * 100 for r in rows]
    figure = Figure(figsize=(7, 0.45 * len(rows) + 1.4))
    axes = figure.add_subplot()
    bars = axes.barh(names, rates, color="#2f6f9f")
    axes.bar_label(bars, labels=[f"{v:.1f}%".replace(".", ",") for v in rates], padding=3)
    axes.set_xlim(0, 110)
    axes.set_xlabel(text.get("x_label", ""))
    axes.set_title(text.get("title", ""))
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def _cases_by_month(content: ReportContent, text: dict[str, Any]) -> Figure | None:
    months = content.feedback.by_month if content.feedback else []
    if not months:
        return None
    kinds: dict[str, str] = {}
    for month in months:
        kinds.update({c.key: c.label_vi for c in month.by_kind})
    if not kinds:
        return None
    figure = Figure(figsize=(7, 3.6))
    axes = figure.add_subplot()
    ticks = [f"{m.month[5:]}/{m.month[2:4]}" for m in months]
    bottom = [0] * len(months)
    for key, label in kinds.items():
        values = [next((c.value for c in m.by_kind if c.key == key), 0) for m in months]
        axes.bar(ticks, values, bottom=bottom, label=label)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.tick_params(axis="x", labelrotation=45)
    axes.set_ylabel(text.get("y_label", ""))
    axes.set_title(text.get("title", ""))
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure
