"""`zsdesk --selftest`: its checks, and its exit status when a step fails (from source)."""

from __future__ import annotations

import pytest

from zsdesk import selftest
from zsdesk.cli.main import main
from zsdesk.errors import ReadOnlyLocation


def test_check_file_accepts_a_real_file(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(selftest.PNG_MAGIC + b"x" * 100)
    assert selftest.check_file(path, selftest.PNG_MAGIC, 50, "图") == 108


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "没有写出"),
        (b"%PDF-" + b"x" * 100, "不是有效文件"),
        (selftest.PNG_MAGIC + b"x", "只有 9 字节"),
    ],
)
def test_check_file_rejects(tmp_path, content, words):
    path = tmp_path / "a.png"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(selftest.StepFailed, match=words):
        selftest.check_file(path, selftest.PNG_MAGIC, 50, "图")


def test_a_failing_step_fails_the_selftest(tmp_path, monkeypatch, capsys):
    def broken(run):
        raise selftest.StepFailed("故意失败")

    steps = [("生成演示县台账", selftest.step_demo), ("坏的一步", broken), ("计算完成进度", selftest.step_progress)]
    monkeypatch.setattr(selftest, "STEPS", steps)
    assert main(["--selftest", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("[1/3] 生成演示县台账：通过")
    assert out[2] == "[2/3] 坏的一步：失败 — 故意失败"
    assert out[3].startswith("[3/3] 计算完成进度：通过 — 18 个单位")
    assert out[-1] == "自检未通过：1 项失败（共 3 项）"
    assert (tmp_path / "out" / "selftest.txt").read_text(encoding="utf-8").splitlines() == out


def test_missing_part_is_named(tmp_path, monkeypatch, capsys):
    def needs_missing_part(run):
        selftest._import("zsdesk.no_such_part", "某个部分")

    monkeypatch.setattr(selftest, "STEPS", [("生成演示县台账", selftest.step_demo), ("缺的", needs_missing_part)])
    assert selftest.run_selftest(tmp_path) == 1
    assert "[2/2] 缺的：失败 — 此版本缺少某个部分（zsdesk.no_such_part）" in capsys.readouterr().out


def test_unwritable_output_folder_is_a_known_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ReadOnlyLocation, match="自检输出文件夹不能写入"):
        selftest.run_selftest(blocker / "out")
    assert main(["--selftest", str(blocker / "out")]) == 2


def test_window_step_leaves_the_users_settings_alone(tmp_path, monkeypatch, capsys, qapp):
    from PySide6.QtCore import QSettings

    from zsdesk.ui.qsettings import recent_files

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "user-settings"))
    before = recent_files()
    monkeypatch.setattr(selftest, "STEPS", [("生成演示县台账", selftest.step_demo), ("离屏打开主窗口", selftest.step_window)])
    assert selftest.run_selftest(tmp_path / "out") == 0, capsys.readouterr().out
    assert "[2/2] 离屏打开主窗口：通过 — 主窗口.png" in capsys.readouterr().out
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "user-settings"))
    assert recent_files() == before


def test_the_whole_selftest_passes_from_source(tmp_path, capsys, qapp):
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "user-settings"))
    out = tmp_path / "out"
    assert selftest.run_selftest(out) == 0, capsys.readouterr().out
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("：")[1][:2] for line in lines[1:-1]] == ["通过"] * len(selftest.STEPS)
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 5 and "selftest.txt" in names and "主窗口.png" in names
    assert sum(n.endswith(".xlsx") for n in names) == 1 and sum(n.endswith(".pdf") for n in names) == 1


@pytest.mark.parametrize(
    "columns, words",
    [
        (("本月",), "月报导入检查不通过"),  # the form disagrees with itself: refused
        (("本月", "本年累计"), "月报读回与台账不一致"),  # a consistent edit: would change the ledger
    ],
)
def test_a_return_that_does_not_read_back_fails(tmp_path, monkeypatch, capsys, columns, words):
    """An amount changed in the form after export: the read-back must catch it."""
    import openpyxl

    import zsdesk.returns as returns

    real_export = returns.export_return

    def export_then_tamper(session, unit, period, path, **kwargs):
        result = real_export(session, unit, period, path, **kwargs)
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        for column in [c.column for c in sheet[4] if c.value in columns]:  # 到位资金 sub-headers
            cell = sheet.cell(row=5, column=column)
            cell.value = (cell.value or 0) + 1
        book.save(path)
        return result

    monkeypatch.setattr(returns, "export_return", export_then_tamper)
    monkeypatch.setattr(selftest, "STEPS", selftest.STEPS[:3])
    assert selftest.run_selftest(tmp_path / "out") == 1
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[3/3]")]
    assert f"失败 — {words}" in line, line
