"""Entering data through the editors: projects, investors, events, targets; refusals; undo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from zsdesk.domain.enums import Indicator, Stage, Status
from zsdesk.domain.periods import YearMonth
from zsdesk.store.models import FollowUp, FundRecord, Investor, Project, Visit
from zsdesk.store.progress_query import load_progress
from zsdesk.ui.project_editor import ProjectEditor
from sqlalchemy import func, select

TODAY = dt.date(2026, 6, 30)
UNIT = "尚湖镇"


@pytest.fixture
def window(demo_window):
    demo_window.set_today(TODAY)
    demo_window.show()
    return demo_window


def count(window, model) -> int:
    with window.context.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def progress(window, unit, indicator, month=6):
    with window.context.read() as session:
        return load_progress(session, YearMonth(2026, month)).get(unit, indicator)


def fill_new_project(editor, name="云山测试康养项目", unit=UNIT):
    f = editor.fields
    f["name"].setText(name)
    f["unit_id"].setCurrentIndex(f["unit_id"].findText(unit))
    f["planned_investment"].setText("6000")
    f["industry"].setCurrentText("健康")
    f["planned_on"].setText("2026-01-15")  # no date is filled in silently


def projects_row(window, name):
    model = window.projects_tab.model
    for row in range(model.rowCount()):
        if model.row_at(row).name == name:
            return model.row_at(row)
    return None


def test_enter_a_project_with_funds_a_stage_change_and_a_follow_up(window, monkeypatch):
    before = progress(window, UNIT, Indicator.DOMESTIC_FUNDS)
    signed_before = progress(window, UNIT, Indicator.SIGNED_PROJECTS)
    window.select_tab("projects")
    window.new_action.trigger()  # Ctrl+N on the projects tab
    (editor,) = [e for e in window.findChildren(ProjectEditor) if e.project_id is None and e.isVisible()]
    fill_new_project(editor)
    editor.fields["planned_on"].setText("2026-01-15")
    editor.fields["investor"].setText("磐安测试投资有限公司")  # not in the register: made on the spot
    assert "新建" in editor.investor_hint.text()

    asked = []
    monkeypatch.setattr(editor, "ask_stage_date", lambda stage: asked.append(stage) or dt.date(2026, 3, 10))
    editor.set_stage(Stage.SIGNED)
    assert asked == [Stage.SIGNED]
    assert editor.fields["signed_on"].text() == "2026-03-10"

    editor.funds_year.setValue(2026)
    editor.funds_grid.item(0, 2).setText("120.5")  # March
    editor.funds_grid.item(0, 3).setText("79.5")  # April
    assert editor.funds_grid.item(1, 3).text() == "200"  # running total after April
    assert editor.funds_grid.item(1, 11).text() == ""  # December has not come
    assert "200" in editor.funds_total.text()

    row = editor.add_follow_up()
    editor.set_follow_up(row, who="张丽", action="上门走访投资方", next_step="督促资金到位", due_on="2026-07-15")
    assert editor.save(), editor.error.text()
    assert not editor.isVisible()

    shown = projects_row(window, "云山测试康养项目")
    assert shown is not None
    assert (shown.unit, shown.stage, shown.investor) == (UNIT, "signed", "磐安测试投资有限公司")
    assert shown.funds_year_yuan == 2_000_000
    assert shown.next_due == "2026-07-15"
    with window.context.read() as session:
        project = session.scalar(select(Project).where(Project.name == "云山测试康养项目"))
        assert [(r.month, r.amount) for r in project.funds] == [(3, Decimal("120.5")), (4, Decimal("79.5"))]
        assert project.planned_on == dt.date(2026, 1, 15) and project.signed_on == dt.date(2026, 3, 10)
        assert project.follow_ups[0].action == "上门走访投资方"
        assert session.scalar(select(Investor.name).where(Investor.id == project.investor_id)) == "磐安测试投资有限公司"

    after = progress(window, UNIT, Indicator.DOMESTIC_FUNDS)
    assert after.actual == before.actual + Decimal(200)
    assert progress(window, UNIT, Indicator.SIGNED_PROJECTS).actual == signed_before.actual + 1
    # the targets tab's progress view shows the same number, from the same computation
    targets = window.select_tab("targets")
    targets.set_mode("progress")
    targets.month.setCurrentIndex(5)
    cell = targets.cell(UNIT, Indicator.DOMESTIC_FUNDS)
    assert cell.data().startswith(f"{after.actual:,f}".rstrip("0").rstrip(".").split(".")[0])
    assert "完成率" in cell.data(Qt.ItemDataRole.ToolTipRole)


def test_an_existing_project_edited_updates_the_table_and_progress(window):
    with window.context.read() as session:
        project = session.scalar(
            select(Project).join(Project.unit).where(Project.stage == "signed", Project.foreign_capital.is_(False))
            .order_by(Project.id)
        )
        project_id, unit = project.id, project.unit.name
    before = progress(window, unit, Indicator.DOMESTIC_FUNDS)
    editor = window.open_project(project_id)
    editor.funds_year.setValue(2026)
    old = editor.funds.get((2026, 5), Decimal(0))
    editor.funds_grid.item(0, 4).setText(str(old + Decimal("33.3")))
    assert editor.save(), editor.error.text()
    assert progress(window, unit, Indicator.DOMESTIC_FUNDS).actual == before.actual + Decimal("33.3")
    window.projects_tab.year_filter.setCurrentIndex(window.projects_tab.year_filter.findData(2026))
    assert window.projects_tab.select_project(project_id)


def test_moving_back_a_stage_does_not_ask_and_a_cancelled_question_keeps_the_stage(window, monkeypatch):
    editor = window.open_project(None)
    fill_new_project(editor)
    asked = []
    monkeypatch.setattr(editor, "ask_stage_date", lambda stage: asked.append(stage))
    editor.set_stage(Stage.LANDED)
    assert editor.fields["stage"].currentData() == "planned"
    assert editor.fields["landed_on"].text() == ""
    monkeypatch.setattr(editor, "ask_stage_date", lambda stage: asked.append(stage) or TODAY)
    editor.set_stage(Stage.LANDED)
    editor.set_stage(Stage.NEGOTIATING)  # back: a correction, nothing to ask
    assert asked == [Stage.LANDED, Stage.LANDED]
    assert editor.fields["stage"].currentData() == "negotiating"


@pytest.mark.parametrize(
    "field, text, message",
    [
        ("name", "", "请填写项目名称"),
        ("planned_investment", "", "请填写计划总投资"),
        ("planned_investment", "-5", "不能为负数"),
        ("planned_investment", "1.23456", "小数位太多"),
        ("planned_investment", "一千", "不是数字金额"),
        ("negotiating_on", "2026-02-30", "不是有效的日期"),
        ("negotiating_on", "2026/13/01", "不是有效的日期"),
        ("negotiating_on", "明天", "格式不对"),
        ("planned_on", "", "请填写到达该阶段的日期"),
        ("planned_on", "2026-07-01", "晚于今天"),
    ],
)
def test_invalid_project_fields_are_refused_at_the_field(window, field, text, message):
    projects = count(window, Project)
    editor = window.open_project(None)
    fill_new_project(editor)
    editor.fields[field].setText(text)
    assert not editor.save()
    assert message in editor.error.text()
    assert editor.isVisible()
    assert editor.fields[field].property("invalid") is True
    assert message in editor.fields[field].toolTip()
    assert count(window, Project) == projects


def test_stage_dates_out_of_order_are_refused(window, monkeypatch):
    editor = window.open_project(None)
    fill_new_project(editor)
    monkeypatch.setattr(editor, "ask_stage_date", lambda stage: dt.date(2026, 4, 1))
    editor.fields["planned_on"].setText("2026-05-01")
    editor.set_stage(Stage.NEGOTIATING)
    assert not editor.save()
    assert "早于“谋划”日期" in editor.error.text()
    assert editor.pages.currentIndex() == 1  # the page with the stage dates
    assert editor.fields["negotiating_on"].property("invalid") is True


def test_funds_for_a_month_not_yet_come_and_bad_amounts_are_refused(window):
    projects, funds = count(window, Project), count(window, FundRecord)
    editor = window.open_project(None)
    fill_new_project(editor)
    assert not editor.set_fund_text(2026, 7, "10")
    assert "2026年7月尚未到来" in editor.error.text()
    assert not editor.save()
    assert "尚未到来" in editor.error.text()
    editor.set_fund_text(2026, 7, "")
    editor.funds_grid.item(0, 1).setText("-3")
    assert "不能为负数" in editor.error.text()
    assert editor.funds_grid.item(0, 1).text() == "-3"  # kept as typed, to correct
    assert not editor.save()
    editor.funds_grid.item(0, 1).setText("3.00001")
    assert "小数位太多" in editor.error.text()
    editor.funds_grid.item(0, 1).setText("3.0001")
    assert editor.error.isHidden()
    editor.cancel_button.click()  # Cancel discards
    assert (count(window, Project), count(window, FundRecord)) == (projects, funds)


def test_follow_up_without_content_or_due_before_date_is_refused(window):
    editor = window.open_project(None)
    fill_new_project(editor)
    row = editor.add_follow_up()
    assert not editor.save()
    assert "跟踪内容" in editor.error.text()
    editor.set_follow_up(row, action="电话对接", due_on="2026-06-01", date="2026-06-10")
    assert not editor.save()
    assert "早于跟踪日期" in editor.error.text()


def test_cancel_discards_changes(window):
    with window.context.read() as session:
        project_id, name = session.execute(select(Project.id, Project.name).limit(1)).one()
    editor = window.open_project(project_id)
    editor.fields["name"].setText("改了但取消")
    editor.funds_grid.item(0, 0).setText("999")
    editor.reject()
    with window.context.read() as session:
        assert session.get(Project, project_id).name == name


def test_duplicate_project_name_in_the_same_unit_is_warned(window, monkeypatch):
    with window.context.read() as session:
        name, unit = session.execute(
            select(Project.name, Project.unit_id).where(Project.unit.has(name=UNIT)).limit(1)
        ).one()
    projects = count(window, Project)
    editor = window.open_project(None)
    fill_new_project(editor, name=name)
    questions = []
    monkeypatch.setattr(editor, "confirm", lambda title, text: questions.append(text) or False)
    assert not editor.save()
    assert name in questions[0] and "同名项目" in questions[0]
    assert count(window, Project) == projects
    monkeypatch.setattr(editor, "confirm", lambda title, text: True)
    assert editor.save()
    assert count(window, Project) == projects + 1


def test_undo_and_redo_edit_new_and_delete(window, monkeypatch):
    history = window.context.history
    with window.context.read() as session:
        project = session.scalar(select(Project).where(Project.funds.any()).order_by(Project.id))
        project_id, old_name, code = project.id, project.name, project.code
        funds = count(window, FundRecord)
        follow_ups = session.scalar(select(func.count()).where(FollowUp.project_id == project_id))

    def name_of(pid):
        with window.context.read() as session:
            p = session.get(Project, pid)
            return None if p is None else p.name

    editor = window.open_project(project_id)
    editor.fields["name"].setText("改名后的项目")
    assert editor.save()
    assert name_of(project_id) == "改名后的项目"
    assert window.undo_action.isEnabled()
    assert "修改项目" in window.undo_action.text()
    window.undo_action.trigger()
    assert name_of(project_id) == old_name
    assert projects_row(window, old_name) is not None
    window.redo_action.trigger()
    assert name_of(project_id) == "改名后的项目"

    editor = window.open_project(None)
    fill_new_project(editor, name="撤销测试项目")
    assert editor.save()
    new_id = editor.project_id
    assert history.undo()
    assert name_of(new_id) is None
    assert projects_row(window, "撤销测试项目") is None
    assert history.redo()
    assert name_of(new_id) == "撤销测试项目"

    tab = window.select_tab("projects")
    tab.year_filter.setCurrentIndex(0)
    assert tab.select_project(project_id)
    monkeypatch.setattr(window, "ask", lambda title, question: True)
    window.delete_action.trigger()
    assert name_of(project_id) is None
    assert count(window, FundRecord) < funds
    window.undo_action.trigger()
    assert name_of(project_id) == "改名后的项目"
    with window.context.read() as session:
        assert session.get(Project, project_id).code == code
        assert session.scalar(select(func.count()).where(FollowUp.project_id == project_id)) == follow_ups
    assert count(window, FundRecord) == funds
    assert tab.select_project(project_id)


def test_deleting_asks_first(window, monkeypatch):
    tab = window.select_tab("projects")
    tab.table.setCurrentIndex(tab.model.index(0, 0))
    project_id = tab.selected_id()
    monkeypatch.setattr(window, "ask", lambda title, question: False)
    assert not tab.delete_selected()
    with window.context.read() as session:
        assert session.get(Project, project_id) is not None


def test_enter_an_investor_with_a_contact_and_a_visit(window):
    tab = window.select_tab("investors")
    visits = count(window, Visit)
    editor = window.open_investor(None)
    editor.fields["name"].setText("浙江测试文旅集团有限公司")
    editor.fields["home_region"].setText("杭州")
    editor.fields["industry"].setCurrentText("文化影视")
    editor.fields["unit_id"].setCurrentIndex(editor.fields["unit_id"].findText(UNIT))
    editor.set_contact(editor.add_contact(), name="王总", title="董事长", phone="13800000000")
    row = editor.add_visit()
    editor.set_visit(row, date="2026-06-12", batches="2", headcount="6", receiving_leader="陈剑波",
                     seen="考察云山康养地块", outcome="达成投资意向")
    assert editor.save(), editor.error.text()
    assert count(window, Visit) == visits + 1
    tab.search.setText("测试文旅")
    assert tab.model.rowCount() == 1
    shown = tab.model.row_at(0)
    assert (shown.visits, shown.batches, shown.headcount, shown.last_visit) == (1, 2, 6, "2026-06-12")
    assert "王总" in shown.contacts
    with window.context.read() as session:
        visit = session.scalar(select(Visit).where(Visit.investor_id == editor.investor_id))
        assert visit.unit.name == UNIT and visit.receiving_leader == "陈剑波"

    # the investor is offered by completion in the project editor
    project_editor = window.open_project(None)
    model = project_editor.fields["investor"].completer().model()
    assert "浙江测试文旅集团有限公司" in model.stringList()


@pytest.mark.parametrize(
    "values, message",
    [
        ({"date": ""}, "请填写考察日期"),
        ({"date": "2026-06-31"}, "不是有效的日期"),
        ({"batches": "0"}, "批次至少为1"),
        ({"headcount": "-2"}, "不能为负数"),
        ({"batches": "3", "headcount": "2"}, "人数不能少于批次"),
        ({"headcount": "两"}, "必须是整数"),
    ],
)
def test_invalid_visits_are_refused(window, values, message):
    visits = count(window, Visit)
    editor = window.open_investor(None)
    editor.fields["name"].setText("某某公司")
    row = editor.add_visit()
    editor.set_visit(row, **values)
    assert not editor.save()
    assert message in editor.error.text()
    assert editor.pages.currentIndex() == 2
    assert count(window, Visit) == visits


def test_investor_name_is_required(window):
    editor = window.open_investor(None)
    assert not editor.save()
    assert "请填写客商名称" in editor.error.text()


def test_an_event_is_entered_in_its_own_tab(window):
    tab = window.select_tab("events")
    before = tab.model.total_count()
    window.new_action.trigger()
    editor = window.open_event(None)
    editor.fields["name"].setText("2026上海磐安康养产业推介会")
    editor.fields["date"].setText("2026-05-20")
    editor.fields["place"].setText("上海")
    editor.fields["firms"].setText("35")
    editor.fields["representatives"].setText("60")
    editor.fields["intention_projects"].setText("4")
    assert editor.save(), editor.error.text()
    assert tab.model.total_count() == before + 1
    tab.search.setText("康养产业推介会")
    assert tab.model.rowCount() == 1
    assert tab.model.row_at(0).intention_projects == 4
    bad = window.open_event(None)
    bad.fields["name"].setText("洽谈会")
    bad.fields["firms"].setText("-1")
    assert not bad.save()
    assert "不能为负数" in bad.error.text()


def test_targets_typed_into_cells_and_progress(window):
    tab = window.select_tab("targets")
    tab.year.setCurrentIndex(tab.year.findData(2026))
    tab.set_mode("targets")
    index = tab.cell(UNIT, Indicator.DOMESTIC_FUNDS)
    assert tab.proxy.setData(index, "12345.6789")
    cell = tab.cell(UNIT, Indicator.DOMESTIC_FUNDS)
    assert cell.data() == "12,345.68"  # shown by the one money rule
    assert cell.data(Qt.ItemDataRole.EditRole) == "12345.6789"  # typed over: exact
    county = tab.cell("全县", Indicator.SIGNED_PROJECTS)
    assert tab.proxy.setData(county, "40")
    with window.context.read() as session:
        table = load_progress(session, YearMonth(2026, 6))
    row = table.get(UNIT, Indicator.DOMESTIC_FUNDS)
    assert row.target == Decimal("12345.6789")
    assert table.county(Indicator.SIGNED_PROJECTS).target == 40

    tab.set_mode("progress")
    tab.month.setCurrentIndex(5)
    assert "50.00%" in tab.schedule_label.text()
    cell = tab.cell(UNIT, Indicator.DOMESTIC_FUNDS)
    expected_rate = f"{(row.rate * 100).quantize(Decimal('0.1'))}%"
    assert cell.data().endswith(expected_rate)
    colour = cell.data(Qt.ItemDataRole.BackgroundRole)
    if row.status in (Status.AHEAD, Status.BEHIND, Status.DONE, Status.NOTHING):
        assert colour is not None
    assert f"序时进度：50.00%" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert not tab.proxy.flags(cell) & Qt.ItemFlag.ItemIsEditable

    # undo the county target
    window.undo_action.trigger()
    with window.context.read() as session:
        assert load_progress(session, YearMonth(2026, 6)).county(Indicator.SIGNED_PROJECTS).target != 40


@pytest.mark.parametrize(
    "indicator, text, message",
    [
        (Indicator.DOMESTIC_FUNDS, "-1", "不能为负数"),
        (Indicator.DOMESTIC_FUNDS, "1.00001", "小数位太多"),
        (Indicator.SIGNED_PROJECTS, "2.5", "必须是整数"),
        (Indicator.MAJOR_PROJECTS, "三", "必须是整数"),
    ],
)
def test_invalid_targets_are_refused(window, indicator, text, message):
    tab = window.select_tab("targets")
    tab.set_mode("targets")
    index = tab.cell(UNIT, indicator)
    before = index.data()
    assert not tab.proxy.setData(index, text)
    assert message in tab.error.text()
    assert tab.cell(UNIT, indicator).data() == before


def test_clearing_a_target_removes_it(window):
    tab = window.select_tab("targets")
    tab.year.setCurrentIndex(tab.year.findData(2026))
    tab.set_mode("targets")
    index = tab.cell(UNIT, Indicator.DOMESTIC_FUNDS)
    assert index.data() != ""
    assert tab.proxy.setData(index, "")
    assert tab.cell(UNIT, Indicator.DOMESTIC_FUNDS).data() == ""
    with window.context.read() as session:
        assert load_progress(session, YearMonth(2026, 6)).get(UNIT, Indicator.DOMESTIC_FUNDS).target is None


def test_projects_search_and_filters(window):
    tab = window.select_tab("projects")
    tab.year_filter.setCurrentIndex(0)
    total = tab.model.rowCount()
    tab.unit_filter.setCurrentIndex(tab.unit_filter.findData(UNIT))
    in_unit = tab.model.rowCount()
    assert 0 < in_unit < total
    assert all(tab.model.row_at(r).unit == UNIT for r in range(in_unit))
    tab.stage_filter.setCurrentIndex(tab.stage_filter.findData("signed"))
    assert all(tab.model.row_at(r).stage == "signed" for r in range(tab.model.rowCount()))
    tab.stage_filter.setCurrentIndex(0)
    tab.unit_filter.setCurrentIndex(0)
    leader = tab.model.row_at(0).liaison_leader or "陈剑波"
    tab.search.setText(leader)
    assert 0 < tab.model.rowCount() < total
    assert all(leader in tab.model.row_at(r).liaison_leader or leader in tab.model.row_at(r).name
               or leader in tab.model.row_at(r).investor for r in range(tab.model.rowCount()))
    tab.search.setText("")
    tab.flag_filter.setCurrentIndex(tab.flag_filter.findData("跟踪逾期"))
    overdue = [tab.model.row_at(r) for r in range(tab.model.rowCount())]
    assert overdue and all(r.next_due < TODAY.isoformat() for r in overdue)
    index = tab.model.index(0, 0)
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "逾期" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_projects_sort_by_any_column(window):
    tab = window.select_tab("projects")
    tab.year_filter.setCurrentIndex(0)
    model = tab.model
    for column in range(model.columnCount()):
        tab.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        keys = [model.columns[column].sort_key(model.row_at(r)) for r in range(model.rowCount())]
        assert keys == sorted(keys)
        tab.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
        keys = [model.columns[column].sort_key(model.row_at(r)) for r in range(model.rowCount())]
        assert keys == sorted(keys, reverse=True)
    tab.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).planned_yuan == max(r.planned_yuan for r in model.rows)
