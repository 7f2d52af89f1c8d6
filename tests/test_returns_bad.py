"""Every bad return is refused with a Chinese message naming the file (and where in it),
and the database is exactly as it was; the other files of a batch are imported."""

from __future__ import annotations

import datetime as dt
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from returns_support import TODAY, dump, edit, first_row_with_funds, project_column
from zsdesk.cli.main import main
from zsdesk.domain.periods import YearMonth
from zsdesk.returns import export_return, import_returns
from zsdesk.returns import layout as L
from zsdesk.returns.targets import export_targets
from zsdesk.store.ledger_setup import create_from, create_ledger
from zsdesk.store.models import MonthLock, Unit

UNIT = "安文街道"


@pytest.fixture
def setup(demo_ledger, demo_path, period, tmp_path):
    """A real export, and a county file that already holds another unit's return."""
    good = tmp_path / "good.xlsx"
    other = tmp_path / "other-unit.xlsx"
    with demo_ledger.read() as session:
        export_return(session, UNIT, period, good, today=TODAY)
        export_return(session, "尚湖镇", period, other, today=TODAY)
    county = create_from(tmp_path / "county.sqlite", demo_path)
    [outcome] = import_returns(county, [other], today=TODAY)
    assert outcome.status == "imported"
    yield good, county, demo_ledger
    county.close()


def _rewrite_member(source: Path, target: Path, member: str, transform) -> Path:
    """Copy a zip, passing one member's bytes through ``transform``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, transform(data) if info.filename == member else data)
    return target


PROJECT_XML = "xl/worksheets/sheet1.xml"


def not_xlsx(good, tmp, ctx):
    path = tmp / "notes.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    return path, ["不是Excel .xlsx 文件"]


def wrong_extension(good, tmp, ctx):
    path = tmp / "return.csv"
    path.write_bytes(good.read_bytes())
    return path, ["只接受 .xlsx 文件"]


def empty_file(good, tmp, ctx):
    path = tmp / "empty.xlsx"
    path.write_bytes(b"")
    return path, ["空的"]


def old_xls(good, tmp, ctx):
    path = tmp / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    return path, ["旧版Excel", ".xls"]


def xls_named_xlsx(good, tmp, ctx):
    path = tmp / "renamed.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\1" * 4000)
    return path, ["旧版Excel"]


def folder(good, tmp, ctx):
    path = tmp / "folder.xlsx"
    path.mkdir()
    return path, ["文件夹"]


def truncated(good, tmp, ctx):
    path = tmp / "truncated.xlsx"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path, ["已损坏或不完整"]


def damaged_bytes(good, tmp, ctx):
    path = tmp / "damaged.xlsx"
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo(PROJECT_XML)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + info.compress_size // 3, start + info.compress_size // 3 + 40):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    return path, ["已损坏"]


def damaged_xml(good, tmp, ctx):
    path = _rewrite_member(good, tmp / "badxml.xlsx", PROJECT_XML, lambda data: data[: len(data) // 2])
    return path, ["已损坏"]


def zip_bomb(good, tmp, ctx):
    path = tmp / "bomb.xlsx"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != PROJECT_XML:
                new.writestr(info.filename, old.read(info))
        new.writestr(PROJECT_XML, b" " * (40 * 2**20))
    return path, ["压缩炸弹"]


def million_rows(good, tmp, ctx):
    def add_rows(data: bytes) -> bytes:
        text = data.decode("utf-8")
        last = max(int(n) for n in re.findall(r'<row r="(\d+)"', text))
        rows = "".join(
            f'<row r="{r}"><c r="C{r}" t="inlineStr"><is><t>第{r}行</t></is></c></row>'
            for r in range(last + 1, last + 1_000_001)
        )
        return text.replace("</sheetData>", rows + "</sheetData>").encode("utf-8")

    path = _rewrite_member(good, tmp / "million.xlsx", PROJECT_XML, add_rows)
    return path, ["超出一份月报可能"]  # bounded before any XML is parsed


def another_form(good, tmp, ctx):
    path = tmp / "another.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["序号", "项目名称", "金额"])
    workbook.active.append([1, "某项目", 100])
    workbook.save(path)
    return path, ["不是zsdesk导出的月报"]


def targets_grid(good, tmp, ctx):
    path = tmp / "targets.xlsx"
    with ctx["demo"].read() as session:
        export_targets(session, 2026, path)
    return path, ["这是zsdesk的年度目标任务分解表，不是月报"]


def edited_header(good, tmp, ctx):
    path = edit(good, tmp / "header.xlsx", {(L.PROJECT_SHEET, "D3"): "投资单位"})
    return path, ["表头被改动", "第3行D列", "投资单位"]


def edited_title_month(good, tmp, ctx):
    path = edit(good, tmp / "title.xlsx", {(L.PROJECT_SHEET, "A1"): "磐安县招商引资工作月报表(2026年5月)"})
    return path, ["标题应为", "第1行A列"]


def text_in_number(good, tmp, ctx):
    row = first_row_with_funds(good)
    col = project_column("this_month")
    path = edit(good, tmp / "text.xlsx", {(L.PROJECT_SHEET, f"{col}{row}"): "12.5"})
    return path, [f"第{row}行{col}列", "是文字“12.5”", "应填写数字"]


def formula_in_number(good, tmp, ctx):
    col = project_column("planned_investment")
    path = edit(good, tmp / "formula.xlsx", {(L.PROJECT_SHEET, f"{col}5"): "=1+2"})
    return path, [f"第5行{col}列", "是公式“=1+2”"]


def negative_amount(good, tmp, ctx):
    col = project_column("planned_investment")
    path = edit(good, tmp / "negative.xlsx", {(L.PROJECT_SHEET, f"{col}6"): -5})
    return path, [f"第6行{col}列", "不能为负数"]


def negative_month(good, tmp, ctx):
    row = first_row_with_funds(good)
    col = project_column("this_month")
    path = edit(good, tmp / "negative-month.xlsx", {(L.PROJECT_SHEET, f"{col}{row}"): -1})
    return path, [f"第{row}行{col}列", "不能为负数"]


def too_many_decimals(good, tmp, ctx):
    col = project_column("planned_investment")
    path = edit(good, tmp / "decimals.xlsx", {(L.PROJECT_SHEET, f"{col}5"): 1.234567})
    return path, ["小数位太多"]


def bad_flag(good, tmp, ctx):
    col = project_column("declared")
    path = edit(good, tmp / "flag.xlsx", {(L.PROJECT_SHEET, f"{col}5"): "也许"})
    return path, [f"第5行{col}列", "应填“是”或“否”"]


def future_month(good, tmp, ctx):
    path = tmp / "future.xlsx"
    with ctx["demo"].read() as session:
        export_return(session, UNIT, YearMonth(2027, 3), path, today=dt.date(2027, 4, 1))
    return path, ["2027年3月尚未到来"]


def unknown_unit(good, tmp, ctx):
    other = create_ledger(tmp / "stranger.sqlite", "磐安县", ["戊镇"])
    path = tmp / "stranger.xlsx"
    with other.read() as session:
        export_return(session, "戊镇", YearMonth(2026, 6), path, today=TODAY)
    other.close()
    return path, ["填报单位“戊镇”不是本台账的单位"]


def other_county(good, tmp, ctx):
    other = create_ledger(tmp / "elsewhere.sqlite", "东阳市", [UNIT])
    path = tmp / "elsewhere.xlsx"
    with other.read() as session:
        export_return(session, UNIT, YearMonth(2026, 6), path, today=TODAY)
    other.close()
    return path, ["这是“东阳市”的月报"]


def code_twice(good, tmp, ctx):
    col = project_column("code")
    code = openpyxl.load_workbook(good)[L.PROJECT_SHEET][f"{col}5"].value
    path = edit(good, tmp / "twice.xlsx", {(L.PROJECT_SHEET, f"{col}7"): code})
    return path, [f"第7行{col}列", f"项目编号“{code}”在表中出现两次（另见第5行）"]


def unknown_code(good, tmp, ctx):
    col = project_column("code")
    path = edit(good, tmp / "code.xlsx", {(L.PROJECT_SHEET, f"{col}5"): "XM-00000-00000"})
    return path, [f"第5行{col}列", "不在本月报的隐藏数据中"]


def row_added(good, tmp, ctx):
    workbook = openpyxl.load_workbook(good)
    ws = workbook[L.PROJECT_SHEET]
    ws.insert_rows(6)
    ws["C6"] = "Excel里加的项目"
    path = tmp / "added.xlsx"
    workbook.save(path)
    return path, ["第6行B列", "没有项目编号"]


def row_deleted(good, tmp, ctx):
    workbook = openpyxl.load_workbook(good)
    ws = workbook[L.PROJECT_SHEET]
    name = ws["C5"].value
    ws.delete_rows(5)
    path = tmp / "deleted.xlsx"
    workbook.save(path)
    return path, [f" {name} ", "在本月报中被删除"]


def row_below_the_totals(good, tmp, ctx):
    workbook = openpyxl.load_workbook(good)
    ws = workbook[L.PROJECT_SHEET]
    total = next(r for r in range(5, ws.max_row + 1) if ws[f"A{r}"].value == "合计")
    ws[f"B{total + 1}"] = "XM-AAAAA-BBBBB"
    ws[f"{project_column('this_month')}{total + 1}"] = 100
    path = tmp / "below.xlsx"
    workbook.save(path)
    return path, [f"第{total + 1}行", "合计”行之后还有项目或数字"]


def visit_below_the_subtotal(good, tmp, ctx):
    workbook = openpyxl.load_workbook(good)
    ws = workbook[L.VISIT_SHEET]
    last = max(r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == "小计")
    ws[f"A{last + 1}"] = 99
    ws[f"D{last + 1}"] = 3
    path = tmp / "visit-below.xlsx"
    workbook.save(path)
    return path, [f"第{last + 1}行", "小计”行之后还有记录或数字"]


def hidden_sheet_edited(good, tmp, ctx):
    workbook = openpyxl.load_workbook(good)
    ws = workbook["_zsdesk"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "#projects")
    row = header + 1
    assert ws.cell(row, 1).value == "projects"
    ws.cell(row, 1 + 1 + list(L.PROJECT_FIELDS).index("m01")).value = "999990000"
    path = tmp / "hidden.xlsx"
    workbook.save(path)
    return path, ["校验码不符"]


def hidden_sheet_removed(good, tmp, ctx):
    workbook = openpyxl.load_workbook(good)
    del workbook["_zsdesk"]
    path = tmp / "nohidden.xlsx"
    workbook.save(path)
    return path, ["缺少隐藏的数据表"]


def locked_month(good, tmp, ctx):
    county = ctx["county"]
    with county.begin() as session:
        unit = session.query(Unit).filter_by(name=UNIT).one()
        session.add(MonthLock(unit_id=unit.id, year=2026, month=6, locked_by="王建国"))
    return good, [f"{UNIT}2026年6月已锁定"]


CASES = [
    not_xlsx,
    wrong_extension,
    empty_file,
    old_xls,
    xls_named_xlsx,
    folder,
    truncated,
    damaged_bytes,
    damaged_xml,
    zip_bomb,
    million_rows,
    another_form,
    targets_grid,
    edited_header,
    edited_title_month,
    text_in_number,
    formula_in_number,
    negative_amount,
    negative_month,
    too_many_decimals,
    bad_flag,
    future_month,
    unknown_unit,
    other_county,
    code_twice,
    unknown_code,
    row_added,
    row_deleted,
    row_below_the_totals,
    visit_below_the_subtotal,
    hidden_sheet_edited,
    hidden_sheet_removed,
    locked_month,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_return_is_refused_and_nothing_changes(setup, tmp_path, case):
    good, county, demo = setup
    work = tmp_path / "bad"
    work.mkdir()
    path, words = case(good, work, {"demo": demo, "county": county})
    before = dump(county.path)
    started = time.perf_counter()
    [outcome] = import_returns(county, [path], today=TODAY)
    elapsed = time.perf_counter() - started
    assert outcome.status == "refused"
    message = outcome.preview.refusal.message
    assert f"文件“{path.name}”" in message
    for word in words:
        assert word in message, message
    assert dump(county.path) == before
    assert elapsed < 60  # bounded reading, not a hang


def test_a_batch_goes_on_after_a_refused_file(setup, tmp_path, capsys):
    good, county, _demo = setup
    bad = edit(good, tmp_path / "bad.xlsx", {(L.PROJECT_SHEET, "D3"): "投资单位"})
    junk = tmp_path / "junk.xlsx"
    junk.write_text("x")
    path = county.path
    county.close()
    code = main(["import-returns", "--db", str(path), str(bad), str(good), str(junk)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].startswith("已拒绝") and "bad.xlsx" in out[0]
    assert out[1].startswith("已导入") and "good.xlsx" in out[1]
    assert any(line.startswith("已拒绝") and "junk.xlsx" in line for line in out)
    assert out[-1] == "共3个文件：导入1个，无变化0个，拒绝2个"


def test_export_command_needs_a_unit_for_a_single_file(demo_path, tmp_path, capsys):
    assert main(["export-return", "--db", str(demo_path), "--month", "2026-06", "--out", str(tmp_path / "a.xlsx")]) == 2
    assert "--unit" in capsys.readouterr().err
    assert main(["export-return", "--db", str(demo_path), "--month", "2099-06", "--unit", UNIT,
                 "--out", str(tmp_path / "a.xlsx")]) == 2
    assert main(["export-return", "--db", str(demo_path), "--month", "2026-06", "--unit", "没有这个镇",
                 "--out", str(tmp_path / "a.xlsx")]) == 2
    assert "未知的单位" in capsys.readouterr().err
    assert not (tmp_path / "a.xlsx").exists()
