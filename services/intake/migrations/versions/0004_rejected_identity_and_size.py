"""rejected_messages: who a refused message says it is (an accepted resend supersedes it) and
the size of its body (over the body limit only its first bytes are kept)

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rejected_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('body_truncated', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('identity_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('source_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('superseded_by', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_rejected_messages_identity_key'), ['identity_key'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_rejected_messages_source_key'), ['source_key'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rejected_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rejected_messages_source_key'))
        batch_op.drop_index(batch_op.f('ix_rejected_messages_identity_key'))
        batch_op.drop_column('superseded_by')
        batch_op.drop_column('source_key')
        batch_op.drop_column('identity_key')
        batch_op.drop_column('body_truncated')
        batch_op.drop_column('body_size')
