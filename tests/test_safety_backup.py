"""Backups: taken when a file is opened, before a migration and an import; thinned; restored."""

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from zsdesk.domain.periods import YearMonth
from zsdesk.errors import DamagedLedger, LedgerLocked, NewerSchema, ReadOnlyLocation
from zsdesk.store import backup
from zsdesk.store.db import open_ledger
from zsdesk.store.models import FundRecord, Project, Unit

TABLES = ("units", "projects", "fund_records", "investors", "visits", "targets", "settings", "audit_log")


def dump(path):
    """Every row of the tables that hold the clerk's work, in a stable order."""
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: raw.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}
    finally:
        raw.close()


def add_project(ledger, code, amount="10", month=6):
    with ledger.begin() as s:
        unit = s.scalars(select(Unit)).first()
        project = Project(code=code, name=f"项目{code}", unit_id=unit.id, planned_investment=Decimal(100))
        s.add(project)
        s.flush()
        s.add(FundRecord(project_id=project.id, year=2026, month=month, amount=Decimal(amount)))


def test_opening_takes_one_backup_a_day(demo_path):
    assert backup.list_backups(demo_path) == []
    ledger = open_ledger(demo_path)
    ledger.close()
    copies = backup.list_backups(demo_path)
    assert len(copies) == 1 and copies[0].reason == "open"
    assert copies[0].path.parent == demo_path.with_name("demo.sqlite.backups")
    with sqlite3.connect(demo_path) as raw:
        projects = raw.execute("SELECT count(*) FROM projects").fetchone()[0]
    raw.close()
    assert copies[0].projects == projects and copies[0].latest_month == YearMonth(2026, 6)
    assert "项目" in copies[0].describe() and "2026年6月" in copies[0].describe()
    open_ledger(demo_path).close()  # the same day: no second copy
    assert len(backup.list_backups(demo_path)) == 1
    tomorrow = dt.datetime.now() + dt.timedelta(days=1)
    assert backup.backup_on_open(demo_path, now=tomorrow) is not None
    assert len(backup.list_backups(demo_path)) == 2


def test_a_new_file_is_not_backed_up(ledger):
    assert backup.list_backups(ledger.path) == []


def test_a_backup_is_a_consistent_self_contained_copy_of_committed_work(ledger):
    add_project(ledger, "XM-1")
    copy = backup.backup_before(ledger, "import")  # the ledger stays open, its WAL unfolded
    assert copy.name.endswith("-import.sqlite") and not copy.with_name(copy.name + "-wal").exists()
    assert dump(copy) == dump(ledger.path)
    raw = sqlite3.connect(copy)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    [info] = backup.list_backups(ledger.path)
    assert (info.projects, info.latest_month, info.reason_label) == (1, YearMonth(2026, 6), "导入月报前")


def test_restore_brings_back_the_copy_and_keeps_the_state_before(ledger):
    add_project(ledger, "XM-1", "10")
    copy = backup.backup_before(ledger, "manual")
    expected = dump(copy)
    add_project(ledger, "XM-2", "20", month=7)
    with ledger.begin() as s:
        s.scalars(select(FundRecord)).first().amount = Decimal("99")
    ledger.close()
    before_restore = dump(ledger.path)

    saved = backup.restore_backup(ledger.path, copy)

    assert dump(ledger.path) == expected
    assert saved is not None and saved.name.endswith("-restore.sqlite")
    assert dump(saved) == before_restore  # nothing of the current state is lost
    reopened = open_ledger(ledger.path)
    with reopened.read() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 1
        assert s.scalar(select(FundRecord.amount)) == Decimal("10")
    reopened.close()
    assert not list(ledger.path.parent.glob(".*restoring*"))


def test_restore_refuses_while_the_file_is_open_for_writing(ledger, tmp_path):
    copy = backup.backup_before(ledger, "manual")
    before = dump(ledger.path)
    with pytest.raises(LedgerLocked, match="只读方式"):
        backup.restore_backup(ledger.path, copy)
    assert dump(ledger.path) == before


def test_restore_refuses_a_damaged_or_foreign_copy(ledger, tmp_path):
    ledger.close()
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(ledger.path.read_bytes()[:8192])
    before = ledger.path.read_bytes()
    with pytest.raises(DamagedLedger, match="备份文件已损坏"):
        backup.restore_backup(ledger.path, bad)
    newer = backup.copy_to(ledger.path, tmp_path / "newer.sqlite")
    with sqlite3.connect(newer) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.close()
    with pytest.raises(NewerSchema):
        backup.restore_backup(ledger.path, newer)
    assert ledger.path.read_bytes() == before


def test_a_damaged_ledger_is_kept_as_it_was_when_restored(demo_path):
    open_ledger(demo_path).close()
    [good] = backup.list_backups(demo_path)
    data = bytearray(demo_path.read_bytes())
    for offset in range(4096, min(len(data), 40 * 4096), 97):
        data[offset] = 0xA5
    demo_path.write_bytes(bytes(data))
    with pytest.raises(DamagedLedger) as caught:
        open_ledger(demo_path)
    assert caught.value.backup.path == good.path
    assert str(good.path) in caught.value.message and "zsdesk restore" in caught.value.message

    saved = backup.restore_backup(demo_path, caught.value.backup.path)

    assert saved.name.endswith("-damaged.sqlite") and saved.read_bytes() == bytes(data)
    assert dump(demo_path) == dump(good.path)
    open_ledger(demo_path).close()
    assert backup.newest_good_backup(demo_path).path != saved  # the damaged copy is never offered


def test_a_failed_copy_leaves_nothing_half_written(ledger, monkeypatch):
    def full_disk(source, target):
        target.write_bytes(b"SQLite format 3\x00" + b"\x00" * 1000)  # the start of a copy
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("zsdesk.store.sqlite_file.copy_database", full_disk)
    with pytest.raises(ReadOnlyLocation, match="磁盘已满"):
        backup.backup_before(ledger, "import")
    folder = backup.backup_folder(ledger.path)
    assert list(folder.iterdir()) == []


def test_a_copy_cut_off_by_a_crash_is_not_a_backup(ledger):
    folder = backup.backup_folder(ledger.path)
    folder.mkdir()
    (folder / "ledger-20260601-120000-import.sqlite.partial").write_bytes(b"SQLite format 3\x00")
    assert backup.list_backups(ledger.path) == []
    assert backup.newest_good_backup(ledger.path) is None


def _fabricate(ledger_path, stamps, reason="open"):
    folder = backup.backup_folder(ledger_path)
    folder.mkdir(exist_ok=True)
    for stamp in stamps:
        (folder / f"ledger-{stamp:%Y%m%d-%H%M%S}-{reason}.sqlite").write_bytes(b"copy")


def test_thinning_keeps_the_last_few_then_daily_for_a_week_then_monthly_for_a_year(ledger):
    now = dt.datetime(2026, 6, 30, 18, 0, 0)
    stamps = []
    for hours in range(0, 72, 4):  # every four hours for the last three days
        stamps.append(now - dt.timedelta(hours=hours))
    for days in range(3, 60):  # twice a day for two months before that
        stamps.append(now - dt.timedelta(days=days, hours=2))
        stamps.append(now - dt.timedelta(days=days, hours=9))
    for months in range(2, 30):  # one on the 15th of each month for two and a half years
        year, month = divmod(2026 * 12 + 5 - months, 12)
        stamps.append(dt.datetime(year, month + 1, 15, 9, 0, 0))
    _fabricate(ledger.path, stamps)

    removed = backup.thin(ledger.path, now=now)

    kept = sorted((c.taken_at for c in backup.list_backups(ledger.path, contents=False)), reverse=True)
    assert len(removed) + len(kept) == len(set(stamps))
    newest = sorted(set(stamps), reverse=True)
    assert kept[:5] == newest[:5]  # the last few
    for day in range(7):  # one a day for a week: the newest of each day
        date = (now - dt.timedelta(days=day)).date()
        of_day = [s for s in stamps if s.date() == date]
        assert max(of_day) in kept
        assert len([k for k in kept if k.date() == date]) <= (5 if day == 0 else 2)
    older = [k for k in kept if k.date() < dt.date(2026, 6, 24)]
    months = [(k.year, k.month) for k in older]
    assert len(months) == len(set(months))  # at most one a month beyond the week
    assert min(kept) == dt.datetime(2025, 7, 15, 9, 0)  # nothing older than a year: July 2025 on
    assert {(k.year, k.month) for k in kept} == {(2025, m) for m in range(7, 13)} | {(2026, m) for m in range(1, 7)}
    assert len(kept) <= 5 + 7 + 12


def test_taking_a_backup_thins_the_folder(ledger):
    now = dt.datetime.now()
    _fabricate(ledger.path, [now - dt.timedelta(minutes=m) for m in range(1, 30)])
    backup.take_backup(ledger.path, "manual")
    kept = backup.list_backups(ledger.path, contents=False)
    assert kept[0].reason == "manual"
    assert len(kept) == backup.KEEP_LAST


def test_copy_to_never_overwrites(ledger, tmp_path):
    target = tmp_path / "copy.sqlite"
    backup.copy_to(ledger.path, target)
    with pytest.raises(Exception, match="不会覆盖"):
        backup.copy_to(ledger.path, target)


def test_find_backup_by_number_or_name(ledger):
    first = backup.take_backup(ledger.path, "manual", now=dt.datetime(2026, 6, 1, 9))
    second = backup.take_backup(ledger.path, "manual", now=dt.datetime(2026, 6, 2, 9))
    assert backup.find_backup(ledger.path, "1") == second
    assert backup.find_backup(ledger.path, "2") == first
    assert backup.find_backup(ledger.path, first.name) == first
    with pytest.raises(Exception, match="没有第 3 个备份"):
        backup.find_backup(ledger.path, "3")


def test_backup_before_an_import_from_inside_its_transaction(ledger):
    add_project(ledger, "XM-1")
    with ledger.begin() as s:
        s.scalars(select(Project)).first().name = "导入前"
        s.flush()  # a write of this same transaction, not committed: not in the copy
        copy = backup.backup_before(s, "import")
    raw = sqlite3.connect(copy)
    assert raw.execute("SELECT name FROM projects").fetchall() == [("项目XM-1",)]
    raw.close()
