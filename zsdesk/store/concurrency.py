"""Several writers on a PostgreSQL server: month locks at the server, advisory locks, retries.

All of zsdesk's server-only concurrency SQL lives here (on a SQLite file every function
below is a no-op or a plain transaction: the file's writer lock admits one writer).

**Locked months at the server.** Migration ``0003_server_month_locks`` creates, from
:func:`server_trigger_sql`, plpgsql triggers on ``fund_records`` and ``projects`` that
refuse exactly what the SQLite TEMP triggers of :mod:`zsdesk.store.locks` refuse, with
the same message (:data:`zsdesk.store.locks.TRIGGER_MESSAGE`), so plain SQL cannot step
around a lock.

**No write lands in a month locked while it was in flight.** Two kinds of
transaction-scoped advisory locks (``pg_advisory_xact_lock``, released at commit or
rollback):

* a *unit* key: every row the triggers check takes it **shared** for the row's unit before
  reading ``month_locks``; locking or unlocking a month takes it **exclusive**. So locking
  a month waits for every write in flight to that unit, and a write that comes after the
  lock waits for it to commit and then sees it (each statement of a volatile plpgsql
  function reads with a fresh snapshot under READ COMMITTED) — whichever comes first, the
  write is wholly before the lock or refused after it;
* a *unit-and-month* key, exclusive: an import of a unit's return for a month
  (:func:`hold_for_import`) and locking/unlocking that month (:func:`hold_for_lock`), so
  two imports of one unit's month, or an import and a lock of it, run one after the other;
* a *name* key, exclusive: an investor an import is about to create (:func:`hold_names`),
  so two units' returns naming the same new investor create it once.

A wait longer than :data:`LOCK_TIMEOUT_MS` gives one Chinese message
(:class:`UnitBusy`) instead of waiting for ever.

**Retries.** :func:`run_action` runs one user action in one transaction and, on a
serialization failure or a deadlock (SQLSTATE 40001, 40P01: the server rolled the whole
transaction back), runs it again from the start, a bounded number of times.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..domain.periods import YearMonth
from ..errors import LedgerLocked

if TYPE_CHECKING:
    from .db import Ledger

log = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_TIMEOUT_MS = 20_000
"""How long an import or a lock waits for another writer of the same unit before giving up."""

ATTEMPTS = 5
"""How many times one user action runs at most (the first try and four retries)."""

RETRY_SQLSTATES = frozenset({"40001", "40P01"})
"""serialization_failure, deadlock_detected: the server rolled the transaction back; run it again."""

LOCK_NOT_AVAILABLE = "55P03"

# Key spaces of the bigint advisory locks ("zs" and "zt" in the top 16 bits, so zsdesk's keys
# cannot meet another program's small integers on a shared server).
_UNIT_SPACE = 0x7A73 << 48
_IMPORT_SPACE = 0x7A74 << 48
_NAME_SPACE = 0x7A75 << 48


def unit_key(unit_id: int) -> int:
    """The advisory key writers of a unit share and a month lock takes alone."""
    return _UNIT_SPACE | int(unit_id)


def import_key(unit_id: int, period: YearMonth) -> int:
    """The advisory key of one unit's month: an import and the month's lock take it alone."""
    return _IMPORT_SPACE | (int(unit_id) << 20) | (period.year * 12 + period.month - 1)


class UnitBusy(LedgerLocked):
    """Another writer held the unit (or its month) longer than :data:`LOCK_TIMEOUT_MS`."""


def is_server(session: Session) -> bool:
    """Whether the session's ledger is on a database server (several writers)."""
    return session.get_bind().dialect.name == "postgresql"


def _unit_name(session: Session, unit_id: int) -> str:
    from .models import Unit

    unit = session.get(Unit, unit_id)
    return unit.name if unit is not None else str(unit_id)


def _take(session: Session, keys: list[int], busy_message: str, *, patience: int = 1) -> None:
    """Take exclusive advisory locks in this transaction, waiting at most
    ``patience`` × LOCK_TIMEOUT_MS for each."""
    connection = session.connection()
    previous = connection.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
    timeout = f"{int(LOCK_TIMEOUT_MS * patience)}ms"
    connection.execute(text("SELECT set_config('lock_timeout', :value, true)"), {"value": timeout})
    try:
        for key in keys:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise UnitBusy(busy_message) from exc
        raise
    connection.execute(text("SELECT set_config('lock_timeout', :value, true)"), {"value": previous})


def hold_for_import(session: Session, unit_id: int, period: YearMonth) -> None:
    """Before an import plans its writes: wait for (and keep out) any other import or
    lock of this unit's month. A no-op on a file."""
    if not is_server(session):
        return
    name = _unit_name(session, unit_id)
    _take(session, [import_key(unit_id, period)], f"{name}{period.chinese}的月报正在由另一位工作人员导入，请稍后再试")


def hold_for_lock(session: Session, unit_id: int, period: YearMonth) -> None:
    """Before locking or unlocking a unit's month: wait until every write in flight to the
    unit (an import, an editor's save) has committed or rolled back. A no-op on a file."""
    if not is_server(session):
        return
    name = _unit_name(session, unit_id)
    _take(
        session,
        [import_key(unit_id, period), unit_key(unit_id)],
        f"{name}的台账正在由另一位工作人员导入或修改，{period.chinese}暂时不能锁定或解锁，请稍后再试",
    )


def name_key(name: str) -> int:
    """The advisory key of a record's name (an investor's): 48 bits of its BLAKE2 hash."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=6).digest()
    return _NAME_SPACE | int.from_bytes(digest, "big")


def hold_names(session: Session, names) -> bool:
    """Take records about to be created, by name, for this transaction (sorted, so two
    imports taking overlapping names cannot deadlock). False on a file (nothing to take)."""
    if not is_server(session):
        return False
    keys = sorted({name_key(n) for n in names})
    # Another unit's whole import may come first (it names the same new investor): a
    # longer wait than for one's own unit's month, which only a second import of it holds.
    _take(session, keys, "另一位工作人员正在导入含有相同客商的月报，请稍后再试", patience=6)
    return True


# -- retries ----------------------------------------------------------------------------------


def sqlstate_of(exc: BaseException | None) -> str | None:
    """The SQLSTATE behind an exception (looking through the Chinese error it was turned into)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for candidate in (getattr(exc, "orig", None), exc):
            state = getattr(candidate, "sqlstate", None)
            if state:
                return state
        exc = exc.__cause__ or exc.__context__
    return None


def is_retryable(exc: BaseException) -> bool:
    return sqlstate_of(exc) in RETRY_SQLSTATES


def run_action(ledger: Ledger, action: Callable[[Session], T], *, attempts: int | None = None) -> T:
    """Run ``action(session)`` as one transaction of ``ledger`` (:meth:`Ledger.begin`) and
    return its result; when the server rolled it back for a serialization failure or a
    deadlock, run it again from the start (at most ``attempts`` times in all).

    ``action`` must do all its reading and writing through the session it is given, so a
    second run starts from what is committed then. Anything else raises as it did.
    """
    attempts = attempts or ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            with ledger.begin() as session:
                return action(session)
        except Exception as exc:
            if attempt >= attempts or not is_retryable(exc):
                raise
            log.info("zsdesk: %s, retrying the action (attempt %d of %d)", sqlstate_of(exc), attempt + 1, attempts)
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # let the other transaction finish
    raise AssertionError("unreachable")


# -- the server's triggers (migration 0003) ---------------------------------------------------


def server_trigger_sql(date_fields, message: str) -> list[str]:
    """The functions and triggers that refuse changes in locked months on PostgreSQL.

    The same rules as :func:`zsdesk.store.locks._trigger_sql` (a change of funds in a
    locked month; a stage date in a locked month set, changed or cleared; a project with
    dates or funds in a locked month moved to another unit; such a project deleted), with
    the same message. Migration 0003 runs this; a later change to it needs a new
    migration that runs it again (every statement is CREATE OR REPLACE). The rules'
    own words come from :mod:`zsdesk.store.locks` (``DATE_FIELDS``, ``TRIGGER_MESSAGE``),
    passed in by the migration: locks uses this module, so this one does not import it.
    """
    raise_ = f"RAISE EXCEPTION '{message}'"
    changed_dates = " OR ".join(
        f"(OLD.{d} IS DISTINCT FROM NEW.{d} AND (zsdesk_date_locked(OLD.unit_id, OLD.{d}) "
        f"OR zsdesk_date_locked(NEW.unit_id, NEW.{d})))"
        for d in date_fields
    )
    moved = (
        "(OLD.unit_id IS DISTINCT FROM NEW.unit_id AND ("
        + " OR ".join(
            f"zsdesk_date_locked(OLD.unit_id, OLD.{d}) OR zsdesk_date_locked(NEW.unit_id, NEW.{d})" for d in date_fields
        )
        + " OR zsdesk_funds_locked(OLD.id, OLD.unit_id) OR zsdesk_funds_locked(OLD.id, NEW.unit_id)))"
    )
    any_new = " OR ".join(f"zsdesk_date_locked(NEW.unit_id, NEW.{d})" for d in date_fields)
    any_old = " OR ".join(f"zsdesk_date_locked(OLD.unit_id, OLD.{d})" for d in date_fields)
    return [
        f"""
CREATE OR REPLACE FUNCTION zsdesk_month_locked(p_unit integer, p_year integer, p_month integer)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_unit IS NULL OR p_year IS NULL OR p_month IS NULL THEN
        RETURN false;
    END IF;
    -- shared with the unit's other writers, exclusive for locking one of its months:
    -- a lock committed after this point cannot miss this row (hold_for_lock waits for us),
    -- and one committed before it is seen by the query below (a fresh snapshot).
    PERFORM pg_advisory_xact_lock_shared({_UNIT_SPACE}::bigint | p_unit::bigint);
    RETURN EXISTS (SELECT 1 FROM month_locks l WHERE l.unit_id = p_unit AND l.year = p_year AND l.month = p_month);
END $$""",
        """
CREATE OR REPLACE FUNCTION zsdesk_date_locked(p_unit integer, p_date date)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_date IS NULL THEN
        RETURN false;
    END IF;
    RETURN zsdesk_month_locked(p_unit, extract(year FROM p_date)::integer, extract(month FROM p_date)::integer);
END $$""",
        """
CREATE OR REPLACE FUNCTION zsdesk_funds_locked(p_project integer, p_unit integer)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    m record;
BEGIN
    FOR m IN SELECT DISTINCT f.year, f.month FROM fund_records f WHERE f.project_id = p_project LOOP
        IF zsdesk_month_locked(p_unit, m.year, m.month) THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION zsdesk_refuse_locked_fund()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF zsdesk_month_locked((SELECT p.unit_id FROM projects p WHERE p.id = NEW.project_id), NEW.year, NEW.month) THEN
            {raise_};
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.amount IS DISTINCT FROM NEW.amount OR OLD.year IS DISTINCT FROM NEW.year
            OR OLD.month IS DISTINCT FROM NEW.month OR OLD.project_id IS DISTINCT FROM NEW.project_id)
           AND (zsdesk_month_locked((SELECT p.unit_id FROM projects p WHERE p.id = OLD.project_id), OLD.year, OLD.month)
                OR zsdesk_month_locked((SELECT p.unit_id FROM projects p WHERE p.id = NEW.project_id), NEW.year, NEW.month)) THEN
            {raise_};
        END IF;
        RETURN NEW;
    END IF;
    IF zsdesk_month_locked((SELECT p.unit_id FROM projects p WHERE p.id = OLD.project_id), OLD.year, OLD.month) THEN
        {raise_};
    END IF;
    RETURN OLD;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION zsdesk_refuse_locked_project()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF {any_new} THEN
            {raise_};
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF ({changed_dates}) OR {moved} THEN
            {raise_};
        END IF;
        RETURN NEW;
    END IF;
    IF {any_old} THEN
        {raise_};
    END IF;
    RETURN OLD;
END $$""",
        "DROP TRIGGER IF EXISTS zs_lock_fund ON fund_records",
        "CREATE TRIGGER zs_lock_fund BEFORE INSERT OR UPDATE OR DELETE ON fund_records "
        "FOR EACH ROW EXECUTE FUNCTION zsdesk_refuse_locked_fund()",
        "DROP TRIGGER IF EXISTS zs_lock_project ON projects",
        f"CREATE TRIGGER zs_lock_project BEFORE INSERT OR UPDATE OF unit_id, {', '.join(date_fields)} OR DELETE "
        "ON projects FOR EACH ROW EXECUTE FUNCTION zsdesk_refuse_locked_project()",
    ]


def drop_server_trigger_sql() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS zs_lock_project ON projects",
        "DROP TRIGGER IF EXISTS zs_lock_fund ON fund_records",
        "DROP FUNCTION IF EXISTS zsdesk_refuse_locked_project()",
        "DROP FUNCTION IF EXISTS zsdesk_refuse_locked_fund()",
        "DROP FUNCTION IF EXISTS zsdesk_funds_locked(integer, integer)",
        "DROP FUNCTION IF EXISTS zsdesk_date_locked(integer, date)",
        "DROP FUNCTION IF EXISTS zsdesk_month_locked(integer, integer, integer)",
    ]
