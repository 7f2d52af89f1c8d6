"""The audit trail: who changed which field, when, from what to what; a project's history; export."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, insert, select, text, update

from zsdesk.domain.enums import EventKind, Stage
from zsdesk.store import audit
from zsdesk.store.models import (
    AuditEntry,
    Event,
    FollowUp,
    FundRecord,
    Investor,
    Project,
    Target,
    Unit,
    Visit,
)
from zsdesk.store.settings import CLERK_NAME, PHONE, set_setting

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends


@pytest.fixture
def clerk(ledger):
    """张丽 makes the changes: on a file the clerk named in the settings, on a server the
    staff member the bureau mapped the connection's database role to (issue 15)."""
    from zsdesk.store.staff import connection_role, set_staff_name

    with ledger.begin() as s:
        role = connection_role(s)
        if role is None:
            set_setting(s, CLERK_NAME, "张丽")
        else:
            set_setting(s, CLERK_NAME, "文件里的填报人")  # not who changes a server's ledger
            set_staff_name(s, role, "张丽")
    return ledger


def changes(ledger, table, record_id):
    with ledger.read() as s:
        return [(e.action, e.field, e.old_value, e.new_value, e.who) for e in audit.history(s, table, record_id)]


def new_project(ledger, **fields):
    with ledger.begin() as s:
        unit = s.scalars(select(Unit).where(Unit.name == "甲镇")).one()
        project = Project(code="XM-1", name="康养小镇", unit_id=unit.id, planned_investment=Decimal("500"), **fields)
        s.add(project)
    return project.id


def test_an_edit_records_each_fields_old_and_new_value(clerk):
    pid = new_project(clerk, stage=Stage.NEGOTIATING.value)
    with clerk.begin() as s:
        project = s.get(Project, pid)
        project.planned_investment = Decimal("650.5")
        project.stage = Stage.SIGNED.value
        project.signed_on = dt.date(2026, 5, 20)
        project.zhejiang_return = True
        project.name = "康养小镇"  # the same value: no entry
    updates = [c for c in changes(clerk, "projects", pid) if c[0] == "update"]
    assert sorted(updates) == sorted(
        [
            ("update", "planned_investment", "500", "650.5", "张丽"),
            ("update", "stage", "negotiating", "signed", "张丽"),
            ("update", "signed_on", None, "2026-05-20", "张丽"),
            ("update", "zhejiang_return", "否", "是", "张丽"),
        ]
    )
    inserted = {c[1]: c[3] for c in changes(clerk, "projects", pid) if c[0] == "insert"}
    assert inserted["code"] == "XM-1" and inserted["planned_investment"] == "500"
    assert "updated_at" not in inserted and "id" not in inserted


def test_a_projects_history_includes_its_funds_even_after_deletion(clerk):
    pid = new_project(clerk)
    with clerk.begin() as s:
        s.add(FundRecord(project_id=pid, year=2026, month=5, amount=Decimal("100")))
        s.add(FollowUp(project_id=pid, date=dt.date(2026, 5, 3), who="李主任", action="上门服务"))
    with clerk.begin() as s:
        s.scalar(select(FundRecord)).amount = Decimal("120.25")
    with clerk.begin() as s:
        s.delete(s.get(Project, pid))  # the funds go by the database's cascade
    history = changes(clerk, "projects", pid)
    fund_rows = [c for c in history if c[1] == "amount"]
    assert fund_rows == [
        ("insert", "amount", None, "100", "张丽"),
        ("update", "amount", "100", "120.25", "张丽"),
        ("delete", "amount", "120.25", None, "张丽"),
    ]
    assert ("insert", "action", None, "上门服务", "张丽") in history
    assert ("delete", "code", "XM-1", None, "张丽") in history


def test_a_change_that_is_rolled_back_leaves_no_entry(clerk):
    pid = new_project(clerk)
    before = len(changes(clerk, "projects", pid))
    with pytest.raises(RuntimeError):
        with clerk.begin() as s:
            s.get(Project, pid).planned_investment = Decimal("1")
            s.flush()
            raise RuntimeError("the clerk pressed cancel")
    assert len(changes(clerk, "projects", pid)) == before


def test_every_kind_of_record_is_recorded(clerk):
    with clerk.begin() as s:
        unit = s.scalars(select(Unit).where(Unit.name == "乙乡")).one()
        investor = Investor(name="浙江某某集团", kind="private")
        s.add(investor)
        s.flush()
        s.add(Visit(investor_id=investor.id, unit_id=unit.id, date=dt.date(2026, 4, 2), batches=1, headcount=3))
        s.add(Event(unit_id=unit.id, kind=EventKind.PROMOTION.value, name="上海推介会", date=dt.date(2026, 4, 9), firms=12))
        s.add(Target(unit_id=unit.id, year=2026, indicator="domestic_funds", value=30_000_000))
        set_setting(s, PHONE, "0579-1234567")
    with clerk.begin() as s:
        s.scalar(select(Target)).value = 35_000_000
        s.scalar(select(Event)).firms = 15
        s.scalar(select(Investor)).home_region = "温州"
        set_setting(s, PHONE, "0579-7654321")
    with clerk.read() as s:
        tables = set(s.scalars(select(AuditEntry.table_name)))
        phone = s.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "settings", AuditEntry.field == PHONE).order_by(AuditEntry.id)
        ).all()
        target = s.scalars(select(AuditEntry).where(AuditEntry.table_name == "targets", AuditEntry.action == "update")).one()
    assert {"investors", "visits", "events", "targets", "settings", "units"} <= tables
    assert [(e.old_value, e.new_value) for e in phone] == [(None, "0579-1234567"), ("0579-1234567", "0579-7654321")]
    assert (target.old_value, target.new_value, target.record_label) == ("30000000", "35000000", "乙乡 2026年 引进内资到位资金")


def test_who_is_the_clerk_or_else_the_login_name(ledger):
    """Nobody named: on a file the computer's login name, on a server the database role."""
    from zsdesk.store.filelock import this_user

    pid = new_project(ledger)
    expected = "zsdesk_test" if ledger.is_server else this_user()
    assert {c[4] for c in changes(ledger, "projects", pid)} == {expected}


def test_bulk_statements_are_recorded_like_edits(clerk):
    """What the returns importer does: executemany inserts, updates by primary key, deletes."""
    pid = new_project(clerk)
    with clerk.begin() as s:
        s.execute(insert(FundRecord), [{"project_id": pid, "year": 2026, "month": m, "amount": Decimal(m)} for m in (4, 5)])
        # a bulk UPDATE of a versioned record names the version it read (store/versions.py)
        s.execute(update(Project), [{"id": pid, "version": 1, "notes": "批量", "planned_investment": Decimal("501")}])
        s.execute(update(FundRecord).where(FundRecord.month == 5).values(amount=Decimal("5.5")))
        s.execute(delete(FundRecord).where(FundRecord.month == 4))
    history = [(a, f, o, n) for a, f, o, n, _ in changes(clerk, "projects", pid)]
    assert ("update", "notes", "", "批量") in history
    assert ("update", "planned_investment", "500", "501") in history
    amounts = [(a, o, n) for a, f, o, n in history if f == "amount"]
    assert amounts == [("insert", None, "4"), ("insert", None, "5"), ("update", "5", "5.5"), ("delete", "4", None)]
    assert {w for *_, w in changes(clerk, "projects", pid)} == {"张丽"}


def test_plain_sql_text_is_not_recorded(clerk):
    pid = new_project(clerk)
    before = len(changes(clerk, "projects", pid))
    with clerk.begin() as s:
        s.execute(text("UPDATE projects SET notes = '手写SQL'"))
    assert len(changes(clerk, "projects", pid)) == before  # documented limit


def test_a_refused_bulk_statement_leaves_no_entry(clerk):
    from zsdesk.domain.periods import YearMonth
    from zsdesk.store import locks

    pid = new_project(clerk)
    with clerk.begin() as s:
        s.add(FundRecord(project_id=pid, year=2026, month=3, amount=Decimal(1)))
    with clerk.begin() as s:
        locks.lock_month(s, s.get(Project, pid).unit_id, YearMonth(2026, 3))
    before = len(changes(clerk, "projects", pid))
    with pytest.raises(Exception, match="已锁定"):
        with clerk.begin() as s:
            s.execute(delete(FundRecord))
    assert len(changes(clerk, "projects", pid)) == before


def test_export_a_period_to_xlsx(clerk, tmp_path):
    pid = new_project(clerk, stage=Stage.NEGOTIATING.value)
    with clerk.begin() as s:
        s.get(Project, pid).stage = Stage.SIGNED.value
    with clerk.begin() as s:  # move the first entries to last month: outside the period
        first = s.scalar(select(func.min(AuditEntry.id)).where(AuditEntry.table_name == "projects"))
        s.execute(update(AuditEntry).where(AuditEntry.id == first).values(at=dt.datetime(2026, 5, 31, 23, 59, 59)))
    today = dt.date.today()
    path = tmp_path / "修改记录.xlsx"
    with clerk.read() as s:
        count = audit.export_audit(s, today, today, path, county="测试县")
        expected = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.at >= dt.datetime.combine(today, dt.time.min)))
    assert count == expected
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "测试县" in rows[0][0] and "修改记录" in rows[0][0]
    assert list(rows[1]) == audit.EXPORT_HEADERS
    assert len(rows) == 2 + count
    stage_row = next(r for r in rows[2:] if r[5] == "项目阶段" and r[2] == "修改")
    assert stage_row[1:] == ("张丽", "修改", "项目", "XM-1 康养小镇", "项目阶段", "在谈", "签约")
    unit_row = next(r for r in rows[2:] if r[5] == "单位" and r[3] == "项目")
    assert unit_row[7] == "甲镇"  # names, not numbers
    with clerk.read() as s:
        assert audit.export_audit(s, dt.date(2026, 5, 31), dt.date(2026, 5, 31), tmp_path / "may.xlsx") == 1
        with pytest.raises(Exception, match="结束日期早于开始日期"):
            audit.export_audit(s, today, today - dt.timedelta(days=1), tmp_path / "x.xlsx")
