"""quick_check off the start path, without weakening it (issue 18 part 1, item 2).

``open_ledger(..., verify="background")`` (the window's start) returns without running
``PRAGMA quick_check``; the check runs in a thread and every write waits for its verdict,
so a damaged file is still refused before a byte is written to it.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest

from tests.integrity_support import damage_quietly, digest, fold
from zsdesk.errors import DamagedLedger
from zsdesk.store import sqlite_file
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.settings import CLERK_NAME, get_setting, set_setting


@pytest.fixture
def county(ledger_path):
    create_ledger(ledger_path, "测试县", ["甲镇", "乙乡"]).close()
    fold(ledger_path)
    return ledger_path


def clerk_in_file(path) -> str | None:
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = raw.execute("SELECT value FROM settings WHERE key = ?", (CLERK_NAME,)).fetchone()
        return row[0] if row else None
    finally:
        raw.close()


class HeldCheck:
    """quick_check that waits until the test lets it go (then runs the real one)."""

    def __init__(self, monkeypatch):
        self.started = threading.Event()
        self.release = threading.Event()
        real = sqlite_file.quick_check

        def held(path):
            self.started.set()
            assert self.release.wait(30)
            real(path)

        monkeypatch.setattr(sqlite_file, "quick_check", held)


def test_opening_for_the_window_does_not_wait_for_quick_check(county, monkeypatch):
    held = HeldCheck(monkeypatch)
    ledger = open_ledger(county, verify="background")  # returns although the check is held
    try:
        assert held.started.wait(10)
        assert not ledger.integrity.done
        with ledger.read() as session:  # reading does not wait
            assert get_setting(session, "county_name") == "测试县"
    finally:
        held.release.set()
        ledger.integrity.wait()
        ledger.close()
    assert ledger.integrity.sound


def clerk_writer(ledger):
    """A thread (not started) that saves the clerk's name in one action; ``outcome`` gets
    "saved" or the exception it met."""
    outcome = []

    def write():
        try:
            with ledger.begin() as session:
                set_setting(session, CLERK_NAME, "张丽")
            outcome.append("saved")
        except Exception as exc:  # noqa: BLE001
            outcome.append(exc)

    return threading.Thread(target=write), outcome


def test_a_write_before_the_verdict_waits_for_it_then_goes_in(county, monkeypatch):
    held = HeldCheck(monkeypatch)
    ledger = open_ledger(county, verify="background")
    writer, outcome = clerk_writer(ledger)
    try:
        assert held.started.wait(10)
        writer.start()
        writer.join(0.5)
        # The check is held, so the write cannot have passed the gate, however long it waited.
        assert writer.is_alive() and outcome == []
        assert clerk_in_file(county) is None
        held.release.set()
        writer.join(30)
        assert outcome == ["saved"]
        assert clerk_in_file(county) == "张丽"
    finally:
        held.release.set()
        ledger.close()


def test_a_write_before_the_verdict_on_a_damaged_file_is_refused_and_nothing_written(county, monkeypatch):
    damage_quietly(county)
    before = digest(county)
    held = HeldCheck(monkeypatch)
    ledger = open_ledger(county, verify="background")  # opening itself does not notice
    writer, outcome = clerk_writer(ledger)
    try:
        assert held.started.wait(10)
        writer.start()
        writer.join(0.5)
        assert writer.is_alive() and outcome == []
        held.release.set()
        writer.join(30)
    finally:
        held.release.set()
        ledger.close()
    [error] = outcome
    assert isinstance(error, DamagedLedger) and "已损坏" in error.message and "备份" in error.message
    assert digest(county) == before
    assert not county.with_name(county.name + "-wal").exists() or county.with_name(county.name + "-wal").stat().st_size == 0


def test_a_damage_found_in_the_background_refuses_every_later_write(county):
    damage_quietly(county)
    before = digest(county)
    ledger = open_ledger(county, verify="background")
    ledger.integrity.thread.join(30)  # the verdict is in
    try:
        for _ in range(2):
            with pytest.raises(DamagedLedger, match="已损坏"):
                with ledger.begin() as session:
                    set_setting(session, CLERK_NAME, "张丽")
    finally:
        ledger.close()
    assert digest(county) == before


def test_a_check_nobody_started_is_run_by_the_first_write(county):
    damage_quietly(county)
    check = sqlite_file.IntegrityCheck(county)
    assert not check.done
    with pytest.raises(DamagedLedger, match="已损坏"):
        check.require()
    assert check.done and check.thread is None  # run here, not in a thread
    check.start()  # a verdict is reached once
    assert check.thread is None


def test_the_check_on_the_start_path_still_refuses_a_damaged_file(county):
    """The command line (verify="now") refuses it at open, as before."""
    damage_quietly(county)
    before = digest(county)
    with pytest.raises(DamagedLedger, match="已损坏"):
        open_ledger(county)
    assert digest(county) == before


def test_the_daily_backup_follows_a_sound_verdict_and_skips_a_damaged_file(county, tmp_path):
    from zsdesk.store import backup

    ledger = open_ledger(county, verify="background")
    ledger.integrity.thread.join(30)
    ledger.close()
    assert [b.reason for b in backup.list_backups(county)] == ["open"]

    damaged = tmp_path / "damaged.sqlite"
    create_ledger(damaged, "测试县", ["甲镇"]).close()
    for copy in backup.list_backups(damaged):  # the copy taken when it was made
        copy.path.unlink()
    damage_quietly(damaged)
    ledger = open_ledger(damaged, verify="background")
    ledger.integrity.thread.join(30)
    ledger.close()
    assert ledger.integrity.error is not None
    assert backup.list_backups(damaged) == []  # a damaged copy never enters the backups
