"""The store services the window writes through: projects, investors, events, targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from zsdesk.domain.enums import EventKind, Indicator, InvestorType, Stage
from zsdesk.domain.periods import YearMonth
from zsdesk.domain.records import ContactData, EventData, FollowUpData, InvestorData, ProjectData, VisitData
from zsdesk.errors import InputError, ValidationError
from zsdesk.store import investors as inv
from zsdesk.store import projects as proj
from zsdesk.store.models import FollowUp, FundRecord, Investor, Project, Unit, Visit
from zsdesk.store.progress_query import load_progress
from zsdesk.store.targets import set_target, target_grid

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends

TODAY = dt.date(2026, 6, 30)


def unit_id(session, name="甲镇") -> int:
    return session.scalar(select(Unit.id).where(Unit.name == name))


def new_project(session, **changes) -> Project:
    data = ProjectData(
        name="云山康养项目",
        unit_id=unit_id(session),
        stage=Stage.SIGNED,
        dates={Stage.PLANNED: dt.date(2026, 1, 5), Stage.SIGNED: dt.date(2026, 2, 1)},
        planned_investment=Decimal("6000"),
        industry="健康",
        funds={(2026, 2): Decimal("100.5"), (2026, 3): Decimal("50"), (2025, 12): Decimal("7")},
        follow_ups=[FollowUpData(dt.date(2026, 6, 1), "张丽", "走访", "督促", dt.date(2026, 6, 20))],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return proj.save_project(session, None, data, TODAY)


def test_save_a_new_project_and_read_its_row(ledger):
    with ledger.begin() as session:
        project = new_project(session, new_investor_name="某某投资有限公司")
        project_id, code = project.id, project.code
        assert session.info[proj.TOUCHED]["projects"] == {project_id}
    with ledger.read() as session:
        (row,) = proj.project_rows(session, 2026)
        assert (row.id, row.code, row.name, row.unit, row.investor) == (project_id, code, "云山康养项目", "甲镇", "某某投资有限公司")
        assert row.planned_yuan == 60_000_000
        assert row.funds_year_yuan == 1_505_000  # 2026 only: 100.5 + 50 万元
        assert proj.project_rows(session, 2025)[0].funds_year_yuan == 70_000
        assert (row.last_follow_up, row.next_due, row.first_date) == ("2026-06-01", "2026-06-20", "2026-01-05")
        assert proj.project_rows(session, 2026, ids=[project_id + 1]) == []
        assert len(proj.project_rows(session, 2026, limit=1)) == 1
        data = proj.project_data(session, project_id)
        assert data.funds == {(2026, 2): Decimal("100.5000"), (2026, 3): Decimal("50.0000"), (2025, 12): Decimal("7.0000")}
        assert data.dates[Stage.SIGNED] == dt.date(2026, 2, 1)
        table = load_progress(session, YearMonth(2026, 6))
        assert table.get("甲镇", Indicator.DOMESTIC_FUNDS).actual == Decimal("150.5")
        assert table.get("甲镇", Indicator.SIGNED_PROJECTS).actual == 1


def test_an_existing_investor_is_reused_by_name(ledger):
    with ledger.begin() as session:
        first = new_project(session, new_investor_name="同名投资公司")
        second = new_project(session, name="另一个项目", new_investor_name="同名投资公司")
        assert first.investor_id == second.investor_id
        assert session.scalar(select(func.count(Investor.id))) == 1


def test_updating_funds_writes_only_the_months_that_change(ledger):
    with ledger.begin() as session:
        project_id = new_project(session).id
    with ledger.read() as session:
        ids_before = dict(session.execute(select(FundRecord.month, FundRecord.id).where(FundRecord.year == 2026)).all())
    updated = []
    with ledger.begin() as session:
        event.listen(session, "before_flush", lambda s, *_: updated.extend((type(o).__name__, getattr(o, "month", None)) for o in s.dirty | s.deleted | s.new if isinstance(o, FundRecord)))
        data = proj.project_data(session, project_id)
        data.funds[(2026, 3)] = Decimal("60")
        data.funds[(2026, 4)] = Decimal("1")
        del data.funds[(2025, 12)]
        proj.save_project(session, project_id, data, TODAY)
    assert sorted(m for _, m in updated) == [3, 4, 12]  # February untouched
    with ledger.read() as session:
        ids_after = dict(session.execute(select(FundRecord.month, FundRecord.id).where(FundRecord.year == 2026)).all())
        assert ids_after[2] == ids_before[2] and ids_after[3] == ids_before[3]
        assert proj.project_rows(session, 2026)[0].funds_year_yuan == 1_615_000


def test_services_validate_too(ledger):
    with ledger.begin() as session:
        with pytest.raises(ValidationError) as info:
            new_project(session, funds={(2026, 7): Decimal(1)})
        assert info.value.field == "funds:2026-07"
        with pytest.raises(InputError):
            proj.save_project(session, 999, ProjectData("x", unit_id(session), dates={Stage.PLANNED: TODAY}), TODAY)
        with pytest.raises(InputError):
            proj.set_funds(session, 999, 2026, 1, Decimal(1), TODAY)


def test_set_one_month_of_funds(ledger):
    with ledger.begin() as session:
        project_id = new_project(session).id
        proj.set_funds(session, project_id, 2026, 5, Decimal("9.9"), TODAY)
        proj.set_funds(session, project_id, 2026, 2, None, TODAY)
        with pytest.raises(ValidationError):
            proj.set_funds(session, project_id, 2026, 9, Decimal(1), TODAY)
    with ledger.read() as session:
        assert proj.project_data(session, project_id).funds == {
            (2026, 3): Decimal(50), (2026, 5): Decimal("9.9"), (2025, 12): Decimal(7)
        }


def test_follow_ups_are_synced_by_id(ledger):
    with ledger.begin() as session:
        project_id = new_project(session).id
    with ledger.begin() as session:
        data = proj.project_data(session, project_id)
        old = data.follow_ups[0]
        old.done = True
        data.follow_ups.append(FollowUpData(dt.date(2026, 6, 20), "王芳", "协调用地", due_on=dt.date(2026, 7, 10)))
        proj.save_project(session, project_id, data, TODAY)
    with ledger.read() as session:
        entries = session.scalars(select(FollowUp).order_by(FollowUp.date)).all()
        assert [(e.id == old.id, e.done, e.action) for e in entries] == [(True, True, "走访"), (False, False, "协调用地")]
        assert proj.project_rows(session, 2026)[0].next_due == "2026-07-10"


def test_duplicate_names_in_the_same_unit(ledger):
    with ledger.begin() as session:
        project = new_project(session)
        code = project.code
        assert proj.duplicate_projects(session, " 云山康养项目 ", unit_id(session)) == [code]
        assert proj.duplicate_projects(session, "云山康养项目", unit_id(session), exclude_id=project.id) == []
        assert proj.duplicate_projects(session, "云山康养项目", unit_id(session, "乙乡")) == []


def test_delete_and_restore_a_project_with_everything(ledger):
    with ledger.begin() as session:
        project = new_project(session, new_investor_name="客商甲")
        project_id, investor_id = project.id, project.investor_id
        session.add(Visit(investor_id=investor_id, project_id=project_id, date=TODAY))
    with ledger.begin() as session:
        snapshot = proj.snapshot_project(session, project_id)
        proj.delete_project(session, project_id)
    with ledger.read() as session:
        assert session.get(Project, project_id) is None
        assert session.scalar(select(func.count(FundRecord.id))) == 0
        assert session.scalar(select(Visit.project_id)) is None
    with ledger.begin() as session:
        proj.restore_project(session, project_id, snapshot)
    with ledger.read() as session:
        assert proj.snapshot_project(session, project_id) == snapshot
        assert session.scalar(select(Visit.project_id)) == project_id
    with ledger.begin() as session:
        proj.restore_project(session, project_id, None)  # undo of "new"
        assert session.get(Project, project_id) is None


def investor(**changes) -> InvestorData:
    data = InvestorData(
        name="浙江某某集团", kind=InvestorType.LISTED, home_region="杭州", industry="健康",
        contacts=[ContactData("王总", "董事长", "138")],
        visits=[VisitData(dt.date(2026, 5, 1), 2, 5, "陈剑波", "看地块", "有意向")],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_investor_with_contacts_and_visits(ledger):
    with ledger.begin() as session:
        saved = inv.save_investor(session, None, investor(unit_id=unit_id(session)), TODAY)
        investor_id = saved.id
    with ledger.read() as session:
        (row,) = inv.investor_rows(session)
        assert (row.name, row.kind, row.visits, row.batches, row.headcount, row.last_visit) == (
            "浙江某某集团", "listed", 1, 2, 5, "2026-05-01")
        assert row.contacts == "王总 138" and row.unit == "甲镇"
        data = inv.investor_data(session, investor_id)
        assert data.visits[0].unit_id == unit_id(session)  # the investor's unit by default
    with ledger.begin() as session:
        data = inv.investor_data(session, investor_id)
        data.contacts.append(ContactData("李经理", phone="139"))
        data.visits[0].headcount = 6
        inv.save_investor(session, investor_id, data, TODAY)
    with ledger.read() as session:
        (row,) = inv.investor_rows(session)
        assert (row.visits, row.headcount) == (1, 6)
        assert row.contacts == "王总 138；李经理 139"
        assert inv.duplicate_investors(session, "浙江某某集团") == [investor_id]


def test_delete_and_restore_an_investor(ledger):
    with ledger.begin() as session:
        investor_id = inv.save_investor(session, None, investor(), TODAY).id
        project = new_project(session, investor_id=investor_id)
        project_id = project.id
    with ledger.begin() as session:
        snapshot = inv.snapshot_investor(session, investor_id)
        inv.delete_investor(session, investor_id)
    with ledger.read() as session:
        assert session.get(Project, project_id).investor_id is None
        assert session.scalar(select(func.count(Visit.id))) == 1  # visits stay
    with ledger.begin() as session:
        inv.restore_investor(session, investor_id, snapshot)
    with ledger.read() as session:
        assert inv.snapshot_investor(session, investor_id) == snapshot
        assert session.get(Project, project_id).investor_id == investor_id


def test_events(ledger):
    with ledger.begin() as session:
        saved = inv.save_event(
            session, None, EventData("上海推介会", EventKind.PROMOTION, dt.date(2026, 5, 20), firms=30, representatives=50, intention_projects=3), TODAY
        )
        event_id = saved.id
    with ledger.read() as session:
        (row,) = inv.event_rows(session)
        assert (row.name, row.kind, row.firms, row.intention_projects) == ("上海推介会", "promotion", 30, 3)
        snapshot = inv.snapshot_event(session, event_id)
    with ledger.begin() as session:
        inv.delete_event(session, event_id)
        assert inv.event_rows(session) == []
        inv.restore_event(session, event_id, snapshot)
        assert inv.event_data(session, event_id).name == "上海推介会"


def test_targets_grid(ledger):
    with ledger.begin() as session:
        jia = unit_id(session)
        assert set_target(session, jia, 2026, Indicator.DOMESTIC_FUNDS, "1234.5") == Decimal("1234.5")
        set_target(session, None, 2026, Indicator.SIGNED_PROJECTS, "12")
        set_target(session, jia, 2026, Indicator.SIGNED_PROJECTS, 3)
        with pytest.raises(ValidationError):
            set_target(session, jia, 2026, Indicator.SIGNED_PROJECTS, "1.5")
        with pytest.raises(InputError):
            set_target(session, 999, 2026, Indicator.SIGNED_PROJECTS, "1")
    with ledger.read() as session:
        grid = target_grid(session, 2026)
        assert grid == {
            (jia, Indicator.DOMESTIC_FUNDS): Decimal("1234.5000"),
            (None, Indicator.SIGNED_PROJECTS): 12,
            (jia, Indicator.SIGNED_PROJECTS): 3,
        }
        table = load_progress(session, YearMonth(2026, 6))
        assert table.get("甲镇", Indicator.DOMESTIC_FUNDS).target == Decimal("1234.5")
        assert table.county(Indicator.SIGNED_PROJECTS).target == 12
    with ledger.begin() as session:
        set_target(session, jia, 2026, Indicator.DOMESTIC_FUNDS, "")
        set_target(session, None, 2026, Indicator.SIGNED_PROJECTS, None)
    with ledger.read() as session:
        assert target_grid(session, 2026) == {(jia, Indicator.SIGNED_PROJECTS): 3}
