"""accepted_commands: a digest of each accepted command under its idempotency key and its
sender's own id, so that a resend with other content is refused, not taken for a duplicate

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'accepted_commands',
        sa.Column('message_key', sa.String(length=200), nullable=False),
        sa.Column('source_key', sa.String(length=200), nullable=True),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('ref', sa.String(length=40), nullable=True),
        sa.Column('accepted_at', shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('message_key'),
    )
    with op.batch_alter_table('accepted_commands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accepted_commands_source_key'), ['source_key'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('accepted_commands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accepted_commands_source_key'))
    op.drop_table('accepted_commands')
