"""record versions and staff names: version counters on what staff edit; role → staff name

Projects, investors, events and targets get a ``version`` column (SQLAlchemy's
``version_id_col``): every change raises it by one, and a save made from an older
version is refused with a conflict message instead of overwriting a colleague's change.
Existing rows start at 1. ``staff_names`` maps a database role on the bureau's server to
the staff member's name for the audit trail.

Revision ID: 0004_record_versions_staff
Revises: 0002 (re-chained after 0003_server_month_locks at merge)
Create Date: 2026-11-29 14:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_record_versions_staff'
down_revision = '0003'
branch_labels = None
depends_on = None

VERSIONED = ('projects', 'investors', 'events', 'targets')


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.create_table('staff_names',
    sa.Column('role', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('role', name=op.f('pk_staff_names'))
    )


def downgrade() -> None:
    op.drop_table('staff_names')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
