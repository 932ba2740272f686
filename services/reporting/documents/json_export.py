"""The report content as JSON: the same figures the documents show, for other systems."""

from __future__ import annotations

from pathlib import Path

from ..content import ReportContent


def render_json(content: ReportContent, path: Path) -> Path:
    """Write the content as UTF-8 JSON (Vietnamese text unescaped). Returns `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content.model_dump_json(indent=2), encoding="utf-8")
    return path


def load_json(path: Path) -> ReportContent:
    """Read back what render_json wrote."""
    return ReportContent.model_validate_json(Path(path).read_text(encoding="utf-8"))
