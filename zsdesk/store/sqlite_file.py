"""Everything about a ledger that is a SQLite file, below the ledger classes.

The engine with zsdesk's connection settings (foreign keys, WAL, its own BEGIN, the
temporary triggers of locked months), reading a file's header and schema revision
without writing to it, ``PRAGMA quick_check`` (run now or in the background, writes
waiting for its verdict: :class:`IntegrityCheck`), SQLite's online-backup copy, the
file's identity (inode) and SQLite's error codes as Chinese messages. Nothing here
imports a ledger class, a backup or the file lock: those import this.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from ..errors import DamagedLedger, KnownError, LedgerLocked, LedgerMissing, NotALedger, ReadOnlyLocation
from .locks import TRIGGER_MESSAGE, MonthLocked, install_triggers
from .schema import _alembic_config
from .who import reason

SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_engine(
    path: Path, *, readonly: bool = False, month_locks: bool = False, wal: Callable[[], bool] | None = None
) -> Engine:
    """An engine on a SQLite file with zsdesk's connection settings.

    pysqlite's own transaction handling is turned off so that a session's BEGIN is
    real: one user action is one transaction, reads included. With ``month_locks``,
    every connection gets the temporary triggers that refuse changes in locked months
    (not during migrations: those rebuild tables). ``wal``, when given, says whether a
    new connection may switch the file to WAL yet (switching writes the file's header:
    not before the file was found sound, see :class:`IntegrityCheck`).
    """
    if readonly:
        url = f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
    else:
        url = f"sqlite:///{path.as_posix()}"
    engine = create_engine(url, connect_args={"timeout": 10})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not readonly:
            if wal is None or wal():
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        if month_locks:
            install_triggers(dbapi_connection)

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, _record):
        # A connection back in the pool keeps no page cache: up to 2 MB each (SQLite's
        # default), filled by the last large read — the checks' or the projects tab's
        # 600,000 fund rows — and held for nothing; the system's file cache keeps the
        # pages for the next read (issue 18: 4-8 MB of the large county's peak).
        if dbapi_connection is not None:
            with contextlib.suppress(sqlite3.Error):
                dbapi_connection.execute("PRAGMA shrink_memory")

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")

    return engine


def file_identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino) if stat.st_ino else None


def check_writable_folder(folder: Path) -> None:
    """Raise ReadOnlyLocation unless a file can really be created in ``folder``."""
    if not folder.is_dir():
        raise ReadOnlyLocation(f"文件夹不存在：{folder}")
    probe = folder / f".zsdesk-write-test-{os.getpid()}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"x")
    except OSError as exc:
        raise ReadOnlyLocation(f"无法在文件夹中写入文件（{reason(exc)}）：{folder}") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def check_header(path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except IsADirectoryError:
        raise NotALedger(f"这是一个文件夹，不是台账文件：{path}") from None
    except OSError as exc:
        raise LedgerMissing(f"无法读取文件（{reason(exc)}）：{path}") from None
    if header != SQLITE_HEADER:
        raise NotALedger(f"不是zsdesk台账文件（不是SQLite数据库）：{path}")


def _connect_readonly(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DamagedLedger(f"台账文件已损坏，无法打开（{exc}）：{path}") from None


def stored_revision(path: Path, *, check: bool = True) -> str | None:
    """The file's schema revision, read without writing anything to it.

    With ``check``, ``PRAGMA quick_check`` runs too (it reads the whole file: on the large
    county about as long as the rest of opening). Without it, only what opening reads
    is checked; the caller must then run :func:`quick_check` before anything is written.
    """
    connection = _connect_readonly(path)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            raise NotALedger(f"不是zsdesk台账文件（没有台账的表结构）：{path}")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if check:
            _quick_check(connection, path)
        return row[0] if row else None
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise DamagedLedger(f"台账文件已损坏，无法读取（{exc}）：{path}") from None
    finally:
        connection.close()


def _quick_check(connection: sqlite3.Connection, path: Path) -> None:
    status = connection.execute("PRAGMA quick_check").fetchone()[0]
    if status != "ok":
        raise DamagedLedger(f"台账文件已损坏（完整性检查未通过）：{path}")


def quick_check(path: Path) -> None:
    """Raise DamagedLedger unless SQLite's quick_check finds the file sound (reads only)."""
    connection = _connect_readonly(path)
    try:
        _quick_check(connection, path)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise DamagedLedger(f"台账文件已损坏，无法读取（{exc}）：{path}") from None
    finally:
        connection.close()


class IntegrityCheck:
    """The verdict of ``PRAGMA quick_check`` on one file, reached once.

    Opening a file for the window does not wait for the check (it reads the whole file):
    :meth:`start` runs it in a thread of its own, beside the window filling its tabs
    (SQLite releases the GIL while it reads). Every write asks :meth:`require` first,
    which waits for the verdict — or runs the check itself when nobody started it — and
    raises the DamagedLedger when the file is damaged, so nothing is ever written to a
    damaged file. ``then`` runs in the thread after a sound verdict (the daily backup,
    which reads the whole file too); a KnownError it raises goes to ``warnings``.
    ``on_damage`` is called (in the checking thread) with the error of a damaged file.
    """

    def __init__(
        self,
        path: Path,
        *,
        then: Callable[[], None] | None = None,
        explain: Callable[[DamagedLedger], DamagedLedger] | None = None,
        warnings: list[str] | None = None,
    ):
        self.path = path
        self.then = then
        self.explain = explain
        self.warnings = warnings if warnings is not None else []
        self.on_damage: list[Callable[[DamagedLedger], None]] = []
        self.after_sound: list[Callable[[], None]] = []
        self._claimed = threading.Lock()
        self._done = threading.Event()
        self._error: DamagedLedger | None = None
        self._started = False
        self.thread: threading.Thread | None = None

    @classmethod
    def passed(cls, path: Path) -> "IntegrityCheck":
        """A verdict already reached (the file was just created, or checked while opening)."""
        check = cls(path)
        check._started = True
        check._done.set()
        return check

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def sound(self) -> bool:
        """True once the file was found sound (False while unknown or damaged)."""
        return self._done.is_set() and self._error is None

    @property
    def error(self) -> DamagedLedger | None:
        return self._error

    def start(self) -> threading.Thread | None:
        """Check in a background thread (returns it; None if the verdict is already there)."""
        if not self._claim():
            return None
        self.thread = threading.Thread(target=self._run, name="zsdesk-quick-check", daemon=True)
        self.thread.start()
        return self.thread

    def _claim(self) -> bool:
        with self._claimed:
            if self._started:
                return False
            self._started = True
            return True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the verdict (running the check here if nobody started it); True when reached."""
        if self._claim():
            self._run()
        return self._done.wait(timeout)

    def require(self) -> None:
        """Before a write: wait for the verdict; raise the DamagedLedger of a damaged file."""
        self.wait()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            quick_check(self.path)
        except DamagedLedger as exc:
            self._error = self.explain(exc) if self.explain else exc
        except Exception as exc:  # noqa: BLE001 - a file that cannot be read is not sound
            self._error = DamagedLedger(f"台账文件无法读取，完整性检查没有完成（{exc}）：{self.path}")
        finally:
            self._done.set()
        if self._error is not None:
            for callback in list(self.on_damage):
                callback(self._error)
            return
        for callback in list(self.after_sound):
            callback()
        if self.then is not None:
            try:
                self.then()
            except KnownError as exc:
                self.warnings.append(f"今天的自动备份没有做成：{exc.message}")


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy with SQLite's online backup (not a file copy of a live file)."""
    src = sqlite3.connect(f"file:{Path(source).as_posix()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade(path: Path) -> None:
    """Migrate the file to the newest schema, on a connection of its own."""
    engine = sqlite_engine(path)
    try:
        config = _alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            from alembic import command

            command.upgrade(config, "head")
    finally:
        engine.dispose()


_FULL, _READONLY, _IOERR, _CORRUPT, _NOTADB, _BUSY, _LOCKED, _CANTOPEN = 13, 8, 10, 11, 26, 5, 6, 14
_READONLY_DBMOVED = 1032


def explain_sqlite_error(exc: BaseException, path: Path | None = None) -> KnownError | None:
    """A SQLite or file error the user can act on, as a Chinese KnownError; None for a bug.

    A damaged file comes out as a plain DamagedLedger: the ledger above adds which backup
    would bring it back.
    """
    where = f"：{path}" if path else ""
    if isinstance(exc, OSError):
        return explain_os_error(exc, where)
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    code = getattr(orig, "sqlite_errorcode", None) or 0
    primary = code & 0xFF
    if TRIGGER_MESSAGE in text:
        return MonthLocked(
            "该单位该月已锁定（月报已报出），不能修改其中的到位资金或项目阶段日期。"
            "如确需修改，请先说明原因解锁该月。"
        )
    if code == _READONLY_DBMOVED:
        return LedgerMissing(f"台账文件已被移走或删除（U盘已拔出？），修改没有保存{where}")
    if primary in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text:
        return DamagedLedger(f"台账文件已损坏{where}")
    if primary in (_BUSY, _LOCKED) or "database is locked" in text or "database table is locked" in text:
        return LedgerLocked(f"台账文件正被另一个程序写入，请稍后再试{where}")
    if primary == _READONLY or "readonly database" in text or "read-only" in text:
        return ReadOnlyLocation(f"台账文件是只读的，无法保存修改{where}")
    if primary == _FULL or "disk is full" in text:
        return ReadOnlyLocation(f"磁盘已满，修改没有保存（请腾出空间后再试）{where}")
    if primary in (_IOERR, _CANTOPEN) or "disk i/o error" in text or "unable to open database" in text:
        return LedgerMissing(f"无法读写台账文件（文件被移走或U盘已拔出？），修改没有保存{where}")
    return None


def explain_os_error(exc: OSError, where: str) -> KnownError | None:
    if exc.errno == errno.ENOSPC:
        return ReadOnlyLocation(f"磁盘已满，没有保存（请腾出空间后再试）{where}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ReadOnlyLocation(f"没有写入权限（只读的文件、文件夹或磁盘）{where}")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return LedgerMissing(f"找不到文件或文件夹{where}")
    if exc.errno == errno.EIO:
        return LedgerMissing(f"读写出错（U盘拔出或磁盘故障？）{where}")
    return None
