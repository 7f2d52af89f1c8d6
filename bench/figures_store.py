"""Figures of the store: the progress computation, and what opening a file costs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from decimal import Decimal

from .county import ROOT, County, child_env
from .measure import MEASURED, Figure, Timings, median, ms, time_runs

# The floor of load_progress: every indicator's sums, in one statement, on a plain
# sqlite3 connection. Money is whole yuan in the file; flags are 0/1; dates ISO text.
PROGRESS_FLOOR_SQL = """
SELECT p.unit_id, 'funds',
       SUM(CASE WHEN p.foreign_capital = 0 THEN f.amount ELSE 0 END),
       SUM(CASE WHEN p.zhejiang_return = 1 AND p.declared = 1 THEN f.amount ELSE 0 END),
       SUM(CASE WHEN p.mountain_sea = 1 THEN f.amount ELSE 0 END)
  FROM fund_records f JOIN projects p ON p.id = f.project_id
 WHERE f.year = :year AND f.month <= :month
 GROUP BY p.unit_id
UNION ALL
SELECT unit_id, 'projects',
       SUM(planned_on BETWEEN :first AND :last),
       SUM(signed_on BETWEEN :first AND :last),
       SUM(signed_on BETWEEN :first AND :last AND carried_over = 0 AND planned_investment >= :threshold)
  FROM projects
 GROUP BY unit_id
UNION ALL
SELECT unit_id, 'investors', SUM(registered_on BETWEEN :first AND :last AND industry = :film), 0, 0
  FROM investors
 GROUP BY unit_id
"""


def _floor_parameters(connection: sqlite3.Connection, year: int, month: int) -> dict:
    from zsdesk.domain.counting import DEFAULT_MAJOR_THRESHOLD_WAN
    from zsdesk.domain.enums import FILM_CULTURE_INDUSTRY
    from zsdesk.domain.money import parse_wan, wan_to_yuan
    from zsdesk.domain.periods import YearMonth
    from zsdesk.store.settings import MAJOR_THRESHOLD

    row = connection.execute("SELECT value FROM settings WHERE key = ?", (MAJOR_THRESHOLD,)).fetchone()
    threshold = parse_wan(row[0]) if row and row[0] else DEFAULT_MAJOR_THRESHOLD_WAN
    period = YearMonth(year, month)
    return {
        "year": year,
        "month": month,
        "first": YearMonth(year, 1).first_day.isoformat(),
        "last": period.last_day.isoformat(),
        "threshold": wan_to_yuan(threshold),
        "film": FILM_CULTURE_INDUSTRY,
    }


def _floor_actuals(rows, names: dict[int, str]) -> dict:
    """(unit name, indicator value) → actual, in the measure load_progress uses."""
    from zsdesk.domain.enums import Indicator
    from zsdesk.domain.money import yuan_to_wan

    columns = {
        "funds": [Indicator.DOMESTIC_FUNDS, Indicator.ZHEJIANG_RETURN_FUNDS, Indicator.MOUNTAIN_SEA_FUNDS],
        "projects": [Indicator.PLANNED_PROJECTS, Indicator.SIGNED_PROJECTS, Indicator.MAJOR_PROJECTS],
        "investors": [Indicator.FILM_CULTURE_FIRMS],
    }
    actuals = {}
    for unit_id, kind, *values in rows:
        if unit_id is None:
            continue
        for indicator, value in zip(columns[kind], values):
            value = value or 0
            actuals[(names[unit_id], indicator)] = yuan_to_wan(value) if kind == "funds" else value
    return actuals


def record_alternated(figure: Figure, ours_way, floor_way, runs: int) -> None:
    """Time zsdesk's way and the floor's one run each in turn (the first run of each a
    warm-up), so that a burst of load from elsewhere touches both alike, and record both."""
    ours, floor = Timings(), Timings()
    for index in range(runs):
        ours += time_runs(ours_way, 1, warmup=0 if index else 1)
        floor += time_runs(floor_way, 1, warmup=0 if index else 1)
    figure.record(ours)
    figure.record(floor, floor=True)


def progress_figure(figure: Figure, county: County, runs: int) -> None:
    from zsdesk.domain.periods import YearMonth
    from zsdesk.store.db import open_ledger
    from zsdesk.store.progress_query import load_progress

    year, month = 2026, 6
    period = YearMonth(year, month)
    ledger = open_ledger(county.path, readonly=True)
    connection = sqlite3.connect(f"file:{county.path.as_posix()}?mode=ro", uri=True)
    try:
        names = dict(connection.execute("SELECT id, name FROM units"))
        parameters = _floor_parameters(connection, year, month)
        tables = []

        def zsdesk_way(_):
            with ledger.read() as session:
                tables.append(load_progress(session, period))

        floor_rows = []

        def floor_way(_):
            floor_rows.append(connection.execute(PROGRESS_FLOOR_SQL, parameters).fetchall())

        record_alternated(figure, zsdesk_way, floor_way, runs)
        mismatches = _compare(tables[-1], _floor_actuals(floor_rows[-1], names))
        if mismatches:
            raise AssertionError(f"floor and load_progress disagree: {mismatches[:5]}")
        figure.extra["rows"] = len(tables[-1].rows)
        figure.note = "floor checked: the same actual for every unit and indicator"
    finally:
        connection.close()
        ledger.close()
    figure.status = MEASURED


def _compare(table, floor: dict) -> list:
    mismatches = []
    for row in table.rows:
        if row.unit is None:
            continue
        expected = floor.get((row.unit, row.indicator), 0)
        if Decimal(row.actual) != Decimal(expected):
            mismatches.append((row.unit, row.indicator.value, str(row.actual), str(expected)))
    return mismatches


# --- diagnostics: where opening time goes -------------------------------------------


def open_diagnostics(county: County, runs: int) -> list[dict]:
    """open_ledger, its PRAGMA quick_check and the Alembic script scan, each timed alone."""
    from zsdesk.store import db

    def open_and_close(_):
        db.open_ledger(county.path).close()

    def quick_check(_):
        connection = sqlite3.connect(f"file:{county.path.as_posix()}?mode=ro", uri=True)
        try:
            assert connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            connection.close()

    def script_scan(_):
        for cached in ("_script", "_revision_graph"):  # read afresh, as a new process does
            if hasattr(getattr(db, cached, None), "cache_clear"):
                getattr(db, cached).cache_clear()
        db.head_revision()
        db.known_revisions()

    out = []
    for key, title, work in (
        ("open_ledger", "open_ledger() 打开台账（含检查）/ open a ledger file", open_and_close),
        ("quick_check", "PRAGMA quick_check 单独 / alone", quick_check),
        ("revision_scan", "迁移脚本版本 head_revision()+known_revisions()（新进程首次）/ first call in a process", script_scan),
    ):
        times = ms(time_runs(work, runs))
        out.append({"key": key, "title": title, "unit": "ms", "median": median(times), "runs": times})
    return out


IMPORTS = [
    "PySide6.QtWidgets",
    "sqlalchemy.orm",
    "alembic.script",
    "openpyxl",
    "matplotlib.figure",
    "matplotlib.backends.backend_qtagg",
    "zsdesk.store.db",
    "zsdesk.store.progress_query",
    "zsdesk.ui.main_window",
    "zsdesk.returns",
    "zsdesk.charts",
]


def import_diagnostics(runs: int, python: str = sys.executable) -> list[dict]:
    """Each module's import time in a fresh interpreter (what a cold start pays for it)."""
    out = []
    for module in IMPORTS:
        code = (
            "import time; s=time.perf_counter()\n"
            f"try:\n    import {module}\nexcept ModuleNotFoundError as e:\n"
            "    if not (e.name or '').startswith('zsdesk'): raise\n"
            "    print('missing'); raise SystemExit\n"
            "print(time.perf_counter()-s)"
        )
        times = []
        for _ in range(runs):
            result = subprocess.run(
                [python, "-c", code], cwd=ROOT, capture_output=True, text=True, env=child_env(), timeout=120
            )
            if result.returncode != 0:
                raise RuntimeError(f"importing {module} failed:\n{result.stderr[-2000:]}")
            if result.stdout.strip() == "missing":
                break
            times.append(round(float(result.stdout) * 1000, 1))
        out.append(
            {
                "key": f"import {module}",
                "title": f"import {module}",
                "unit": "ms",
                "median": median(times) if times else None,
                "runs": times,
                "note": "" if times else "not yet built",
            }
        )
    return out
