"""The benchmark's stack floor really carries every message through both hops of the project's
stack: a row per hop, each message claimed once, one event through the outbox per first hop."""

from sqlalchemy import func, select

from bench import stack_floor
from shared.db import create_engine
from shared.testing.system import free_port


async def test_every_message_crosses_both_hops_once(amqp_url, tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'floor.db'}"

    result = await stack_floor.measure_floor(amqp_url, url, 120, http_port=free_port())

    engine = create_engine(url)
    async with engine.connect() as connection:
        per_hop = dict((await connection.execute(
            select(stack_floor.rows.c.hop, func.count()).group_by(stack_floor.rows.c.hop))).all())
        claims = await connection.scalar(select(func.count()).select_from(stack_floor.inbox))
        events = await connection.scalar(select(func.count()).select_from(stack_floor.outbox))
    await engine.dispose()
    assert per_hop == {1: 120, 2: 120}
    assert claims == 240
    assert events == 120
    assert result["messages"] == 120 and result["msg_per_s"] > 0
