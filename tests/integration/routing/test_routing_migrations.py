"""Data migrations of routing's store, on both databases."""

import asyncio
from datetime import UTC, date, datetime

import sqlalchemy as sa

from shared.db import UtcDateTime, create_engine
from shared.migrations import upgrade

ASSIGNMENTS_AT_0002 = sa.Table(
    "assignments", sa.MetaData(),
    sa.Column("ref", sa.String), sa.Column("kind", sa.String),
    sa.Column("received_at", UtcDateTime(timezone=True)), sa.Column("unit_code", sa.String),
    sa.Column("unit_name", sa.String), sa.Column("rule_id", sa.String),
    sa.Column("explanation", sa.Text), sa.Column("matched_keywords", sa.JSON),
    sa.Column("needs_triage", sa.Boolean), sa.Column("deadlines", sa.JSON),
    sa.Column("assigned_at", UtcDateTime(timezone=True)), sa.Column("correlation_id", sa.String),
    sa.Column("received_on", sa.Date),
)
LATE_EVENING_UTC = datetime(2025, 12, 30, 17, 30, tzinfo=UTC)  # 00:30 on 31/12 in Hà Tĩnh
ASSIGNMENT = {
    "kind": "to_cao", "unit_code": "TTRA", "unit_name": "Thanh tra Sở", "rule_id": "r",
    "explanation": "", "matched_keywords": [], "needs_triage": False, "deadlines": [],
    "assigned_at": datetime(2025, 12, 31, tzinfo=UTC), "correlation_id": "c",
}


async def test_rows_from_before_0002_get_the_local_day_of_receipt(database_url):
    await asyncio.to_thread(upgrade, "routing", database_url, "0002")
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(sa.insert(ASSIGNMENTS_AT_0002), [
            {**ASSIGNMENT, "ref": "PAKN-2025-000001", "received_at": LATE_EVENING_UTC,
             "received_on": None},
            {**ASSIGNMENT, "ref": "PAKN-2025-000002",
             "received_at": LATE_EVENING_UTC.replace(hour=10), "received_on": None},
            {**ASSIGNMENT, "ref": "PAKN-2025-000003", "received_at": LATE_EVENING_UTC,
             "received_on": date(2025, 12, 30)},  # written by the service: left as it is
        ])
    await asyncio.to_thread(upgrade, "routing", database_url)
    async with engine.connect() as conn:
        rows = dict((await conn.execute(sa.text(
            "SELECT ref, received_on FROM assignments ORDER BY ref"))).all())
    await engine.dispose()
    assert {ref: str(on) for ref, on in rows.items()} == {
        "PAKN-2025-000001": "2025-12-31",
        "PAKN-2025-000002": "2025-12-30",
        "PAKN-2025-000003": "2025-12-30",
    }
