"""Figures of the Excel returns: export one unit's return, import twenty.

Floors, as issue 5 words them:

* export: openpyxl alone writing the same cells — every value of every sheet of the
  exported workbook (the printed form and the hidden sheet), appended to a write-only
  workbook with no styles, and saved.
* import: openpyxl alone reading the same files — each opened ``read_only`` and every
  row of every sheet iterated.

zsdesk's import is measured into a fresh county file made with ``create_from`` (units
and targets, no projects): the heaviest case, every project and month new. The
re-import of the same files (nothing to change) is reported beside it.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from .county import County
from .measure import MEASURED, Figure, Timings, ms, openpyxl_read_all, require, time_runs

PERIOD = (2026, 6)
RETURNS = 20


def _period():
    from zsdesk.domain.periods import YearMonth

    return YearMonth(*PERIOD)


def _units_by_size(county: County) -> list[tuple[str, int]]:
    connection = sqlite3.connect(f"file:{county.path.as_posix()}?mode=ro", uri=True)
    try:
        return connection.execute(
            "SELECT u.name, count(p.id) FROM units u LEFT JOIN projects p ON p.unit_id = u.id "
            "GROUP BY u.id ORDER BY count(p.id) DESC, u.sort_order, u.id"
        ).fetchall()
    finally:
        connection.close()


def _cells(path: Path) -> list[tuple[str, list[list]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in workbook.worksheets]
    finally:
        workbook.close()


def _write_cells(sheets: list[tuple[str, list[list]]], path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets:
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(row)
    workbook.save(path)


def export_figure(figure: Figure, county: County, work: Path, runs: int) -> None:
    export_return = require("zsdesk.returns", "export_return")
    from zsdesk.store.db import open_ledger

    unit, projects = _units_by_size(county)[0]
    period = _period()
    folder = work / "return_export"
    folder.mkdir(parents=True, exist_ok=True)
    target, floor_target = folder / "return.xlsx", folder / "floor.xlsx"
    ledger = open_ledger(county.path, readonly=True)
    try:
        def zsdesk_way(_):
            with ledger.read() as session:
                export_return(session, unit, period, target)

        zsdesk_way(None)
        sheets = _cells(target)

        def floor_way(_):
            _write_cells(sheets, floor_target)

        # Alternate the two so that a burst of load from elsewhere touches both alike.
        ours, floor = Timings(), Timings()
        for _ in range(runs):
            ours += time_runs(zsdesk_way, 1, warmup=0)
            floor += time_runs(floor_way, 1, warmup=0 if floor else 1)
    finally:
        ledger.close()
    figure.record(ours)
    figure.record(floor, floor=True)
    figure.extra.update(
        unit=unit,
        projects=projects,
        cells=sum(len(row) for _, rows in sheets for row in rows),
        file_kb=round(target.stat().st_size / 1024),
    )
    figure.note = "floor: the same cell values (all sheets, hidden one included) in a write-only workbook, no styles"
    figure.status = MEASURED


def import_figure(figure: Figure, county: County, work: Path, runs: int, returns: int = RETURNS) -> None:
    export_return, return_file_name, import_returns = require(
        "zsdesk.returns", "export_return", "return_file_name", "import_returns"
    )
    from zsdesk.store.db import open_ledger
    from zsdesk.store.ledger_setup import create_from

    period = _period()
    units = [name for name, _ in _units_by_size(county)][:returns]
    folder = work / "returns_import"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    ledger = open_ledger(county.path, readonly=True)
    try:
        with ledger.read() as session:
            files = [export_return(session, u, period, folder / return_file_name(u, period)).path for u in units]
    finally:
        ledger.close()
    counter = iter(range(10**6))

    def fresh_county():
        path = folder / f"county-{next(counter)}.sqlite"
        return create_from(path, county.path)

    def zsdesk_way(target):
        outcomes = import_returns(target, files)
        refused = [o.line for o in outcomes if o.status == "refused"]
        if refused:
            raise AssertionError(f"a return was refused: {refused[0]}")

    def discard(target):
        path = target.path
        target.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def floor_way(_):
        openpyxl_read_all(files)

    ours, floor = Timings(), Timings()
    for _ in range(runs):
        ours += time_runs(zsdesk_way, 1, setup=fresh_county, teardown=discard, warmup=0)
        floor += time_runs(floor_way, 1, warmup=0 if floor else 1)
    again = fresh_county()
    try:
        zsdesk_way(again)
        reimport = time_runs(zsdesk_way, 1, setup=lambda: again, warmup=0)
    finally:
        discard(again)
    figure.record(ours)
    figure.record(floor, floor=True)
    figure.extra.update(
        returns=len(files),
        projects_per_return=_units_by_size(county)[0][1],
        megabytes=round(sum(f.stat().st_size for f in files) / 2**20, 1),
        reimport_unchanged_ms=ms(reimport)[0],
    )
    figure.note = (
        "into a fresh county file (every project and month new); floor: openpyxl read_only, every row of every sheet; "
        "re-importing the same files (nothing to change) in extra"
    )
    figure.status = MEASURED
