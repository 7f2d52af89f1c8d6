"""Columns sized to their content on first show (issue 13, item 11): 联系领导, 责任单位
and visit dates not cut off, empty columns not wide. From an empty ledger."""

from __future__ import annotations

import datetime as dt

from driving import activate
from zsdesk.domain.records import ContactData, VisitData

LEADER = "县委常委、常务副县长王建国"
RESPONSIBLE = "县发展和改革局（县粮食局）"


def column_of(model, key):
    return next(i for i, c in enumerate(model.columns) if c.key == key)


def needed(table, text):
    return table.fontMetrics().horizontalAdvance(text)


def test_columns_fit_what_they_hold(empty_window, qtbot):
    window = empty_window
    window.set_today(dt.date(2026, 6, 20))
    activate(qtbot, window)
    editor = window.open_project(None)
    f = editor.fields
    f["name"].setText("尚湖康养小镇")
    f["unit_id"].setCurrentIndex(f["unit_id"].findText("甲镇"))
    f["planned_investment"].setText("600")
    f["planned_on"].setText("2026-05-01")
    f["liaison_leader"].setText(LEADER)
    f["responsible_unit"].setText(RESPONSIBLE)
    assert editor.save(), editor.error.text()

    tab = window.select_tab("projects")
    table, model = tab.table, tab.model
    for key, text in (("leader", LEADER), ("responsible", RESPONSIBLE)):
        assert table.columnWidth(column_of(model, key)) >= needed(table, text), key
    empty = column_of(model, "last_follow_up")  # no follow-up yet: nothing to show
    title = table.horizontalHeader().fontMetrics().horizontalAdvance("最近跟踪")
    assert table.columnWidth(empty) <= title + 40

    investor = window.open_investor(None)
    investor.fields["name"].setText("浙江银来集团")
    row = investor.add_visit(VisitData(date=dt.date(2026, 6, 3), batches=1, headcount=4))
    investor.add_contact(ContactData(name="王经理", title="总经理", phone="13800000000"))
    assert investor.save(), investor.error.text()
    tab = window.select_tab("investors")
    table, model = tab.table, tab.model
    assert table.columnWidth(column_of(model, "last_visit")) >= needed(table, "2026-06-03")
    assert table.columnWidth(column_of(model, "contacts")) >= needed(table, model.row_at(0).contacts)
