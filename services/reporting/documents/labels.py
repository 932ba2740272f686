"""Labels of content codes and the titles/columns of derived tables, from labels.yaml."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .settings import PACKAGED_TEMPLATE_DIR, DocumentSettings
from .yaml_files import read_yaml

LABELS_FILE = "labels.yaml"


def load_labels(settings: DocumentSettings | None = None) -> dict[str, Any]:
    """labels.yaml from the first template folder that has one."""
    dirs = settings.template_dirs() if settings else [PACKAGED_TEMPLATE_DIR]
    return _load(tuple(Path(d) for d in dirs))


def _load(dirs: Sequence[Path]) -> dict[str, Any]:
    for folder in dirs:
        path = folder / LABELS_FILE
        if path.is_file():
            data = read_yaml(path)
            if not isinstance(data, dict):
                raise ValueError(f"{path} must hold a mapping of label groups")
            return data
    raise ValueError(f"no {LABELS_FILE} in {', '.join(str(d) for d in dirs)}")


def label(labels: dict[str, Any], group: str, code: str) -> str:
    """The label of `code` in `group`, or the code itself when the file has none."""
    return str(labels.get(group, {}).get(code, code))
