"""locked months enforced by the server: plpgsql triggers on PostgreSQL (no-op on SQLite)

On a server several clerks write at once, and plain SQL (psql, another tool) must not
change a locked month either: the triggers refuse what the SQLite TEMP triggers refuse
(zsdesk.store.locks), with the same message, and take the unit's shared advisory lock
that locking a month waits for (zsdesk.store.concurrency). A SQLite file keeps its TEMP
triggers, made on every writable connection: nothing is stored in the file.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 14:40:00
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from zsdesk.store.concurrency import server_trigger_sql
    from zsdesk.store.locks import DATE_FIELDS, TRIGGER_MESSAGE

    for statement in server_trigger_sql(DATE_FIELDS, TRIGGER_MESSAGE):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from zsdesk.store.concurrency import drop_server_trigger_sql

    for statement in drop_server_trigger_sql():
        op.execute(statement)
