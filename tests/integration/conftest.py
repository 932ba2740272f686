import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.confidential import Sealer
from shared.db import create_engine, session_factory
from shared.migrations import upgrade


TEST_KEY = "m0eLvXKRr2C0hVbQkB7v3LZQzI0n8hH1pGfVdFJ7p3Y="


@pytest.fixture
def sealer() -> Sealer:
    return Sealer([TEST_KEY])


@pytest.fixture
async def migrated(database_url: str) -> AsyncIterator:
    """`await migrated("intake")` migrates that service's schema into the test database and
    returns (engine, sessions). One service per test, as each has its own database in use."""
    engines = []

    async def make(service: str):
        await asyncio.to_thread(upgrade, service, database_url)
        engine = create_engine(database_url)
        engines.append(engine)
        return engine, session_factory(engine)

    yield make
    for engine in engines:
        await engine.dispose()


def sqlite_path(database_url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    return Path(database_url[len(prefix):]) if database_url.startswith(prefix) else None
