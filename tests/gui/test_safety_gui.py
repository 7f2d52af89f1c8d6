"""Data safety in the window: restore, audit export, month locks, history page, opening dialogs."""

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QTabWidget
from sqlalchemy import select

from zsdesk.errors import KnownError
from zsdesk.store import backup
from zsdesk.store.db import open_ledger
from zsdesk.store.locks import MonthLocked
from zsdesk.store.models import FundRecord, Project, Unit
from zsdesk.ui import safety_dialogs
from zsdesk.ui.ext_safety import open_audit_export, open_month_locks, open_restore

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def shoot(widget, name):
    """Screenshots of the dialogs, looked at by eye (not compared)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"safety-{name}.png"))


def count(path, table="projects"):
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        raw.close()


@pytest.fixture
def answers(monkeypatch):
    """What the clerk answers to each question (in order), and the questions asked."""
    given, asked = [], []

    def choose(parent, title, text, options, icon=None):
        asked.append((title, text, [key for key, _ in options]))
        return given.pop(0) if given else "cancel"

    monkeypatch.setattr(safety_dialogs, "choose", choose)
    return given, asked


def test_menus_have_the_safety_actions(demo_window):
    names = {a.objectName() for a in demo_window.menu("file").actions()}
    assert {"restoreBackupAction", "exportAuditAction"} <= names
    assert "monthLocksAction" in {a.objectName() for a in demo_window.menu("tools").actions()}
    assert demo_window.installed_extensions.count("ext_safety") == 1


def test_restore_from_a_backup_in_the_window(demo_window, demo_path, answers, qtbot):
    given, asked = answers
    before = count(demo_path)
    with demo_window.context.ledger.begin() as s:
        s.delete(s.scalars(select(Project).where(~Project.funds.any())).first())
    assert count(demo_path) == before - 1

    dialog = open_restore(demo_window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1  # today's backup, taken when the window opened the file
    row = [dialog.table.item(0, c).text() for c in range(5)]
    assert row[1] == "打开时自动备份" and row[2] == str(before) and row[3] == "2026年6月"
    shoot(dialog, "restore")

    given.append("restore")
    with qtbot.waitSignal(demo_window.context.ledger_changed):
        assert dialog.restore_selected()
    assert "替换当前台账的内容" in asked[0][1]
    assert count(demo_path) == before
    assert not demo_window.context.ledger.readonly
    with demo_window.context.read() as s:
        assert len(s.scalars(select(Project.id)).all()) == before
    reasons = [c.reason for c in backup.list_backups(demo_path, contents=False)]
    assert reasons[0] == "restore" and "open" in reasons
    assert "已从备份恢复" in demo_window.statusBar().currentMessage()
    with demo_window.context.ledger.begin() as s:  # the window writes on to the restored file
        s.scalars(select(Project)).first().notes = "恢复后修改"


def test_restore_cancelled_changes_nothing(demo_window, demo_path, answers, qtbot):
    dialog = open_restore(demo_window)
    qtbot.addWidget(dialog)
    ledger = demo_window.context.ledger
    assert not dialog.restore_selected()
    assert demo_window.context.ledger is ledger and len(backup.list_backups(demo_path)) == 1


def test_export_the_audit_trail(demo_window, tmp_path, qtbot):
    with demo_window.context.ledger.begin() as s:
        project = s.scalars(select(Project).order_by(Project.id)).first()
        old = project.planned_investment
        project.planned_investment = old + Decimal("1.5")
    dialog = open_audit_export(demo_window)
    qtbot.addWidget(dialog)
    shoot(dialog, "audit-export")
    target = tmp_path / "修改记录.xlsx"
    exported = dialog.export(target)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert len(rows) == 2 + exported  # the file's creation today, then this edit
    new = old + Decimal("1.5")
    assert rows[-1][1:] == ("张丽", "修改", "项目", f"{project.code} {project.name}", "计划总投资（万元）", f"{old.normalize():f}", f"{new.normalize():f}")


def test_lock_and_unlock_a_month(demo_window, qtbot):
    dialog = open_month_locks(demo_window)
    qtbot.addWidget(dialog)
    dialog.unit.setCurrentIndex(dialog.unit.findText("尚湖镇"))
    dialog.year.setValue(2026)
    dialog.month.setValue(5)
    assert dialog.lock()
    assert dialog.locked_table.rowCount() == 1 and dialog.locked_table.item(0, 0).text() == "尚湖镇"
    with demo_window.context.read() as s:
        unit = s.scalar(select(Unit.id).where(Unit.name == "尚湖镇"))
        fund_id = s.scalar(
            select(FundRecord.id).join(Project).where(Project.unit_id == unit, FundRecord.year == 2026, FundRecord.month == 5)
        )
    assert fund_id is not None

    def change(session):
        session.get(FundRecord, fund_id).amount += Decimal(1)

    with pytest.raises(MonthLocked, match="尚湖镇2026年5月已锁定"):
        demo_window.context.write(change)
    assert not dialog.unlock()  # no reason
    assert "必须说明原因" in dialog.message.text()
    dialog.reason.setText("县局要求更正5月到位资金")
    assert dialog.unlock()
    demo_window.context.write(change)
    assert dialog.locked_table.rowCount() == 0
    events = [[dialog.events_table.item(r, c).text() for c in (1, 2, 3, 5)] for r in range(dialog.events_table.rowCount())]
    assert events == [["解锁", "尚湖镇", "2026-05", "县局要求更正5月到位资金"], ["锁定", "尚湖镇", "2026-05", ""]]
    dialog.unit.setCurrentIndex(0)  # 全部单位
    assert dialog.lock()
    assert dialog.locked_table.rowCount() == 18
    shoot(dialog, "month-locks")


def test_history_page_in_the_project_editor(demo_window, qtbot):
    with demo_window.context.read() as s:
        project_id = s.scalars(select(Project.id).order_by(Project.id)).first()
    with demo_window.context.ledger.begin() as s:
        s.get(Project, project_id).progress_note = "已完成土地摘牌"
    editor = demo_window.open_project(project_id)
    qtbot.addWidget(editor)
    pages = editor.findChild(QTabWidget, "projectEditorPages")
    titles = [pages.tabText(i) for i in range(pages.count())]
    assert titles.count("修改记录") == 1
    page = editor.findChild(safety_dialogs.HistoryPage, "historyPage")
    rows = [[page.table.item(r, c).text() for c in range(8)] for r in range(page.table.rowCount())]
    assert any(r[5] == "进展情况" and r[7] == "已完成土地摘牌" and r[1] == "张丽" for r in rows)
    pages.setCurrentIndex(titles.index("修改记录"))
    editor.resize(1000, 600)
    shoot(editor, "history-page")


def test_a_new_project_has_no_history_yet(demo_window, qtbot):
    editor = demo_window.open_project(None)
    qtbot.addWidget(editor)
    page = editor.findChild(safety_dialogs.HistoryPage, "historyPage")
    assert page.table.isHidden() and not page.empty.isHidden()


def test_a_file_held_by_another_window_opens_read_only(window_on, demo_path, tmp_path, answers, qtbot):
    given, asked = answers
    other = tmp_path / "other.sqlite"
    backup.copy_to(demo_path, other)
    holder = open_ledger(other)  # another window of this same zsdesk has it
    try:
        window = window_on(demo_path)
        given.append("readonly")
        assert window.open_file(other)
        title, text, options = asked[0]
        assert options == ["readonly", "cancel"] and "只读方式" in text and "张丽" in text
        assert window.context.ledger.readonly and window.context.ledger.path == other
        assert window.windowTitle().startswith("（只读）")
        with pytest.raises(KnownError, match="只读方式打开"):
            window.context.write(lambda s: setattr(s.scalars(select(Project)).first(), "notes", "x"))
        assert not window.open_file(other)  # cancelled this time: the read-only file stays
        assert window.context.ledger.path == other
    finally:
        holder.close()


def test_the_window_reopening_its_own_file_keeps_it(demo_window, demo_path):
    ledger = demo_window.context.ledger
    assert demo_window.open_file(demo_path)
    assert demo_window.context.ledger is ledger and not ledger.readonly


def test_a_damaged_file_is_offered_its_newest_good_backup(demo_path, answers, qtbot):
    given, asked = answers
    open_ledger(demo_path).close()  # today's backup
    [good] = backup.list_backups(demo_path)
    data = bytearray(demo_path.read_bytes())
    for offset in range(4096, min(len(data), 40 * 4096), 97):
        data[offset] = 0xA5
    demo_path.write_bytes(bytes(data))

    assert safety_dialogs.open_ledger_interactively(None, demo_path) is None  # the clerk said no
    assert demo_path.read_bytes() == bytes(data)
    given.append("restore")
    ledger = safety_dialogs.open_ledger_interactively(None, demo_path)
    try:
        assert good.path.name in asked[0][1] and asked[0][2] == ["restore", "cancel"]
        with ledger.read() as s:
            assert len(s.scalars(select(Project.id)).all()) == good.projects
    finally:
        ledger.close()
    damaged = [c for c in backup.list_backups(demo_path, contents=False) if c.reason == "damaged"]
    assert len(damaged) == 1 and damaged[0].path.read_bytes() == bytes(data)


def test_a_damaged_file_without_backups_is_only_explained(tmp_path, monkeypatch):
    path = tmp_path / "bad.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\xa5" * 8000)
    told = []
    monkeypatch.setattr(safety_dialogs, "_tell", lambda parent, exc: told.append(exc.message))
    assert safety_dialogs.open_ledger_interactively(None, path) is None
    assert "已损坏" in told[0] or "不是zsdesk" in told[0]


def test_a_stale_lock_is_taken_over_and_the_clerk_told(window_on, demo_path):
    from zsdesk.store.filelock import LockHolder, lock_path

    since = dt.datetime(2026, 6, 30, 17, 5)
    lock_path(demo_path).write_text(LockHolder("另一台电脑", "clerk", 4242, since, since).to_json(), encoding="utf-8")
    window = window_on(demo_path)
    assert "没有正常关闭" in window.statusBar().currentMessage()
