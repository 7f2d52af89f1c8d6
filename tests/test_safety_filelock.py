"""One writer: a second opener is told who has the file; a lock left by a dead process is taken over."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from zsdesk.errors import LedgerLocked
from zsdesk.store import filelock
from zsdesk.store.db import open_ledger
from zsdesk.store.filelock import LedgerInUse, LockHolder, WriterLock, lock_path
from zsdesk.store.models import Unit
from zsdesk.store.settings import CLERK_NAME, set_setting

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime.now().replace(microsecond=0)

HOLDER = """
import sys
from zsdesk.store.db import open_ledger
ledger = open_ledger(sys.argv[1])
print("ready", flush=True)
sys.stdin.read()
ledger.close()
print("closed", flush=True)
"""


def start_holder(path):
    """Another zsdesk process that opens the ledger for writing and keeps it open."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.fixture
def closed_ledger(ledger):
    with ledger.begin() as s:
        set_setting(s, CLERK_NAME, "张丽")
    ledger.close()
    return ledger.path


def test_the_lock_file_says_who_and_goes_away_on_close(closed_ledger):
    ledger = open_ledger(closed_ledger)
    data = json.loads(lock_path(closed_ledger).read_text(encoding="utf-8"))
    assert data["pid"] == os.getpid()
    assert data["computer"] == filelock.this_computer() and data["user"] == filelock.this_user()
    assert data["clerk"] == "张丽"
    assert abs(dt.datetime.fromisoformat(data["since"]) - dt.datetime.now()) < dt.timedelta(minutes=1)
    ledger.close()
    assert not lock_path(closed_ledger).exists()
    ledger.close()  # closing twice is harmless


def test_a_second_program_is_told_who_has_the_file_and_may_read(closed_ledger):
    holder = start_holder(closed_ledger)
    try:
        with pytest.raises(LedgerLocked) as caught:
            open_ledger(closed_ledger)
        error = caught.value
        assert isinstance(error, LedgerInUse)
        assert error.holder.pid == holder.pid
        assert error.holder.computer == filelock.this_computer()
        for words in ("张丽", filelock.this_computer(), "只读方式", error.holder.since.strftime("%Y-%m-%d %H:%M")):
            assert words in error.message
        reader = open_ledger(closed_ledger, readonly=True)
        with reader.read() as s:
            assert len(s.scalars(select(Unit)).all()) == 4
        reader.close()
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0
    open_ledger(closed_ledger).close()  # free again once the other one closed it


def test_a_second_window_in_the_same_process_is_told_too(closed_ledger):
    first = open_ledger(closed_ledger)
    with pytest.raises(LedgerInUse) as caught:
        open_ledger(closed_ledger)
    assert caught.value.holder.pid == os.getpid()
    first.close()
    open_ledger(closed_ledger).close()


def test_a_ledger_dropped_without_close_frees_the_file(closed_ledger):
    import gc

    ledger = open_ledger(closed_ledger)
    del ledger
    gc.collect()
    open_ledger(closed_ledger).close()


def test_a_lock_left_by_a_killed_process_is_taken_over(closed_ledger):
    holder = start_holder(closed_ledger)
    holder.send_signal(signal.SIGKILL)
    holder.communicate(timeout=30)
    left = json.loads(lock_path(closed_ledger).read_text(encoding="utf-8"))
    assert left["pid"] == holder.pid  # the lock file is still there, naming the dead holder

    ledger = open_ledger(closed_ledger)

    assert ledger.writer_lock.took_over.pid == holder.pid
    assert any("没有正常关闭" in w for w in ledger.warnings)
    assert json.loads(lock_path(closed_ledger).read_text(encoding="utf-8"))["pid"] == os.getpid()
    ledger.close()


def test_a_lock_file_from_another_computer_without_a_live_lock_is_stale(closed_ledger):
    # A USB stick pulled out of another PC: its lock file came along, its OS lock did not.
    old = LockHolder("办公室另一台电脑", "clerk", 4242, dt.datetime(2026, 6, 1, 9), dt.datetime(2026, 6, 1, 9))
    lock_path(closed_ledger).write_text(old.to_json(), encoding="utf-8")
    ledger = open_ledger(closed_ledger)
    assert ledger.writer_lock.took_over == old
    ledger.close()


def _dead_pid():
    process = subprocess.Popen([sys.executable, "-S", "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize(
    "holder, stale",
    [
        (LockHolder(filelock.this_computer(), "u", 0, NOW, NOW), True),  # no such process
        ("dead", True),
        ("parent", False),
        (LockHolder("另一台电脑", "u", 1, NOW, NOW - dt.timedelta(hours=13)), True),
        (LockHolder("另一台电脑", "u", 1, NOW, NOW - dt.timedelta(hours=1)), False),
    ],
)
def test_without_os_locks_the_lock_file_decides(closed_ledger, monkeypatch, holder, stale):
    monkeypatch.setattr(filelock, "_os_lock", lambda fd: None)  # a file system without locks
    now = dt.datetime.now().replace(microsecond=0)
    if holder == "dead":
        holder = LockHolder(filelock.this_computer(), "u", _dead_pid(), now, now)
    elif holder == "parent":
        holder = LockHolder(filelock.this_computer(), "u", os.getppid(), now, now)
    lock_path(closed_ledger).write_text(holder.to_json(), encoding="utf-8")
    if stale:
        ledger = open_ledger(closed_ledger)
        assert not ledger.writer_lock.os_locked and ledger.writer_lock.took_over == holder
        with pytest.raises(LedgerInUse):  # and now it is ours: this same process is refused
            open_ledger(closed_ledger)
        ledger.close()
        assert not lock_path(closed_ledger).exists()
    else:
        with pytest.raises(LedgerInUse) as caught:
            open_ledger(closed_ledger)
        assert caught.value.holder == holder


def test_the_lock_is_refreshed_while_saving(closed_ledger, monkeypatch):
    ledger = open_ledger(closed_ledger)
    since = ledger.writer_lock.holder.since
    monkeypatch.setattr(filelock, "REFRESH_EVERY", dt.timedelta(0))
    with ledger.begin() as s:
        set_setting(s, CLERK_NAME, "王芳")
    data = json.loads(lock_path(closed_ledger).read_text(encoding="utf-8"))
    assert data["since"] == since.isoformat(timespec="seconds")
    assert dt.datetime.fromisoformat(data["refreshed"]) >= since
    ledger.close()


def test_read_only_opens_take_no_lock(closed_ledger):
    readers = [open_ledger(closed_ledger, readonly=True) for _ in range(2)]
    assert not lock_path(closed_ledger).exists()
    writer = open_ledger(closed_ledger)  # readers do not stop the one writer
    writer.close()
    for reader in readers:
        reader.close()


def test_a_lock_file_that_cannot_be_written(closed_ledger, monkeypatch):
    real_open = os.open

    def refuse(path, flags, mode=0o777, **kw):
        if str(path).endswith(".lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(filelock.os, "open", refuse)
    with pytest.raises(Exception, match="锁文件.*没有写入权限"):
        open_ledger(closed_ledger)


def test_writer_lock_alone(tmp_path):
    path = tmp_path / "x.sqlite"
    lock = WriterLock.acquire(path)
    with pytest.raises(LedgerInUse):
        WriterLock.acquire(path)
    lock.release()
    lock.release()
    WriterLock.acquire(path).release()
