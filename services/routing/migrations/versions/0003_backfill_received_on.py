"""backfill assignments.received_on with the local day of receipt

Revision 0002 added received_on without filling it. Rows assigned before it fell back to the
UTC date of received_at, a day early for anything received between 00:00 and 07:00 in
Hà Tĩnh, so a status change recomputed their deadlines from the wrong day. The round of an
old complaint (complaint_round) cannot be recovered here: the event that carried it is gone.

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db
from shared.calendar import local_date

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000
assignments = sa.table(
    'assignments',
    sa.column('ref', sa.String(40)),
    sa.column('received_at', shared.db.UtcDateTime(timezone=True)),
    sa.column('received_on', sa.Date()),
)


def upgrade() -> None:
    connection = op.get_bind()
    after = ''
    while True:
        rows = connection.execute(
            sa.select(assignments.c.ref, assignments.c.received_at)
            .where(assignments.c.received_on.is_(None), assignments.c.ref > after)
            .order_by(assignments.c.ref).limit(_BATCH)).all()
        if not rows:
            return
        connection.execute(
            sa.update(assignments).where(assignments.c.ref == sa.bindparam('_ref'))
            .values(received_on=sa.bindparam('_on')),
            [{'_ref': ref, '_on': local_date(received_at)} for ref, received_at in rows])
        after = rows[-1].ref


def downgrade() -> None:
    """Nothing to undo: the filled days are what the service writes for new rows."""
