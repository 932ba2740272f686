"""The template folder's YAML files (labels, forms), parsed once per version of each file.

A report build asks for the labels a dozen times (narrative, tables, charts, annex); parsing
them each time took longer than writing most of the files.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

import yaml

_parsed: dict[Path, tuple[tuple[int, int], Any]] = {}
_lock = threading.Lock()


def read_yaml(path: Path) -> Any:
    """The file's data, parsed again only when its modification time or size has changed;
    every caller gets its own copy to change as it likes."""
    path = Path(path).resolve()
    stat = path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        known = _parsed.get(path)
    if known is None or known[0] != version:
        known = (version, yaml.safe_load(path.read_text(encoding="utf-8")))
        with _lock:
            _parsed[path] = known
    return copy.deepcopy(known[1])
