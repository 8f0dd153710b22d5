"""outbox look-ups and indexes for large desks

The outbox records where and when a post of unknown outcome was attempted (bot.delivery.lookup);
cases are indexed by when they opened (a burst's count of recent cases).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel



revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('uncertain_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lookup_channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('lookup_thread_ts', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('lookup_thread_ts')
        batch_op.drop_column('lookup_channel')
        batch_op.drop_column('uncertain_since')
        batch_op.drop_column('attempted_at')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_created_at')
