"""Issue 14 item 4: a return edited and saved by LibreOffice Calc is the same form.

Each file here is a zsdesk export (from a ledger made from nothing) opened in headless
LibreOffice, edited by a Basic macro the way a clerk edits (rows deleted, inserted,
sorted, a figure changed) and saved as .xlsx by LibreOffice itself — which then writes
an empty row 1048576 and its own shared strings and styles.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from libreoffice_edit import SKIP_REASON, SOFFICE, edit_in_libreoffice
from returns_support import TODAY, dump
from test_hostile import _projects
from zsdesk.domain.periods import YearMonth
from zsdesk.returns import export_return, import_returns
from zsdesk.returns import layout as L
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import FundRecord, Project, Unit

pytestmark = pytest.mark.skipif(SOFFICE is None, reason=SKIP_REASON)

ROOT = Path(__file__).resolve().parent.parent
PERIOD = YearMonth(2026, 6)
UNIT = "甲镇"
FIRST = L.FIRST_DATA_ROW  # projects are rows 5..8, the totals row 9, a blank row 10


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lo-export")
    township = create_ledger(folder / "township.sqlite", "测试县", [UNIT, "乙乡"])
    with township.begin() as session:
        _projects(session, session.scalar(select(Unit.id).where(Unit.name == UNIT)), 4)
    with township.read() as session:
        export_return(session, UNIT, PERIOD, folder / "甲镇-2026年6月月报.xlsx", today=TODAY)
    township.close()
    return folder / "甲镇-2026年6月月报.xlsx"


@pytest.fixture
def county(tmp_path):
    ledger = create_ledger(tmp_path / "county.sqlite", "测试县", [UNIT, "乙乡"])
    yield ledger
    ledger.close()


def _figures(ledger) -> list:
    with ledger.read() as session:
        projects = sorted((p.code, p.name, p.planned_investment) for p in session.scalars(select(Project)))
        funds = sorted((f.project.code, f.year, f.month, f.amount) for f in session.scalars(select(FundRecord)))
    return [projects, funds]


def _figures_of_original(exported: Path, folder: Path) -> list:
    other = create_ledger(folder / "reference.sqlite", "测试县", [UNIT, "乙乡"])
    try:
        [outcome] = import_returns(other, [exported], today=TODAY)
        assert outcome.status == "imported"
        return _figures(other)
    finally:
        other.close()


def _rows_in_xml(path: Path) -> list[int]:
    with zipfile.ZipFile(path) as archive:
        return [int(n) for n in re.findall(r'<row r="(\d+)"', archive.read("xl/worksheets/sheet1.xml").decode())]


def test_blank_rows_inserted_and_deleted_in_libreoffice_are_not_rows(exported, county, tmp_path):
    # two blank rows between the first projects, one of them deleted again; the blank
    # spacer below the totals deleted: LibreOffice writes its filler row 1048576
    edited = edit_in_libreoffice(exported, tmp_path / "blank.xlsx", f"ins:{FIRST + 2}:2;del:{FIRST + 3}:1;del:{FIRST + 6}:1")
    assert 1_048_576 in _rows_in_xml(edited)
    [outcome] = import_returns(county, [edited], today=TODAY)
    assert outcome.status == "imported", outcome.line
    assert outcome.preview.findings == []  # no correction found
    assert _figures(county) == _figures_of_original(exported, tmp_path)


def test_a_figure_changed_in_libreoffice_is_imported_as_printed(exported, county, tmp_path):
    this_month, year_total = (chr(ord("A") + L.PROJECT_COL[k] - 1) for k in ("this_month", "year_total"))
    # the first project: May 100, June 50 -> June corrected to 70 (and the year's total with it)
    edited = edit_in_libreoffice(exported, tmp_path / "changed.xlsx", f"num:{this_month}{FIRST}:70;num:{year_total}{FIRST}:170")
    [outcome] = import_returns(county, [edited], today=TODAY)
    assert outcome.status == "imported", outcome.line
    assert outcome.preview.findings == [
        f"工作表“{L.PROJECT_SHEET}”第{FIRST}行{this_month}列（到位资金·本月）在Excel中由“50”改为“70”"
    ]
    with county.read() as session:
        june = session.scalar(select(FundRecord.amount).join(Project).where(Project.name == "中药材基地0", FundRecord.month == 6))
    assert june == Decimal(70)


def test_rows_sorted_in_libreoffice_import_to_the_same_figures(exported, county, tmp_path):
    name_column = L.PROJECT_COL["name"] - 1
    edited = edit_in_libreoffice(exported, tmp_path / "sorted.xlsx", f"sort:{FIRST}:{FIRST + 3}:{name_column}")
    import openpyxl

    names = [openpyxl.load_workbook(edited)[L.PROJECT_SHEET].cell(FIRST + i, name_column + 1).value for i in range(4)]
    assert names == ["中药材基地3", "中药材基地2", "中药材基地1", "中药材基地0"]  # LibreOffice did sort
    [outcome] = import_returns(county, [edited], today=TODAY)
    assert outcome.status == "imported", outcome.line
    assert outcome.preview.findings == []  # no correction found
    assert _figures(county) == _figures_of_original(exported, tmp_path)


def test_a_project_row_deleted_in_libreoffice_is_named_as_deleted(exported, county, tmp_path):
    edited = edit_in_libreoffice(exported, tmp_path / "deleted.xlsx", f"del:{FIRST + 1}:1")
    path = county.path
    county.close()
    before = dump(path)
    done = subprocess.run([sys.executable, "-m", "zsdesk.cli.main", "import-returns", "--db", str(path), str(edited)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1
    [line] = [x for x in done.stdout.splitlines() if x.startswith("已拒绝")]
    assert re.search(r"项目 XM-[0-9A-Z-]+ 中药材基地1 在本月报中被删除", line), line
    assert "请用导出的原文件" in line and "行数超过上限" not in line
    assert dump(path) == before
    reopened = open_ledger(path)
    reopened.close()
