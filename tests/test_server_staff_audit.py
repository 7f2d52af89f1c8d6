"""A change to a staff name is in the audit trail (who changed which role's name, from what
to what, when), shown by the trail's own export like every other change: record id 0 and
the role as the field, the way settings are kept — no schema change."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from zsdesk.cli.main import main
from zsdesk.store import audit
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import AuditEntry


def staff_entries(url):
    """The trail's staff-name entries as the export shows them (时间 left out)."""
    ledger = open_ledger(url, readonly=True)
    try:
        with ledger.read() as s:
            entries = list(s.scalars(select(AuditEntry).where(AuditEntry.table_name == "staff_names").order_by(AuditEntry.id)))
            return [row[1:] for row in audit.entry_rows(s, entries)], [e.at for e in entries]
    finally:
        ledger.close()


@pytest.fixture
def server(pg_cluster):
    database = pg_cluster.create_database()
    url = pg_cluster.url(database)
    create_ledger(url, "测试县", ["甲镇"]).close()
    return database, url


def test_a_staff_name_changed_by_the_command_line_leaves_one_entry_naming_the_changer(server, pg_cluster, tmp_path, capsys):
    database, url = server
    li_si = pg_cluster.login_role("lisi", database)  # 李四's own login
    before = dt.datetime.now().replace(microsecond=0)
    assert main(["server", "staff", url, "--role", "lisi", "--name", "李四"]) == 0
    assert main(["server", "staff", url, "--role", "wangwu", "--name", "王五"]) == 0
    rows, _ = staff_entries(url)
    assert rows == [
        ["zsdesk_test", "新增", "工作人员姓名", "数据库用户 lisi", "姓名", "", "李四"],  # the superuser has no name yet
        ["zsdesk_test", "新增", "工作人员姓名", "数据库用户 wangwu", "姓名", "", "王五"],
    ]

    assert main(["server", "staff", li_si, "--role", "wangwu", "--name", "王小五"]) == 0  # 李四 renames 王五
    rows, times = staff_entries(url)
    assert len(rows) == 3
    assert rows[2] == ["李四", "修改", "工作人员姓名", "数据库用户 wangwu", "姓名", "王五", "王小五"]
    assert before <= times[2] <= dt.datetime.now()

    assert main(["server", "staff", li_si, "--role", "lisi", "--name", "李思"]) == 0  # his own name: changed by 李四
    assert main(["server", "staff", url, "--role", "wangwu", "--name", ""]) == 0  # removed
    rows, _ = staff_entries(url)
    assert rows[3:] == [
        ["李四", "修改", "工作人员姓名", "数据库用户 lisi", "姓名", "李四", "李思"],
        ["zsdesk_test", "删除", "工作人员姓名", "数据库用户 wangwu", "姓名", "王小五", ""],
    ]

    # The trail's own export (zsdesk audit) carries it like any other change.
    out = tmp_path / "修改记录.xlsx"
    assert main(["audit", "--db", url, "--from", before.date().isoformat(), "--out", str(out)]) == 0
    exported = [[c or "" for c in row[1:]] for row in load_workbook(out).active.iter_rows(min_row=3, values_only=True)]
    assert ["李四", "修改", "工作人员姓名", "数据库用户 wangwu", "姓名", "王五", "王小五"] in exported
    assert sum(1 for row in exported if row[2] == "工作人员姓名") == 5


def test_saving_an_unchanged_name_leaves_no_entry(server):
    _database, url = server
    assert main(["server", "staff", url, "--role", "wangwu", "--name", "王五"]) == 0
    assert main(["server", "staff", url, "--role", "wangwu", "--name", " 王五 "]) == 0
    rows, _ = staff_entries(url)
    assert rows == [["zsdesk_test", "新增", "工作人员姓名", "数据库用户 wangwu", "姓名", "", "王五"]]
