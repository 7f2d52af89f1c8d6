"""Record versions (issue 15): two staff editing the same record, the second save refused
with one Chinese message naming who changed it and when; never a silent last-write-wins."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from zsdesk.domain.records import EventData, InvestorData, ProjectData
from zsdesk.domain.enums import EventKind, Stage
from zsdesk.store import investors as inv
from zsdesk.store import projects as proj
from zsdesk.store.models import AuditEntry, FundRecord, Project, Unit
from zsdesk.store.settings import CLERK_NAME, set_setting
from zsdesk.store.staff import connection_role, set_staff_name
from zsdesk.store.versions import RecordConflict

pytestmark = pytest.mark.both_backends
TODAY = dt.date(2026, 6, 30)
MESSAGE = re.compile(r"^项目“云山康养项目”已被 王五 于 \d\d:\d\d 修改，您的修改没有保存。请关闭后重新打开再改。$")


def name_who_edits(ledger, name: str) -> None:
    """On a file the clerk in the settings; on a server the connection's role's staff name."""
    with ledger.begin() as s:
        role = connection_role(s)
        if role is None:
            set_setting(s, CLERK_NAME, name)
        else:
            set_staff_name(s, role, name)


def new_project(ledger) -> int:
    with ledger.begin() as s:
        unit = s.scalar(select(Unit.id).where(Unit.name == "甲镇"))
        data = ProjectData(
            name="云山康养项目", unit_id=unit, planned_investment=Decimal("6000"),
            dates={Stage.PLANNED: dt.date(2026, 1, 5)}, funds={(2026, 3): Decimal("50")},
        )
        return proj.save_project(s, None, data, TODAY).id


def stored(ledger, pid):
    with ledger.read() as s:
        project = s.get(Project, pid)
        funds = {(r.year, r.month): r.amount for r in s.scalars(select(FundRecord).where(FundRecord.project_id == pid))}
        return project.planned_investment, project.notes, project.version, funds


def test_the_second_save_of_the_same_project_is_refused_naming_who_and_when(ledger):
    pid = new_project(ledger)
    name_who_edits(ledger, "王五")
    with ledger.read() as s:
        first, second = proj.project_data(s, pid), proj.project_data(s, pid)
    assert first.version == second.version == 1
    first.planned_investment = Decimal("6500")
    with ledger.begin() as s:
        proj.save_project(s, pid, first, TODAY)
    second.notes = "李四的备注"
    second.planned_investment = Decimal("7000")
    with pytest.raises(RecordConflict) as caught:
        with ledger.begin() as s:
            proj.save_project(s, pid, second, TODAY)
    assert MESSAGE.match(caught.value.message), caught.value.message
    assert stored(ledger, pid) == (Decimal("6500"), "", 2, {(2026, 3): Decimal("50")})  # the first change kept
    # Reopened, the second editor saves from the new version.
    with ledger.read() as s:
        again = proj.project_data(s, pid)
    again.notes = "李四的备注"
    with ledger.begin() as s:
        proj.save_project(s, pid, again, TODAY)
    assert stored(ledger, pid)[1:3] == ("李四的备注", 3)


def test_a_change_of_funds_alone_moves_the_version_too(ledger):
    pid = new_project(ledger)
    name_who_edits(ledger, "王五")
    with ledger.read() as s:
        first, second = proj.project_data(s, pid), proj.project_data(s, pid)
    first.funds = {(2026, 3): Decimal("50"), (2026, 4): Decimal("20")}
    with ledger.begin() as s:
        proj.save_project(s, pid, first, TODAY)
    second.funds = {}
    with pytest.raises(RecordConflict, match=MESSAGE):
        with ledger.begin() as s:
            proj.save_project(s, pid, second, TODAY)
    assert stored(ledger, pid)[3] == {(2026, 3): Decimal("50"), (2026, 4): Decimal("20")}


def test_saving_a_project_deleted_meanwhile_says_who_deleted_it(ledger):
    pid = new_project(ledger)
    name_who_edits(ledger, "王五")
    with ledger.read() as s:
        data = proj.project_data(s, pid)
    with ledger.begin() as s:
        proj.delete_project(s, pid)
    with ledger.read() as s:
        entries = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    data.notes = "补充"
    with pytest.raises(RecordConflict, match=r"^项目“云山康养项目”已被 王五 于 \d\d:\d\d 删除，您的修改没有保存。"):
        with ledger.begin() as s:
            proj.save_project(s, pid, data, TODAY)
    with ledger.read() as s:
        assert s.get(Project, pid) is None  # not brought back by the refused save
        assert s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) == entries


def test_investors_and_events_are_versioned_the_same_way(ledger):
    name_who_edits(ledger, "王五")
    with ledger.begin() as s:
        investor = inv.save_investor(s, None, InvestorData(name="浙江云山集团", contacts=[], visits=[]), TODAY).id
        event = inv.save_event(s, None, EventData(name="杭州推介会", kind=EventKind.PROMOTION, date=TODAY), TODAY).id
    with ledger.read() as s:
        i1, i2 = inv.investor_data(s, investor), inv.investor_data(s, investor)
        e1, e2 = inv.event_data(s, event), inv.event_data(s, event)
    i1.chamber, e1.place = "温州商会", "杭州"
    with ledger.begin() as s:
        inv.save_investor(s, investor, i1, TODAY)
        inv.save_event(s, event, e1, TODAY)
    i2.chamber, e2.place = "台州商会", "宁波"
    with pytest.raises(RecordConflict, match=r"^客商“浙江云山集团”已被 王五 于 \d\d:\d\d 修改"):
        with ledger.begin() as s:
            inv.save_investor(s, investor, i2, TODAY)
    with pytest.raises(RecordConflict, match=r"^招商活动“杭州推介会”已被 王五 于 \d\d:\d\d 修改"):
        with ledger.begin() as s:
            inv.save_event(s, event, e2, TODAY)
    with ledger.read() as s:
        assert inv.investor_data(s, investor).chamber == "温州商会"
        assert inv.event_data(s, event).place == "杭州"


@pytest.mark.file_only
def test_an_existing_file_gets_versions_when_opened(tmp_path):
    """A file made before migration 0004 is upgraded on open: every record at version 1."""
    from alembic import command

    from zsdesk.store.db import _alembic_config, head_revision, open_ledger, sqlite_engine

    path = tmp_path / "old.sqlite"
    engine = sqlite_engine(path)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.exec_driver_sql("INSERT INTO units (id, name, kind, sort_order) VALUES (1, '甲镇', 'township', 1)")
        connection.exec_driver_sql(
            "INSERT INTO projects (code, name, unit_id, industry, stage, zhejiang_return, mountain_sea, foreign_capital,"
            " carried_over, declared, planned_investment, liaison_leader, responsible_unit, cooperating_departments,"
            " person_in_charge, site, land_status, progress_note, problems, notes, created_at, updated_at)"
            " VALUES ('XM-OLD', '老项目', 1, '', 'planned', 0, 0, 0, 0, 0, 0, '', '', '', '', '', '', '', '', '',"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
    engine.dispose()
    with open_ledger(path) as ledger:
        with ledger.read() as s:
            assert s.scalar(select(Project.version)) == 1
            assert s.scalar(select(Project.name)) == "老项目"
        from zsdesk.store.db import current_revision

        assert current_revision(ledger) == head_revision() == "0004_record_versions_staff"


def test_two_saves_racing_past_the_check_meet_at_the_update(request, backend):
    """Both saves read version 1 and pass the check; the server holds the second UPDATE
    until the first commits, and then finds the row at version 2: the same message."""
    if backend != "postgresql":
        pytest.skip("a file admits one writer at a time: no two transactions race on it")
    from zsdesk.store.ledger_setup import create_ledger
    from zsdesk.store.db import open_ledger

    cluster = request.getfixturevalue("pg_cluster")
    database = cluster.create_database()
    li_si = create_ledger(cluster.url(database), "测试县", ["甲镇", "乙乡"])
    try:
        wang_wu = open_ledger(cluster.login_role("wangwu", database))
        try:
            with li_si.begin() as s:
                set_staff_name(s, "wangwu", "王五")
                set_staff_name(s, "zsdesk_test", "李四")
            pid = new_project(li_si)
            with li_si.read() as s:
                mine = proj.project_data(s, pid)
            mine.notes = "李四的备注"
            with pytest.raises(RecordConflict, match=MESSAGE):
                with li_si.begin() as s:
                    project = s.get(Project, pid)
                    assert project.version == mine.version == 1  # the check passes here
                    with wang_wu.begin() as other:  # 王五 saves and commits meanwhile
                        theirs = proj.project_data(other, pid)
                        theirs.planned_investment = Decimal("6500")
                        proj.save_project(other, pid, theirs, TODAY)
                    proj.save_project(s, pid, mine, TODAY)
            assert stored(li_si, pid)[:3] == (Decimal("6500"), "", 2)
            with li_si.read() as s:
                whose = {e.who for e in s.scalars(select(AuditEntry).where(AuditEntry.table_name == "projects"))}
            assert whose == {"李四", "王五"}  # each connection's own role, by its staff name
        finally:
            wang_wu.close()
    finally:
        li_si.close()


def test_a_server_at_0002_is_told_to_upgrade_and_server_upgrade_adds_versions(request, backend, capsys):
    """A server's schema changes only by ``zsdesk server upgrade``: before it, opening says so."""
    if backend != "postgresql":
        pytest.skip("a file is upgraded when it is opened (the test above)")
    from alembic import command

    from zsdesk.cli.main import main
    from zsdesk.store.db import _alembic_config, open_ledger
    from zsdesk.store.server import OlderSchema, server_engine

    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.url(cluster.create_database())
    engine = server_engine(url)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.exec_driver_sql("INSERT INTO units (name, kind, sort_order) VALUES ('甲镇', 'township', 1)")
        connection.exec_driver_sql(
            "INSERT INTO projects (code, name, unit_id, industry, stage, zhejiang_return, mountain_sea, foreign_capital,"
            " carried_over, declared, planned_investment, liaison_leader, responsible_unit, cooperating_departments,"
            " person_in_charge, site, land_status, progress_note, problems, notes, created_at, updated_at)"
            " SELECT 'XM-OLD', '老项目', id, '', 'planned', false, false, false, false, false, 0, '', '', '', '', '', '',"
            " '', '', '', now(), now() FROM units"
        )
    engine.dispose()
    with pytest.raises(OlderSchema, match="zsdesk server upgrade"):
        open_ledger(url)
    assert main(["server", "upgrade", url]) == 0
    assert "0002 → 0004_record_versions_staff" in capsys.readouterr().out
    with open_ledger(url) as ledger:
        with ledger.read() as s:
            assert s.execute(select(Project.name, Project.version)).all() == [("老项目", 1)]
        with ledger.begin() as s:
            set_staff_name(s, "zsdesk_test", "王五")


def test_an_import_moves_the_version_on_and_an_editor_open_before_it_is_told(request, backend, demo_ledger, tmp_path):
    """The bureau has a project open while the township's new return changes it: saving the
    form would undo the import, so it is refused (the import is named by its importer)."""
    from returns_support import TODAY as RETURN_DAY

    from zsdesk.domain.periods import YearMonth
    from zsdesk.returns import export_return, import_returns
    from zsdesk.store.ledger_setup import create_from

    unit, period = "安文街道", YearMonth(2026, 6)
    location = request.getfixturevalue("pg_url") if backend == "postgresql" else tmp_path / "county.sqlite"
    county = create_from(location, request.getfixturevalue("demo_path"))
    try:
        name_who_edits(county, "王五")
        path = tmp_path / "r.xlsx"
        with demo_ledger.read() as s:
            export_return(s, unit, period, path, today=RETURN_DAY)
        import_returns(county, [path], today=RETURN_DAY)
        with demo_ledger.begin() as s:
            project = s.scalar(select(Project).join(Unit).where(Unit.name == unit).order_by(Project.id))
            project.name = "改名后的项目"
            code = project.code
        with demo_ledger.read() as s:
            export_return(s, unit, period, path, today=RETURN_DAY)
        with county.read() as s:
            pid = s.scalar(select(Project.id).where(Project.code == code))
            form = proj.project_data(s, pid)
        import_returns(county, [path], today=RETURN_DAY)
        form.notes = "县局的备注"
        with pytest.raises(RecordConflict, match=r"^项目“改名后的项目”已被 王五 于 \d\d:\d\d 修改，您的修改没有保存。"):
            with county.begin() as s:
                proj.save_project(s, pid, form, RETURN_DAY)
        with county.read() as s:
            stored = s.get(Project, pid)
            assert (stored.name, stored.notes, stored.version) == ("改名后的项目", "", 2)
    finally:
        county.close()


@pytest.mark.file_only
def test_server_staff_is_refused_for_a_file_and_needs_role_and_name_together(ledger_path, capsys):
    from zsdesk.cli.main import main
    from zsdesk.store.ledger_setup import create_ledger

    create_ledger(ledger_path, "测试县", ["甲镇"]).close()
    assert main(["server", "staff", str(ledger_path), "--role", "wangwu", "--name", "王五"]) == 2
    assert "工作人员姓名只用于数据库服务器上的台账" in capsys.readouterr().err
    assert main(["server", "staff", "postgresql+psycopg://x@/db?host=/nowhere", "--role", "wangwu"]) == 2
    assert "请同时写 --role" in capsys.readouterr().err


def test_a_target_cell_typed_over_a_colleagues_new_value_is_refused(ledger):
    """The grid showed 乙乡's target as 3000 万元; a colleague made it 3500 meanwhile."""
    from zsdesk.domain.enums import Indicator
    from zsdesk.store.targets import set_target, target_grid

    name_who_edits(ledger, "王五")
    with ledger.begin() as s:
        unit = s.scalar(select(Unit.id).where(Unit.name == "乙乡"))
        set_target(s, unit, 2026, Indicator.DOMESTIC_FUNDS, "3000")
    with ledger.read() as s:
        shown = target_grid(s, 2026)[(unit, Indicator.DOMESTIC_FUNDS)]
        county_shown = target_grid(s, 2026).get((None, Indicator.DOMESTIC_FUNDS))
    with ledger.begin() as s:
        set_target(s, unit, 2026, Indicator.DOMESTIC_FUNDS, "3500", shown=shown)  # 王五, from the same value: fine
        set_target(s, None, 2026, Indicator.DOMESTIC_FUNDS, "90000", shown=county_shown)
    with pytest.raises(RecordConflict, match=r"^目标任务“乙乡 2026年 引进内资到位资金”已被 王五 于 \d\d:\d\d 修改，您的修改没有保存。"):
        with ledger.begin() as s:
            set_target(s, unit, 2026, Indicator.DOMESTIC_FUNDS, "4000", shown=shown)
    with pytest.raises(RecordConflict, match=r"^目标任务“全县 2026年 引进内资到位资金”已被 王五"):
        with ledger.begin() as s:
            set_target(s, None, 2026, Indicator.DOMESTIC_FUNDS, "", shown=county_shown)  # it showed empty
    with ledger.read() as s:
        grid = target_grid(s, 2026)
    assert grid[(unit, Indicator.DOMESTIC_FUNDS)] == Decimal("3500")
    assert grid[(None, Indicator.DOMESTIC_FUNDS)] == Decimal("90000")
