"""Several zsdesk processes writing to one server at once (issue 15): nothing lost, nothing doubled.

Each client is its own process (``python -m zsdesk import-returns|lock-month --db URL``)
against the throwaway test cluster. To be sure the clients really are in flight together,
the test holds a table lock that every one of them needs at the very end of its
transaction, waits until the server shows them all waiting for it (pg_stat_activity), and
only then lets them finish: the overlap is observed, not hoped for.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import DateTime, select

from tests.pg_support import pg_bin
from zsdesk.domain.periods import YearMonth
from zsdesk.returns import export_return, import_returns
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_from
from zsdesk.store.models import Base, ImportRecord, LockEvent, MonthLock

pytestmark = pytest.mark.processes

PERIOD = YearMonth(2026, 6)
TODAY = dt.date(2026, 7, 3)
UNITS = ["安文街道", "尚湖镇", "方前镇", "新渥街道"]
ROOT = Path(__file__).resolve().parent.parent


def libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"dbname={parsed.database} user={parsed.username} host={parsed.query['host']} port={parsed.query['port']}"


def zsdesk(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, "-m", "zsdesk", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def wait_for_waiting(url: str, count: int, processes=()) -> None:
    """Return once ``count`` connections to the database wait for a lock."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    with psycopg.connect(libpq(url), autocommit=True) as monitor:
        for _ in range(6000):
            if monitor.execute(query).fetchone()[0] >= count:
                return
            for process in processes:
                if process.poll() is not None:
                    raise AssertionError(f"a client ended before it waited: {finish(process)}")
            time.sleep(0.01)
    raise AssertionError(f"fewer than {count} clients ever waited together")


def canonical(ledger) -> dict[str, list]:
    """Every table, ids and write stamps left out: a row's links are replaced by the row they
    point to, so two ledgers whose records got different ids compare equal when they hold
    the same records. The audit trail keeps what was changed and by whom (not record ids)."""
    by_id: dict[str, dict] = {}
    result = {}
    with ledger.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            links = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
            rows = []
            for row in connection.execute(select(table)).mappings():
                values = []
                for column in table.columns:
                    if column.name in ("id", "record_id") or isinstance(column.type, DateTime):
                        continue
                    value = row[column.name]
                    if column.name in links and value is not None:
                        value = by_id[links[column.name]][value]
                    if table.name == "audit_log" and column.name.endswith("_value") and row["field"].endswith("_id"):
                        value = value is not None  # a link's id, told by the record's label instead
                    values.append((column.name, value))
                values = tuple(values)
                if "id" in row:
                    by_id.setdefault(table.name, {})[row["id"]] = values
                rows.append(values)
            result[table.name] = sorted(rows, key=repr)
    return result


@pytest.fixture
def returns(demo_path, tmp_path):
    """Four units' June returns, exported from the demo county."""
    files = []
    with open_ledger(demo_path, readonly=True) as county:
        with county.read() as session:
            for unit in UNITS:
                files.append(export_return(session, unit, PERIOD, tmp_path / f"{unit}.xlsx", today=TODAY).path)
    return files


def new_county(pg_cluster, demo_path) -> str:
    """The demo county's units and targets on a new server database, no projects yet."""
    url = pg_cluster.url(pg_cluster.create_database())
    create_from(url, demo_path).close()
    return url


def test_four_clients_importing_at_once_give_the_county_one_by_one_gives(pg_cluster, demo_path, returns):
    one_by_one, at_once = new_county(pg_cluster, demo_path), new_county(pg_cluster, demo_path)
    with open_ledger(one_by_one) as county:
        outcomes = import_returns(county, returns, today=TODAY)
        assert [o.status for o in outcomes] == ["imported"] * 4
        expected = canonical(county)
    assert len(expected["projects"]) > 20 and len(expected["fund_records"]) > 20

    with psycopg.connect(libpq(at_once)) as gate:  # every import records itself in `imports` last
        gate.execute("LOCK TABLE imports IN EXCLUSIVE MODE")
        clients = [zsdesk("import-returns", "--db", at_once, str(path)) for path in returns]
        wait_for_waiting(at_once, 4, clients)  # all four have written everything but that row
        gate.rollback()
    results = [finish(client) for client in clients]
    assert [r[0] for r in results] == [0, 0, 0, 0], results
    assert all("已导入" in out for _, out, _ in results), results
    with open_ledger(at_once) as county:
        got = canonical(county)
    # An import's summary counts the investors *it* created: an investor two returns name is
    # created by whichever import came first. The county holds the same records either way.
    assert new_investors(got) == new_investors(expected) == len(expected["investors"])
    for table in expected:
        assert unsummarised(got[table]) == unsummarised(expected[table]), table


def new_investors(rows: dict[str, list]) -> int:
    import re

    return sum(int(re.search(r"新增客商(\d+)家", dict(row)["summary"]).group(1)) for row in rows["imports"])


def unsummarised(rows: list) -> list:
    return sorted((tuple(item for item in row if item[0] != "summary") for row in rows), key=repr)


def _unit_id(url: str, name: str) -> int:
    with psycopg.connect(libpq(url)) as conn:
        return conn.execute("SELECT id FROM units WHERE name = %s", (name,)).fetchone()[0]


def test_a_month_locked_during_an_import_is_wholly_after_it(pg_cluster, demo_path, returns):
    url, reference = new_county(pg_cluster, demo_path), new_county(pg_cluster, demo_path)
    with open_ledger(reference) as county:
        import_returns(county, returns[:1], today=TODAY)
        imported = canonical(county)
    with psycopg.connect(libpq(url)) as gate:
        gate.execute("LOCK TABLE imports IN EXCLUSIVE MODE")
        importing = zsdesk("import-returns", "--db", url, str(returns[0]))
        wait_for_waiting(url, 1, [importing])  # the import has written all but its record
        locking = zsdesk("lock-month", "--db", url, "--month", "2026-06", "--unit", UNITS[0])
        wait_for_waiting(url, 2, [importing, locking])  # the lock waits for the import
        gate.rollback()
    assert finish(importing)[0] == 0
    assert finish(locking)[0] == 0
    with open_ledger(url) as county:
        got = canonical(county)
        with county.read() as s:
            [record] = s.scalars(select(ImportRecord)).all()
            [event] = s.scalars(select(LockEvent)).all()
            assert s.scalar(select(MonthLock.unit_id)) == record.unit_id == event.unit_id
    for table in ("projects", "fund_records", "investors", "visits", "events", "audit_log"):
        assert got[table] == imported[table], table  # the whole import, then the lock


def test_a_month_locked_before_an_import_refuses_it_and_nothing_is_written(pg_cluster, demo_path, returns):
    url = new_county(pg_cluster, demo_path)
    with open_ledger(url) as county:
        before = canonical(county)
    with psycopg.connect(libpq(url)) as gate:  # the lock has taken the unit's month, not yet recorded
        gate.execute("LOCK TABLE lock_events IN EXCLUSIVE MODE")
        locking = zsdesk("lock-month", "--db", url, "--month", "2026-06", "--unit", UNITS[0])
        wait_for_waiting(url, 1, [locking])
        importing = zsdesk("import-returns", "--db", url, str(returns[0]))
        wait_for_waiting(url, 2, [locking, importing])  # the import waits for the lock
        gate.rollback()
    assert finish(locking)[0] == 0
    status, out, err = finish(importing)
    assert status == 1, (out, err)
    assert "已锁定" in out + err
    with open_ledger(url) as county:
        after = canonical(county)
    for table in before:
        if table not in ("month_locks", "lock_events"):
            assert after[table] == before[table], table
    assert len(after["month_locks"]) == 1


def test_plain_sql_into_a_locked_month_is_refused_by_the_server(pg_cluster, demo_path, returns):
    url = new_county(pg_cluster, demo_path)
    with open_ledger(url) as county:
        import_returns(county, returns[:1], today=TODAY)
    locking = zsdesk("lock-month", "--db", url, "--month", "2026-06", "--unit", UNITS[0])
    assert finish(locking)[0] == 0
    unit = _unit_id(url, UNITS[0])
    psql = shutil.which("psql") or str(Path(os.path.realpath(pg_bin() / "initdb")).parent / "psql")
    statements = [
        f"UPDATE fund_records SET amount = amount + 1 WHERE month = 6 AND project_id IN (SELECT id FROM projects WHERE unit_id = {unit})",
        f"DELETE FROM fund_records WHERE month = 6 AND project_id IN (SELECT id FROM projects WHERE unit_id = {unit})",
    ]
    with open_ledger(url) as county:
        before = canonical(county)
    for statement in statements:  # psql: another program, no zsdesk code in it
        done = subprocess.run(
            [psql, libpq(url), "-v", "ON_ERROR_STOP=1", "-c", statement], capture_output=True, text=True, timeout=60
        )
        assert done.returncode != 0 and "zsdesk: month locked" in done.stderr, done
    with open_ledger(url) as county:
        assert canonical(county) == before

