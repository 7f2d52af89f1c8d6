"""The import's fast paths give what the plain ones give (issue 18).

Two shortcuts make importing a return cheap: the sheets' rows are parsed by lxml with
inline strings read directly (:class:`zsdesk.returns.xlsx._RowParser`) instead of by
openpyxl's own parser, and the audit trail is appended with one executemany on the
driver's cursor (:func:`zsdesk.store.audit._insert_entries`) instead of SQLAlchemy's
``insert()``. Each is checked here against the way it replaced: the same cells, the
same ledger down to the last audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet._reader import WorkSheetParser
from sqlalchemy import insert, select

from returns_support import TODAY
from zsdesk.returns import export_return, import_returns, return_file_name
from zsdesk.returns import xlsx
from zsdesk.store import audit
from zsdesk.store import models as m
from zsdesk.store.copying import tables
from zsdesk.store.ledger_setup import create_from

pytestmark = pytest.mark.both_backends

UNITS = ("安文街道", "尚湖镇")
WIDTH = 64
"""Cells read per row: the widest sheet (the hidden one) has fewer columns."""
STAMPS = {"created_at", "updated_at", "at", "locked_at"}
"""Write times: two imports a moment apart differ there and nowhere else."""


def _openpyxl_rows(path: Path) -> dict[str, list[tuple]]:
    """Every non-blank row of every sheet as openpyxl's own read-only parser reads it."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        result = {}
        for ws in workbook.worksheets:
            width = WIDTH
            rows = []
            for number, row in enumerate(ws.iter_rows(values_only=True, max_col=width), start=1):
                if any(v is not None and v != "" for v in row):
                    rows.append((number, tuple(row)))
            result[ws.title] = rows
        return result
    finally:
        workbook.close()


def _our_rows(path: Path) -> dict[str, list[tuple]]:
    """The same through the importer's reader (zsdesk.returns.xlsx.sheet_rows)."""
    place = xlsx.Place(path)
    result = {}
    with xlsx.open_workbook(path) as workbook:
        for ws in workbook.worksheets:
            width = WIDTH
            result[ws.title] = [
                (number, tuple(row))
                for number, row in xlsx.sheet_rows(place, workbook, ws.title, 100_000, width, values_only=True)
            ]
    return result


@pytest.fixture
def exported(demo_ledger, period, tmp_path) -> list[Path]:
    paths = []
    with demo_ledger.read() as session:
        for unit in UNITS:
            paths.append(export_return(session, unit, period, tmp_path / return_file_name(unit, period), today=TODAY).path)
    return paths


@pytest.mark.file_only
def test_an_exported_return_reads_as_openpyxl_reads_it(exported):
    for path in exported:
        ours, theirs = _our_rows(path), _openpyxl_rows(path)
        assert ours == theirs
        # Not trivially equal: the hidden sheet and the form carry the unit's projects.
        assert len(ours["_zsdesk"]) > 50 and any(isinstance(v, str) and "项目" in v for _, r in ours["_zsdesk"] for v in r)


@pytest.mark.file_only
@pytest.mark.skipif(shutil.which("soffice") is None, reason="soffice is not installed (Debian package libreoffice-calc-nogui)")
def test_a_return_saved_by_libreoffice_reads_as_openpyxl_reads_it(exported, tmp_path):
    """LibreOffice writes shared strings, not inline ones: the other branch of the parser."""
    out = tmp_path / "resaved"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(exported[0])],
        capture_output=True, text=True, timeout=180,
    )
    resaved = out / exported[0].name
    assert result.returncode == 0 and resaved.exists(), result.stderr
    with zipfile.ZipFile(resaved) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
    ours = _our_rows(resaved)
    assert ours == _openpyxl_rows(resaved)
    assert ours["_zsdesk"] and ours["项目进展"]


def _with_cells(source: Path, target: Path, cells_xml: str) -> Path:
    """``source`` with ``cells_xml`` (cells of row 1) written into its first sheet as they stand."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode("utf-8")
    xml = re.sub(r'<row r="1"[^>]*>.*?</row>', f'<row r="1">{cells_xml}</row>', xml, count=1, flags=re.S)
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return target


@pytest.mark.file_only
def test_every_kind_of_cell_reads_as_openpyxl_reads_it(tmp_path):
    """Rich text with phonetic runs, an empty inline string, a formula, numbers, a date by
    its style, a boolean, a shared string: the values openpyxl gives, cell by cell."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["row one, replaced below"])
    ws.append(["共享", 12.5, 7, dt.date(2026, 6, 30), True, "=SUM(B2:C2)", None, "末"])
    ws["D2"].number_format = "yyyy-mm-dd"
    plain = tmp_path / "plain.xlsx"
    workbook.save(plain)
    cells = (
        '<c r="A1" t="inlineStr"><is><t>招商</t></is></c>'
        '<c r="B1" t="inlineStr"><is><r><t>富文本</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 第二段 </t></r>'
        '<rPh sb="0" eb="1"><t>ふりがな</t></rPh></is></c>'
        '<c r="C1" t="inlineStr"><is><t>前</t><r><t>后</t></r></is></c>'
        '<c r="D1" t="inlineStr"><is/></c>'
        '<c r="E1" t="inlineStr"/>'
        '<c r="F1" t="inlineStr"><f>"公式"</f><is><t>公式</t></is></c>'
        '<c r="H1" t="inlineStr"><is><r><t/></r><t></t></is></c>'
        '<c t="inlineStr"><is><t>无坐标</t></is></c>'
    )
    made = _with_cells(plain, tmp_path / "cells.xlsx", cells)
    ours, theirs = _our_rows(made), _openpyxl_rows(made)
    assert ours == theirs
    first = ours["Sheet"][0][1]
    assert first[:3] == ("招商", "富文本 第二段 ", "前后") and first[5] == '="公式"' and first[8] == "无坐标"
    second = ours["Sheet"][1][1]
    assert second[:6] == ("共享", 12.5, 7, dt.datetime(2026, 6, 30), True, "=SUM(B2:C2)")


@pytest.mark.file_only
def test_a_broken_sheet_is_refused_in_chinese(exported, tmp_path):
    """lxml's errors are a damaged file's, as the XML parser's were."""
    with zipfile.ZipFile(exported[0]) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].replace(b"</row>", b"</rw>", 3)
    broken = tmp_path / exported[0].name.replace(".xlsx", "-broken.xlsx")
    with zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    from zsdesk.returns.problems import RefusedFile
    from zsdesk.returns.reader import read_return

    with pytest.raises(RefusedFile) as refused:
        read_return(broken, today=TODAY)
    assert "文件已损坏" in refused.value.message


# --- the same ledger ------------------------------------------------------------------


def _ledger_rows(ledger) -> dict[str, list[dict]]:
    """Every row of every table but the write times, by primary key."""
    result = {}
    with ledger.engine.connect() as connection:
        for table in tables():
            columns = [c for c in table.columns if c.name not in STAMPS]
            query = select(*columns).order_by(*table.primary_key.columns)
            result[table.name] = [dict(row._mapping) for row in connection.execute(query)]
    return result


def _reference_parser(monkeypatch) -> None:
    """openpyxl's own row parser (defusedxml, a Text object per inline string)."""

    class Stock(WorkSheetParser):
        def rows(self):
            return self.parse()

    monkeypatch.setattr(xlsx, "_RowParser", Stock)


def _reference_audit(monkeypatch) -> None:
    """The trail appended through SQLAlchemy's insert(), as before issue 18."""

    def through_core(connection, rows):
        if rows:
            names = audit._ENTRY_COLUMNS
            connection.execute(insert(m.AuditEntry.__table__), [dict(zip(names, row)) for row in rows])

    monkeypatch.setattr(audit, "_insert_entries", through_core)


@pytest.fixture
def county_at(request, backend, demo_path, tmp_path):
    made = []

    def make(name: str):
        if backend == "postgresql":
            cluster = request.getfixturevalue("pg_cluster")
            location = cluster.url(cluster.create_database())
        else:
            location = tmp_path / f"{name}.sqlite"
        ledger = create_from(location, demo_path)
        made.append(ledger)
        return ledger

    yield make
    for ledger in made:
        ledger.close()


def test_the_fast_import_gives_the_same_ledger_as_the_plain_one(exported, county_at, monkeypatch):
    fast = county_at("fast")
    outcomes = import_returns(fast, exported, today=TODAY, by="测试")
    assert [o.status for o in outcomes] == ["imported", "imported"]
    with monkeypatch.context() as patched:
        _reference_parser(patched)
        _reference_audit(patched)
        plain = county_at("plain")
        outcomes = import_returns(plain, exported, today=TODAY, by="测试")
        assert [o.status for o in outcomes] == ["imported", "imported"]
    ours, reference = _ledger_rows(fast), _ledger_rows(plain)
    assert ours.keys() == reference.keys()
    for table in ours:
        assert ours[table] == reference[table], table
    # What was compared is the import itself: its projects, months and trail.
    assert len(ours["projects"]) > 20 and len(ours["fund_records"]) > 20
    trail = [e for e in ours["audit_log"] if e["table_name"] == "projects"]
    assert len(trail) > 100
    assert any(isinstance(r["amount"], Decimal) and r["amount"] > 0 for r in ours["fund_records"])


def test_the_trail_keeps_the_time_as_sqlalchemy_stored_it(county_at):
    """The one converted value: the entry's time reads back as the datetime written."""
    ledger = county_at("trail")
    when = dt.datetime(2026, 6, 30, 9, 15, 2)
    with ledger.begin() as session:
        audit._insert_entries(
            session.connection(),
            [(when, "张三", "update", "projects", 7, "XM-1 项目", "name", "旧名", "新名"),
             (when, "张三", "insert", "projects", 8, "XM-2 项目", "notes", None, "含'引号'与%号")],
        )
    with ledger.read() as session:
        rows = session.execute(
            select(m.AuditEntry.at, m.AuditEntry.who, m.AuditEntry.record_id, m.AuditEntry.old_value, m.AuditEntry.new_value)
            .where(m.AuditEntry.who == "张三").order_by(m.AuditEntry.record_id)
        ).all()
        # Stored as SQLAlchemy stores a time (on SQLite: text compared as text).
        at_when = session.scalars(select(m.AuditEntry.record_id).where(m.AuditEntry.at == when).order_by(m.AuditEntry.record_id)).all()
    assert [tuple(r) for r in rows] == [
        (when, "张三", 7, "旧名", "新名"),
        (when, "张三", 8, None, "含'引号'与%号"),
    ]
    assert at_when == [7, 8]


# --- one backup for a run of imports ------------------------------------------------------


@pytest.mark.file_only
def test_a_run_of_imports_is_preceded_by_one_backup_of_the_state_before_it(exported, county_at):
    from zsdesk.store import backup

    county = county_at("run")
    before = _ledger_rows(county)
    first, second = exported
    # The first file alone: its own copy.
    assert [o.status for o in import_returns(county, [first], today=TODAY)] == ["imported"]
    copies = [c for c in backup.list_backups(county.path, contents=False) if c.reason == "import"]
    assert len(copies) == 1
    first_copy = copies[0].path
    after_first = _ledger_rows(county)
    # Then the first again (unchanged: nothing written, no copy) and the second: one copy,
    # taken before the second file's writes, holding the state after the first import.
    outcomes = import_returns(county, [first, second], today=TODAY)
    assert [o.status for o in outcomes] == ["unchanged", "imported"]
    copies = [c.path for c in backup.list_backups(county.path, contents=False) if c.reason == "import"]
    assert len(copies) == 2 and first_copy in copies
    [second_copy] = [path for path in copies if path != first_copy]
    from zsdesk.store.db import open_ledger

    with open_ledger(second_copy, readonly=True) as copy:
        assert _ledger_rows(copy)["projects"] == after_first["projects"]
    assert after_first["projects"] != before["projects"]


@pytest.mark.file_only
def test_two_new_returns_in_one_run_make_one_copy_from_before_both(exported, county_at):
    from zsdesk.store import backup
    from zsdesk.store.db import open_ledger

    county = county_at("both")
    before = _ledger_rows(county)
    assert [o.status for o in import_returns(county, exported, today=TODAY)] == ["imported", "imported"]
    copies = [c for c in backup.list_backups(county.path, contents=False) if c.reason == "import"]
    assert len(copies) == 1
    with open_ledger(copies[0].path, readonly=True) as copy:
        held = _ledger_rows(copy)
    assert held["projects"] == before["projects"] and held["fund_records"] == before["fund_records"]
    assert len(_ledger_rows(county)["projects"]) > len(before["projects"])
