"""The data-safety commands: backup, backups, restore, lock-month, unlock-month, locks, audit."""

import sqlite3

from openpyxl import load_workbook

from zsdesk.cli.main import main
from zsdesk.store import backup


def projects(path):
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return raw.execute("SELECT count(*) FROM projects").fetchone()[0]
    finally:
        raw.close()


def test_backup_list_and_restore(demo_path, tmp_path, capsys):
    assert main(["backup", "--db", str(demo_path)]) == 0
    assert "已备份" in capsys.readouterr().out
    out = tmp_path / "copy.sqlite"
    assert main(["backup", "--db", str(demo_path), "--out", str(out)]) == 0
    assert projects(out) == projects(demo_path)
    assert main(["backup", "--db", str(demo_path), "--out", str(out)]) == 2
    assert "不会覆盖" in capsys.readouterr().err

    raw = sqlite3.connect(demo_path)
    raw.execute("DELETE FROM follow_ups")
    raw.execute("DELETE FROM fund_records")
    raw.execute("DELETE FROM visits")
    raw.execute("DELETE FROM projects")
    raw.commit()
    raw.close()
    assert projects(demo_path) == 0

    assert main(["backups", "--db", str(demo_path), "--check"]) == 0
    listing = capsys.readouterr().out
    assert "手动备份" in listing and "2026年6月" in listing and "序号" in listing
    assert main(["restore", "--db", str(demo_path), "--from", "1"]) == 0
    assert "恢复前的台账已另存为" in capsys.readouterr().out
    assert projects(demo_path) == projects(out)
    assert [c.reason for c in backup.list_backups(demo_path, contents=False)][:1] == ["restore"]


def test_backup_of_what_is_not_a_ledger(tmp_path, capsys):
    bad = tmp_path / "x.sqlite"
    bad.write_text("名称,金额\n", encoding="utf-8")
    assert main(["backup", "--db", str(bad)]) == 2
    assert "不是zsdesk台账文件" in capsys.readouterr().err
    assert main(["restore", "--db", str(bad), "--from", "nothing.sqlite"]) == 2
    assert "找不到备份文件" in capsys.readouterr().err


def test_lock_unlock_and_list(demo_path, tmp_path, capsys):
    db = str(demo_path)
    assert main(["lock-month", "--db", db, "--month", "2026-05", "--unit", "尚湖镇", "--unit", "方前镇"]) == 0
    assert "已锁定2026年5月：尚湖镇、方前镇" in capsys.readouterr().out
    assert main(["lock-month", "--db", db, "--month", "2026-05", "--unit", "没有这个镇"]) == 2
    assert "未知的单位" in capsys.readouterr().err
    assert main(["unlock-month", "--db", db, "--month", "2026-05", "--unit", "方前镇", "--reason", " "]) == 2
    assert "必须说明原因" in capsys.readouterr().err
    assert main(["unlock-month", "--db", db, "--month", "2026-05", "--unit", "方前镇", "--reason", "更正到位资金"]) == 0
    capsys.readouterr()
    assert main(["locks", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "尚湖镇  2026-05" in out and "更正到位资金" in out and "解锁" in out
    assert "方前镇  2026-05  20" not in out.split("\n\n")[0]  # no longer locked

    assert main(["lock-month", "--db", db, "--month", "2026-06", "--all"]) == 0
    raw = sqlite3.connect(demo_path)
    assert raw.execute("SELECT count(*) FROM month_locks WHERE month = 6").fetchone()[0] == 18
    raw.close()


def test_audit_export(demo_path, tmp_path, capsys):
    db = str(demo_path)
    main(["lock-month", "--db", db, "--month", "2026-06", "--all"])
    capsys.readouterr()
    out = tmp_path / "audit.xlsx"
    assert main(["audit", "--db", db, "--from", "2020-01-01", "--out", str(out)]) == 0
    assert "条修改记录" in capsys.readouterr().out
    sheet = load_workbook(out).active
    assert sheet.cell(2, 1).value == "时间"
    assert main(["audit", "--db", db, "--from", "2026-13-01", "--out", str(out)]) == 2
    assert "不是日期" in capsys.readouterr().err
