"""The monthly return: its layout, the round trip through the bureau, corrections in Excel."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from returns_support import TODAY, dump, edit, first_row_with_funds, project_column
from zsdesk.cli.main import main
from zsdesk.domain.enums import Indicator, Stage
from zsdesk.domain.periods import YearMonth
from zsdesk.returns import Explanation, export_return, import_returns, preview_return, return_file_name
from zsdesk.returns import layout as L
from zsdesk.returns.importer import apply_return
from zsdesk.store import settings as keys
from zsdesk.store.ledger_setup import create_from
from zsdesk.store.models import FundRecord, ImportRecord, Project, Unit, Visit
from zsdesk.store.progress_query import load_progress

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends

UNIT = "安文街道"


@pytest.fixture
def exported(demo_ledger, period, tmp_path):
    path = tmp_path / "return.xlsx"
    with demo_ledger.read() as session:
        export_return(session, UNIT, period, path, today=TODAY)
    return path


@pytest.fixture
def county(request, backend, demo_path, tmp_path):
    """A new county ledger made from the demo (units and targets, no projects): a file or a server."""
    location = request.getfixturevalue("pg_url") if backend == "postgresql" else tmp_path / "county.sqlite"
    ledger = create_from(location, demo_path)
    yield ledger
    ledger.close()


def progress_json(path, month="2026-06", capsys=None):
    assert main(["progress", "--db", str(path), "--month", month, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# --- the form ---------------------------------------------------------------------------


def test_the_form_is_laid_out_for_printing(exported, demo_ledger, period):
    workbook = openpyxl.load_workbook(exported)
    assert workbook.sheetnames == [L.PROJECT_SHEET, L.TARGET_SHEET, L.VISIT_SHEET, "_zsdesk"]
    assert workbook["_zsdesk"].sheet_state == "hidden"
    ws = workbook[L.PROJECT_SHEET]
    assert ws["A1"].value == "磐安县招商引资工作月报表(2026年6月)"
    assert ws["A2"].value == "填报单位：安文街道"
    assert "单位：万元" in [c.value for c in ws[2]]
    assert [c.value for c in ws[3]][:3] == ["序号", "项目编号", "项目名称"]
    assert ws[f"{project_column('this_month')}3"].value == "到位资金"
    assert ws[f"{project_column('this_month')}4"].value == "本月"
    assert ws[f"{project_column('year_total')}4"].value == "本年累计"
    assert ws.freeze_panes == "D5"
    assert ws.print_title_rows == "$3:$4"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert str(ws.page_setup.paperSize) == "9"
    money = ws[f"{project_column('this_month')}5"]
    assert money.number_format == "#,##0.00##" and money.border.left.style == "thin"
    assert ws.column_dimensions["C"].width >= 20
    with demo_ledger.read() as session:
        unit = session.scalar(select(Unit).where(Unit.name == UNIT))
        count = len(unit.projects)
        total = sum(
            session.scalars(
                select(FundRecord.amount).join(Project).where(Project.unit_id == unit.id, FundRecord.year == 2026)
            ),
            Decimal(0),
        )
    total_row = L.FIRST_DATA_ROW + count
    assert ws[f"A{total_row}"].value == "合计"
    letter = project_column("year_total")
    assert ws[f"{letter}{total_row}"].value == f"=SUM({letter}5:{letter}{total_row - 1})"
    rows = [ws.cell(r, L.PROJECT_COL["year_total"]).value for r in range(5, total_row)]
    assert sum(Decimal(repr(v)) for v in rows) == total
    footer = " ".join(str(c.value) for c in ws[total_row + 2] if c.value)
    assert "填报人：张丽" in footer and "审核人：王建国" in footer and "联系电话：0579-84661234" in footer
    assert "填报日期：2026年11月27日" in footer


def test_targets_sheet_shows_the_figures_of_progress(exported, demo_ledger, period):
    ws = openpyxl.load_workbook(exported)[L.TARGET_SHEET]
    with demo_ledger.read() as session:
        rows = load_progress(session, period, unit=UNIT).for_unit(UNIT)
    printed = {ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(4, 9)] for r in range(4, 4 + len(Indicator))}
    for row in rows:
        target, actual, rate, schedule, status = printed[row.indicator.label]
        assert Decimal(repr(target)) == row.target if isinstance(target, float) else target == row.target
        assert Decimal(str(actual)) == row.actual
        assert rate == "—" if row.rate is None else Decimal(repr(rate)) == row.rate
        assert Decimal(repr(schedule)) == Decimal("0.5")
        assert status == row.status.label


def test_visits_sheet_lists_the_months_visits_and_events(demo_ledger, period, tmp_path):
    with demo_ledger.read() as session:
        counts = {}
        for unit in session.scalars(select(Unit)):
            visits = [v for v in session.scalars(select(Visit).where(Visit.unit_id == unit.id)) if YearMonth.of(v.date) == period]
            counts[unit.name] = len(visits)
        name = max(counts, key=counts.get)
        assert counts[name] > 0
        export_return(session, name, period, tmp_path / "v.xlsx", today=TODAY)
    ws = openpyxl.load_workbook(tmp_path / "v.xlsx")[L.VISIT_SHEET]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    section = next(i for i, r in enumerate(values) if r[0] == L.VISIT_SECTION)
    serials = [r[0] for r in values[section + 2 :] if isinstance(r[0], int)]
    assert serials[: counts[name]] == list(range(1, counts[name] + 1))
    assert any(r[0] == L.EVENT_SECTION for r in values)


def test_text_that_looks_like_a_formula_stays_text(ledger, period, tmp_path):
    names = ["=SUM(A1)", "+1", "-x", "@a", "#N/A", "普通项目"]
    with ledger.begin() as session:
        unit = session.scalar(select(Unit).where(Unit.name == "甲镇"))
        for i, name in enumerate(names):
            session.add(Project(code=f"XM-AAAAA-0000{i}", name=name, unit=unit, liaison_leader="=1+1"))
    with ledger.read() as session:
        export_return(session, "甲镇", period, tmp_path / "f.xlsx", today=TODAY)
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")[L.PROJECT_SHEET]
    for row, name in enumerate(names, start=5):
        cell = ws.cell(row, L.PROJECT_COL["name"])
        assert cell.value == name and cell.data_type == "s"
        assert cell.quotePrefix == (name[0] in "=+-@")
    leader = ws.cell(5, L.PROJECT_COL["liaison_leader"])
    assert leader.value == "=1+1" and leader.data_type == "s"


def test_explanations_become_a_sheet_and_the_return_still_imports(demo_ledger, county, period, tmp_path):
    path = tmp_path / "e.xlsx"
    with demo_ledger.read() as session:
        export_return(
            session,
            UNIT,
            period,
            path,
            explanations=[Explanation("累计超计划", "XM-1 某项目", "累计到位资金超过计划总投资", "二期追加投资"), ("a", "b", "c", "=d")],
            today=TODAY,
        )
    ws = openpyxl.load_workbook(path)[L.EXPLANATION_SHEET]
    assert [c.value for c in ws[4]] == [1, "累计超计划", "XM-1 某项目", "累计到位资金超过计划总投资", "二期追加投资"]
    assert ws["E5"].value == "=d" and ws["E5"].data_type == "s"
    [outcome] = import_returns(county, [path], today=TODAY)
    assert outcome.status == "imported"


def test_a_future_month_is_not_exported(demo_ledger, tmp_path):
    from zsdesk.errors import InputError

    with demo_ledger.read() as session, pytest.raises(InputError, match="尚未到来"):
        export_return(session, UNIT, YearMonth(2026, 12), tmp_path / "x.xlsx", today=TODAY)
    assert not (tmp_path / "x.xlsx").exists()


def test_file_names_are_safe():
    assert return_file_name("安文街道", YearMonth(2026, 6)) == "安文街道-2026年6月月报.xlsx"
    assert return_file_name('a/b:c*"', YearMonth(2026, 6)) == "a_b_c__-2026年6月月报.xlsx"


# --- the round trip -----------------------------------------------------------------------


def test_round_trip_through_the_command_line_gives_the_same_progress(demo_path, tmp_path, capsys):
    out = tmp_path / "returns"
    # Checked first: units with unexplained warnings are not exported without --force.
    assert main(["export-return", "--db", str(demo_path), "--month", "2026-06", "--out-dir", str(out)]) == 1
    err = capsys.readouterr().err
    assert "未导出" in err and "未说明的警告" in err
    assert 0 < len(list(out.glob("*.xlsx"))) < 18
    assert main(["export-return", "--db", str(demo_path), "--month", "2026-06", "--out-dir", str(out), "--force"]) == 0
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == 18
    assert any(L.EXPLANATION_SHEET in openpyxl.load_workbook(f, read_only=True).sheetnames for f in files)
    assert main(["new", str(tmp_path / "county.sqlite"), "--from", str(demo_path)]) == 0
    capsys.readouterr()
    assert main(["import-returns", "--db", str(tmp_path / "county.sqlite"), *map(str, files)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("已导入") for line in lines) == 18
    original = progress_json(demo_path, capsys=capsys)
    rebuilt = progress_json(tmp_path / "county.sqlite", capsys=capsys)
    assert rebuilt == original
    assert any(r["actual"] not in ("0", "0.0000") for r in rebuilt)
    before = dump(tmp_path / "county.sqlite")
    assert main(["import-returns", "--db", str(tmp_path / "county.sqlite"), *map(str, files)]) == 0
    after_second = dump(tmp_path / "county.sqlite")
    # The second pass may only link visits to projects of units imported after them.
    assert after_second["projects"] == before["projects"]
    assert after_second["fund_records"] == before["fund_records"]
    assert main(["import-returns", "--db", str(tmp_path / "county.sqlite"), *map(str, files)]) == 0
    assert dump(tmp_path / "county.sqlite") == after_second
    assert "无变化" in capsys.readouterr().out


def test_june_alone_gives_the_year_to_date(demo_ledger, county, period, tmp_path):
    """Importing one June return into a file with none of that unit's months."""
    path = tmp_path / "june.xlsx"
    with demo_ledger.read() as session:
        export_return(session, UNIT, period, path, today=TODAY)
        expected = {r.indicator: r.actual for r in load_progress(session, period, unit=UNIT).for_unit(UNIT)}
        source_march = session.scalars(
            select(FundRecord.amount)
            .join(Project)
            .join(Unit)
            .where(Unit.name == UNIT, FundRecord.year == 2026, FundRecord.month == 3)
        ).all()
    [outcome] = import_returns(county, [path], today=TODAY)
    assert outcome.status == "imported"
    with county.read() as session:
        got = {r.indicator: r.actual for r in load_progress(session, period, unit=UNIT).for_unit(UNIT)}
        march = session.scalars(
            select(FundRecord.amount).join(Project).join(Unit).where(Unit.name == UNIT, FundRecord.month == 3)
        ).all()
        record = session.scalar(select(ImportRecord))
    assert got[Indicator.DOMESTIC_FUNDS] == expected[Indicator.DOMESTIC_FUNDS] > 0
    assert got == expected
    assert sorted(march) == sorted(source_march) and march
    assert (record.year, record.month, record.file_name) == (2026, 6, "june.xlsx")
    assert len(record.file_sha256) == 64


def test_importing_twice_changes_nothing(exported, county, tmp_path):
    [first] = import_returns(county, [exported], today=TODAY)
    assert first.status == "imported" and len(first.preview.new) == 20
    before = dump(county)
    [second] = import_returns(county, [exported], today=TODAY)
    assert second.status == "unchanged"
    assert len(second.preview.unchanged) == 20 and second.preview.funds_changed == 0
    assert dump(county) == before


def test_preview_writes_nothing_and_counts_new_changed_unchanged(demo_ledger, county, period, tmp_path):
    path = tmp_path / "r.xlsx"
    with demo_ledger.read() as session:
        export_return(session, UNIT, period, path, today=TODAY)
    before = dump(county)
    with county.begin() as session:
        preview = preview_return(session, path, today=TODAY)
    assert dump(county) == before
    assert not preview.refused and (len(preview.new), len(preview.changed), len(preview.unchanged)) == (20, 0, 0)
    assert preview.unit == UNIT and preview.period == period
    import_returns(county, [path], today=TODAY)
    # The township changes a figure and a name, and exports again.
    with demo_ledger.begin() as session:
        project = session.scalar(select(Project).join(Unit).where(Unit.name == UNIT).order_by(Project.id))
        project.name = "改名后的项目"
        session.add(FundRecord(project=project, year=2026, month=1, amount=Decimal("12.3456")))
        session.flush()
        code = project.code
    with demo_ledger.read() as session:
        export_return(session, UNIT, period, path, today=TODAY)
    with county.read() as session:
        preview = preview_return(session, path, today=TODAY)
    assert [p.code for p in preview.changed] == [code]
    assert set(preview.changed[0].changes) == {"项目名称", "到位资金"}
    assert len(preview.unchanged) == 19 and preview.funds_changed == 1
    assert any("已导入过" in f for f in preview.findings)
    with county.begin() as session:
        apply_return(session, preview)
    with county.read() as session:
        stored = session.scalar(select(Project).where(Project.code == code))
        assert stored.name == "改名后的项目"
        assert [(f.month, f.amount) for f in stored.funds if f.month == 1] == [(1, Decimal("12.3456"))]


def test_a_new_import_replaces_the_units_month(demo_ledger, county, period, tmp_path):
    path = tmp_path / "r.xlsx"
    with demo_ledger.read() as session:
        export_return(session, UNIT, period, path, today=TODAY)
    import_returns(county, [path], today=TODAY)
    with demo_ledger.begin() as session:
        funds = session.scalars(
            select(FundRecord).join(Project).join(Unit).where(Unit.name == UNIT, FundRecord.year == 2026)
        ).all()
        removed = (funds[0].project.code, funds[0].month)
        session.delete(funds[0])
    with demo_ledger.read() as session:
        export_return(session, UNIT, period, path, today=TODAY)
        expected = load_progress(session, period, unit=UNIT).get(UNIT, Indicator.DOMESTIC_FUNDS).actual
    [outcome] = import_returns(county, [path], today=TODAY)
    assert outcome.status == "imported" and outcome.preview.funds_changed == 1
    with county.read() as session:
        assert load_progress(session, period, unit=UNIT).get(UNIT, Indicator.DOMESTIC_FUNDS).actual == expected
        left = session.scalars(
            select(FundRecord.month).join(Project).where(Project.code == removed[0], FundRecord.year == 2026)
        ).all()
    assert removed[1] not in left


# --- corrections in Excel -----------------------------------------------------------------


def test_a_coherent_correction_is_imported_as_printed(exported, county, tmp_path):
    row = first_row_with_funds(exported)
    workbook = openpyxl.load_workbook(exported)
    ws = workbook[L.PROJECT_SHEET]
    this_month = Decimal(repr(ws[f"{project_column('this_month')}{row}"].value))
    year_total = Decimal(repr(ws[f"{project_column('year_total')}{row}"].value))
    code = ws[f"{project_column('code')}{row}"].value
    corrected = edit(
        exported,
        tmp_path / "corrected.xlsx",
        {
            (L.PROJECT_SHEET, f"{project_column('this_month')}{row}"): float(this_month + Decimal("10.5")),
            (L.PROJECT_SHEET, f"{project_column('year_total')}{row}"): float(year_total + Decimal("10.5")),
            (L.PROJECT_SHEET, f"{project_column('stage')}{row}"): "开工",
            (L.PROJECT_SHEET, f"{project_column('zhejiang_return')}{row}"): "是",
        },
    )
    [outcome] = import_returns(county, [corrected], today=TODAY)
    assert outcome.status == "imported"
    findings = "\n".join(outcome.preview.findings)
    assert f"第{row}行{project_column('this_month')}列（到位资金·本月）在Excel中由“{_plain(this_month)}”改为“{_plain(this_month + Decimal('10.5'))}”" in findings
    with county.read() as session:
        project = session.scalar(select(Project).where(Project.code == code))
        june = next(f.amount for f in project.funds if (f.year, f.month) == (2026, 6))
        assert june == this_month + Decimal("10.5")
        assert project.stage == Stage.UNDER_CONSTRUCTION.value and project.zhejiang_return


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@pytest.mark.parametrize("which", ["this_month", "year_total"])
def test_a_correction_the_hidden_months_contradict_is_refused(exported, county, tmp_path, which):
    row = first_row_with_funds(exported)
    ref = f"{project_column(which)}{row}"
    value = openpyxl.load_workbook(exported)[L.PROJECT_SHEET][ref].value
    bad = edit(exported, tmp_path / "bad.xlsx", {(L.PROJECT_SHEET, ref): value + 100})
    before = dump(county)
    [outcome] = import_returns(county, [bad], today=TODAY)
    assert outcome.status == "refused"
    message = outcome.preview.refusal.message
    assert "bad.xlsx" in message and L.PROJECT_SHEET in message
    assert f"第{row}行{project_column('year_total')}列" in message and "不符" in message
    assert dump(county) == before


def test_a_changed_total_is_refused_but_a_recomputed_one_is_not(exported, county, tmp_path):
    ws = openpyxl.load_workbook(exported)[L.PROJECT_SHEET]
    total_row = next(r for r in range(5, ws.max_row + 1) if ws[f"A{r}"].value == "合计")
    letter = project_column("planned_investment")
    values = [Decimal(repr(ws[f"{letter}{r}"].value)) for r in range(5, total_row)]
    good = edit(exported, tmp_path / "good.xlsx", {(L.PROJECT_SHEET, f"{letter}{total_row}"): float(sum(values))})
    bad = edit(exported, tmp_path / "bad.xlsx", {(L.PROJECT_SHEET, f"{letter}{total_row}"): float(sum(values) + 1)})
    outcomes = import_returns(county, [bad, good], today=TODAY)
    assert [o.status for o in outcomes] == ["refused", "imported"]
    assert "合计" in outcomes[0].preview.refusal.message


def _busiest_unit(session, period) -> str:
    counts = {}
    for visit in session.scalars(select(Visit).where(Visit.date >= period.first_day, Visit.date <= period.last_day)):
        counts[visit.unit.name] = counts.get(visit.unit.name, 0) + 1
    return max(counts, key=counts.get)


def test_visit_corrections_are_read_from_the_form(demo_ledger, county, period, tmp_path):
    with demo_ledger.read() as session:
        name = _busiest_unit(session, period)
        export_return(session, name, period, tmp_path / "v.xlsx", today=TODAY)
    ws = openpyxl.load_workbook(tmp_path / "v.xlsx")[L.VISIT_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == 1)
    fixed = edit(tmp_path / "v.xlsx", tmp_path / "v2.xlsx", {(L.VISIT_SHEET, f"D{row}"): 9, (L.VISIT_SHEET, f"H{row}"): "签约意向"})
    [outcome] = import_returns(county, [fixed], today=TODAY)
    assert outcome.status == "imported", outcome.line
    assert any("考察对接" in f and "改为“9”" in f for f in outcome.preview.findings)
    with county.read() as session:
        visits = session.scalars(select(Visit).join(Unit).where(Unit.name == name).order_by(Visit.date, Visit.id)).all()
    assert visits[0].batches == 9 and visits[0].outcome == "签约意向"


def test_settings_fill_the_footer(ledger, period, tmp_path):
    with ledger.begin() as session:
        keys.set_setting(session, keys.CLERK_NAME, "李四")
        keys.set_setting(session, keys.PHONE, "=123")
    with ledger.read() as session:
        export_return(session, "乙乡", period, tmp_path / "f.xlsx", today=TODAY)
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")[L.PROJECT_SHEET]
    texts = [c.value for row in ws.iter_rows(min_row=5) for c in row if isinstance(c.value, str)]
    assert "填报人：李四" in texts and "联系电话：=123" in texts


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="soffice is not installed (Debian package libreoffice-calc-nogui; .ci/install installs it)")
def test_a_return_saved_again_by_libreoffice_imports_unchanged(exported, county, tmp_path):
    """LibreOffice opens the return, saves it again (shared strings, its own styles), and
    the bureau imports exactly the same figures, with no correction found."""
    out = tmp_path / "lo"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(exported)],
        capture_output=True, text=True, timeout=300,
    )
    resaved = out / exported.name
    assert result.returncode == 0 and resaved.exists(), result.stderr
    assert resaved.read_bytes() != exported.read_bytes()
    [outcome] = import_returns(county, [resaved], today=TODAY)
    assert outcome.status == "imported", outcome.line
    assert outcome.preview.findings == [] and len(outcome.preview.new) == 20
    [again] = import_returns(county, [exported], today=TODAY)
    assert again.preview.funds_changed == 0 and len(again.preview.unchanged) == 20
