"""Several writers on one server at once (issue 15): locks, triggers, retries, the audit trail.

Every test runs against the throwaway PostgreSQL cluster (tests/pg_support.py). Where two
writers must meet in a given order, the test waits until the server shows the second one
waiting for a lock (pg_locks / pg_stat_activity) before it lets the first one go on: the
order is observed, never guessed from the clock.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import psycopg
import pytest
from alembic import command
from sqlalchemy import create_engine, event, func, insert, select, text

from zsdesk.cli.main import main
from zsdesk.domain.periods import YearMonth
from zsdesk.store import concurrency, locks
from zsdesk.store import db as store_db
from zsdesk.store.concurrency import UnitBusy, run_action
from zsdesk.store.db import head_revision
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.locks import MonthLocked
from zsdesk.store.models import AuditEntry, FundRecord, MonthLock, Project, Unit
from zsdesk.store.server import open_server, server_engine, stored_revision
from zsdesk.store.settings import CLERK_NAME, set_setting
from zsdesk.store.staff import connection_role, set_staff_name

MARCH = YearMonth(2026, 3)


def psycopg_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq one (for a second, plain connection)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"dbname={parsed.database} user={parsed.username} host={parsed.query['host']} port={parsed.query['port']}"


@pytest.fixture
def county(pg_url):
    """测试县 on a server: 甲镇 with one project signed in March, funds in March and April."""
    ledger = create_ledger(pg_url, "测试县", ["甲镇", "乙乡"])
    with ledger.begin() as s:
        set_setting(s, CLERK_NAME, "张丽")
        # On a server the trail names the connection's role by its staff name (store/staff.py).
        set_staff_name(s, connection_role(s), "张丽")
        unit = s.scalar(select(Unit.id).where(Unit.name == "甲镇"))
        project = Project(code="XM-1", name="康养小镇", unit_id=unit, planned_investment=Decimal(500), signed_on=dt.date(2026, 3, 10))
        other = Project(code="XM-2", name="药材加工", unit_id=unit, planned_investment=Decimal(80))
        s.add_all([project, other])
        s.flush()
        s.add_all(
            [
                FundRecord(project_id=project.id, year=2026, month=3, amount=Decimal("120.5")),
                FundRecord(project_id=project.id, year=2026, month=4, amount=Decimal("30")),
            ]
        )
    yield ledger, unit, project.id, other.id
    ledger.close()


def waiting_for_a_lock(url: str, count: int = 1, *, locktype: str | None = None) -> None:
    """Return once ``count`` connections to the database wait for a lock (fail after 60 s)."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    if locktype:
        query += f" AND wait_event = '{locktype}'"
    with psycopg.connect(psycopg_url(url), autocommit=True) as monitor:
        for _ in range(6000):
            if monitor.execute(query).fetchone()[0] >= count:
                return
            time.sleep(0.01)
    raise AssertionError("the other writer never waited for the lock")


class Writer(threading.Thread):
    """``action(session)`` as one user action in a thread; ``error`` keeps what it raised."""

    def __init__(self, ledger, action):
        super().__init__(daemon=True)
        self.ledger, self.action, self.error, self.result = ledger, action, None, None

    def run(self):
        try:
            self.result = run_action(self.ledger, self.action)
        except Exception as exc:  # noqa: BLE001 - handed to the test
            self.error = exc

    def finish(self):
        self.join(60)
        assert not self.is_alive()
        return self


def march_amount(ledger) -> Decimal:
    with ledger.read() as s:
        return s.scalar(select(FundRecord.amount).where(FundRecord.month == 3))


# --- item 1: the server's triggers, and server upgrade -------------------------------------


def test_server_upgrade_brings_a_0002_server_to_the_triggers(county, capsys):
    ledger, unit, pid, _ = county
    url = ledger.url
    with ledger.begin() as s:
        locks.lock_month(s, unit, MARCH)
    ledger.close()
    engine = server_engine(url)
    config = store_db._alembic_config()
    with engine.begin() as connection:  # a server as the last session left it: 0002, no triggers
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with engine.begin() as connection:  # plain SQL into the locked month was accepted at 0002
        connection.execute(text("UPDATE fund_records SET amount = amount + 1 WHERE month = 3"))
        connection.execute(text("UPDATE fund_records SET amount = amount - 1 WHERE month = 3"))
    assert stored_revision(engine, url) == "0002"

    assert main(["server", "upgrade", url]) == 0
    capsys.readouterr()
    assert stored_revision(engine, url) == head_revision()
    with pytest.raises(Exception, match="zsdesk: month locked"):
        with engine.begin() as connection:
            connection.execute(text("UPDATE fund_records SET amount = amount + 1 WHERE month = 3"))
    with engine.begin() as connection:  # April is not locked
        connection.execute(text("UPDATE fund_records SET amount = 31 WHERE month = 4"))
    engine.dispose()
    with open_server(url) as reopened:
        assert march_amount(reopened) == Decimal("120.5")


def test_plain_sql_from_another_program_gets_the_servers_refusal(county):
    ledger, unit, pid, _ = county
    with ledger.begin() as s:
        locks.lock_month(s, unit, MARCH)
    with psycopg.connect(psycopg_url(ledger.url)) as other:  # psql, a script: no zsdesk hooks at all
        for statement in (
            "UPDATE fund_records SET amount = 1 WHERE month = 3",
            "DELETE FROM fund_records",
            f"INSERT INTO fund_records (project_id, year, month, amount) VALUES ({pid}, 2026, 3, 1)",
            "UPDATE projects SET signed_on = '2026-04-01'",
            "DELETE FROM projects WHERE code = 'XM-1'",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="zsdesk: month locked"):
                other.execute(statement)
            other.rollback()
        other.execute("UPDATE projects SET progress_note = '已签约'")  # not a figure of the month
        other.commit()
    assert march_amount(ledger) == Decimal("120.5")


# --- item 2: a lock and the writes in flight to its unit ------------------------------------


def test_locking_a_month_waits_for_a_write_in_flight_to_the_unit(county):
    ledger, unit, pid, _ = county
    with ledger.Session() as editor:  # a clerk's save, flushed but not yet committed
        editor.begin()
        editor.scalar(select(FundRecord).where(FundRecord.month == 3)).amount = Decimal("125")
        editor.flush()
        locker = Writer(ledger, lambda s: locks.lock_month(s, unit, MARCH, by="李明"))
        locker.start()
        waiting_for_a_lock(ledger.url, locktype="advisory")
        assert locker.is_alive()  # the lock waits for the save ...
        editor.commit()
    assert locker.finish().error is None  # ... and is taken after it: the save is wholly before
    assert march_amount(ledger) == Decimal("125")
    with ledger.read() as s:
        assert [(m.year, m.month, m.locked_by) for m in locks.locked_months(s, unit)] == [(2026, 3, "李明")]


def test_a_write_checked_before_a_lock_commits_cannot_land_in_the_locked_month(county):
    ledger, unit, pid, _ = county
    with ledger.Session() as locking:  # another staff member's lock, not yet committed
        locking.begin()
        locks.lock_month(locking, unit, MARCH, by="李明")

        def save(s):  # zsdesk's own check (the ORM hook) passes: the lock is not committed
            s.scalar(select(FundRecord).where(FundRecord.month == 3)).amount = Decimal("125")

        editor = Writer(ledger, save)
        editor.start()
        waiting_for_a_lock(ledger.url, locktype="advisory")  # the server's trigger waits ...
        locking.commit()
    editor.finish()
    assert isinstance(editor.error, MonthLocked)  # ... and then sees the lock
    assert "已锁定" in editor.error.message
    assert march_amount(ledger) == Decimal("120.5")


def test_a_lock_or_import_held_too_long_gives_one_chinese_message(county, monkeypatch):
    ledger, unit, pid, _ = county
    monkeypatch.setattr(concurrency, "LOCK_TIMEOUT_MS", 300)
    with ledger.Session() as importing:  # an import of 甲镇's March in flight
        importing.begin()
        concurrency.hold_for_import(importing, unit, MARCH)
        with pytest.raises(UnitBusy) as busy:
            with ledger.begin() as s:
                concurrency.hold_for_import(s, unit, MARCH)
        assert busy.value.message == "甲镇2026年3月的月报正在由另一位工作人员导入，请稍后再试"
        with pytest.raises(UnitBusy, match="正在由另一位工作人员导入或修改"):
            run_action(ledger, lambda s: locks.lock_month(s, unit, MARCH))
        with ledger.begin() as s:  # another unit, or another month of the unit: no wait
            concurrency.hold_for_import(s, unit, YearMonth(2026, 4))
            other = s.scalar(select(Unit.id).where(Unit.name == "乙乡"))
            locks.lock_month(s, other, MARCH)
        importing.rollback()
    with ledger.read() as s:
        assert [(m.unit_id, m.month) for m in locks.locked_months(s)] == [(other, 3)]


# --- item 3: retried on a deadlock, done once ----------------------------------------------


def test_an_action_that_loses_a_deadlock_is_run_again_and_done_once(county):
    ledger, unit, first, second = county
    other_has_second, go = threading.Event(), threading.Event()
    failures = []

    def other_clerk():  # holds XM-2, then wants XM-1
        try:
            with psycopg.connect(psycopg_url(ledger.url)) as conn:
                conn.execute("SET deadlock_timeout = '10s'")  # so the deadlock is found by zsdesk's side
                conn.execute("UPDATE projects SET notes = '王芳' WHERE id = %s", (second,))
                other_has_second.set()
                go.wait(60)
                conn.execute("UPDATE projects SET notes = '王芳' WHERE id = %s", (first,))
                conn.commit()
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)

    attempts = []

    def action(s):  # holds XM-1, then wants XM-2: a real deadlock on the first run
        attempts.append(1)
        if len(attempts) == 1:
            s.execute(text("SET LOCAL deadlock_timeout = '100ms'"))
        s.add(FundRecord(project_id=second, year=2026, month=9, amount=Decimal("66")))
        s.get(Project, first).problems = "张丽核实"
        s.flush()
        if len(attempts) == 1:
            go.set()
            waiting_for_a_lock(ledger.url)
        s.get(Project, second).problems = "张丽核实"
        s.flush()

    thread = threading.Thread(target=other_clerk, daemon=True)
    thread.start()
    assert other_has_second.wait(60)
    run_action(ledger, action)
    thread.join(60)
    assert failures == []
    assert len(attempts) == 2  # the server chose zsdesk's transaction as the victim; it ran again
    with ledger.read() as s:
        rows = s.execute(select(Project.code, Project.notes, Project.problems).order_by(Project.code)).all()
        assert rows == [("XM-1", "王芳", "张丽核实"), ("XM-2", "王芳", "张丽核实")]
        added = s.scalars(select(FundRecord.amount).where(FundRecord.project_id == second)).all()
        assert added == [Decimal("66")]  # once, not once per attempt
        audited = s.scalar(
            select(func.count()).where(AuditEntry.table_name == "fund_records", AuditEntry.action == "insert", AuditEntry.field == "amount")
        )
        assert audited == 3  # the two funds of the fixture and this one


def test_an_error_that_is_not_a_conflict_is_not_retried(county):
    ledger, unit, pid, _ = county
    attempts = []

    def action(s):
        attempts.append(1)
        s.execute(text("SELECT 1/0"))

    with pytest.raises(Exception, match="division by zero"):
        run_action(ledger, action)
    assert len(attempts) == 1


# --- item 4: the audit trail records what this session wrote --------------------------------


def test_another_connections_insert_is_not_audited_under_this_clerks_name(county):
    ledger, unit, pid, other_project = county
    other_engine = create_engine(ledger.engine.url)
    done = []

    @event.listens_for(ledger.engine, "after_cursor_execute")
    def meanwhile(conn, cursor, statement, parameters, context, executemany):
        # Right after this clerk's INSERT, before zsdesk reads what it inserted, another
        # staff member's bulk insert commits.
        if statement.startswith("INSERT INTO fund_records") and not done:
            done.append(1)
            with other_engine.begin() as other:
                other.execute(
                    insert(FundRecord.__table__),
                    [{"project_id": other_project, "year": 2026, "month": m, "amount": Decimal(m)} for m in (10, 11)],
                )

    with ledger.begin() as s:
        s.execute(
            insert(FundRecord),
            [{"project_id": pid, "year": 2026, "month": m, "amount": Decimal("5")} for m in (5, 6)],
        )
    event.remove(ledger.engine, "after_cursor_execute", meanwhile)
    other_engine.dispose()
    assert done
    with ledger.read() as s:
        mine = set(s.scalars(select(FundRecord.id).where(FundRecord.project_id == pid, FundRecord.month.in_([5, 6]))))
        theirs = set(s.scalars(select(FundRecord.id).where(FundRecord.project_id == other_project)))
        audited = set(
            s.scalars(select(AuditEntry.record_id).where(AuditEntry.table_name == "fund_records", AuditEntry.who == "张丽"))
        )
    assert len(mine) == 2 and len(theirs) == 2
    assert mine <= audited
    assert not (theirs & audited)


def test_an_import_kept_waiting_says_so_in_one_chinese_line_and_writes_nothing(county, tmp_path, monkeypatch, capsys):
    from zsdesk.returns import export_return
    from zsdesk.store.copying import dump

    ledger, unit, pid, _ = county
    with ledger.read() as s:
        path = export_return(s, "甲镇", MARCH, tmp_path / "甲镇.xlsx", today=dt.date(2026, 4, 2)).path
    with ledger.begin() as s:  # the county changed since: the return would write
        s.scalar(select(FundRecord).where(FundRecord.month == 3)).amount = Decimal("99")
    before = dump(ledger)
    monkeypatch.setattr(concurrency, "LOCK_TIMEOUT_MS", 300)
    with ledger.Session() as other:  # another staff member importing 甲镇's March
        other.begin()
        concurrency.hold_for_import(other, unit, MARCH)
        status = main(["import-returns", "--db", ledger.url, str(path)])
        other.rollback()
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "甲镇2026年3月的月报正在由另一位工作人员导入，请稍后再试" in err
    assert dump(ledger) == before
    assert main(["import-returns", "--db", ledger.url, str(path)]) == 0  # once it is free
    assert march_amount(ledger) == Decimal("120.5")
