"""nudges owe direct messages

A reminder's direct messages (the lapse DM to each person it names, the DM to the rotation's lead
when repeats start naming them) are recorded on its row as owed and sent together at the end of
the nudge run, one DM a person, so a person missing 25 cases at once gets one message. Existing
rows owe nothing: what they called for was sent when they were.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dm_to', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('dm_status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.create_index(batch_op.f('ix_nudges_dm_status'), ['dm_status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nudges_dm_status'))
        batch_op.drop_column('dm_status')
        batch_op.drop_column('dm_to')
