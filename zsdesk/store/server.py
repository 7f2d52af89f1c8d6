"""The bureau's shared ledger on a PostgreSQL server, opened by a SQLAlchemy URL.

:func:`zsdesk.store.db.open_ledger` hands a URL (``postgresql+psycopg://user@host:5432/zsdesk``)
here; a path stays with the SQLite code in :mod:`zsdesk.store.db`. What is file-only by
nature stays there: the writer's file lock, file backups, PRAGMAs, WAL checkpoints, the
file's identity. On a server:

* the schema is checked against the program on every open and never changed by it: a
  newer schema is refused, an older one is told to run ``zsdesk server upgrade URL``
  (:func:`upgrade_server`, by a user allowed to change the schema);
* passwords are never written by zsdesk: libpq reads ``~/.pgpass``, ``PGPASSFILE`` or a
  service file itself; where it finds none (:class:`PasswordNeeded`) the window or the
  command line asks, and the answer is kept in memory only (:func:`remember_password`);
* connection errors a clerk or the IT office can act on come out in one Chinese line.

Month locks are enforced by the sessions' ORM hooks (:mod:`zsdesk.store.locks`) and the
audit trail is recorded (:mod:`zsdesk.store.audit`) exactly as on a file; in place of the
SQLite TEMP triggers, triggers stored on the server (migration 0003,
:mod:`zsdesk.store.concurrency`) stop plain SQL and writes racing a lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Integer, create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from ..errors import KnownError, LedgerError, LedgerLocked, LedgerMissing, NewerSchema, ReadOnlyLocation
from .core import Ledger
from .schema import _alembic_config, head_revision, known_revisions
from .urls import is_url  # noqa: F401 - where callers have always found it

SERVER_SCHEMES = ("postgresql", "postgres")


class ServerUnreachable(LedgerMissing):
    pass


class ServerLoginFailed(LedgerError):
    pass


class ServerDatabaseMissing(LedgerMissing):
    pass


class PasswordNeeded(ServerLoginFailed):
    """libpq found no password for this login (no ~/.pgpass entry): ask the person.
    ``url`` is the server's URL (without a password) to remember the answer for."""

    url: str | None = None


class ConnectionLost(ServerUnreachable):
    """The server dropped the connection in the middle of an action (restarted, network cut,
    the backend terminated): the action's transaction was rolled back; reconnect to go on."""

    offers_reconnect = True


# Passwords typed by a person (the window's prompt, the command line's getpass) are kept
# here, in this process's memory only, by login — never in the URL, the settings, the
# recent-servers list or a log — so that the next connection (and a reconnect) can log in.
_PASSWORDS: dict[tuple, str] = {}


def _login_key(parsed) -> tuple:
    query = parsed.query or {}
    host = parsed.host or query.get("host") or ""
    port = parsed.port or query.get("port") or 5432
    return (str(host), str(port), parsed.username or "", parsed.database or "")


def remember_password(url: str, password: str) -> None:
    """Use ``password`` for the login of ``url`` from now on in this process (memory only)."""
    _PASSWORDS[_login_key(make_url(url))] = password


def forget_password(url: str) -> None:
    _PASSWORDS.pop(_login_key(make_url(url)), None)


def login_check(url: str) -> None:
    """Log in once and out again; the Chinese KnownError of the server if that fails."""
    engine = server_engine(url)
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        known = explain_server_error(exc, url)
        if known is None:
            raise
        raise known from None
    finally:
        engine.dispose()


class NoSchema(LedgerError):
    pass


class OlderSchema(LedgerError):
    pass


def display_url(url: str) -> str:
    """The URL as shown to people: a password typed into it is never echoed."""
    try:
        from urllib.parse import unquote

        return unquote(make_url(url).render_as_string(hide_password=True))
    except ArgumentError:
        return url


def _check_url(url: str):
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise LedgerError(f"数据库地址写法不对：{url}（例如 postgresql+psycopg://用户名@服务器:5432/zsdesk）") from None
    if parsed.get_backend_name() not in SERVER_SCHEMES:
        raise LedgerError(f"不支持的数据库地址：{display_url(url)}（只支持 PostgreSQL 服务器或台账文件路径）")
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_driver_name() != "psycopg":
        raise LedgerError(f"请使用 psycopg 驱动：postgresql+psycopg://…（{display_url(url)}）")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise LedgerError("此安装没有连接数据库服务器的组件（psycopg）：请安装 zsdesk[server]") from None
    return parsed


def server_engine(url: str, *, readonly: bool = False) -> Engine:
    """An engine on a PostgreSQL server; a read-only one refuses every write at the server."""
    parsed = _check_url(url)
    connect_args = {"connect_timeout": 10, "application_name": "zsdesk"}
    typed = _PASSWORDS.get(_login_key(parsed))
    if typed is not None and parsed.password is None:
        connect_args["password"] = typed  # passed to libpq only, never part of the URL
    if readonly:
        connect_args["options"] = "-c default_transaction_read_only=on"
    return create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)


def explain_server_error(exc: BaseException, url: str) -> KnownError | None:
    """A server error a user or the IT office can act on, in Chinese; None for a bug."""
    where = f"：{display_url(url)}"
    orig = getattr(exc, "orig", None) or exc
    message = str(orig)
    lower = message.lower()
    sqlstate = getattr(orig, "sqlstate", None) or ""
    from .locks import TRIGGER_MESSAGE, refused_by_trigger

    if TRIGGER_MESSAGE in message:  # the server's month-lock triggers (migration 0003)
        return refused_by_trigger()
    if "password authentication failed" in lower or sqlstate == "28P01":
        return ServerLoginFailed(f"数据库服务器拒绝登录：用户名或密码不对{where}")
    if "no password supplied" in lower:
        needed = PasswordNeeded(
            f"数据库服务器要求密码，但没有找到（请在 ~/.pgpass 或 PGPASSFILE 指定的文件里为此服务器写好密码）{where}"
        )
        needed.url = url
        return needed
    if ("role" in lower and "does not exist" in lower) or sqlstate == "28000" or "no pg_hba.conf entry" in lower:
        return ServerLoginFailed(f"数据库服务器不接受此用户登录（用户不存在或没有权限）{where}")
    if ("database" in lower and "does not exist" in lower) or sqlstate == "3D000":
        return ServerDatabaseMissing(f"数据库服务器上没有这个数据库（请县局信息科先建好，或检查名称）{where}")
    if "read-only transaction" in lower or sqlstate == "25006":
        return ReadOnlyLocation(f"此台账是以只读方式打开的，不能保存修改{where}")
    if "permission denied" in lower or sqlstate == "42501":
        return ReadOnlyLocation(f"此数据库用户没有修改台账的权限{where}")
    if _dropped(exc, lower, sqlstate):
        return connection_lost(url)
    if sqlstate in ("40001", "40P01", "55P03") or "deadlock" in lower or "could not obtain lock" in lower:
        return LedgerLocked(f"台账正被另一位同事修改，这次修改没有保存，请稍后再试{where}")
    if (
        "connection refused" in lower
        or "could not connect" in lower
        or "could not translate host name" in lower
        or "timeout expired" in lower
        or "no such file or directory" in lower
        or "server closed the connection" in lower
        or "connection failed" in lower
        or "terminating connection" in lower
        or "the connection is lost" in lower
        or "consuming input failed" in lower
        or sqlstate.startswith("08")
        or sqlstate in ("57P01", "57P02", "57P03")
    ):
        return ServerUnreachable(f"连接不上数据库服务器（服务器未开、地址或端口不对，或网络不通），没有保存任何修改{where}")
    return None


def connection_lost(url: str, *, reading: bool = False) -> ConnectionLost:
    """The server gone while a ledger is open on it: dropped in the middle of an action, or
    down altogether (stopped, the network cut) by the time the next one starts. A write was
    rolled back; a read showed nothing. Either way 重新连接 is what to do."""
    where = f"：{display_url(url)}"
    if reading:
        return ConnectionLost(
            f"与数据库服务器的连接中断了（服务器停止或重启、网络断开或连接被终止），台账的内容没有读出来，"
            f"没有改动任何数据。请点“重新连接”{where}"
        )
    return ConnectionLost(
        f"与数据库服务器的连接中断了（服务器重启、网络断开或连接被终止），这次操作没有完成，"
        f"已全部撤回，没有写入任何内容。请点“重新连接”后再做一次{where}"
    )


def still_unreachable(url: str) -> ConnectionLost:
    """重新连接 tried and the server still does not answer: the offer stays."""
    return ConnectionLost(
        f"仍然连接不上数据库服务器（服务器没有开或网络不通），请县局信息科开启服务器后再点“重新连接”：{display_url(url)}"
    )


def _dropped(exc: BaseException, lower: str, sqlstate: str) -> bool:
    """An established connection lost in the middle of an action (not a failed connect)."""
    return (
        sqlstate in ("57P01", "57P02")  # terminated by the administrator, the server shutting down
        or "terminating connection" in lower
        or "server closed the connection unexpectedly" in lower
        or "the connection is lost" in lower
        or "consuming input failed" in lower
        or (bool(getattr(exc, "connection_invalidated", False)) and "connection refused" not in lower)
    )


class ServerLedger(Ledger):
    """A ledger on a PostgreSQL server: no file lock, no file backups, no WAL to fold."""

    is_server = True

    def __init__(self, url: str, engine: Engine, *, readonly: bool = False):
        self.url = url
        super().__init__(display_url(url), engine, readonly=readonly)
        self._identity = None

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        try:
            with super().begin() as session:
                yield session
        except DBAPIError as exc:
            known = explain_server_error(exc, self.url)
            if known is None:
                raise
            raise known from exc

    @property
    def location(self) -> str:
        return self.url

    def check_present(self) -> None:
        pass

    def explain(self, exc: BaseException) -> KnownError | None:
        return explain_server_error(exc, self.url)

    def __repr__(self) -> str:
        return f"ServerLedger({self.path!r}{', readonly' if self.readonly else ''})"


def stored_revision(engine: Engine, url: str) -> str | None:
    """The server's schema revision; NoSchema if zsdesk's tables are not there."""
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as exc:
        known = explain_server_error(exc, url)
        if known is None:
            raise
        raise known from None


def _no_schema(url: str) -> NoSchema:
    return NoSchema(
        f"数据库里还没有台账（没有zsdesk的表结构）：请先运行 zsdesk server init \"{display_url(url)}\" --from 县台账.sqlite"
    )


def check_schema(engine: Engine, url: str) -> None:
    """Refuse a schema the program does not know; never upgrade it here."""
    revision = stored_revision(engine, url)
    if revision is None:
        raise _no_schema(url)
    if revision not in known_revisions():
        raise NewerSchema(
            f"服务器上的台账由更新版本的zsdesk升级过（结构版本 {revision}），请先升级本机的zsdesk：{display_url(url)}"
        )
    if revision != head_revision():
        raise OlderSchema(
            f"服务器上的台账结构是旧版本（{revision}），请由有权限的人员先运行 "
            f"zsdesk server upgrade \"{display_url(url)}\" 再打开"
        )


def open_server(url: str, *, readonly: bool = False) -> ServerLedger:
    """Open the ledger on a server at the program's schema (checked, not changed)."""
    engine = server_engine(url, readonly=readonly)
    try:
        check_schema(engine, url)
    except BaseException:
        engine.dispose()
        raise
    return ServerLedger(url, engine, readonly=readonly)


def upgrade_server(url: str, *, create: bool = False) -> tuple[str | None, str]:
    """Bring the server's schema to the program's head with Alembic: (before, after).

    Without ``create`` an empty database is refused (``server init`` creates); a newer
    schema is refused either way.
    """
    engine = server_engine(url)
    try:
        before = stored_revision(engine, url)
        if before is None and not create:
            raise _no_schema(url)
        if before is not None and before not in known_revisions():
            raise NewerSchema(f"服务器上的台账结构（{before}）比本程序新，不能用本程序升级：{display_url(url)}")
        config = _alembic_config()
        from alembic import command

        try:
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except DBAPIError as exc:
            known = explain_server_error(exc, url)
            if known is None:
                raise
            raise known from None
        return before, head_revision()
    finally:
        engine.dispose()


def move_sequences(connection, tables) -> None:
    """Set every id sequence past the highest id copied in, so new rows get fresh ids."""
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, Integer):
            continue
        column = key[0].name
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column}
        ).scalar()
        if sequence is None:
            continue
        connection.execute(
            text(
                f'SELECT setval(:sequence, COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 0) + 1, false)'
            ),
            {"sequence": sequence},
        )
