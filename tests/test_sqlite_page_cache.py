"""A connection going back to the pool lets go of SQLite's page cache (issue 18).

SQLite keeps up to 2 MB of pages per connection; the large county's whole-file reads
(the checks, the projects tab) filled it on each pooled connection, held for nothing
until the next read. ``PRAGMA shrink_memory`` on check-in gives it back; the system's
file cache still holds the pages.
"""

from __future__ import annotations

from sqlalchemy import event, func, select

from zsdesk.store.db import open_ledger
from zsdesk.store.models import FundRecord


def test_a_read_gives_its_page_cache_back_when_its_connection_returns(demo_path):
    ledger = open_ledger(demo_path)
    said: list[str] = []

    @event.listens_for(ledger.engine, "connect")
    def _trace(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(said.append)

    try:
        ledger.engine.dispose()  # new connections, traced from their first statement
        with ledger.read() as session:
            total = session.scalar(select(func.sum(FundRecord.amount)))
            during = list(said)
        assert total and any("sum(fund_records.amount)" in s for s in during)
        assert "PRAGMA shrink_memory" not in during  # not while the read is under way
        assert said[-1] == "PRAGMA shrink_memory"  # given back as the connection returned
        with ledger.read() as session:  # and the next read finds its data all the same
            assert session.scalar(select(func.sum(FundRecord.amount))) == total
    finally:
        ledger.close()
