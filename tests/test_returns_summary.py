"""The county summary (汇总表) and the targets grid (年度目标任务分解表)."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from returns_support import dump
from zsdesk.cli.main import main
from zsdesk.domain.enums import Indicator, Measure
from zsdesk.domain.periods import YearMonth
from zsdesk.returns.summary import COUNTY_LABEL, OVERVIEW_SHEET, export_summary
from zsdesk.returns.targets import SHEET, apply_targets, export_targets, preview_targets
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import CountyTarget, Target, Unit, target_from_base
from zsdesk.store.progress_query import load_progress

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends


def _number(value):
    return Decimal(repr(value)) if isinstance(value, float) else value


def test_summary_shows_the_figures_of_progress(demo_ledger, period, tmp_path):
    path = tmp_path / "summary.xlsx"
    with demo_ledger.read() as session:
        export_summary(session, period, path)
        table = load_progress(session, period)
    workbook = openpyxl.load_workbook(path)
    ws = workbook[OVERVIEW_SHEET]
    assert ws["A1"].value == "磐安县招商引资目标任务完成情况汇总表(2026年6月)"
    assert ws.print_title_rows == "$3:$4"
    rows = {ws.cell(r, 2).value: r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value}
    assert list(rows)[: len(table.units)] == table.units and COUNTY_LABEL in rows
    for offset, indicator in enumerate(Indicator):
        column = 3 + 4 * offset
        for unit in [*table.units, None]:
            row = table.get(unit, indicator)
            r = rows[unit or COUNTY_LABEL]
            target, actual, rate, rank = (ws.cell(r, column + i).value for i in range(4))
            assert (target == "—") if row.target is None else _number(target) == row.target
            assert _number(actual) == row.actual
            assert (rate == "—") if row.rate is None else _number(rate) == row.rate
            assert (rank or None) == row.rank
    # One sheet per indicator, the units by rank, the county last.
    sheet = workbook[Indicator.ZHEJIANG_RETURN_FUNDS.short_label]
    ranking = table.ranking(Indicator.ZHEJIANG_RETURN_FUNDS)
    assert [sheet.cell(4 + i, 2).value for i in range(len(ranking))] == [r.unit for r in ranking]
    assert sheet.cell(4 + len(table.units), 2).value == COUNTY_LABEL


def test_summary_is_not_a_return_and_a_return_is_not_a_targets_grid(demo_ledger, demo_path, period, tmp_path):
    from zsdesk.returns import export_return, preview_return

    with demo_ledger.read() as session:
        export_summary(session, period, tmp_path / "s.xlsx")
        export_return(session, "安文街道", period, tmp_path / "r.xlsx")
        assert "汇总表，不是月报" in preview_return(session, tmp_path / "s.xlsx").refusal.message
        assert "月报，不是年度目标任务分解表" in preview_targets(session, tmp_path / "r.xlsx").refusal.message


@pytest.fixture
def grid(demo_ledger, tmp_path):
    path = tmp_path / "targets.xlsx"
    with demo_ledger.read() as session:
        export_targets(session, 2026, path)
    return path


def _targets(ledger) -> dict:
    with ledger.read() as session:
        units = {
            (name, t.indicator): t.value
            for t, name in session.execute(select(Target, Unit.name).join(Unit).where(Target.year == 2026))
        }
        county = {(None, t.indicator): t.value for t in session.scalars(select(CountyTarget).where(CountyTarget.year == 2026))}
    return {**units, **county}


def test_targets_grid_round_trips_into_a_file_without_targets(demo_ledger, grid, tmp_path):
    with demo_ledger.read() as session:
        names = [u.name for u in session.scalars(select(Unit).order_by(Unit.sort_order))]
    other = create_ledger(tmp_path / "new.sqlite", "磐安县", names)
    ws = openpyxl.load_workbook(grid)[SHEET]
    assert ws["A1"].value == "磐安县2026年度招商引资目标任务分解表"
    assert ws.cell(4, 2).value == names[0] and ws.cell(4 + len(names), 2).value == "全县"
    with other.begin() as session:
        preview = preview_targets(session, grid)
        assert not preview.refused and preview.unchanged == 0
        assert len(preview.changes) == len(_targets(demo_ledger))
        apply_targets(session, preview)
    assert _targets(other) == _targets(demo_ledger)
    with other.begin() as session:
        again = preview_targets(session, grid)
    assert again.changes == [] and again.unchanged == (len(names) + 1) * len(Indicator)
    other.close()


def test_a_corrected_grid_changes_exactly_the_corrected_targets(demo_ledger, grid, tmp_path):
    workbook = openpyxl.load_workbook(grid)
    ws = workbook[SHEET]
    unit = ws["B5"].value
    ws["C5"] = 1234.5  # 引进内资到位资金 in 万元
    ws["I5"] = None  # 签约项目: no target any more
    workbook.save(tmp_path / "edited.xlsx")
    before = _targets(demo_ledger)
    with demo_ledger.begin() as session:
        preview = preview_targets(session, tmp_path / "edited.xlsx")
        assert [str(c) for c in preview.changes] == [
            f"{unit} 引进内资到位资金：{target_from_base(Indicator.DOMESTIC_FUNDS, before[(unit, 'domestic_funds')]).normalize():f} → 1234.5",
            f"{unit} 签约项目：{before[(unit, 'signed_projects')]} → （无）",
        ]
        apply_targets(session, preview)
    after = _targets(demo_ledger)
    assert after[(unit, "domestic_funds")] == 12_345_000
    assert (unit, "signed_projects") not in after
    assert {k: v for k, v in after.items() if k[0] != unit} == {k: v for k, v in before.items() if k[0] != unit}


@pytest.mark.parametrize(
    "cell, value, words",
    [
        ("B6", "没有这个镇", ["第6行B列", "不是本台账的单位"]),
        ("B6", "安文街道", ["第6行B列", "出现两次"]),
        ("D4", "很多", ["第4行D列", "是文字“很多”"]),
        ("E4", "=1+1", ["第4行E列", "是公式"]),
        ("C4", -1, ["第4行C列", "不能为负数"]),
        ("F4", 2.5, ["第4行F列", "应为整数"]),
        ("C3", "内资", ["第3行C列", "表头被改动"]),
    ],
)
def test_a_bad_grid_is_refused_and_nothing_changes(demo_ledger, demo_path, grid, tmp_path, cell, value, words):
    workbook = openpyxl.load_workbook(grid)
    workbook[SHEET][cell] = value
    workbook.save(tmp_path / "bad.xlsx")
    before = dump(demo_path)
    demo_ledger.close()
    assert main(["import-targets", "--db", str(demo_path), str(tmp_path / "bad.xlsx")]) == 1
    assert dump(demo_path) == before
    with demo_ledger.read() as session:
        message = preview_targets(session, tmp_path / "bad.xlsx").refusal.message
    assert "bad.xlsx" in message and all(word in message for word in words), message


def test_import_targets_dry_run_writes_nothing(demo_ledger, demo_path, grid, tmp_path, capsys):
    demo_ledger.close()  # one writer per file: the command opens it
    workbook = openpyxl.load_workbook(grid)
    workbook[SHEET]["C4"] = 1
    workbook.save(tmp_path / "edited.xlsx")
    before = dump(demo_path)
    assert main(["import-targets", "--db", str(demo_path), str(tmp_path / "edited.xlsx"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "→ 1" in out and "未写入" in out
    assert dump(demo_path) == before
    assert main(["import-targets", "--db", str(demo_path), str(tmp_path / "edited.xlsx")]) == 0
    assert dump(demo_path) != before


def test_summary_command(demo_path, tmp_path, capsys):
    assert main(["export-summary", "--db", str(demo_path), "--month", "2026-06", "--out", str(tmp_path / "s.xlsx")]) == 0
    assert (tmp_path / "s.xlsx").exists()
    assert main(["export-targets", "--db", str(demo_path), "--year", "2026", "--out", str(tmp_path / "t.xlsx")]) == 0
    assert [ws.title for ws in openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets] == [SHEET, "_zsdesk"]
    assert Measure.MONEY.label == "万元"
    assert YearMonth(2026, 6).chinese == "2026年6月"
