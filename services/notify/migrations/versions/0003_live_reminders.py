"""notify_cases.live_reminders: how many reminders and ladder messages the case's running
deadlines call for, as last announced in notify.notifications_scheduled (its live_count).

Existing cases start at 0; their next schedule change announces the actual count.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 06:45:00

"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('notify_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_reminders', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('notify_cases', schema=None) as batch_op:
        batch_op.drop_column('live_reminders')
