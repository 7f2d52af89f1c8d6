"""Opening a ledger file: create, check, migrate, and hand out sessions.

One :class:`Ledger` per open file. Every connection enforces foreign keys; a writable
file runs in WAL mode. Schema changes are Alembic revisions; an older file is copied
beside itself before it is migrated, a newer one is refused and left untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import (
    DamagedLedger,
    LedgerError,
    LedgerLocked,
    LedgerMissing,
    NewerSchema,
    NotALedger,
    ReadOnlyLocation,
)

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).with_name("migrations")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_alembic_config())


def head_revision() -> str:
    return _script().get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def sqlite_engine(path: Path, *, readonly: bool = False) -> Engine:
    """An engine on a SQLite file with zsdesk's connection settings.

    pysqlite's own transaction handling is turned off so that a session's BEGIN is
    real: one user action is one transaction, reads included.
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

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")

    return engine


class Ledger:
    """An open ledger file."""

    def __init__(self, path: Path, engine: Engine, *, readonly: bool = False):
        self.path = path
        self.engine = engine
        self.readonly = readonly
        self.Session = sessionmaker(engine, expire_on_commit=False)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        """One user action: a session in one transaction, committed at the end."""
        with self.Session.begin() as session:
            yield session

    def read(self) -> Session:
        """A session for reading (``with ledger.read() as s:``)."""
        return self.Session()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r}{', readonly' if self.readonly else ''})"


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
    import errno

    return {
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EROFS: "只读的磁盘",
        errno.ENOSPC: "磁盘已满",
        errno.ENOENT: "路径不存在",
        errno.ENOTDIR: "路径不是文件夹",
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
    src = sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def migration_copy_path(path: Path, revision: str | None) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.before-upgrade-{revision or 'none'}-{stamp}{path.suffix or '.sqlite'}")


def _upgrade(engine: Engine) -> None:
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        from alembic import command

        command.upgrade(config, "head")


def open_ledger(path: str | os.PathLike, *, create: bool = False, readonly: bool = False) -> Ledger:
    """Open (or with ``create``, make) a ledger file at the newest schema.

    Raises a :class:`~zsdesk.errors.LedgerError` with a Chinese message for a missing,
    foreign, damaged, newer or unwritable file; the file is then left as it was.
    """
    path = Path(path).expanduser().absolute()
    if not path.exists():
        if not create:
            raise LedgerMissing(f"找不到台账文件：{path}")
        check_writable_folder(path.parent)
        engine = sqlite_engine(path)
        try:
            _upgrade(engine)
        except (OperationalError, DatabaseError) as exc:
            engine.dispose()
            with contextlib.suppress(OSError):
                path.unlink()
            raise ReadOnlyLocation(f"无法创建台账文件（{exc.orig}）：{path}") from None
        return Ledger(path, engine)

    _check_header(path)
    if path.stat().st_size == 0:
        raise NotALedger(f"不是zsdesk台账文件（空文件）：{path}")
    revision = _stored_revision(path)
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
    engine = sqlite_engine(path)
    if revision != head_revision():
        copy_database(path, migration_copy_path(path, revision))
        _upgrade(engine)
    return Ledger(path, engine)


def explain_database_error(exc: BaseException, path: Path | None = None) -> LedgerError | None:
    """A database error the user can act on, as a Chinese LedgerError; None for a bug."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    where = f"：{path}" if path else ""
    if "malformed" in text or "not a database" in text:
        return DamagedLedger(f"台账文件已损坏{where}")
    if "database is locked" in text or "database table is locked" in text:
        return LedgerLocked(f"台账文件正被另一个程序写入，请稍后再试{where}")
    if "readonly database" in text or "read-only" in text:
        return ReadOnlyLocation(f"台账文件是只读的，无法保存修改{where}")
    if "disk is full" in text or "database or disk is full" in text:
        return ReadOnlyLocation(f"磁盘已满，修改未保存{where}")
    if "disk i/o error" in text or "unable to open database" in text:
        return LedgerMissing(f"无法读写台账文件（文件被移走或U盘已拔出？）{where}")
    return None


def table_names(ledger: Ledger) -> set[str]:
    return set(inspect(ledger.engine).get_table_names())


def current_revision(ledger: Ledger) -> str | None:
    with ledger.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
