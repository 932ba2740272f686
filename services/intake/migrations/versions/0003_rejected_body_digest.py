"""rejected_messages.body_sha256: a resend with another body is another refusal

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rejected_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rejected_messages', schema=None) as batch_op:
        batch_op.drop_column('body_sha256')
