"""Issue 14: one writer of cells for every workbook zsdesk makes.

Hostile text is planted in every text field of a ledger made from nothing (through the
same store services the editors call), every workbook zsdesk exports is written, and
each is scanned: no formula but zsdesk's own SUM totals, every formula-like text
quote-prefixed, control characters the same visible U+FFFD on the printed and hidden
copies. And the source is checked: no module but zsdesk/cellwriter.py writes cells.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from returns_support import TODAY, dump
from zsdesk.cellwriter import EXCEL_CELL_LIMIT, FORMULA_STARTS, CellTextTooLong, FormSheet, new_workbook
from zsdesk.domain.enums import EventKind, Stage
from zsdesk.domain.periods import YearMonth
from zsdesk.domain.records import EventData, FollowUpData, InvestorData, ProjectData, VisitData
from zsdesk.domain.text_limits import LIMITS
from zsdesk.errors import InputError, ValidationError
from zsdesk.returns import export_return, import_returns
from zsdesk.returns import layout as L
from zsdesk.returns.summary import export_summary
from zsdesk.returns.targets import export_targets
from zsdesk.store.audit import export_audit
from zsdesk.store.investors import save_event, save_investor
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.projects import save_project

ROOT = Path(__file__).resolve().parent.parent
PERIOD = YearMonth(2026, 6)

HOSTILE = [
    "=1+1",
    '=HYPERLINK("http://example.invalid/?x="&A1,"点这里")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-3+4",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=2+2",
    "控制\x01字符\x1b[31m",
    "#N/A",
]
UNITS = ["=1+1镇", "+2乡", "-3街道", "@SUM(A1)园区"]
COUNTY = "=HYPERLINK(\"http://example.invalid\")县"
_SUM = re.compile(r"^=SUM\([A-Z]{1,3}\d+:[A-Z]{1,3}\d+\)$")


def _hostile(index: int) -> str:
    return HOSTILE[index % len(HOSTILE)]


@pytest.fixture
def hostile_ledger(tmp_path):
    """A ledger from nothing, every text field of every record holding hostile text."""
    ledger = create_ledger(tmp_path / "hostile.sqlite", COUNTY, UNITS)
    with ledger.begin() as session:
        from sqlalchemy import select

        from zsdesk.store.models import Unit

        unit_id = session.scalar(select(Unit.id).where(Unit.name == UNITS[0]))
        counter = iter(range(1000))
        text_fields = list(LIMITS["projects"])
        for n in range(len(HOSTILE)):
            values = {f: _hostile(n + next(counter)) for f in text_fields if f not in ("name", "investor")}
            save_project(
                session,
                None,
                ProjectData(
                    name=f"{_hostile(n)}项目{n}",
                    unit_id=unit_id,
                    stage=Stage.SIGNED,
                    dates={Stage.PLANNED: dt.date(2026, 1, 5), Stage.NEGOTIATING: dt.date(2026, 2, 5), Stage.SIGNED: dt.date(2026, 3, 5)},
                    new_investor_name=f"{_hostile(n + 3)}公司{n}",
                    planned_investment=Decimal(1000 + n),
                    funds={(2026, 6): Decimal(10 + n), (2026, 5): Decimal(5)},
                    follow_ups=[FollowUpData(dt.date(2026, 6, 3), who=_hostile(n), action=_hostile(n + 1), next_step=_hostile(n + 2))],
                    **values,
                ),
                TODAY,
            )
        save_investor(
            session,
            None,
            InvestorData(
                name=_hostile(0) + "集团",
                home_region=_hostile(1),
                industry=_hostile(2),
                chamber=_hostile(3),
                notes=_hostile(8),
                unit_id=unit_id,
                visits=[VisitData(dt.date(2026, 6, 9), 1, 3, receiving_leader=_hostile(4), seen=_hostile(5), outcome=_hostile(6), unit_id=unit_id)],
            ),
            TODAY,
        )
        save_event(
            session,
            None,
            EventData(name=_hostile(7) + "推介会", kind=EventKind.PROMOTION, date=dt.date(2026, 6, 12), unit_id=unit_id,
                      place=_hostile(8), notes=_hostile(9)),
            TODAY,
        )
    yield ledger
    ledger.close()


def _workbooks(ledger, folder: Path) -> dict[str, Path]:
    """Every workbook zsdesk exports, from the hostile ledger."""
    out = {}
    with ledger.read() as session:
        out["return"] = export_return(
            session, UNITS[0], PERIOD, folder / "return.xlsx", today=TODAY,
            explanations=[(_hostile(0), _hostile(1), _hostile(2), _hostile(7) + "已核实情况说明")],
        ).path
        out["summary"] = export_summary(session, PERIOD, folder / "summary.xlsx", today=TODAY)
        out["targets"] = export_targets(session, 2026, folder / "targets.xlsx")
        export_audit(session, dt.date(2000, 1, 1), dt.date.today(), folder / "audit.xlsx", county=COUNTY)
        out["audit"] = folder / "audit.xlsx"
    return out


def _scan(path: Path) -> tuple[list[str], list[str]]:
    """(problems, every text of the workbook). A problem: a formula zsdesk did not put
    there itself, formula-like text without the quote prefix, an XML-illegal character."""
    problems, texts = [], []
    workbook = openpyxl.load_workbook(path)
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                where = f"{path.name}!{ws.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    if not _SUM.match(str(cell.value)):
                        problems.append(f"{where}: formula {cell.value!r}")
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(FORMULA_STARTS) and not cell.quotePrefix:
                        problems.append(f"{where}: unquoted {cell.value!r}")
                    if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", cell.value):
                        problems.append(f"{where}: control character {cell.value!r}")
    workbook.close()
    return problems, texts


def test_every_exported_workbook_holds_text_as_text(hostile_ledger, tmp_path):
    books = _workbooks(hostile_ledger, tmp_path)
    found_sums = 0
    for kind, path in books.items():
        problems, texts = _scan(path)
        assert problems == [], (kind, problems[:10])
        joined = "\n".join(texts)
        # the hostile text is there, as text (the unit name in every workbook)
        assert UNITS[0] in joined or any(UNITS[0] in t for t in texts), kind
        if kind in ("return", "audit"):
            for text in ("=1+1", "=cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1+1"):
                assert text in joined, (kind, text)
            # a control character: replaced visibly, the rest of the text kept
            assert "控制\ufffd字符\ufffd[31m" in joined, kind
        found_sums += sum(1 for _ in ())
    # zsdesk's own totals are still formulas (the scan let them through as SUM)
    sums = [c.value for ws in openpyxl.load_workbook(books["return"]).worksheets for r in ws.iter_rows() for c in r
            if c.data_type == "f"]
    assert sums and all(_SUM.match(s) for s in sums)


def test_printed_and_hidden_copies_replace_a_control_character_alike(hostile_ledger, tmp_path):
    path = _workbooks(hostile_ledger, tmp_path)["return"]
    workbook = openpyxl.load_workbook(path)
    printed = [c.value for r in workbook[L.PROJECT_SHEET].iter_rows() for c in r if isinstance(c.value, str)]
    hidden = [c.value for r in workbook["_zsdesk"].iter_rows() for c in r if isinstance(c.value, str)]
    marked = "控制\ufffd字符\ufffd[31m"
    assert marked in printed and marked in hidden
    assert not any("\\x01" in h or "\\x1b" in h for h in hidden)
    # and the county imports the same visible text, not a control character
    county_path = tmp_path / "county.sqlite"
    create_ledger(county_path, COUNTY, UNITS).close()
    from zsdesk.store.db import open_ledger

    county = open_ledger(county_path)
    try:
        [outcome] = import_returns(county, [path], today=TODAY)
        assert outcome.status == "imported", outcome.line
    finally:
        county.close()
    with sqlite3.connect(county_path) as raw:
        notes = [r[0] for r in raw.execute("SELECT progress_note FROM projects")]
    raw.close()
    assert marked in notes
    assert not any("\x01" in n for n in notes)


def test_audit_export_of_hostile_text_from_the_command_line(hostile_ledger, tmp_path):
    """Issue items 1 and 2: a formula-like name and a control character in a note."""
    out = tmp_path / "修改记录.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "zsdesk.cli.main", "audit", "--db", str(hostile_ledger.path), "--from", "2000-01-01",
         "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    problems, texts = _scan(out)
    assert problems == []
    assert any(t.startswith("=HYPERLINK(") for t in texts)


def test_the_writer_never_cuts_text_and_refuses_over_a_cell(tmp_path):
    book = new_workbook()
    sheet = FormSheet(book, "s", [10])
    assert sheet.cell("长" * EXCEL_CELL_LIMIT, "plain") == "长" * EXCEL_CELL_LIMIT
    with pytest.raises(CellTextTooLong, match="32,767"):
        sheet.cell("长" * (EXCEL_CELL_LIMIT + 1), "plain")
    with pytest.raises(ValueError):
        sheet.formula("=HYPERLINK(\"x\")", "total_money")
    with pytest.raises(ValueError):
        sheet.append(["=1+1"])  # raw text must come through cell()
    with pytest.raises(TypeError):
        sheet.cell(1.5, "money")


def test_a_note_over_its_limit_is_refused_at_export_naming_field_and_limit(hostile_ledger, tmp_path):
    """Issue item 3: 33,000 characters (kept from before the limits, or written by SQL)."""
    raw = sqlite3.connect(hostile_ledger.path)
    with raw:
        raw.execute("UPDATE projects SET progress_note = ? WHERE id = (SELECT min(id) FROM projects)", ("进" * 33_000,))
    raw.close()
    with hostile_ledger.read() as session:
        with pytest.raises(InputError) as caught:
            export_return(session, UNITS[0], PERIOD, tmp_path / "r.xlsx", today=TODAY)
    message = str(caught.value)
    assert "进展情况最多2,000个字，现有33,000个字" in message
    assert "\n" not in message and "\x01" not in message
    assert not (tmp_path / "r.xlsx").exists()


def test_the_editors_validation_refuses_long_free_text():
    data = ProjectData(name="项目", unit_id=1, dates={Stage.PLANNED: dt.date(2026, 1, 5)}, progress_note="进" * 2_000)
    from zsdesk.domain.validation import validate_project

    validate_project(data, TODAY)  # at the limit: fine
    data.problems = "问" * 2_001
    with pytest.raises(ValidationError) as caught:
        validate_project(data, TODAY)
    assert caught.value.field == "problems"
    assert str(caught.value) == "存在问题最多2,000个字，现有2,001个字，请删减后再保存"


def test_an_import_refuses_text_over_its_limit(hostile_ledger, tmp_path, monkeypatch):
    """A return from a zsdesk without limits (simulated: limits lifted while exporting)."""
    raw = sqlite3.connect(hostile_ledger.path)
    with raw:
        raw.execute("UPDATE projects SET notes = ? WHERE id = (SELECT min(id) FROM projects)", ("备" * 5_000,))
    raw.close()
    from zsdesk.returns import export as export_module

    monkeypatch.setattr(export_module, "_refuse_too_long", lambda *a: None)
    with hostile_ledger.read() as session:
        path = export_return(session, UNITS[0], PERIOD, tmp_path / "long.xlsx", today=TODAY).path
    monkeypatch.undo()
    county_path = tmp_path / "county.sqlite"
    create_ledger(county_path, COUNTY, UNITS).close()
    before = dump(county_path)
    done = subprocess.run(
        [sys.executable, "-m", "zsdesk.cli.main", "import-returns", "--db", str(county_path), str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 1
    [line] = [x for x in done.stdout.splitlines() if "拒绝" in x and "文件“" in x]
    assert "备注最多2,000个字，现有5,000个字" in line
    assert dump(county_path) == before


# --- the source: one writer --------------------------------------------------------

_WRITER = ROOT / "zsdesk" / "cellwriter.py"


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports_openpyxl = any(
        (isinstance(node, ast.Import) and any(a.name.startswith("openpyxl") for a in node.names))
        or (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"))
        for node in ast.walk(tree)
    )
    found = []
    for node in ast.walk(tree):
        line = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
            for alias in node.names:
                if alias.name in ("Workbook", "WriteOnlyCell", "Cell") or node.module in ("openpyxl.cell", "openpyxl.cell.cell"):
                    found.append(f"{line}: imports {node.module}.{alias.name}")
        if isinstance(node, ast.Attribute) and node.attr in ("Workbook", "WriteOnlyCell", "create_sheet", "merge_cells",
                                                               "_value", "data_type", "insert_rows", "delete_rows"):
            if isinstance(node.ctx, ast.Store) or node.attr in ("Workbook", "WriteOnlyCell", "create_sheet", "merge_cells",
                                                                 "insert_rows", "delete_rows"):
                found.append(f"{line}: .{node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = ast.unparse(node.func.value)
            if node.func.attr in ("append", "cell") and (receiver in ("ws", "worksheet", "book.active") or receiver.endswith(".ws")
                                                         or (imports_openpyxl and receiver in ("sheet", "self.ws"))):
                found.append(f"{line}: {receiver}.{node.func.attr}(")
        if isinstance(node, ast.Assign):
            for target in node.targets:
                text = ast.unparse(target)
                if isinstance(target, ast.Subscript) and (text.startswith(("ws[", "sheet[", "worksheet[")) or ".ws[" in text):
                    found.append(f"{line}: {text} =")
                if isinstance(target, ast.Attribute) and target.attr == "value" and imports_openpyxl:
                    found.append(f"{line}: {text} =")
    return found


def test_no_module_but_the_cell_writer_writes_cells():
    modules = [p for p in (ROOT / "zsdesk").rglob("*.py") if p != _WRITER]
    found = [v for p in modules for v in _violations(p)]
    assert found == []


def test_the_source_check_sees_a_direct_write(tmp_path):
    """The check above can fail: the audit export as it was on main is caught."""
    sample = ROOT / "zsdesk" / "_sample_for_check.py"
    sample.write_text(
        "from openpyxl import Workbook\n"
        "def export(rows):\n"
        "    book = Workbook()\n"
        "    sheet = book.active\n"
        "    for row in rows:\n"
        "        sheet.append(row)\n"
        "    sheet['A1'] = '=1+1'\n"
        "    sheet['A2'].value = 'x'\n",
        encoding="utf-8",
    )
    try:
        found = _violations(sample)
    finally:
        sample.unlink()
    assert any("Workbook" in f for f in found)
    assert any("sheet.append(" in f for f in found)
    assert any("sheet['A1'] =" in f for f in found)
    assert any(".value =" in f for f in found)
