"""case_facts.reminders_at, reminders_event_id: reminders_scheduled is the live_count of notify's
latest notifications_scheduled (by occurred_at, then event id), no longer a sum of every
announcement, so re-plans, duplicates and order leave it right.

Run `dvk report rebuild` after upgrading to recount from the retained events (announcements
from before live_count still add up, as they did).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:45:00

"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa

import shared.db


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders_at', shared.db.UtcDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('reminders_event_id', sa.String(length=200),
                                      nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.drop_column('reminders_event_id')
        batch_op.drop_column('reminders_at')
