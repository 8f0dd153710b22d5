"""digest runs and home views

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('week_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('week_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('week_key')
    )
    op.create_table('home_views',
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pages', sa.JSON(), nullable=False),
    sa.Column('notice', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_event_id', sa.Integer(), nullable=False),
    sa.Column('published_looks', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('refresh_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stale', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('user_id')
    )
    with op.batch_alter_table('home_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_views_opened_at'), ['opened_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('home_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_views_opened_at'))
    op.drop_table('home_views')
    op.drop_table('digest_runs')
