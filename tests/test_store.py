"""The ledger file: constraints, exact money, migrations and files that are not ledgers."""

import hashlib
import shutil
import sqlite3
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError

from zsdesk.errors import DamagedLedger, LedgerMissing, NewerSchema, NotALedger, ReadOnlyLocation
from zsdesk.store import db as store_db
from zsdesk.store.db import current_revision, head_revision, open_ledger, sqlite_engine
from zsdesk.store.models import Base, FundRecord, Project, Unit

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _project(session, code="XM-1"):
    unit = session.scalars(select(Unit)).first()
    project = Project(code=code, name="测试项目", unit_id=unit.id, planned_investment=Decimal(10))
    session.add(project)
    session.flush()
    return project


def test_new_file_is_at_the_newest_schema_and_matches_the_models(ledger):
    assert current_revision(ledger) == head_revision()
    with ledger.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


@pytest.mark.file_only
def test_foreign_keys_and_wal_on_every_connection(ledger):
    for _ in range(2):
        with ledger.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with pytest.raises(IntegrityError):
        with ledger.begin() as s:
            s.add(Project(code="XM-X", name="无单位", unit_id=999, planned_investment=Decimal(1)))


def test_one_fund_row_per_project_and_month(ledger):
    with pytest.raises(IntegrityError):
        with ledger.begin() as s:
            project = _project(s)
            s.add_all([FundRecord(project_id=project.id, year=2026, month=5, amount=Decimal(1)) for _ in range(2)])
    with ledger.read() as s:  # the failed action left nothing behind
        assert s.scalar(select(func.count()).select_from(Project)) == 0


def test_month_must_be_a_month(ledger):
    with pytest.raises(IntegrityError):
        with ledger.begin() as s:
            s.add(FundRecord(project_id=_project(s).id, year=2026, month=13, amount=Decimal(1)))


def test_money_is_exact_in_the_database(ledger):
    with ledger.begin() as s:
        for i in range(10):
            s.add(FundRecord(project_id=_project(s, f"XM-{i}").id, year=2026, month=1, amount=Decimal("0.1")))
    with ledger.read() as s:
        total = s.scalar(select(func.sum(FundRecord.amount)))
        stored = s.execute(select(FundRecord.__table__.c.amount).limit(1)).scalar()
    assert total == Decimal(1) and isinstance(total, Decimal)
    if ledger.is_server:
        with ledger.engine.connect() as raw:
            row = raw.exec_driver_sql("SELECT pg_typeof(amount)::text, amount FROM fund_records LIMIT 1").one()
        assert tuple(row) == ("bigint", 1000)
    else:
        with sqlite3.connect(ledger.path) as raw:
            assert raw.execute("SELECT typeof(amount), amount FROM fund_records LIMIT 1").fetchone() == ("integer", 1000)
    assert stored == Decimal("0.1")
    with pytest.raises(StatementError, match="money must not be a float"):
        with ledger.begin() as s:
            s.add(FundRecord(project_id=_project(s, "XM-F").id, year=2026, month=2, amount=0.1))


def test_an_older_file_is_migrated_after_a_copy(tmp_path):
    path = tmp_path / "old.sqlite"
    engine = sqlite_engine(path)
    config = store_db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    with sqlite3.connect(path) as raw:
        before = raw.execute(schema).fetchall()
    raw.close()

    ledger = open_ledger(path)
    assert current_revision(ledger) == head_revision()
    ledger.close()
    copies = list((tmp_path / "old.sqlite.backups").glob("old-*-upgrade.sqlite"))  # zsdesk.store.backup
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert raw.execute(schema).fetchall() == before
    raw.close()
    assert "audit_log" not in {name for _, name, _ in before}


@pytest.mark.file_only
def test_a_newer_file_is_refused_and_left_untouched(ledger):
    ledger.close()
    with sqlite3.connect(ledger.path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.close()
    before = digest(ledger.path)
    with pytest.raises(NewerSchema, match="更新版本"):
        open_ledger(ledger.path)
    assert digest(ledger.path) == before


@pytest.mark.parametrize(
    "content, error, words",
    [
        (b"", NotALedger, "不是SQLite"),
        (b"PK\x03\x04 this is a zip file, not a ledger" * 10, NotALedger, "不是SQLite"),
        ("名称,金额\n甲,1\n".encode(), NotALedger, "不是SQLite"),
    ],
)
def test_files_that_are_not_ledgers(tmp_path, content, error, words):
    path = tmp_path / "x.sqlite"
    path.write_bytes(content)
    with pytest.raises(error, match=words):
        open_ledger(path)
    assert path.read_bytes() == content


def test_a_sqlite_file_of_another_program(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE t (x)")
    raw.close()
    before = digest(path)
    with pytest.raises(NotALedger, match="没有台账的表结构"):
        open_ledger(path)
    assert digest(path) == before


def test_a_damaged_file(demo_path):
    data = bytearray(demo_path.read_bytes())
    page = 4096
    # Keep the header page, scribble over the pages of the tables after it.
    for offset in range(page, min(len(data), 40 * page), 97):
        data[offset] = 0xA5
    demo_path.write_bytes(bytes(data))
    before = digest(demo_path)
    with pytest.raises(DamagedLedger, match="已损坏"):
        open_ledger(demo_path)
    assert digest(demo_path) == before


def test_a_truncated_file(demo_path):
    data = demo_path.read_bytes()
    demo_path.write_bytes(data[: len(data) // 3])
    with pytest.raises(DamagedLedger, match="已损坏"):
        open_ledger(demo_path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(LedgerMissing, match="找不到"):
        open_ledger(tmp_path / "nope.sqlite")
    with pytest.raises(NotALedger, match="文件夹"):
        open_ledger(tmp_path)
    with pytest.raises(ReadOnlyLocation, match="文件夹不存在"):
        open_ledger(tmp_path / "no" / "such" / "x.sqlite", create=True)


def test_read_only_open_writes_nothing(demo_path):
    before = digest(demo_path)
    ledger = open_ledger(demo_path, readonly=True)
    with pytest.raises(Exception):
        with ledger.begin() as s:
            s.add(Unit(name="新单位", kind="zone"))
    ledger.close()
    assert digest(demo_path) == before


def test_copy_keeps_content(demo_path, tmp_path):
    copy = store_db.copy_database(demo_path, tmp_path / "copy.sqlite")
    a = sqlite3.connect(demo_path)
    b = sqlite3.connect(copy)
    query = "SELECT code, name FROM projects ORDER BY code"
    assert a.execute(query).fetchall() == b.execute(query).fetchall()
    a.close()
    b.close()
