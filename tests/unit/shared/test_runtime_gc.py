"""What start-up built is frozen out of the collector's reach: a full collection afterwards walks
only what the service created since, not the whole heap of modules, schemas and catalogues."""

import subprocess
import sys

PROBE = """
import gc
import services.routing.bootstrap, services.reporting.bootstrap  # a service's start-up heap
from shared.runtime import freeze_startup_heap
before = len(gc.get_objects())
freeze_startup_heap()
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_the_start_up_heap_is_frozen():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    before, frozen, left = map(int, out)
    assert before > 100_000  # the heap worth freezing
    assert frozen >= 0.9 * before
    assert left < 0.01 * before
