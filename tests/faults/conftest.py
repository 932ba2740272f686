"""The fault tests. `make faults` runs the full set (DVK_FAULTS=full: 10,000 cases, server
restarts); `make test` runs the reduced set, without the tests marked `faults` (they restart
RabbitMQ or PostgreSQL, which would disturb every other test running on this machine)."""

import pytest

from .faults_support import SERVERS


def pytest_collection_modifyitems(config, items):
    if SERVERS:
        return
    skip = pytest.mark.skip(reason="restarts a server: run by `make faults` (DVK_FAULTS=full)")
    for item in items:
        if item.get_closest_marker("faults") is not None:
            item.add_marker(skip)
