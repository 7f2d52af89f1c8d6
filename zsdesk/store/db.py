"""Opening a ledger file: create, check, migrate, and hand out sessions.

One :class:`Ledger` per open file. Every connection enforces foreign keys; a writable
file runs in WAL mode. Schema changes are Alembic revisions; an older file is backed up
(:mod:`zsdesk.store.backup`) before it is migrated, a newer one is refused and left
untouched.

A file opened for writing is held by one writer (:mod:`zsdesk.store.filelock`), backed up
once a day, and its sessions check locked months (:mod:`zsdesk.store.locks`) and record
the audit trail (:mod:`zsdesk.store.audit`) on every flush. Every user action is one
transaction (:meth:`Ledger.begin`); a file that vanished under it is noticed before the
commit, and database errors a user can act on come out as Chinese LedgerErrors.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import functools
import os
import sqlite3
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..errors import (
    DamagedLedger,
    KnownError,
    LedgerError,
    LedgerLocked,
    LedgerMissing,
    NewerSchema,
    NotALedger,
    ReadOnlyLocation,
)

if TYPE_CHECKING:  # Alembic is imported only to migrate: see _revision_graph
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).with_name("migrations")


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    """The migration scripts, read once per process (they do not change while it runs)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


@functools.lru_cache(maxsize=1)
def _revision_graph() -> tuple[str, frozenset[str]] | None:
    """(head, every revision), read from the scripts' own ``revision``/``down_revision``.

    Opening a file that is already at the head needs only these two facts. Reading them
    with ``ast`` instead of Alembic's ScriptDirectory keeps Alembic (and the Mako and
    Pygments it imports) out of the program's start: bench/ measured ~0.2 s of CPU for
    that import against ~0.2 s for a whole bare PySide6 window. None (then Alembic
    reads the scripts) if they are not one line of revisions with a single head;
    tests/test_store_open_fast.py checks the two readings agree.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        values = {}
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                try:
                    values[target.id] = ast.literal_eval(value)
                except ValueError:
                    return None
        if "revision" not in values:
            continue
        down = values.get("down_revision")
        if not isinstance(values["revision"], str) or not (down is None or isinstance(down, str)):
            return None  # a merge or something unusual: let Alembic read it
        revisions.add(values["revision"])
        if down is not None:
            parents.add(down)
    heads = revisions - parents
    if len(heads) != 1 or not parents <= revisions:
        return None
    return heads.pop(), frozenset(revisions)


def head_revision() -> str:
    graph = _revision_graph()
    return graph[0] if graph else _script().get_current_head()


def known_revisions() -> set[str]:
    graph = _revision_graph()
    if graph:
        return set(graph[1])
    return {rev.revision for rev in _script().walk_revisions()}


def sqlite_engine(path: Path, *, readonly: bool = False, month_locks: bool = False) -> Engine:
    """An engine on a SQLite file with zsdesk's connection settings.

    pysqlite's own transaction handling is turned off so that a session's BEGIN is
    real: one user action is one transaction, reads included. With ``month_locks``,
    every connection gets the temporary triggers that refuse changes in locked months
    (not during migrations: those rebuild tables).
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
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        if month_locks:
            from .locks import install_triggers

            install_triggers(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")

    return engine


class Ledger:
    """An open ledger file.

    Writable: holds the file's writer lock (``writer_lock``) until :meth:`close`, and its
    sessions enforce locked months and record the audit trail. ``warnings`` collects what
    the opener should tell the clerk without stopping (a daily backup that failed, a
    stale lock taken over). A ledger on a database server is a
    :class:`~zsdesk.store.server.ServerLedger` (``is_server``).
    """

    is_server = False

    def __init__(self, path: Path, engine: Engine, *, readonly: bool = False, writer_lock=None):
        self.path = path
        self.engine = engine
        self.readonly = readonly
        self.writer_lock = writer_lock
        self.warnings: list[str] = []
        self.Session = sessionmaker(engine, expire_on_commit=False)
        self._identity = _file_identity(path)
        if not readonly:
            from . import audit, locks

            locks.install(self.Session)
            audit.install(self.Session)
        if writer_lock is not None:
            # A ledger dropped without close() must not keep the file locked.
            self._release = weakref.finalize(self, writer_lock.release)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        """One user action: a session in one transaction, committed at the end.

        Raises LedgerMissing (nothing saved) if the file vanished or was replaced, and a
        Chinese LedgerError for database errors a user can act on (full disk, read-only,
        damaged file, locked month); the transaction is rolled back either way.
        """
        self.check_present()
        editing = None
        try:
            with self.Session.begin() as session:
                try:
                    yield session
                    session.flush()
                except StaleDataError:
                    editing = session.info.get("zsdesk.editing")
                    raise
                self.check_present()
        except StaleDataError as exc:  # a colleague's save won the race: see store/versions.py
            from .versions import conflict_after_stale

            raise conflict_after_stale(self, editing) from exc
        except DBAPIError as exc:
            known = self.explain(exc)
            if known is None:
                raise
            raise known from exc
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
        known = explain_database_error(exc, self.path)
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

    @property
    def location(self) -> str:
        """What opens this ledger again: the file's path (a server's URL on a ServerLedger)."""
        return str(self.path)

    def read(self) -> Session:
        """A session for reading (``with ledger.read() as s:``)."""
        return self.Session()

    def close(self) -> None:
        self.engine.dispose()
        if self.writer_lock is not None:
            self.writer_lock.release()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r}{', readonly' if self.readonly else ''})"


def _file_identity(path: Path) -> tuple[int, int] | None:
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
        raise ReadOnlyLocation(f"无法在文件夹中写入文件（{_reason(exc)}）：{folder}") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def _reason(exc: OSError) -> str:
    return {
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EROFS: "只读的磁盘",
        errno.ENOSPC: "磁盘已满",
        errno.ENOENT: "路径不存在",
        errno.ENOTDIR: "路径不是文件夹",
        errno.EIO: "读写出错，U盘可能已拔出",
    }.get(exc.errno, exc.strerror or str(exc))


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except IsADirectoryError:
        raise NotALedger(f"这是一个文件夹，不是台账文件：{path}") from None
    except OSError as exc:
        raise LedgerMissing(f"无法读取文件（{_reason(exc)}）：{path}") from None
    if header != SQLITE_HEADER:
        raise NotALedger(f"不是zsdesk台账文件（不是SQLite数据库）：{path}")


def _stored_revision(path: Path) -> str | None:
    """The file's schema revision, read without writing anything to it."""
    try:
        connection = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DamagedLedger(f"台账文件已损坏，无法打开（{exc}）：{path}") from None
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            raise NotALedger(f"不是zsdesk台账文件（没有台账的表结构）：{path}")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        status = connection.execute("PRAGMA quick_check").fetchone()[0]
        if status != "ok":
            raise DamagedLedger(f"台账文件已损坏（完整性检查未通过）：{path}")
        return row[0] if row else None
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise DamagedLedger(f"台账文件已损坏，无法读取（{exc}）：{path}") from None
    finally:
        connection.close()


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


def _upgrade(path: Path) -> None:
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


def _writable(path: Path, lock) -> Ledger:
    ledger = Ledger(path, sqlite_engine(path, month_locks=True), writer_lock=lock)
    if lock.took_over is not None:
        ledger.warnings.append(
            f"上次打开此台账的程序没有正常关闭（{lock.took_over.describe()}），已接管它留下的锁。"
        )
    with contextlib.suppress(DBAPIError):
        from .settings import CLERK_NAME, get_setting

        with ledger.read() as session:
            lock.update(clerk=get_setting(session, CLERK_NAME))
    return ledger


def _offer_backup(exc: DamagedLedger, path: Path) -> DamagedLedger:
    """Tell the clerk which backup would bring the file back, and how."""
    from .backup import newest_good_backup

    good = newest_good_backup(path)
    exc.backup = good
    if good is None:
        exc.message += "。没有找到可用的备份。"
    else:
        exc.message += (
            f"。最近一份完好的备份：{good.path}（{good.describe()}）。"
            f"恢复方法：文件 → 从备份恢复，或运行 zsdesk restore --db \"{path}\" --from \"{good.path}\""
        )
    exc.args = (exc.message,)
    return exc


def open_ledger(path: str | os.PathLike, *, create: bool = False, readonly: bool = False) -> Ledger:
    """Open (or with ``create``, make) a ledger file at the newest schema.

    Raises a :class:`~zsdesk.errors.LedgerError` with a Chinese message for a missing,
    foreign, damaged, newer or unwritable file; the file is then left as it was. A
    damaged file's error carries ``backup`` (the newest good copy, or None).

    For writing, the file's writer lock is taken (:class:`~zsdesk.store.filelock.LedgerInUse`,
    a LedgerLocked, says who has it) and a backup is taken if none was today. Read-only
    opens take no lock and write nothing.
    """
    from .server import is_url

    if is_url(path):  # a database server: see zsdesk.store.server
        from .server import open_server, upgrade_server

        if create:
            upgrade_server(str(path), create=True)
        return open_server(str(path), readonly=readonly)
    from .backup import backup_on_open, take_backup
    from .filelock import WriterLock

    path = Path(path).expanduser().absolute()
    if not path.exists():
        if not create:
            raise LedgerMissing(f"找不到台账文件：{path}")
        check_writable_folder(path.parent)
        lock = WriterLock.acquire(path)
        try:
            try:
                _upgrade(path)
            except (OperationalError, DatabaseError) as exc:
                with contextlib.suppress(OSError):
                    path.unlink()
                raise ReadOnlyLocation(f"无法创建台账文件（{exc.orig}）：{path}") from None
            return _writable(path, lock)
        except BaseException:
            lock.release()
            raise

    try:
        _check_header(path)
        if path.stat().st_size == 0:
            raise NotALedger(f"不是zsdesk台账文件（空文件）：{path}")
        revision = _stored_revision(path)
    except DamagedLedger as exc:
        raise _offer_backup(exc, path) from None
    if revision not in known_revisions():
        raise NewerSchema(
            f"此台账文件由更新版本的zsdesk创建（结构版本 {revision}），请先升级zsdesk再打开：{path}"
        )
    if readonly:
        if revision != head_revision():
            raise NewerSchema(f"此台账文件是旧版本，需先以可写方式打开升级：{path}")
        return Ledger(path, sqlite_engine(path, readonly=True), readonly=True)

    if not os.access(path, os.W_OK):
        raise ReadOnlyLocation(f"台账文件是只读的，无法写入：{path}")
    check_writable_folder(path.parent)
    lock = WriterLock.acquire(path)
    try:
        if revision != head_revision():
            take_backup(path, "upgrade")
            _upgrade(path)
        ledger = _writable(path, lock)
    except BaseException:
        lock.release()
        raise
    try:
        backup_on_open(path)
    except KnownError as exc:
        ledger.warnings.append(f"今天的自动备份没有做成：{exc.message}")
    return ledger


_FULL, _READONLY, _IOERR, _CORRUPT, _NOTADB, _BUSY, _LOCKED, _CANTOPEN = 13, 8, 10, 11, 26, 5, 6, 14
_READONLY_DBMOVED = 1032


def explain_database_error(exc: BaseException, path: Path | None = None) -> KnownError | None:
    """A database or file error the user can act on, as a Chinese KnownError; None for a bug."""
    where = f"：{path}" if path else ""
    if isinstance(exc, OSError):
        return _explain_os_error(exc, where)
    orig = getattr(exc, "orig", None) or exc
    if type(orig).__module__.startswith("psycopg"):  # a database server's error
        from .server import explain_server_error

        return explain_server_error(exc, str(path or ""))
    text = str(orig).lower()
    code = getattr(orig, "sqlite_errorcode", None) or 0
    primary = code & 0xFF
    from .locks import TRIGGER_MESSAGE, MonthLocked

    if TRIGGER_MESSAGE in text:
        return MonthLocked(
            "该单位该月已锁定（月报已报出），不能修改其中的到位资金或项目阶段日期。"
            "如确需修改，请先说明原因解锁该月。"
        )
    if code == _READONLY_DBMOVED:
        return LedgerMissing(f"台账文件已被移走或删除（U盘已拔出？），修改没有保存{where}")
    if primary in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text:
        damaged = DamagedLedger(f"台账文件已损坏{where}")
        return _offer_backup(damaged, Path(path)) if path else damaged
    if primary in (_BUSY, _LOCKED) or "database is locked" in text or "database table is locked" in text:
        return LedgerLocked(f"台账文件正被另一个程序写入，请稍后再试{where}")
    if primary == _READONLY or "readonly database" in text or "read-only" in text:
        return ReadOnlyLocation(f"台账文件是只读的，无法保存修改{where}")
    if primary == _FULL or "disk is full" in text:
        return ReadOnlyLocation(f"磁盘已满，修改没有保存（请腾出空间后再试）{where}")
    if primary in (_IOERR, _CANTOPEN) or "disk i/o error" in text or "unable to open database" in text:
        return LedgerMissing(f"无法读写台账文件（文件被移走或U盘已拔出？），修改没有保存{where}")
    return None


def _explain_os_error(exc: OSError, where: str) -> KnownError | None:
    if exc.errno == errno.ENOSPC:
        return ReadOnlyLocation(f"磁盘已满，没有保存（请腾出空间后再试）{where}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ReadOnlyLocation(f"没有写入权限（只读的文件、文件夹或磁盘）{where}")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return LedgerMissing(f"找不到文件或文件夹{where}")
    if exc.errno == errno.EIO:
        return LedgerMissing(f"读写出错（U盘拔出或磁盘故障？）{where}")
    return None


def table_names(ledger: Ledger) -> set[str]:
    return set(inspect(ledger.engine).get_table_names())


def current_revision(ledger: Ledger) -> str | None:
    with ledger.engine.connect() as connection:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()
