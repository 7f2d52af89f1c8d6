"""Backups of a ledger file, and restoring one.

Where: a folder beside the ledger named after it, ``NAME.sqlite.backups/``. The copies
travel with the file (a USB stick, a shared folder), a clerk can find them next to it,
and a file copied to another PC keeps its history. A backup is an ordinary ledger file:
it opens in zsdesk like any other.

When: when a file is opened for writing (at most once a calendar day), before a schema
migration, before every import (:func:`backup_before`), before a restore, and by hand
(``zsdesk backup``). Each copy is made with SQLite's online backup into a ``.partial``
file that is renamed when complete, so a copy cut off by a crash or a full disk never
passes for a backup.

Thinning (:func:`thin`): after every new copy, keep the newest :data:`KEEP_LAST`, the
newest of each of the last :data:`KEEP_DAYS` days and the newest of each of the last
:data:`KEEP_MONTHS` months; the rest are deleted.

Restoring (:func:`restore_backup`) first saves the current state as another copy, then
replaces the ledger's content by the chosen copy through a temporary file beside it and
``os.replace``, with the ledger closed and its writer lock held.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from ..domain.periods import YearMonth
from ..errors import DamagedLedger, KnownError, LedgerError, LedgerMissing, NewerSchema, NotALedger, ReadOnlyLocation
from . import sqlite_file
from .filelock import WriterLock
from .schema import known_revisions
from .sqlite_file import SQLITE_HEADER
from .who import reason as os_reason

FOLDER_SUFFIX = ".backups"
PARTIAL_SUFFIX = ".partial"
KEEP_LAST = 5
KEEP_DAYS = 7
KEEP_MONTHS = 12

REASONS = {
    "open": "打开时自动备份",
    "upgrade": "升级文件结构前",
    "import": "导入月报前",
    "ledger": "导入已有台账前",
    "restore": "恢复备份前的状态",
    "damaged": "恢复前的损坏文件（原样保留）",
    "manual": "手动备份",
}

_NAME = re.compile(r"-(?P<stamp>\d{8}-\d{6})-(?P<reason>[a-z]+)(?:-(?P<n>\d+))?(?P<suffix>\.[^.]+)?$")
_STAMP = "%Y%m%d-%H%M%S"


def backup_folder(ledger_path: str | os.PathLike) -> Path:
    path = Path(ledger_path)
    return path.with_name(path.name + FOLDER_SUFFIX)


@dataclass(frozen=True)
class BackupInfo:
    """One copy in a ledger's backups folder, with what it holds."""

    path: Path
    taken_at: dt.datetime
    reason: str
    size: int = 0
    projects: int | None = None
    """Number of projects in the copy; None when it could not be read."""
    latest_month: YearMonth | None = None
    """The latest month with funds arrived recorded."""
    good: bool | None = None
    """Passed SQLite's integrity check (None: not checked)."""

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)

    def describe(self) -> str:
        parts = [f"{self.taken_at:%Y-%m-%d %H:%M:%S}", self.reason_label]
        if self.projects is not None:
            parts.append(f"项目 {self.projects} 个")
            parts.append(f"资金到 {self.latest_month.chinese}" if self.latest_month else "无到位资金")
        elif self.good is False:
            parts.append("已损坏")
        return "，".join(parts)


def _parse_name(path: Path) -> tuple[dt.datetime, str] | None:
    match = _NAME.search(path.name)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match["stamp"], _STAMP), match["reason"]
    except ValueError:
        return None


def _backup_files(ledger_path: Path) -> list[tuple[Path, dt.datetime, str]]:
    folder = backup_folder(ledger_path)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.name.endswith(PARTIAL_SUFFIX) or not path.is_file() or path.name.endswith(("-wal", "-shm", "-journal")):
            continue
        parsed = _parse_name(path)
        if parsed:
            found.append((path, *parsed))
    found.sort(key=lambda item: (item[1], item[0].name), reverse=True)
    return found


def _connect_readonly(path: Path) -> sqlite3.Connection:
    # immutable: a backup is never written, and reading it must not create -shm files.
    return sqlite3.connect(f"file:{path.as_posix()}?mode=ro&immutable=1", uri=True)


def read_contents(path: Path, *, check: bool = False) -> tuple[int | None, YearMonth | None, bool | None]:
    """(projects, latest month with funds, passed the integrity check) of a copy."""
    try:
        connection = _connect_readonly(path)
    except sqlite3.Error:
        return None, None, False
    try:
        good = None
        if check:
            good = connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            if not good:
                return None, None, False
        projects = connection.execute("SELECT count(*) FROM projects").fetchone()[0]
        row = connection.execute(
            "SELECT year, month FROM fund_records ORDER BY year DESC, month DESC LIMIT 1"
        ).fetchone()
        return projects, (YearMonth(row[0], row[1]) if row else None), good
    except sqlite3.Error:
        return None, None, False
    finally:
        connection.close()


def list_backups(ledger_path: str | os.PathLike, *, contents: bool = True, check: bool = False) -> list[BackupInfo]:
    """The copies of a ledger, newest first."""
    result = []
    for path, taken_at, reason in _backup_files(Path(ledger_path)):
        size = path.stat().st_size if path.exists() else 0
        if contents:
            projects, latest, good = read_contents(path, check=check)
        else:
            projects, latest, good = None, None, None
        result.append(BackupInfo(path, taken_at, reason, size, projects, latest, good))
    return result


def newest_good_backup(ledger_path: str | os.PathLike) -> BackupInfo | None:
    """The newest copy that passes SQLite's check and is a ledger (damaged copies are skipped)."""
    for path, taken_at, reason in _backup_files(Path(ledger_path)):
        if reason == "damaged":
            continue
        projects, latest, good = read_contents(path, check=True)
        if good and projects is not None:
            return BackupInfo(path, taken_at, reason, path.stat().st_size, projects, latest, good)
    return None


# -- taking copies ------------------------------------------------------------------------


def copy_error(exc: BaseException, where: Path) -> LedgerError:
    """A failed copy as a Chinese message."""
    if isinstance(exc, OSError):
        return ReadOnlyLocation(f"无法保存备份（{os_reason(exc)}）：{where}")
    known = sqlite_file.explain_sqlite_error(exc)
    if known is not None and "已满" in known.message:
        return ReadOnlyLocation(f"无法保存备份（磁盘已满）：{where}")
    if known is not None and isinstance(known, DamagedLedger):
        return DamagedLedger(f"台账文件已损坏，无法备份：{where}")
    return ReadOnlyLocation(f"无法保存备份（{exc}）：{where}")


def _fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows has no directory fsync
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _consistent_copy(source: Path, target: Path) -> None:
    """An online-backup copy at ``target`` as a self-contained file (no WAL), synced to disk."""
    sqlite_file.copy_database(source, target)
    connection = sqlite3.connect(target)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    _fsync_file(target)


def _unique_name(folder: Path, stem: str, stamp: str, reason: str, suffix: str) -> Path:
    candidate = folder / f"{stem}-{stamp}-{reason}{suffix}"
    n = 2
    while candidate.exists() or candidate.with_name(candidate.name + PARTIAL_SUFFIX).exists():
        candidate = folder / f"{stem}-{stamp}-{reason}-{n}{suffix}"
        n += 1
    return candidate


def take_backup(ledger_path: str | os.PathLike, reason: str, *, now: dt.datetime | None = None) -> Path:
    """A consistent copy of the ledger in its backups folder; old copies are thinned after."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    ledger_path = Path(ledger_path)
    if not ledger_path.exists():
        raise LedgerMissing(f"找不到台账文件，无法备份：{ledger_path}")
    now = now or dt.datetime.now()
    folder = backup_folder(ledger_path)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise copy_error(exc, folder) from None
    target = _unique_name(folder, ledger_path.stem, now.strftime(_STAMP), reason, ledger_path.suffix or ".sqlite")
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        _consistent_copy(ledger_path, partial)
        os.replace(partial, target)
        _fsync_folder(folder)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise copy_error(exc, folder) from None
    thin(ledger_path, now=now)
    return target


def backup_before(ledger, reason: str = "import") -> Path | None:
    """A backup before a change that touches much (an import): call it before the change.

    ``ledger`` is an open :class:`~zsdesk.store.db.Ledger`, a Session of one (inside the
    action's transaction, before its first write: the committed state is copied, which
    WAL lets another connection read meanwhile), or a path. Raises a Chinese LedgerError
    if no copy could be made: then do not go on with the change.

    None on a database server: its backups are the IT office's (pg_dump), not files.
    """
    if _on_server(ledger):
        return None
    return take_backup(_ledger_path(ledger), reason)


def _on_server(ledger) -> bool:
    if getattr(ledger, "is_server", False):
        return True
    bind = getattr(ledger, "get_bind", None)
    return callable(bind) and bind().dialect.name != "sqlite"


def _ledger_path(ledger) -> Path:
    if hasattr(ledger, "path"):
        return Path(ledger.path)
    bind = getattr(ledger, "get_bind", None)
    if callable(bind):
        database = bind().url.database or ""
        if database.startswith("file:"):  # a read-only URI
            database = database[len("file:") :].split("?", 1)[0]
        return Path(database)
    return Path(ledger)


def backup_on_open(ledger_path: str | os.PathLike, *, now: dt.datetime | None = None) -> Path | None:
    """The daily copy: taken unless a copy of this file was already made today."""
    now = now or dt.datetime.now()
    ledger_path = Path(ledger_path)
    for _, taken_at, _ in _backup_files(ledger_path):
        if taken_at.date() == now.date():
            return None
    return take_backup(ledger_path, "open", now=now)


def copy_to(ledger_path: str | os.PathLike, target: str | os.PathLike) -> Path:
    """A consistent copy of the ledger at a path of the user's choice (never overwriting)."""
    ledger_path, target = Path(ledger_path), Path(target)
    if not ledger_path.exists():
        raise LedgerMissing(f"找不到台账文件：{ledger_path}")
    if target.exists():
        raise LedgerError(f"文件已存在，不会覆盖：{target}")
    if not target.parent.is_dir():
        raise ReadOnlyLocation(f"文件夹不存在：{target.parent}")
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        _consistent_copy(ledger_path, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise copy_error(exc, target) from None
    return target


# -- thinning -----------------------------------------------------------------------------


def copies_to_keep(stamps: list[dt.datetime], now: dt.datetime) -> set[int]:
    """Indices (into ``stamps``) of the copies the thinning keeps.

    The newest KEEP_LAST; the newest of each of the last KEEP_DAYS calendar days (today
    included); the newest of each of the last KEEP_MONTHS calendar months (this one
    included). Anything older goes.
    """
    order = sorted(range(len(stamps)), key=lambda i: stamps[i], reverse=True)
    keep = set(order[:KEEP_LAST])
    first_day = now.date() - dt.timedelta(days=KEEP_DAYS - 1)
    this_month = now.year * 12 + now.month - 1
    days: set[dt.date] = set()
    months: set[int] = set()
    for i in order:
        stamp = stamps[i]
        if first_day <= stamp.date() <= now.date() and stamp.date() not in days:
            days.add(stamp.date())
            keep.add(i)
        month = stamp.year * 12 + stamp.month - 1
        if this_month - KEEP_MONTHS < month <= this_month and month not in months:
            months.add(month)
            keep.add(i)
    return keep


def thin(ledger_path: str | os.PathLike, *, now: dt.datetime | None = None) -> list[Path]:
    """Delete the copies the policy no longer keeps; returns what was deleted."""
    now = now or dt.datetime.now()
    files = _backup_files(Path(ledger_path))
    keep = copies_to_keep([taken for _, taken, _ in files], now)
    removed = []
    for i, (path, _, _) in enumerate(files):
        if i not in keep:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    _remove_old_partials(backup_folder(ledger_path), now)
    return removed


def _remove_old_partials(folder: Path, now: dt.datetime) -> None:
    """Copies cut off by a crash: useless, removed once they are a day old."""
    if not folder.is_dir():
        return
    for path in folder.glob(f"*{PARTIAL_SUFFIX}"):
        with contextlib.suppress(OSError):
            if now.timestamp() - path.stat().st_mtime > 86400:
                path.unlink()


# -- restoring ----------------------------------------------------------------------------


def check_restorable(source: Path) -> None:
    """Raise a Chinese LedgerError unless ``source`` is a sound ledger this zsdesk can open."""
    if not source.is_file():
        raise LedgerMissing(f"找不到备份文件：{source}")
    with open(source, "rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise NotALedger(f"不是zsdesk台账文件，不能用来恢复：{source}")
    try:
        connection = _connect_readonly(source)
        try:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise DamagedLedger(f"备份文件已损坏，不能用来恢复：{source}")
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                raise NotALedger(f"不是zsdesk台账文件，不能用来恢复：{source}")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        raise DamagedLedger(f"备份文件已损坏，不能用来恢复：{source}") from None
    if not revision or revision[0] not in known_revisions():
        raise NewerSchema(f"此备份由更新版本的zsdesk创建，请先升级zsdesk再恢复：{source}")


def _save_current_state(ledger_path: Path, now: dt.datetime) -> Path | None:
    """Keep what is in the ledger now: a consistent copy, or the damaged file as it is."""
    if not ledger_path.exists():
        return None
    try:
        return take_backup(ledger_path, "restore", now=now)
    except DamagedLedger:
        pass
    except KnownError:
        if _is_sound(ledger_path):
            raise  # a real failure to write the copy (a full disk): do not go on
    folder = backup_folder(ledger_path)
    folder.mkdir(exist_ok=True)
    target = _unique_name(folder, ledger_path.stem, now.strftime(_STAMP), "damaged", ledger_path.suffix or ".sqlite")
    try:
        shutil.copyfile(ledger_path, target)
        for extra in ("-wal", "-shm"):
            side = ledger_path.with_name(ledger_path.name + extra)
            if side.exists():
                shutil.copyfile(side, target.with_name(target.name + extra))
    except OSError as exc:
        raise copy_error(exc, folder) from None
    return target


def _is_sound(path: Path) -> bool:
    try:
        connection = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
        try:
            return connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def _checkpoint(ledger_path: Path) -> None:
    """Fold the WAL into the file so nothing of it can be replayed onto the restored content."""
    with contextlib.suppress(sqlite3.Error):
        connection = sqlite3.connect(ledger_path)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()


def restore_backup(
    ledger_path: str | os.PathLike, source: str | os.PathLike, *, now: dt.datetime | None = None
) -> Path | None:
    """Replace the ledger's content by the copy ``source``; returns the copy of the state before.

    The ledger must not be open for writing anywhere (this takes its writer lock; close
    your own :class:`~zsdesk.store.db.Ledger` first). An older copy is migrated the next
    time the ledger is opened.
    """
    ledger_path, source = Path(ledger_path).absolute(), Path(source).absolute()
    if source == ledger_path:
        raise LedgerError("不能用台账文件自身来恢复")
    check_restorable(source)
    now = now or dt.datetime.now()
    if not ledger_path.parent.is_dir():
        raise ReadOnlyLocation(f"文件夹不存在：{ledger_path.parent}")
    lock = WriterLock.acquire(ledger_path)
    temporary = ledger_path.with_name(f".{ledger_path.name}.restoring-{os.getpid()}")
    try:
        if ledger_path.exists() and _is_sound(ledger_path):
            _checkpoint(ledger_path)
        saved = _save_current_state(ledger_path, now)
        try:
            _consistent_copy(source, temporary)
            connection = sqlite3.connect(temporary)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
            finally:
                connection.close()
            _fsync_file(temporary)
            for extra in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    ledger_path.with_name(ledger_path.name + extra).unlink()
            os.replace(temporary, ledger_path)
            _fsync_folder(ledger_path.parent)
        except PermissionError:
            raise LedgerError(f"台账文件正被其他程序使用，无法恢复，请关闭后再试：{ledger_path}") from None
        except (OSError, sqlite3.Error) as exc:
            raise copy_error(exc, ledger_path) from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
        for extra in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                temporary.with_name(temporary.name + extra).unlink()
        lock.release()
    return saved


def find_backup(ledger_path: str | os.PathLike, text: str) -> Path:
    """A backup named on the command line: a path, a file name in the folder, or a number of the list."""
    path = Path(text)
    if path.is_file():
        return path
    in_folder = backup_folder(ledger_path) / text
    if in_folder.is_file():
        return in_folder
    if text.isdigit():
        copies = list_backups(ledger_path, contents=False)
        number = int(text)
        if 1 <= number <= len(copies):
            return copies[number - 1].path
        raise LedgerMissing(f"没有第 {number} 个备份（共 {len(copies)} 个，用 zsdesk backups 查看）")
    raise LedgerMissing(f"找不到备份文件：{text}")
