"""windows in rounds, the reviewer's latest words, reviews by author

A case that comes back (the reviewer wrote again, Reopen after it was done) gets a new round of
its window, so the earlier window keeps its verdict; `cases.followup_review_id` is the review the
reviewer wrote again; reviews are indexed by source and author to find their earlier case.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_windows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('uq_case_windows_case_kind', type_='unique')
        batch_op.create_unique_constraint('uq_case_windows_case_kind_round',
                                          ['case_id', 'kind', 'round'])
    # A plain ADD COLUMN (no constraint to add): rebuilding `cases`, as SQLite's batch mode
    # does for constraints, would drop the search index's triggers (0008).
    op.add_column('cases', sa.Column('followup_review_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_source_author', ['source', 'author'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_source_author')
    if op.get_bind().dialect.name == 'sqlite':  # SQLite 3.35+: no rebuild, triggers kept
        op.execute('ALTER TABLE cases DROP COLUMN followup_review_id')
    else:
        op.drop_column('cases', 'followup_review_id')
    with op.batch_alter_table('case_windows', schema=None) as batch_op:
        batch_op.drop_constraint('uq_case_windows_case_kind_round', type_='unique')
        batch_op.create_unique_constraint('uq_case_windows_case_kind', ['case_id', 'kind'])
        batch_op.drop_column('round')
