"""Figures of the bureau's ledger on PostgreSQL (issue 15), measured only where PostgreSQL is.

A throwaway cluster (``tests/pg_support.py``: initdb in a temporary folder, a unix
socket, fsync off) is started once for these figures and the bench county copied into it
with ``copy_ledger``, as ``zsdesk server init`` does. Without PostgreSQL's binaries or
psycopg the figures are reported as skipped, saying why.

* ``server_progress``: ``load_progress`` on the server against its floor, the same sums
  as one GROUP BY statement through psycopg (the SQLite floor's query in PostgreSQL's
  words), checked to give the same actual for every unit and indicator.
* ``server_import_clients``: 20 returns imported by 4 ``zsdesk import-returns`` processes
  at once (5 files each) against the same 20 imported by 1 process, each into a fresh
  county database made with ``create_from``; wall time from the first start to the last
  exit. Both counties are checked to hold the same number of projects, funds and investors.
"""

from __future__ import annotations

import datetime as dt
import resource
import subprocess
import sys
from pathlib import Path

from .county import ROOT, County, child_env
from .figures_returns import _period, _units_by_size
from .measure import MEASURED, Figure, Timings, time_runs
from .figures_store import _compare, _floor_actuals, _floor_parameters, record_alternated

SKIPPED = "skipped"
CLIENTS = 4

PROGRESS_FLOOR_SQL_PG = """
SELECT p.unit_id, 'funds',
       SUM(CASE WHEN NOT p.foreign_capital THEN f.amount ELSE 0 END),
       SUM(CASE WHEN p.zhejiang_return AND p.declared THEN f.amount ELSE 0 END),
       SUM(CASE WHEN p.mountain_sea THEN f.amount ELSE 0 END)
  FROM fund_records f JOIN projects p ON p.id = f.project_id
 WHERE f.year = %(year)s AND f.month <= %(month)s
 GROUP BY p.unit_id
UNION ALL
SELECT unit_id, 'projects',
       COUNT(*) FILTER (WHERE planned_on BETWEEN %(first)s AND %(last)s),
       COUNT(*) FILTER (WHERE signed_on BETWEEN %(first)s AND %(last)s),
       COUNT(*) FILTER (WHERE signed_on BETWEEN %(first)s AND %(last)s AND NOT carried_over
                        AND planned_investment >= %(threshold)s)
  FROM projects
 GROUP BY unit_id
UNION ALL
SELECT unit_id, 'investors', COUNT(*) FILTER (WHERE registered_on BETWEEN %(first)s AND %(last)s AND industry = %(film)s), 0, 0
  FROM investors
 GROUP BY unit_id
"""


class Unavailable(Exception):
    """No PostgreSQL here: the figure is skipped, with the reason."""


class Server:
    """One throwaway cluster for the bench, and the bench county copied into it once."""

    def __init__(self):
        sys.path.insert(0, str(ROOT))
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise Unavailable("没有安装 psycopg / psycopg is not installed (pip install zsdesk[server])") from None
        from tests.pg_support import Cluster, pg_bin

        bin_dir = pg_bin()
        if bin_dir is None:
            raise Unavailable("PostgreSQL 未安装 / PostgreSQL's binaries (initdb) are not installed")
        self.cluster = Cluster(bin_dir).start()
        self._county_url: str | None = None
        self.copy_seconds: float | None = None

    def new_database(self) -> str:
        return self.cluster.url(self.cluster.create_database())

    def county(self, county: County) -> str:
        """The bench county on the server (copied on first use)."""
        if self._county_url is None:
            import time

            from zsdesk.store.copying import copy_ledger
            from zsdesk.store.db import open_ledger
            from zsdesk.store.server import open_server, upgrade_server

            url = self.new_database()
            started = time.perf_counter()
            upgrade_server(url, create=True)
            source, target = open_ledger(county.path, readonly=True), open_server(url)
            try:
                copy_ledger(source, target)
            finally:
                source.close()
                target.close()
            self.copy_seconds = round(time.perf_counter() - started, 1)
            self._county_url = url
        return self._county_url

    def stop(self) -> None:
        self.cluster.stop()


def projects_first_rows_figure(figure: Figure, server: Server, county: County, runs: int) -> None:
    """The file's figure (bench/figures_gui.py) on the same county copied to the server: the
    window on the server's URL, its projects tab reloaded until the first rows are painted."""
    from types import SimpleNamespace

    from . import figures_gui

    window = figures_gui.Window(SimpleNamespace(path=server.county(county)))
    try:
        figures_gui.projects_first_rows_figure(figure, window, runs)
    finally:
        window.close()
    figure.note = "在 PostgreSQL 上 / on PostgreSQL: " + figure.note


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"dbname={parsed.database} user={parsed.username} host={parsed.query['host']} port={parsed.query['port']}"


def progress_figure(figure: Figure, server: Server, county: County, runs: int) -> None:
    import psycopg

    from zsdesk.domain.periods import YearMonth
    from zsdesk.store.progress_query import load_progress
    from zsdesk.store.server import open_server

    year, month = 2026, 6
    period = YearMonth(year, month)
    url = server.county(county)
    ledger = open_server(url, readonly=True)
    connection = psycopg.connect(_libpq(url), autocommit=True)
    try:
        names = dict(connection.execute("SELECT id, name FROM units").fetchall())
        settings = dict(connection.execute("SELECT key, value FROM settings").fetchall())
        parameters = _floor_parameters(_SettingsOnly(settings), year, month)
        parameters["first"] = dt.date.fromisoformat(parameters["first"])
        parameters["last"] = dt.date.fromisoformat(parameters["last"])
        tables, floor_rows = [], []

        def zsdesk_way(_):
            with ledger.read() as session:
                tables.append(load_progress(session, period))

        def floor_way(_):
            floor_rows.append(connection.execute(PROGRESS_FLOOR_SQL_PG, parameters).fetchall())

        record_alternated(figure, zsdesk_way, floor_way, runs)
        mismatches = _compare(tables[-1], _floor_actuals(floor_rows[-1], names))
        if mismatches:
            raise AssertionError(f"floor and load_progress disagree on the server: {mismatches[:5]}")
    finally:
        connection.close()
        ledger.close()
    figure.extra.update(rows=len(tables[-1].rows), copy_county_seconds=server.copy_seconds)
    figure.note = "floor checked: the same actual for every unit and indicator; CPU is the client's only (the server works in its own processes)"
    figure.status = MEASURED


class _SettingsOnly:
    """Enough of a sqlite3 connection for _floor_parameters: the settings it reads."""

    def __init__(self, settings: dict):
        self.settings = settings

    def execute(self, _sql, parameters):
        value = self.settings.get(parameters[0])
        return _Rows([(value,)] if value is not None else [])


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None


def import_clients_figure(figure: Figure, server: Server, county: County, work: Path, runs: int, returns: int) -> None:
    from zsdesk.returns import export_return, return_file_name
    from zsdesk.store.db import open_ledger
    from zsdesk.store.ledger_setup import create_from

    period = _period()
    units = [name for name, _ in _units_by_size(county)][:returns]
    folder = work / "server_import"
    folder.mkdir(parents=True, exist_ok=True)
    source = open_ledger(county.path, readonly=True)
    try:
        with source.read() as session:
            files = [str(export_return(session, u, period, folder / return_file_name(u, period)).path) for u in units]
    finally:
        source.close()

    def fresh_county():
        url = server.new_database()
        create_from(url, county.path).close()
        return url

    cpu: dict[int, list[float]] = {1: [], CLIENTS: []}

    def clients(count: int):
        def work_(url):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            shares = [files[i::count] for i in range(count)]
            processes = [
                subprocess.Popen(
                    [sys.executable, "-m", "zsdesk", "import-returns", "--db", url, *share],
                    cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )
                for share in shares
            ]
            for process in processes:
                out, err = process.communicate(timeout=3600)
                if process.returncode != 0:
                    raise AssertionError(f"an import client failed ({process.returncode}): {err[-2000:] or out[-2000:]}")
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[count].append(round((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000))
            counted.append((count, _counts(url)))

        return work_

    counted: list[tuple[int, dict]] = []
    ours, floor = Timings(), Timings()
    for index in range(runs):  # alternated
        floor += time_runs(clients(1), 1, setup=fresh_county, warmup=0)
        ours += time_runs(clients(CLIENTS), 1, setup=fresh_county, warmup=0)
    one = {tuple(sorted(c.items())) for n, c in counted if n == 1}
    many = {tuple(sorted(c.items())) for n, c in counted if n == CLIENTS}
    if one != many or len(one) != 1:
        raise AssertionError(f"1 client and {CLIENTS} clients imported different counts: {one} vs {many}")
    figure.record(ours)
    figure.record(floor, floor=True)
    figure.extra.update(
        returns=len(files),
        clients=CLIENTS,
        counts=dict(next(iter(one))),
        clients_cpu_ms={"1": cpu[1], str(CLIENTS): cpu[CLIENTS]},
    )
    figure.note = (
        f"{CLIENTS} import-returns processes at once ({len(files)} files shared out) against 1 process importing them all, "
        "each into a fresh county database; both give the same counts. The target: the wall time drops (ratio < 1)"
    )
    figure.status = MEASURED


def _counts(url: str) -> dict:
    import psycopg

    with psycopg.connect(_libpq(url)) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("projects", "fund_records", "investors", "visits", "imports")
        }


def skip(figure: Figure, reason: str) -> None:
    figure.status = SKIPPED
    figure.runs, figure.floor_runs = [], []
    figure.note = reason
