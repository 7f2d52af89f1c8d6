"""Locked months: funds and stage dates inside a reported month stay as reported."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from zsdesk.domain.periods import YearMonth
from zsdesk.errors import KnownError, ValidationError
from zsdesk.store import locks
from zsdesk.store.locks import MonthLocked
from zsdesk.store.models import FundRecord, LockEvent, MonthLock, Project, Unit
from zsdesk.store.settings import CLERK_NAME, set_setting

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends

MARCH = YearMonth(2026, 3)


@pytest.fixture
def setup(ledger):
    """甲镇 with one project signed in March, funds in March and April; 甲镇's March locked."""
    from zsdesk.store.staff import connection_role, set_staff_name

    with ledger.begin() as s:
        set_setting(s, CLERK_NAME, "张丽")
        if connection_role(s):  # on a server the connection's role names who locks (issue 15)
            set_staff_name(s, connection_role(s), "张丽")
        units = {u.name: u.id for u in s.scalars(select(Unit))}
        project = Project(
            code="XM-1", name="康养小镇", unit_id=units["甲镇"], planned_investment=Decimal(500),
            signed_on=dt.date(2026, 3, 10), negotiating_on=dt.date(2026, 1, 5),
        )
        s.add(project)
        s.flush()
        s.add_all(
            [
                FundRecord(project_id=project.id, year=2026, month=3, amount=Decimal("120.5")),
                FundRecord(project_id=project.id, year=2026, month=4, amount=Decimal("30")),
            ]
        )
    with ledger.begin() as s:
        locks.lock_month(s, units["甲镇"], MARCH)
    return ledger, units, project.id


def snapshot(ledger):
    with ledger.read() as s:
        funds = s.execute(select(FundRecord.project_id, FundRecord.year, FundRecord.month, FundRecord.amount).order_by(FundRecord.id)).all()
        project = s.execute(select(Project.unit_id, Project.signed_on, Project.negotiating_on)).all()
    return funds, project


def refused(ledger, action, *words):
    before = snapshot(ledger)
    with pytest.raises(MonthLocked) as caught:
        with ledger.begin() as s:
            action(s)
    for word in words:
        assert word in caught.value.message
    assert snapshot(ledger) == before
    return caught.value


def march_fund(s):
    return s.scalar(select(FundRecord).where(FundRecord.month == 3))


def test_changing_funds_in_a_locked_month_is_refused(setup):
    ledger, units, pid = setup
    error = refused(ledger, lambda s: setattr(march_fund(s), "amount", Decimal("121")), "甲镇2026年3月已锁定", "康养小镇", "解锁")
    assert isinstance(error, ValidationError) and error.field == "funds:2026-03" and error.period == MARCH
    refused(ledger, lambda s: s.delete(march_fund(s)), "删除到位资金")
    refused(ledger, lambda s: setattr(s.scalar(select(FundRecord).where(FundRecord.month == 4)), "month", 3))
    refused(ledger, lambda s: setattr(march_fund(s), "month", 5))


def test_adding_funds_to_a_locked_month_is_refused(setup):
    ledger, units, pid = setup
    with ledger.begin() as s:
        other = Project(code="XM-2", name="药材加工", unit_id=units["甲镇"], planned_investment=Decimal(50))
        s.add(other)
    refused(ledger, lambda s: s.add(FundRecord(project_id=other.id, year=2026, month=3, amount=Decimal(1))), "录入到位资金")
    refused(ledger, lambda s: s.add(FundRecord(project=s.get(Project, other.id), year=2026, month=3, amount=Decimal(1))))


def test_stage_dates_in_a_locked_month_are_refused(setup):
    ledger, units, pid = setup
    error = refused(ledger, lambda s: setattr(s.get(Project, pid), "signed_on", dt.date(2026, 4, 2)), "签约日期")
    assert error.field == "signed_on"
    refused(ledger, lambda s: setattr(s.get(Project, pid), "signed_on", None))
    refused(ledger, lambda s: setattr(s.get(Project, pid), "landed_on", dt.date(2026, 3, 28)), "落地日期")
    refused(
        ledger,
        lambda s: s.add(Project(code="XM-3", name="新项目", unit_id=units["甲镇"], planned_on=dt.date(2026, 3, 1))),
        "谋划日期",
    )
    refused(ledger, lambda s: s.delete(s.get(Project, pid)), "删除项目")
    refused(ledger, lambda s: setattr(s.get(Project, pid), "unit_id", units["乙乡"]), "移到其他单位")


def test_what_is_outside_the_locked_month_can_change(setup):
    ledger, units, pid = setup
    with ledger.begin() as s:
        s.scalar(select(FundRecord).where(FundRecord.month == 4)).amount = Decimal("31")
        project = s.get(Project, pid)
        project.negotiating_on = dt.date(2026, 1, 6)
        project.progress_note = "已开工准备"
        project.landed_on = dt.date(2026, 5, 2)
        s.add(FundRecord(project_id=pid, year=2026, month=5, amount=Decimal("2")))
        other = Project(code="XM-4", name="乙乡项目", unit_id=units["乙乡"], signed_on=dt.date(2026, 3, 3))
        s.add(other)  # 乙乡's March is not locked
        s.flush()
        s.add(FundRecord(project_id=other.id, year=2026, month=3, amount=Decimal("7")))
    funds, _ = snapshot(ledger)
    assert len(funds) == 4


def test_plain_sql_cannot_bypass_the_lock(setup):
    # A file: TEMP triggers on every writable connection; a server: migration 0003's triggers.
    ledger, units, pid = setup
    refused(ledger, lambda s: s.execute(text("UPDATE fund_records SET amount = 1")), "已锁定")
    refused(ledger, lambda s: s.execute(delete(FundRecord)), "已锁定")
    refused(ledger, lambda s: s.execute(insert(FundRecord).values(project_id=pid, year=2026, month=3, amount=Decimal(1))))
    refused(ledger, lambda s: s.execute(text("DELETE FROM projects")))
    refused(ledger, lambda s: s.execute(update(Project).values(signed_on=dt.date(2026, 2, 1))))
    refused(ledger, lambda s: s.execute(update(Project).values(unit_id=units["乙乡"])))
    with ledger.begin() as s:  # a column that is not a figure of the month is free to change
        s.execute(update(Project).values(progress_note="已签约"))


def test_an_import_into_a_locked_month_is_refused_before_it_starts(setup):
    ledger, units, pid = setup
    with ledger.read() as s:
        with pytest.raises(MonthLocked, match="不能导入月报"):
            locks.refuse_if_locked(s, units["甲镇"], MARCH)
        locks.refuse_if_locked(s, units["乙乡"], MARCH)
        locks.refuse_if_locked(s, units["甲镇"], YearMonth(2026, 4))

    def replace_the_month(s):  # what an import does to a unit's month, in one transaction
        s.execute(delete(FundRecord).where(FundRecord.year == 2026, FundRecord.month == 3))
        s.add(FundRecord(project_id=pid, year=2026, month=3, amount=Decimal("999")))

    refused(ledger, replace_the_month)


def test_unlock_needs_a_reason_and_both_are_recorded(setup):
    ledger, units, pid = setup
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="必须说明原因"):
            with ledger.begin() as s:
                locks.unlock_month(s, units["甲镇"], MARCH, reason)
    with ledger.begin() as s:
        locks.unlock_month(s, units["甲镇"], MARCH, "县局通知更正3月到位资金")
        march_fund(s).amount = Decimal("125")  # the same action may now correct it
    with ledger.read() as s:
        assert s.scalar(select(func.count()).select_from(MonthLock)) == 0
        events = [(e.action, e.year, e.month, e.by, e.reason) for e in locks.lock_events(s, units["甲镇"])]
        assert march_fund(s).amount == Decimal("125")
    assert events == [("lock", 2026, 3, "张丽", ""), ("unlock", 2026, 3, "张丽", "县局通知更正3月到位资金")]
    with pytest.raises(KnownError, match="没有锁定"):
        with ledger.begin() as s:
            locks.unlock_month(s, units["甲镇"], MARCH, "再次")


def test_locking_twice_keeps_one_lock(setup):
    ledger, units, pid = setup
    with ledger.begin() as s:
        locks.lock_month(s, units["甲镇"], MARCH, by="县招商局")
        locks.lock_month(s, units["乙乡"], MARCH, by="县招商局", reason="已汇总")
    with ledger.read() as s:
        rows = [(m.unit_id, m.year, m.month) for m in locks.locked_months(s)]
        assert sorted(rows) == sorted([(units["甲镇"], 2026, 3), (units["乙乡"], 2026, 3)])
        assert s.scalar(select(func.count()).select_from(LockEvent)) == 2
        assert locks.is_locked(s, units["乙乡"], MARCH) and not locks.is_locked(s, units["丙街道"], MARCH)
