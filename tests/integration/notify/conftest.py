from __future__ import annotations

import pytest

from .notify_harness import SettableClock, build_harness, vn


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(vn(2026, 2, 2, 9, 0))


@pytest.fixture
async def harness(migrated, clock):
    """notify on the parametrized database (SQLite and PostgreSQL)."""
    engine, sessions = await migrated("notify")
    return build_harness(engine, sessions, clock)


@pytest.fixture
async def sqlite_harness(tmp_path, clock):
    """notify on SQLite only, for the long walks."""
    import asyncio

    from shared.db import create_engine, session_factory
    from shared.migrations import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'notify.db'}"
    await asyncio.to_thread(upgrade, "notify", url)
    engine = create_engine(url)
    yield build_harness(engine, session_factory(engine), clock)
    await engine.dispose()
