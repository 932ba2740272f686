"""Python's cyclic garbage collector paused while a report is assembled.

A large report creates hundreds of thousands of objects that live until a file is written
(spreadsheet cells, document elements, the content's models). Each full pass of the collector
walks all of them, and writing the files of the annual report over 1,000,000 cases spent a
third of its time there. Reference counting still frees almost everything inside a pause; the
cycles it leaves (a workbook and its cells, the narrative's template context holding a copy of
the content) are collected when the pause ends, in one pass over the objects made during it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_holders = 0
_resume = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block. Nested and concurrent blocks (reports built in
    worker threads) share one pause; the collector resumes, if it was on, when the last ends."""
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _resume:
                gc.enable()
                gc.collect(0)  # what the pause made is all still in the youngest generation


def run_paused(step: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`step(*args, **kwargs)` inside gc_paused(): a rendering step of a report."""
    with gc_paused():
        return step(*args, **kwargs)
