"""the next deadline of open cases

The lists people work from go by deadline (missed first, then the earliest due) and are cut in
SQL: each open case carries its earliest open window (kind, deadline, when it counts as due
soon), indexed with its status. Existing cases are filled in from their windows. Windows are
indexed by deadline too: a period's figures (the Home tab's week) read those due in it, which
took a scan of every window.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from datetime import timedelta

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_LAST_HOUR = timedelta(hours=1)


def _fill_in() -> None:
    """Each open case's earliest open window, as bot.core.deadlines.keep_deadlines keeps it."""
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('status', sa.String),
                     sa.column('next_window', sa.String),
                     sa.column('next_due_at', sa.DateTime(timezone=True)),
                     sa.column('next_due_soon_at', sa.DateTime(timezone=True)))
    windows = sa.table('case_windows', sa.column('id', sa.Integer),
                       sa.column('case_id', sa.Integer), sa.column('kind', sa.String),
                       sa.column('started_at', sa.DateTime(timezone=True)),
                       sa.column('due_at', sa.DateTime(timezone=True)),
                       sa.column('met_at', sa.DateTime(timezone=True)),
                       sa.column('stopped_at', sa.DateTime(timezone=True)))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(windows.c.case_id, windows.c.kind, windows.c.started_at, windows.c.due_at)
        .join(cases, cases.c.id == windows.c.case_id)
        .where(cases.c.status == 'open', windows.c.met_at.is_(None),
               windows.c.stopped_at.is_(None))
        .order_by(windows.c.case_id, windows.c.due_at, windows.c.id)
    ).all()
    earliest = {}
    for case_id, kind, started_at, due_at in rows:
        earliest.setdefault(case_id, (kind, started_at, due_at))
    values = [{'case_id': case_id, 'kind': kind, 'due_at': due_at,
               'due_soon_at': due_at - max(_LAST_HOUR, (due_at - started_at) / 4)}
              for case_id, (kind, started_at, due_at) in earliest.items()]
    if values:
        connection.execute(
            cases.update().where(cases.c.id == sa.bindparam('case_id'))
            .values(next_window=sa.bindparam('kind'), next_due_at=sa.bindparam('due_at'),
                    next_due_soon_at=sa.bindparam('due_soon_at')),
            values)


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_window', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))
        batch_op.add_column(sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_due_soon_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_cases_status_next_due', ['status', 'next_due_at', 'next_due_soon_at', 'claimant_id', 'px_claimant_id'], unique=False)
    with op.batch_alter_table('case_windows', schema=None) as batch_op:
        batch_op.create_index('ix_case_windows_due_at', ['due_at'], unique=False)
    _fill_in()


def downgrade() -> None:
    with op.batch_alter_table('case_windows', schema=None) as batch_op:
        batch_op.drop_index('ix_case_windows_due_at')
    op.drop_index('ix_cases_status_next_due', table_name='cases')
    # Dropped in place: SQLite's batch mode would rebuild `cases` and lose the search index's
    # triggers (0008); SQLite has dropped columns in place since 3.35.
    for column in ('next_due_soon_at', 'next_due_at', 'next_window'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE cases DROP COLUMN {column}')
        else:
            op.drop_column('cases', column)
