"""The command line: demo, new, progress, and every bad input with exit status 2."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from zsdesk.cli.main import main

ROOT = Path(__file__).resolve().parents[1]


def zsdesk(*args, cwd=None):
    """Run zsdesk as a user would, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "zsdesk", *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_help_lists_commands_in_chinese_and_english():
    result = zsdesk("--help")
    assert result.returncode == 0
    for words in ("new", "demo", "progress", "新建空台账", "create an empty ledger"):
        assert words in result.stdout


def test_demo_is_deterministic(tmp_path):
    outputs = []
    for name in ("a.sqlite", "b.sqlite"):
        assert main(["demo", str(tmp_path / name), "--month", "2026-06"]) == 0
    for name in ("a.sqlite", "b.sqlite"):
        result = zsdesk("progress", "--db", tmp_path / name, "--month", "2026-06", "--json")
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    dump = []
    for name in ("a.sqlite", "b.sqlite"):
        with sqlite3.connect(tmp_path / name) as raw:
            dump.append([raw.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
                         for t in ("units", "projects", "fund_records", "investors", "visits", "targets")])
        raw.close()
    assert dump[0] == dump[1]


def test_demo_looks_like_the_review(demo_path):
    rows = json.loads(zsdesk("progress", "--db", demo_path, "--month", "2026-06", "--json").stdout)
    zj = [r for r in rows if r["indicator"] == "zhejiang_return_funds" and r["unit"]]
    assert any(r["status"] == "done" for r in zj)
    assert any(r["status"] == "behind" for r in zj)
    assert [r["unit"] for r in zj if r["status"] == "nothing"] == ["冷水镇"]
    assert len({r["unit"] for r in rows if r["unit"]}) == 18
    for r in rows:
        assert set(r) >= {"unit", "indicator", "target", "actual", "rate"}
    county = [r for r in rows if r["unit"] is None]
    assert len(county) == 7 and all(r["target"] for r in county)


def test_progress_json_sums_units(demo_path):
    from decimal import Decimal

    rows = json.loads(zsdesk("progress", "--db", demo_path, "--month", "2026-06", "--json").stdout)
    for indicator in {r["indicator"] for r in rows}:
        units = sum(Decimal(r["actual"]) for r in rows if r["indicator"] == indicator and r["unit"])
        county = next(Decimal(r["actual"]) for r in rows if r["indicator"] == indicator and r["unit"] is None)
        assert units <= county  # investors without a unit count for the county only
        if indicator.endswith("_funds"):
            assert units == county


def test_progress_text_and_one_unit(demo_path):
    result = zsdesk("progress", "--db", demo_path, "--month", "2026-06", "--unit", "冷水镇")
    assert result.returncode == 0, result.stderr
    assert "冷水镇" in result.stdout and "全县合计" in result.stdout and "尚湖镇" not in result.stdout
    assert "无实绩" in result.stdout


def test_new_with_units_and_from(tmp_path, demo_path):
    path = tmp_path / "n.sqlite"
    result = zsdesk("new", path, "--county", "测试县", "--units", "甲镇,乙乡，丙街道", "--unit", "甲镇")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT name, kind FROM units ORDER BY sort_order").fetchall() == [
            ("甲镇", "township"), ("乙乡", "township"), ("丙街道", "subdistrict")]
        assert dict(raw.execute("SELECT key, value FROM settings"))["own_unit"] == "甲镇"
    raw.close()

    copy = tmp_path / "from.sqlite"
    assert zsdesk("new", copy, "--from", demo_path).returncode == 0
    with sqlite3.connect(copy) as a, sqlite3.connect(demo_path) as b:
        q = "SELECT u.name, t.year, t.indicator, t.value FROM targets t JOIN units u ON u.id = t.unit_id ORDER BY 1, 2, 3"
        assert a.execute(q).fetchall() == b.execute(q).fetchall()
        assert a.execute("SELECT count(*) FROM projects").fetchone() == (0,)
        assert a.execute("SELECT * FROM county_targets ORDER BY id").fetchall() == b.execute(
            "SELECT * FROM county_targets ORDER BY id").fetchall()
    a.close()
    b.close()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--month", "2026-13"], "月份必须在1到12之间"),
        (["--month", "June"], "格式不对"),
        (["--month", "2099-01"], "尚未到来"),
        (["--month", "2019-06"], "没有2019年的目标任务"),
        (["--month", "2026-06", "--unit", "火星镇"], "未知的单位“火星镇”"),
    ],
)
def test_bad_progress_arguments(demo_path, args, words):
    before = digest(demo_path)
    result = zsdesk("progress", "--db", demo_path, *args)
    assert result.returncode == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert digest(demo_path) == before


def _damaged(tmp_path):
    path = tmp_path / "damaged.sqlite"
    main(["demo", str(path), "--month", "2026-06"])
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 50):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _newer(tmp_path):
    path = tmp_path / "newer.sqlite"
    main(["new", str(path), "--county", "县", "--units", "甲镇"])
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num='ffff'")
    raw.close()
    return path


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda tmp: (tmp / "text.sqlite", (tmp / "text.sqlite").write_text("hello")), "不是SQLite"),
        (lambda tmp: (_damaged(tmp),), "已损坏"),
        (lambda tmp: (_newer(tmp),), "更新版本"),
        (lambda tmp: (tmp / "missing.sqlite",), "找不到"),
    ],
)
def test_bad_files(tmp_path, make, words):
    path = make(tmp_path)[0]
    before = digest(path) if path.exists() else None
    result = zsdesk("progress", "--db", path, "--month", "2026-06")
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert (digest(path) if path.exists() else None) == before


def test_folder_without_write_permission(tmp_path):
    if os.geteuid() == 0:
        # root may write into any chmod-ed folder; sysfs refuses new files even to root
        folder = Path("/sys/kernel")
        if not folder.is_dir():
            pytest.skip("no sysfs here to stand for a folder without write permission")
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
    before = sorted(p.name for p in folder.iterdir())
    result = zsdesk("demo", folder / "x.sqlite", "--month", "2026-06")
    assert result.returncode == 2, result.stderr
    assert "无法在文件夹中写入文件" in result.stderr and "没有写入权限" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


def test_existing_file_is_not_overwritten(demo_path):
    before = digest(demo_path)
    result = zsdesk("demo", demo_path, "--month", "2026-06")
    assert result.returncode == 2 and "已存在" in result.stderr
    assert digest(demo_path) == before


def test_wrong_arguments_exit_2_in_chinese():
    result = zsdesk("progress", "--month", "2026-06")
    assert result.returncode == 2
    assert "缺少必需的参数" in result.stderr
