"""The checks at the return's door: export-return refuses a unit with unexplained problems,
lists them, and carries the explanations into the return's 审核说明 sheet."""

from __future__ import annotations

import json
from decimal import Decimal

import openpyxl

from zsdesk.cli.main import main
from zsdesk.domain.checks import explanation_rows
from zsdesk.domain.periods import YearMonth
from zsdesk.store.checks_query import explanations_for
from zsdesk.store.db import open_ledger

JUNE = YearMonth(2026, 6)


def run(capsys, *args):
    status = main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def sheet_rows(path) -> list[tuple[str, str, str, str]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        if "审核说明" not in book.sheetnames:
            return []
        rows = list(book["审核说明"].iter_rows(values_only=True))
    finally:
        book.close()
    start = next(i for i, row in enumerate(rows) if row and row[0] == "序号") + 1
    return [tuple(str(v) for v in row[1:5]) for row in rows[start:] if row and row[0] is not None]


def warnings_of(capsys, demo_path, unit):
    status, out, _ = run(capsys, "check", "--db", demo_path, "--unit", unit, "--month", "2026-06", "--json")
    return [f for f in json.loads(out)["findings"] if f["level"] == "warning"]


def test_a_unit_with_unexplained_warnings_is_not_exported(demo_path, tmp_path, capsys):
    out = tmp_path / "冷水镇.xlsx"
    status, _, err = run(capsys, "export-return", "--db", demo_path, "--month", "2026-06", "--unit", "冷水镇", "--out", out)
    assert status == 1 and not out.exists()
    warnings = warnings_of(capsys, demo_path, "冷水镇")
    assert "4个未说明的警告" in err
    for f in warnings:  # the list, with what --ack needs
        assert f"[警告] {f['title']}：{f['message']}（{f['rule']} {f['record_key']}）" in err


def test_explanations_are_carried_into_the_return(demo_path, tmp_path, capsys):
    for f in warnings_of(capsys, demo_path, "冷水镇"):
        status, _, err = run(capsys, "check", "--db", demo_path, "--ack", f["rule"], f["record_key"],
                             "--why", f"已核实：{f['label']}情况属实", "--by", "张丽")
        assert status == 0, err
    out = tmp_path / "冷水镇.xlsx"
    status, stdout, err = run(capsys, "export-return", "--db", demo_path, "--month", "2026-06", "--unit", "冷水镇",
                              "--out", out)
    assert status == 0, err
    assert "审核说明4条" in stdout
    with open_ledger(demo_path, readonly=True) as ledger, ledger.read() as s:
        expected = explanation_rows(explanations_for(s, "冷水镇", JUNE))
    rows = sheet_rows(out)
    assert rows == expected and len(rows) == 4
    assert all("已核实：" in r[3] and "（张丽，" in r[3] for r in rows)


def test_force_lets_warnings_through_and_says_so(demo_path, tmp_path, capsys):
    out = tmp_path / "尚湖镇.xlsx"
    status, _, err = run(capsys, "export-return", "--db", demo_path, "--month", "2026-06", "--unit", "尚湖镇",
                         "--out", out, "--force")
    assert status == 0, err
    rows = sheet_rows(out)
    assert rows and all(r[3] == "警告：未说明（强制导出）" for r in rows)
    assert len(rows) == len(warnings_of(capsys, demo_path, "尚湖镇"))


def test_force_never_passes_an_error(demo_path, tmp_path, capsys):
    from zsdesk.store.models import FundRecord, Project, Unit

    with open_ledger(demo_path) as ledger, ledger.begin() as s:
        project_id = s.query(Project.id).join(Unit).filter(Unit.name == "尚湖镇").first()[0]
        s.query(FundRecord).filter_by(project_id=project_id, year=2026, month=5).delete()
        s.add(FundRecord(project_id=project_id, year=2026, month=5, amount=Decimal(-1)))
    out = tmp_path / "尚湖镇.xlsx"
    status, _, err = run(capsys, "export-return", "--db", demo_path, "--month", "2026-06", "--unit", "尚湖镇",
                         "--out", out, "--force")
    assert status == 1 and not out.exists()
    assert "错误必须修改后才能导出" in err and "[错误] 到位资金为负数" in err
