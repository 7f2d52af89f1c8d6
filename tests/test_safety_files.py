"""Files that fail: read-only, full, vanished, damaged. A Chinese message, nothing half written."""

import datetime as dt
import errno
import hashlib
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from zsdesk.errors import DamagedLedger, LedgerLocked, LedgerMissing, ReadOnlyLocation
from zsdesk.store import backup
from zsdesk.store import sqlite_file
from zsdesk.store.db import check_writable_folder, explain_database_error, open_ledger
from zsdesk.store.locks import MonthLocked
from zsdesk.store.models import FundRecord, Project, Unit

ROOT = Path(__file__).resolve().parents[1]


def zsdesk(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "zsdesk", *map(str, args)], capture_output=True, text=True, env=env, timeout=300
    )


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def count_projects(path):
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return raw.execute("SELECT count(*) FROM projects").fetchone()[0]
    finally:
        raw.close()


def add_projects(session, n, prefix="XM"):
    unit = session.scalars(select(Unit)).first()
    for i in range(n):
        session.add(Project(code=f"{prefix}-{i}", name="项目" + "很长的名字" * 50, unit_id=unit.id, notes="备注" * 500))


def test_a_read_only_file(demo_path, monkeypatch):
    before = digest(demo_path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == demo_path else real_access(p, mode))
    with pytest.raises(ReadOnlyLocation, match="只读"):
        open_ledger(demo_path)
    assert not backup.backup_folder(demo_path).exists() and not demo_path.with_name("demo.sqlite.lock").exists()
    reader = open_ledger(demo_path, readonly=True)  # what the clerk is offered instead
    with pytest.raises(ReadOnlyLocation, match="只读方式打开"):
        with reader.begin() as s:
            s.add(Unit(name="新单位", kind="zone"))
    reader.close()
    assert digest(demo_path) == before


def test_a_folder_that_cannot_be_written(tmp_path, demo_path, monkeypatch):
    with pytest.raises(ReadOnlyLocation, match="无法在文件夹中写入"):
        check_writable_folder(Path("/sys/kernel"))  # sysfs: even root cannot create a file there
    with pytest.raises(ReadOnlyLocation):
        open_ledger(Path("/sys/kernel/ledger.sqlite"), create=True)

    def refuse(path, *args, **kwargs):
        if Path(path).name.startswith(".zsdesk-write-test"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    before = digest(demo_path)
    monkeypatch.setattr(sqlite_file, "open", refuse, raising=False)  # the probe file cannot be made
    with pytest.raises(ReadOnlyLocation, match="没有写入权限"):
        open_ledger(demo_path)
    monkeypatch.undo()
    assert digest(demo_path) == before


def test_a_full_disk_during_a_save_keeps_the_file_as_it_was(ledger):
    with ledger.begin() as s:
        add_projects(s, 3, "OLD")
    with pytest.raises(ReadOnlyLocation, match="磁盘已满") as caught:
        with ledger.begin() as s:
            pages = s.execute(text("PRAGMA page_count")).scalar()
            s.execute(text(f"PRAGMA max_page_count = {pages + 2}"))  # room for almost nothing
            add_projects(s, 400, "NEW")
    assert isinstance(caught.value.__cause__, OperationalError)
    with ledger.begin() as s:
        s.execute(text("PRAGMA max_page_count = 1073741823"))
        assert s.scalar(select(func.count()).select_from(Project)) == 3
    ledger.close()
    assert count_projects(ledger.path) == 3
    raw = sqlite3.connect(ledger.path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


def test_a_full_disk_for_the_lock_file(ledger, monkeypatch):
    from zsdesk.store import filelock

    ledger.close()

    def no_space(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(filelock.os, "write", no_space)
    with pytest.raises(ReadOnlyLocation, match="磁盘已满"):
        open_ledger(ledger.path)
    monkeypatch.undo()
    assert not filelock.lock_path(ledger.path).exists()
    open_ledger(ledger.path).close()


def test_a_file_that_vanishes_while_open(ledger):
    with ledger.begin() as s:
        add_projects(s, 1)
    os.remove(ledger.path)  # the USB stick is pulled
    with pytest.raises(LedgerMissing, match="U盘已拔出") as caught:
        with ledger.begin() as s:
            add_projects(s, 1, "LOST")
    assert "没有保存" in caught.value.message
    ledger.close()


def test_a_file_moved_away_during_a_save_gets_nothing_of_it(ledger, tmp_path):
    with ledger.begin() as s:
        add_projects(s, 2)
    moved = tmp_path / "moved.sqlite"
    with pytest.raises(LedgerMissing, match="已不在原处"):
        with ledger.begin() as s:
            add_projects(s, 5, "HALF")
            os.rename(ledger.path, moved)  # while the clerk's save is running
    ledger.close()
    assert count_projects(moved) == 2
    raw = sqlite3.connect(moved)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


def test_a_file_replaced_by_another_is_not_written(ledger, tmp_path):
    other = tmp_path / "other.sqlite"
    backup.copy_to(ledger.path, other)
    os.replace(other, ledger.path)
    with pytest.raises(LedgerMissing, match="已被另一个文件替换"):
        with ledger.begin() as s:
            add_projects(s, 1)
    ledger.close()


def _damage(path):
    data = bytearray(path.read_bytes())
    for offset in range(4096, min(len(data), 40 * 4096), 97):
        data[offset] = 0xA5
    path.write_bytes(bytes(data))


def test_a_damaged_file_without_a_backup(demo_path):
    _damage(demo_path)
    with pytest.raises(DamagedLedger, match="没有找到可用的备份") as caught:
        open_ledger(demo_path)
    assert caught.value.backup is None


def test_the_command_line_offers_the_newest_good_backup_of_a_damaged_file(demo_path):
    open_ledger(demo_path).close()  # today's backup
    newest = backup.take_backup(demo_path, "manual", now=dt.datetime.now() + dt.timedelta(minutes=1))
    _damage(newest)  # the newest copy is damaged too: the one before it is offered
    [_, good] = backup.list_backups(demo_path)
    _damage(demo_path)
    damaged = digest(demo_path)

    result = zsdesk("progress", "--db", demo_path, "--month", "2026-06")

    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "已损坏" in result.stderr and str(good.path) in result.stderr
    assert f'zsdesk restore --db "{demo_path}" --from "{good.path}"' in result.stderr
    assert digest(demo_path) == damaged

    result = zsdesk("restore", "--db", demo_path, "--from", good.path)
    assert result.returncode == 0, result.stderr
    assert "已从备份恢复" in result.stdout and "-damaged.sqlite" in result.stdout
    result = zsdesk("progress", "--db", demo_path, "--month", "2026-06")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "error, kind, words",
    [
        (sqlite3.DatabaseError("database disk image is malformed"), DamagedLedger, "已损坏"),
        (sqlite3.DatabaseError("file is not a database"), DamagedLedger, "已损坏"),
        (sqlite3.OperationalError("database is locked"), LedgerLocked, "另一个程序"),
        (sqlite3.OperationalError("attempt to write a readonly database"), ReadOnlyLocation, "只读"),
        (sqlite3.OperationalError("database or disk is full"), ReadOnlyLocation, "磁盘已满"),
        (sqlite3.OperationalError("disk I/O error"), LedgerMissing, "U盘"),
        (sqlite3.OperationalError("unable to open database file"), LedgerMissing, "U盘"),
        (sqlite3.IntegrityError("zsdesk: month locked"), MonthLocked, "已锁定"),
        (OSError(errno.ENOSPC, "No space left on device"), ReadOnlyLocation, "磁盘已满"),
        (OSError(errno.EROFS, "Read-only file system"), ReadOnlyLocation, "没有写入权限"),
        (OSError(errno.EIO, "Input/output error"), LedgerMissing, "U盘"),
    ],
)
def test_database_errors_in_chinese(error, kind, words, tmp_path):
    known = explain_database_error(error, tmp_path / "x.sqlite")
    assert isinstance(known, kind) and words in known.message


def test_a_bug_is_not_explained_away():
    assert explain_database_error(sqlite3.OperationalError("no such column: foo")) is None
    assert explain_database_error(sqlite3.IntegrityError("UNIQUE constraint failed: projects.code")) is None


def test_command_line_while_another_program_writes(ledger):
    # the fixture's ledger is open for writing in this process
    result = zsdesk("lock-month", "--db", ledger.path, "--month", "2026-03", "--all")
    assert result.returncode == 2 and "正由" in result.stderr and "Traceback" not in result.stderr
    result = zsdesk("backup", "--db", ledger.path)  # reading is fine
    assert result.returncode == 0, result.stderr
    result = zsdesk("restore", "--db", ledger.path, "--from", "1")
    assert result.returncode == 2 and "正由" in result.stderr


def test_funds_survive_a_failed_action(ledger):
    with ledger.begin() as s:
        unit = s.scalars(select(Unit)).first()
        project = Project(code="XM-F", name="项目", unit_id=unit.id)
        s.add(project)
        s.flush()
        s.add(FundRecord(project_id=project.id, year=2026, month=5, amount=Decimal("1")))
    with pytest.raises(ZeroDivisionError):
        with ledger.begin() as s:
            s.scalar(select(FundRecord)).amount = Decimal("2")
            s.flush()
            1 / 0
    with ledger.read() as s:
        assert s.scalar(select(FundRecord.amount)) == Decimal("1")
