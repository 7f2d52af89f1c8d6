"""`zsdesk check` and `zsdesk brief` from the command line: output and exit status."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from zsdesk.cli.main import main
from zsdesk.store.models import FundRecord, Project

ROOT = Path(__file__).resolve().parents[1]


def zsdesk(*args):
    """zsdesk as a user runs it, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "zsdesk", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run(capsys, *args):
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def add_negative_funds(path, unit_code="XM-NEG00-00001"):
    from zsdesk.store.db import open_ledger
    from zsdesk.store.models import Unit

    ledger = open_ledger(path)
    with ledger.begin() as s:
        uid = s.query(Unit.id).filter(Unit.name == "冷水镇").scalar()
        p = Project(code=unit_code, name="负数资金测试项目", unit_id=uid, stage="signed", negotiating_on=dt.date(2026, 1, 5),
                    signed_on=dt.date(2026, 2, 1), planned_investment=Decimal(100), liaison_leader="孙伟",
                    responsible_unit="冷水镇", investor_id=1)
        s.add(p)
        s.flush()
        s.add(FundRecord(project_id=p.id, year=2026, month=3, amount=Decimal(-2)))
    ledger.close()


def test_warnings_only_exit_0_and_strict_exits_1(demo_path, capsys):
    status, out, _ = run(capsys, "check", "--db", demo_path, "--unit", "冷水镇", "--month", "2026-06")
    assert status == 0
    assert "审核：冷水镇 2026年6月月报" in out and "警告（" in out and "[no_liaison_leader]" in out
    assert "合计：0个错误" in out and "尚未说明" in out
    status, _, _ = run(capsys, "check", "--db", demo_path, "--unit", "冷水镇", "--month", "2026-06", "--strict")
    assert status == 1


def test_an_error_exits_1(demo_path, capsys):
    add_negative_funds(demo_path)
    status, out, _ = run(capsys, "check", "--db", demo_path, "--unit", "冷水镇", "--month", "2026-06", "--level", "error")
    assert status == 1
    assert "错误（1）" in out and "fund:XM-NEG00-00001:2026-03" in out and "到位资金为负数（-2万元）" in out
    assert "警告（" not in out  # --level error hides them, the total still counts them
    assert "有错误：请修改数据后再报送" in out
    status, _, _ = run(capsys, "check", "--db", demo_path, "--unit", "尚湖镇", "--month", "2026-06")
    assert status == 0  # another unit's error does not count


def test_json(demo_path, capsys):
    status, out, _ = run(capsys, "check", "--db", demo_path, "--month", "2026-06", "--json")
    assert status == 0
    report = json.loads(out)
    assert report["errors"] == 0 and report["warnings"] > 0 and report["blocking"] == report["warnings"]
    first = report["findings"][0]
    assert {"rule", "level", "message", "record_key", "kind", "id", "unit", "explanation"} <= set(first)
    assert all(f["level"] in ("warning", "hint") for f in report["findings"])


def test_acknowledge_from_the_command_line(demo_path, capsys):
    status, out, _ = run(capsys, "check", "--db", demo_path, "--unit", "冷水镇", "--month", "2026-06", "--json")
    warning = next(f for f in json.loads(out)["findings"] if f["level"] == "warning")
    status, out, _ = run(capsys, "check", "--db", demo_path, "--ack", warning["rule"], warning["record_key"],
                         "--why", "联系领导下周由县政府确定", "--by", "张丽")
    assert status == 0 and "已记录说明" in out
    # in a fresh process, from the file
    result = zsdesk("check", "--db", demo_path, "--unit", "冷水镇", "--month", "2026-06", "--json")
    again = next(f for f in json.loads(result.stdout)["findings"] if f["record_key"] == warning["record_key"]
                 and f["rule"] == warning["rule"])
    assert again["explanation"] == "联系领导下周由县政府确定" and again["explained_by"] == "张丽"
    status, out, _ = run(capsys, "check", "--db", demo_path, "--unit", "冷水镇", "--month", "2026-06")
    assert "说明：联系领导下周由县政府确定（张丽" in out and "其中1个已说明" in out
    status, out, _ = run(capsys, "check", "--db", demo_path, "--withdraw", warning["rule"], warning["record_key"])
    assert status == 0 and "已撤回" in out


@pytest.mark.parametrize(
    "args, words",
    [
        (["--ack", "no_liaison_leader", "project:XM-09XK5-XTPM0", "--why", "好"], "至少"),
        (["--ack", "no_liaison_leader", "project:XM-09XK5-XTPM0"], "--why"),
        (["--ack", "negative_funds", "fund:XM-NEG00-00001:2026-03", "--why", "这是冲销的退款"], "必须修改数据"),
        (["--ack", "nope", "project:X", "--why", "随便写点什么吧"], "没有审核规则"),
        (["--withdraw", "no_liaison_leader", "project:XM-NONE0-00000"], "没有这条说明"),
        (["--month", "2099-01"], "尚未到来"),
        (["--unit", "火星镇"], "未知的单位“火星镇”"),
        (["--why", "单独的说明没有意义"], "--ack"),
    ],
)
def test_bad_check_arguments(demo_path, capsys, args, words):
    add_negative_funds(demo_path)
    before = digest(demo_path)
    status, _, err = run(capsys, "check", "--db", demo_path, *args)
    assert status == 2
    assert words in err and len(err.strip().splitlines()) == 1
    assert digest(demo_path) == before


def test_check_needs_a_file(capsys):
    status, _, err = run(capsys, "check")
    assert status == 2 and "--db" in err


def test_rules_list(capsys):
    status, out, _ = run(capsys, "check", "--rules")
    assert status == 0 and "undeclared_construction" in out and "已开工未申报" in out


def test_brief_command_in_a_fresh_process(demo_path):
    result = zsdesk("brief", "--db", demo_path, "--month", "2026-06")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("磐安县招商引资工作简报（2026年1-6月）")
    assert "（一）主要数据。" in result.stdout and "（二）工作进展不平衡。" in result.stdout
