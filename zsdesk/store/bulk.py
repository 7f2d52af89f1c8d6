"""Many rows written at once: what the returns importer and the ledger import share."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session


def insert_in_order(session: Session, model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` with one executemany; their new ids, in the order of ``rows``.

    INSERT … RETURNING in parameter order makes SQLAlchemy send one statement per row
    on SQLite, and so do rows whose None values differ unless ``render_nulls``. Instead:
    in this transaction (the only writer: SQLite locks the file) each new integer key is
    one more than the largest, so the rows get the ids after the largest one, in order.
    On PostgreSQL: INSERT … RETURNING.
    """
    if session.get_bind().dialect.name == "postgresql":
        # A server has other writers: every id comes back from the INSERT itself, batched
        # by SQLAlchemy's insertmanyvalues, in the order of ``rows``.
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)
        return list(session.scalars(statement.execution_options(render_nulls=True), rows))
    before = session.scalar(select(func.max(model.id))) or 0
    session.execute(insert(model).execution_options(render_nulls=True), rows)
    ids = list(session.scalars(select(model.id).where(model.id > before).order_by(model.id)))
    if len(ids) != len(rows):
        raise AssertionError(f"{model.__tablename__}: {len(rows)} rows inserted, {len(ids)} new ids")
    return ids
