"""`zsdesk import-ledger`: exit 0 done, 1 rows refused, 2 bad arguments or file; one Chinese line per error."""

from __future__ import annotations

import json

from openpyxl import Workbook
from sqlalchemy import func, select

from tests.ledger_messy import layout_merged_cumulative, layout_titled_monthly, make_truth
from zsdesk.cli.main import main
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import FundRecord, Project


def _ledger(tmp_path):
    path = tmp_path / "l.sqlite"
    create_ledger(path, "测试县", ["甲镇", "乙乡"]).close()
    return path


def _projects(db):
    with open_ledger(db, readonly=True) as ledger, ledger.begin() as session:
        return sorted(session.scalars(select(Project.name)))


def test_import_dry_run_then_import_then_again(tmp_path, capsys):
    db = _ledger(tmp_path)
    truth = make_truth(6, seed=1)
    file = tmp_path / "台账.xlsx"
    layout_titled_monthly(file, truth, "甲镇")
    assert main(["import-ledger", "--db", str(db), str(file), "--unit", "甲镇", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "新增6个项目" in out and "没有写入任何数据" in out
    assert _projects(db) == []
    assert main(["import-ledger", "--db", str(db), str(file), "--unit", "甲镇"]) == 0
    out = capsys.readouterr().out
    assert "已导入：新增6个项目" in out and "审核：导入的项目有" in out
    assert _projects(db) == sorted(p.name for p in truth)
    assert main(["import-ledger", "--db", str(db), str(file), "--unit", "甲镇"]) == 0
    assert "没有改动" in capsys.readouterr().out


def test_refused_rows_exit_1_with_a_line_each(tmp_path, capsys):
    db = _ledger(tmp_path)
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["项目名称", "项目阶段", "计划总投资", "签约时间"])
    ws.append(["好项目", "签约", 100, "2026-3-5"])
    ws.append(["坏项目", "签约", "很多", "2026-3-5"])
    ws.append(["坏项目二", "签约", 100, "三月"])
    file = tmp_path / "bad.xlsx"
    wb.save(file)
    assert main(["import-ledger", "--db", str(db), str(file), "--unit", "乙乡"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "错误：工作表“台账”第3行C列（计划总投资）：“很多”不是金额",
        "错误：工作表“台账”第4行D列（签约时间）：“三月”无法识别为日期（可写作 2026-3-5、2026.3.5、2026年3月5日）",
    ]
    assert _projects(db) == ["好项目"]


def test_bad_file_and_arguments_exit_2(tmp_path, capsys):
    db = _ledger(tmp_path)
    wps = tmp_path / "台账.et"
    wps.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert main(["import-ledger", "--db", str(db), str(wps), "--unit", "甲镇"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("错误：文件“台账.et”：这是WPS表格专用格式")
    file = tmp_path / "a.xlsx"
    layout_titled_monthly(file, make_truth(2, seed=2), "甲镇")
    assert main(["import-ledger", "--db", str(db), str(file), "--unit", "丙镇"]) == 2
    assert "本台账没有单位“丙镇”" in capsys.readouterr().err
    assert main(["import-ledger", "--db", str(db), str(file)]) == 2
    assert "请指定这些项目属于哪个单位" in capsys.readouterr().err
    assert main(["import-ledger", "--db", str(db), str(file), "--unit", "甲镇", "--sheet", "没有"]) == 2
    assert "没有名为“没有”的工作表" in capsys.readouterr().err
    assert _projects(db) == []


def test_saved_mapping_reused_and_cumulative_month_stated(tmp_path, capsys):
    db = _ledger(tmp_path)
    truth = make_truth(5, seed=3)
    file = tmp_path / "merged.xlsx"
    layout_merged_cumulative(file, truth, "甲镇")
    mapping = tmp_path / "m.json"
    args = ["import-ledger", "--db", str(db), str(file), "--unit", "甲镇", "--cumulative-month", "2026-10"]
    assert main([*args, "--save-mapping", str(mapping)]) == 0
    saved = json.loads(mapping.read_text(encoding="utf-8"))
    assert saved["columns"]["到位资金（万元） / 本年累计"] == "funds_cumulative"
    assert saved["unit"] == "甲镇"
    capsys.readouterr()
    assert main(["import-ledger", "--db", str(db), str(file), "--mapping", str(mapping), "--cumulative-month", "2026-10"]) == 0
    assert "没有改动" in capsys.readouterr().out
    with open_ledger(db, readonly=True) as ledger, ledger.begin() as session:
        months = set(session.execute(select(FundRecord.year, FundRecord.month)).all())
        total = session.scalar(select(func.sum(FundRecord.amount)))
    assert months == {(2026, 10)}
    assert total == sum(p.cumulative for p in truth)
