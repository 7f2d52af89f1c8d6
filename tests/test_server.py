"""The bureau's ledger on a PostgreSQL server (issue 15): open by URL, set up, copy, errors.

Every test runs against a throwaway PostgreSQL cluster (tests/pg_support.py, started once
per session); they are skipped with the reason when PostgreSQL is not installed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import func, select, text

from tests.pg_support import PASSWORD, PASSWORD_USER
from zsdesk.cli.main import main
from zsdesk.domain.periods import YearMonth
from zsdesk.errors import NewerSchema, ReadOnlyLocation
from zsdesk.returns import export_return, import_returns
from zsdesk.store import db as store_db
from zsdesk.store.copying import dump
from zsdesk.store.db import head_revision, open_ledger
from zsdesk.store.demo import write_demo
from zsdesk.store.ledger_setup import create_from
from zsdesk.store.models import FundRecord, Project, Unit
from zsdesk.store.progress_query import load_progress
from zsdesk.store.server import NoSchema, OlderSchema, is_url, open_server, upgrade_server

PERIOD = YearMonth(2026, 6)
TODAY = dt.date(2026, 7, 3)


def progress_of(ledger):
    with ledger.read() as session:
        return load_progress(session, PERIOD).as_json()


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


def new_project(session, code="XM-NEW") -> Project:
    unit_id = session.scalar(select(Unit.id).order_by(Unit.id).limit(1))
    project = Project(code=code, name="新建项目", unit_id=unit_id, planned_investment=Decimal(100))
    session.add(project)
    session.flush()
    return project


# --- the factory decides by URL --------------------------------------------------------


def test_urls_and_paths_are_told_apart():
    assert is_url("postgresql+psycopg://clerk@bureau:5432/zsdesk")
    assert is_url("postgresql://clerk@bureau/zsdesk")
    assert not is_url("/home/clerk/县台账.sqlite")
    assert not is_url("C:\\台账\\县台账.sqlite")
    assert not is_url("县台账.sqlite")
    assert not is_url("C://台账/县台账.sqlite")


def test_a_file_url_of_another_kind_is_refused(capsys):
    assert main(["progress", "--db", "mysql+pymysql://x@host/db", "--month", "2026-06"]) == 2
    assert "不支持的数据库地址" in one_error_line(capsys)


# --- server init, copy: exact to the last row -----------------------------------------


def test_server_init_copies_a_county_file_exactly(demo_path, pg_url, capsys):
    assert main(["server", "init", pg_url, "--from", str(demo_path)]) == 0
    assert "已复制" in capsys.readouterr().out
    source, server = open_ledger(demo_path, readonly=True), open_server(pg_url)
    try:
        assert dump(server) == dump(source)
        assert sum(len(rows) for rows in dump(server).values()) > 2000
        assert progress_of(server) == progress_of(source)
        # The sequences were moved past the copied ids: a new project gets a fresh id.
        highest = max(row[0] for row in dump(source)["projects"])
        with server.begin() as session:
            project = new_project(session)
            session.add(FundRecord(project_id=project.id, year=2026, month=6, amount=Decimal("1.5")))
        assert project.id == highest + 1
    finally:
        source.close()
        server.close()


def test_the_same_figures_on_a_server_as_in_the_file(demo_path, pg_url, capsys):
    assert main(["server", "init", pg_url, "--from", str(demo_path)]) == 0
    capsys.readouterr()
    for db in (str(demo_path), pg_url):
        assert main(["progress", "--db", db, "--month", "2026-06", "--json"]) == 0
    file_out, _ = capsys.readouterr()
    first, second = file_out[: len(file_out) // 2], file_out[len(file_out) // 2 :]
    assert first == second and "尚湖镇" in first


def test_copy_refuses_a_target_with_records_unless_replace(demo_path, pg_url, tmp_path, capsys):
    assert main(["copy", "--from", str(demo_path), "--to", str(tmp_path / "empty.sqlite")]) == 0
    upgrade_server(pg_url, create=True)
    other = create_from(tmp_path / "other.sqlite", demo_path)  # units and targets only
    other.close()
    assert main(["copy", "--from", str(tmp_path / "other.sqlite"), "--to", pg_url]) == 0
    server = open_server(pg_url)
    before = dump(server)
    server.close()
    capsys.readouterr()

    assert main(["copy", "--from", str(demo_path), "--to", pg_url]) == 2
    line = one_error_line(capsys)
    assert "已有" in line and "--replace" in line
    server = open_server(pg_url)
    assert dump(server) == before  # nothing written
    server.close()

    assert main(["copy", "--from", str(demo_path), "--to", pg_url, "--replace"]) == 0
    assert "替换了原有的" in capsys.readouterr().out
    source, server = open_ledger(demo_path, readonly=True), open_server(pg_url)
    try:
        assert dump(server) == dump(source)
    finally:
        source.close()
        server.close()


def test_a_server_copied_to_a_file_is_an_ordinary_ledger(demo_path, pg_url, tmp_path, capsys):
    assert main(["server", "init", pg_url, "--from", str(demo_path)]) == 0
    with open_server(pg_url) as server:  # a change made on the server travels too
        with server.begin() as session:
            new_project(session, "XM-SERVER")
        expected = dump(server)
    laptop = tmp_path / "笔记本.sqlite"
    assert main(["copy", "--from", pg_url, "--to", str(laptop)]) == 0
    with open_ledger(laptop) as copy:
        assert dump(copy) == expected
        with copy.read() as session:
            assert session.scalar(select(Project.name).where(Project.code == "XM-SERVER")) == "新建项目"


def test_a_copy_from_a_bad_source_makes_no_file(tmp_path, capsys):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a ledger at all")
    target = tmp_path / "copy.sqlite"
    assert main(["copy", "--from", str(bad), "--to", str(target)]) == 2
    assert "不是zsdesk台账文件" in one_error_line(capsys)
    assert not target.exists()


def test_a_demo_written_to_a_server_takes_new_records(pg_url):
    with write_demo(pg_url, PERIOD) as ledger:
        with ledger.begin() as session:
            project = new_project(session)
        with ledger.read() as session:
            assert project.id == session.scalar(select(func.max(Project.id)))
            assert session.scalar(select(func.count()).select_from(Project)) > 300


# --- importing returns on a server ----------------------------------------------------


def _unstamped(rows: dict[str, list[tuple]], table: str) -> list[tuple]:
    from zsdesk.store.copying import tables

    [columns] = [[c.name for c in t.columns] for t in tables() if t.name == table]
    keep = [i for i, name in enumerate(columns) if name not in ("created_at", "updated_at")]
    return [tuple(row[i] for i in keep) for row in rows[table]]


def test_a_return_imported_on_a_server_equals_the_same_import_in_a_file(demo_ledger, demo_path, pg_url, tmp_path):
    with demo_ledger.read() as session:
        export_return(session, "安文街道", PERIOD, tmp_path / "r.xlsx", today=TODAY)
    file_county = create_from(tmp_path / "county.sqlite", demo_path)
    server_county = create_from(pg_url, demo_path)
    try:
        for county in (file_county, server_county):
            [outcome] = import_returns(county, [tmp_path / "r.xlsx"], today=TODAY)
            assert outcome.status == "imported"
        file_rows, server_rows = dump(file_county), dump(server_county)
        assert len(server_rows["projects"]) > 0
        for table in ("projects", "fund_records", "investors", "units", "targets"):
            # Each import stamps the rows it writes with its own clock (created_at, updated_at):
            # the two imports run a moment apart, so only those columns may differ.
            assert _unstamped(server_rows, table) == _unstamped(file_rows, table), table
        assert progress_of(server_county) == progress_of(file_county)
    finally:
        file_county.close()
        server_county.close()
    # The file's import kept a backup beside the file; the server's import made none.
    assert [p.name.split("-")[0] for p in tmp_path.glob("county.sqlite.backups/*import*")] == ["county"]


# --- no file machinery on a server ----------------------------------------------------


def test_two_writers_open_a_server_at_once_and_no_backup_is_made(demo_path, pg_url, tmp_path, monkeypatch, capsys):
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["server", "init", pg_url, "--from", str(demo_path)]) == 0
    first, second = open_ledger(pg_url), open_ledger(pg_url)  # no file lock: both write
    try:
        assert first.is_server and first.writer_lock is None and first.warnings == []
        with first.begin() as session:
            new_project(session, "XM-A")
        with second.begin() as session:
            new_project(session, "XM-B")
        with first.read() as session:
            assert set(session.scalars(select(Project.code).where(Project.code.in_(["XM-A", "XM-B"])))) == {"XM-A", "XM-B"}
    finally:
        first.close()
        second.close()
    assert list(here.iterdir()) == []  # no backup folder, no lock file made for a "path"


def test_a_read_only_open_refuses_writes_in_chinese(demo_path, pg_url, capsys):
    assert main(["server", "init", pg_url, "--from", str(demo_path)]) == 0
    with open_ledger(pg_url, readonly=True) as ledger:
        before = dump(ledger)
        with pytest.raises(ReadOnlyLocation, match="只读"):
            with ledger.begin() as session:
                new_project(session)
        assert dump(ledger) == before


# --- schema: checked, never upgraded silently -----------------------------------------


def _server_at(url: str, revision: str) -> None:
    from zsdesk.store.server import server_engine

    engine = server_engine(url)
    config = store_db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def _revision(url: str) -> str | None:
    from zsdesk.store.server import server_engine, stored_revision

    engine = server_engine(url)
    try:
        return stored_revision(engine, url)
    finally:
        engine.dispose()


def test_an_older_server_is_told_to_upgrade_and_only_upgrade_changes_it(pg_url, capsys):
    _server_at(pg_url, "0001")
    with pytest.raises(OlderSchema):
        open_ledger(pg_url)
    assert main(["progress", "--db", pg_url, "--month", "2026-06"]) == 2
    assert "zsdesk server upgrade" in one_error_line(capsys)
    assert _revision(pg_url) == "0001"  # opening changed nothing

    assert main(["server", "upgrade", pg_url]) == 0
    assert "0001 → " + head_revision() in capsys.readouterr().out
    assert _revision(pg_url) == head_revision()
    open_ledger(pg_url).close()
    assert main(["server", "upgrade", pg_url]) == 0
    assert "已是最新" in capsys.readouterr().out


def test_a_newer_server_is_refused(pg_url, capsys):
    upgrade_server(pg_url, create=True)
    from zsdesk.store.server import server_engine

    engine = server_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(NewerSchema):
        open_ledger(pg_url)
    assert main(["progress", "--db", pg_url, "--month", "2026-06"]) == 2
    assert "更新版本" in one_error_line(capsys)
    assert main(["server", "upgrade", pg_url]) == 2
    assert "比本程序新" in one_error_line(capsys)
    assert _revision(pg_url) == "9999"


def test_an_empty_database_has_no_schema(pg_url, capsys):
    with pytest.raises(NoSchema):
        open_ledger(pg_url)
    assert main(["progress", "--db", pg_url, "--month", "2026-06"]) == 2
    assert "zsdesk server init" in one_error_line(capsys)
    assert main(["server", "upgrade", pg_url]) == 2  # upgrade does not create: init does
    assert "server init" in one_error_line(capsys)
    assert _revision(pg_url) is None


# --- connection errors: one Chinese line, exit 2 --------------------------------------


@pytest.mark.parametrize(
    ("make_url", "words"),
    [
        (lambda c, db: f"postgresql+psycopg://{PASSWORD_USER}@127.0.0.1:{_closed_port()}/{db}", "连接不上数据库服务器"),
        (lambda c, db: c.tcp_url(db, password="wrong"), "用户名或密码不对"),
        (lambda c, db: c.tcp_url(db), "要求密码"),
        (lambda c, db: c.tcp_url("no_such_db", password=PASSWORD), "没有这个数据库"),
        (lambda c, db: c.tcp_url(db, user="nobody", password="x"), "拒绝登录"),
    ],
    ids=["unreachable", "wrong-password", "no-password", "database-missing", "unknown-user"],
)
def test_server_errors_are_one_chinese_line(pg_cluster, make_url, words, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    database = pg_cluster.create_database()
    url = make_url(pg_cluster, database)
    assert main(["progress", "--db", url, "--month", "2026-06"]) == 2
    line = one_error_line(capsys)
    assert line.startswith("错误：") and words in line
    assert "Traceback" not in line
    if "wrong" in url:
        assert "wrong" not in line  # a password typed into the URL is never echoed


def _closed_port() -> int:
    from tests.pg_support import free_port

    return free_port()


def test_the_password_comes_from_libpqs_own_file(pg_cluster, demo_path, tmp_path, monkeypatch, capsys):
    database = pg_cluster.create_database()
    assert main(["server", "init", pg_cluster.url(database), "--from", str(demo_path)]) == 0
    pg_cluster.sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {PASSWORD_USER}", database)
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{pg_cluster.port}:{database}:{PASSWORD_USER}:{PASSWORD}\n", encoding="utf-8")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    capsys.readouterr()
    assert main(["progress", "--db", pg_cluster.tcp_url(database), "--month", "2026-06", "--unit", "尚湖镇"]) == 0
    assert "尚湖镇" in capsys.readouterr().out


# --- every command on a server gives what it gives on the file ------------------------


def _cells(path):
    import openpyxl

    book = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def _return_cells(path):
    """A return's cells, its moment of export and the digest over it (which covers that
    moment) left out: the file's and the server's exports may fall in two seconds."""
    cells = _cells(path)
    cells["_zsdesk"] = [row for row in cells["_zsdesk"] if row[0] not in ("exported_at", "digest")]
    return cells


def _docx_text(path):
    import docx

    return [p.text for p in docx.Document(str(path)).paragraphs]


COMMANDS = [
    (["progress", "--month", "2026-06", "--json"], None, None),
    (["check", "--month", "2026-06", "--json"], None, None),
    (["brief", "--month", "2026-06", "--date", "2026-07-03"], None, None),
    (["export-return", "--month", "2026-06", "--unit", "安文街道", "--force", "--out", "{out}/r.xlsx"], "r.xlsx", _return_cells),
    (["export-summary", "--month", "2026-06", "--out", "{out}/s.xlsx"], "s.xlsx", _cells),
    (["export-targets", "--year", "2026", "--out", "{out}/t.xlsx"], "t.xlsx", _cells),
    (["bulletin", "--month", "2026-06", "--date", "2026-07-03", "--out", "{out}/b.docx"], "b.docx", _docx_text),
    (["chart", "--month", "2026-06", "--out", "{out}/c.png"], "c.png", lambda p: p.stat().st_size > 10000),
    (["locks"], None, None),
]


@pytest.mark.parametrize(("arguments", "made", "read"), COMMANDS, ids=[c[0][0] for c in COMMANDS])
def test_a_command_on_the_server_gives_what_it_gives_on_the_file(demo_path, pg_url, tmp_path, capsys, arguments, made, read):
    assert main(["server", "init", pg_url, "--from", str(demo_path)]) == 0
    results = []
    for name, db in (("file", str(demo_path)), ("server", pg_url)):
        out = tmp_path / name
        out.mkdir()
        capsys.readouterr()
        status = main([arguments[0], "--db", db, *[a.format(out=out) for a in arguments[1:]]])
        printed = capsys.readouterr().out.replace(str(out), "OUT").replace(db, "DB")
        results.append((status, printed, read(out / made) if made else None))
    assert results[0][0] in (0, 1)
    assert results[1] == results[0]


def test_writing_commands_on_a_server(demo_path, pg_url, tmp_path, capsys):
    assert main(["server", "init", pg_url, "--from", str(demo_path)]) == 0
    assert main(["export-return", "--db", pg_url, "--month", "2026-06", "--unit", "安文街道", "--force", "--out", str(tmp_path / "r.xlsx")]) == 0
    assert main(["import-returns", "--db", pg_url, str(tmp_path / "r.xlsx")]) in (0, 1)
    assert main(["lock-month", "--db", pg_url, "--month", "2026-06", "--unit", "安文街道", "--reason", "已汇总"]) == 0
    capsys.readouterr()
    assert main(["locks", "--db", pg_url]) == 0
    assert "安文街道" in capsys.readouterr().out
    starters = tmp_path / "starters"
    starters.mkdir()
    assert main(["starter-files", "--db", pg_url, "--year", "2026", "--out", str(starters), "--unit", "安文街道"]) == 0
    assert [p.name for p in starters.iterdir()] == ["安文街道-2026年起始台账.sqlite"]

    # A server's backup is a snapshot in a new ledger file, exact to the last row.
    snapshot = tmp_path / "快照.sqlite"
    assert main(["backup", "--db", pg_url, "--out", str(snapshot)]) == 0
    with open_server(pg_url) as server, open_ledger(snapshot) as copy:
        assert dump(copy) == dump(server)
    capsys.readouterr()
    assert main(["backup", "--db", pg_url]) == 2
    assert "pg_dump" in one_error_line(capsys)
    assert main(["backups", "--db", pg_url]) == 2
    assert "没有文件备份" in one_error_line(capsys)
    assert main(["restore", "--db", pg_url, "--from", "1"]) == 2
    assert "没有文件备份" in one_error_line(capsys)


def test_a_locked_month_is_kept_on_a_server(demo_path, pg_url, capsys):
    from zsdesk.store.locks import MonthLocked

    assert main(["server", "init", pg_url, "--from", str(demo_path)]) == 0
    assert main(["lock-month", "--db", pg_url, "--month", "2026-06", "--unit", "安文街道", "--reason", "已汇总"]) == 0
    with open_server(pg_url) as server:
        before = dump(server)
        with server.read() as session:
            fund_id = session.scalar(
                select(FundRecord.id)
                .join(Project, Project.id == FundRecord.project_id)
                .join(Unit, Unit.id == Project.unit_id)
                .where(Unit.name == "安文街道", FundRecord.year == 2026, FundRecord.month == 6)
                .limit(1)
            )
        assert fund_id is not None
        with pytest.raises(MonthLocked, match="安文街道"):
            with server.begin() as session:
                session.get(FundRecord, fund_id).amount = Decimal("99999")
        assert dump(server) == before
