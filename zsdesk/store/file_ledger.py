"""A ledger that is a SQLite file: opening, the writer lock, the integrity check, backups.

Opening reads the file's header and schema revision without writing to it, refuses a
foreign, damaged or newer file, backs up and migrates an older one, and takes the
file's writer lock (:mod:`.filelock`). ``PRAGMA quick_check`` either runs while opening
or, for the window (``verify="background"``), beside it: every write waits for its
verdict (:class:`~zsdesk.store.sqlite_file.IntegrityCheck`), so a damaged file is never
written to, and the daily backup follows a sound verdict in the same thread.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

from ..errors import DamagedLedger, KnownError, LedgerError, LedgerMissing, NewerSchema, NotALedger, ReadOnlyLocation
from . import backup
from .core import Ledger
from .filelock import WriterLock
from .schema import head_revision, known_revisions
from .settings import CLERK_NAME, get_setting
from .sqlite_file import (
    IntegrityCheck,
    check_header,
    check_writable_folder,
    explain_sqlite_error,
    file_identity,
    sqlite_engine,
    stored_revision,
    upgrade,
)


class FileLedger(Ledger):
    """An open ledger file.

    A file that vanished or was replaced under an action is noticed before the commit
    (LedgerMissing, nothing saved); each action's pages are folded from the WAL into the
    file; no write starts before the file was found sound (``integrity``).
    """

    def __init__(self, path: Path, engine: Engine, *, readonly: bool = False, writer_lock=None, integrity=None):
        super().__init__(path, engine, readonly=readonly, writer_lock=writer_lock)
        self._identity = file_identity(path)
        self.integrity: IntegrityCheck = integrity or IntegrityCheck.passed(path)

    def before_write(self) -> None:
        self.check_present()
        if not self.readonly:
            self.integrity.require()

    def after_commit(self) -> None:
        if not self.readonly:
            self._fold_wal()
        if self.writer_lock is not None:
            self.writer_lock.update()

    def _fold_wal(self) -> None:
        """Copy committed pages from the WAL into the file itself after each action.

        A clerk copies the .sqlite file alone (to a USB stick, by e-mail), and SQLite does
        not fold the WAL into a file that was moved while open: keep the file complete.
        """
        with contextlib.suppress(sqlite3.Error, DBAPIError):
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                cursor.close()
            finally:
                connection.close()

    def explain(self, exc: BaseException) -> LedgerError | KnownError | None:
        known = explain_sqlite_error(exc, self.path)
        if isinstance(known, DamagedLedger):
            return offer_backup(known, self.path)
        if self.readonly and isinstance(known, ReadOnlyLocation):
            return ReadOnlyLocation(f"此台账是以只读方式打开的，不能保存修改：{self.path}")
        return known

    def check_present(self) -> None:
        """Raise LedgerMissing if the file is no longer where it was opened (USB stick pulled)."""
        try:
            stat = os.stat(self.path)
        except OSError:
            raise LedgerMissing(
                f"台账文件已不在原处（被移走、改名、删除，或U盘已拔出），这次修改没有保存。"
                f"请找回文件后重新打开：{self.path}"
            ) from None
        if self._identity and stat.st_ino and (stat.st_dev, stat.st_ino) != self._identity:
            raise LedgerMissing(f"台账文件已被另一个文件替换，这次修改没有保存。请重新打开：{self.path}")

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r}{', readonly' if self.readonly else ''})"


def offer_backup(exc: DamagedLedger, path: Path) -> DamagedLedger:
    """Tell the clerk which backup would bring the file back, and how."""
    if getattr(exc, "backup_offered", False):
        return exc
    good = backup.newest_good_backup(path)
    exc.backup = good
    if good is None:
        exc.message += "。没有找到可用的备份。"
    else:
        exc.message += (
            f"。最近一份完好的备份：{good.path}（{good.describe()}）。"
            f"恢复方法：文件 → 从备份恢复，或运行 zsdesk restore --db \"{path}\" --from \"{good.path}\""
        )
    exc.args = (exc.message,)
    exc.backup_offered = True
    return exc


def _writable(path: Path, lock: WriterLock, integrity: IntegrityCheck | None = None) -> FileLedger:
    integrity = integrity or IntegrityCheck.passed(path)
    engine = sqlite_engine(path, month_locks=True, wal=lambda: integrity.sound)
    ledger = FileLedger(path, engine, writer_lock=lock, integrity=integrity)
    integrity.warnings = ledger.warnings
    if lock.took_over is not None:
        ledger.warnings.append(
            f"上次打开此台账的程序没有正常关闭（{lock.took_over.describe()}），已接管它留下的锁。"
        )
    with contextlib.suppress(DBAPIError):
        with ledger.read() as session:
            lock.update(clerk=get_setting(session, CLERK_NAME))
    return ledger


def _switch_to_wal(path: Path) -> None:
    """A file that came in another journal mode goes to WAL once it was found sound."""
    with contextlib.suppress(sqlite3.Error):
        connection = sqlite3.connect(path, timeout=1)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            connection.close()


def open_file_ledger(
    path: str | os.PathLike, *, create: bool = False, readonly: bool = False, verify: str = "now"
) -> FileLedger:
    """Open (or with ``create``, make) a ledger file at the newest schema.

    ``verify``: ``"now"`` runs ``PRAGMA quick_check`` and the daily backup before
    returning; ``"background"`` starts them in a thread and returns at once (every write
    waits for the verdict: ``ledger.integrity``). See :func:`zsdesk.store.db.open_ledger`.
    """
    if verify not in ("now", "background"):
        raise ValueError(f"verify must be 'now' or 'background', not {verify!r}")
    path = Path(path).expanduser().absolute()
    if not path.exists():
        if not create:
            raise LedgerMissing(f"找不到台账文件：{path}")
        check_writable_folder(path.parent)
        lock = WriterLock.acquire(path)
        try:
            try:
                upgrade(path)
            except (OperationalError, DatabaseError) as exc:
                with contextlib.suppress(OSError):
                    path.unlink()
                raise ReadOnlyLocation(f"无法创建台账文件（{exc.orig}）：{path}") from None
            return _writable(path, lock)
        except BaseException:
            lock.release()
            raise

    later = verify == "background" and not readonly
    try:
        check_header(path)
        if path.stat().st_size == 0:
            raise NotALedger(f"不是zsdesk台账文件（空文件）：{path}")
        revision = stored_revision(path, check=not later)
    except DamagedLedger as exc:
        raise offer_backup(exc, path) from None
    if revision not in known_revisions():
        raise NewerSchema(
            f"此台账文件由更新版本的zsdesk创建（结构版本 {revision}），请先升级zsdesk再打开：{path}"
        )
    if readonly:
        if revision != head_revision():
            raise NewerSchema(f"此台账文件是旧版本，需先以可写方式打开升级：{path}")
        return FileLedger(path, sqlite_engine(path, readonly=True), readonly=True)

    if not os.access(path, os.W_OK):
        raise ReadOnlyLocation(f"台账文件是只读的，无法写入：{path}")
    check_writable_folder(path.parent)
    lock = WriterLock.acquire(path)
    try:
        if later and revision != head_revision():
            # A migration writes the whole schema: the file must be found sound first.
            try:
                IntegrityCheck(path).require()
            except DamagedLedger as exc:
                raise offer_backup(exc, path) from None
            later = False
        if revision != head_revision():
            backup.take_backup(path, "upgrade")
            upgrade(path)
        if later:
            integrity = IntegrityCheck(
                path, then=lambda: backup.backup_on_open(path), explain=lambda exc: offer_backup(exc, path)
            )
            integrity.after_sound.append(lambda: _switch_to_wal(path))
            ledger = _writable(path, lock, integrity)
            integrity.start()
            return ledger
        ledger = _writable(path, lock)
    except BaseException:
        lock.release()
        raise
    try:
        backup.backup_on_open(path)
    except KnownError as exc:
        ledger.warnings.append(f"今天的自动备份没有做成：{exc.message}")
    return ledger
