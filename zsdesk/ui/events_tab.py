"""Promotion events (招商活动: 推介会, 洽谈会, 蹲点招商): a tab of their own and an editor."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from ..domain.enums import EventKind
from ..domain.records import EventData
from ..domain.validation import count, parse_date, validate_event
from ..errors import KnownError, ValidationError
from ..store import settings as keys
from ..store.investors import EventRow, event_data, event_rows, save_event
from ..store.units import unit_choices
from .forms import INVALID_STYLE, CopyAfterConflict, UnsavedChanges, date_edit, date_text, error_label, mark_invalid
from .record_tab import RecordTab
from .table_models import CENTER, RIGHT, Column, RowListModel


def _kind(row: EventRow) -> str:
    try:
        return EventKind(row.kind).label
    except ValueError:
        return row.kind


COLUMNS = [
    Column("date", "日期", lambda r: str(r.date), lambda r: str(r.date), CENTER, width=95),
    Column("kind", "类型", _kind, _kind, CENTER, width=80),
    Column("name", "活动名称", lambda r: r.name, lambda r: r.name, width=300),
    Column("unit", "举办单位", lambda r: r.unit, lambda r: r.unit, width=120),
    Column("place", "地点", lambda r: r.place, lambda r: r.place, width=150),
    Column("firms", "参会企业", lambda r: str(r.firms), lambda r: r.firms, RIGHT, width=70),
    Column("representatives", "客商代表", lambda r: str(r.representatives), lambda r: r.representatives, RIGHT, width=70),
    Column("intention_projects", "达成意向项目", lambda r: str(r.intention_projects), lambda r: r.intention_projects, RIGHT, width=95),
]


class EventsTab(RecordTab):
    key = "events"
    noun = "招商活动"

    def __init__(self, window):
        super().__init__(window, RowListModel(COLUMNS))
        self.model.setParent(self)
        self.search.setPlaceholderText(self.tr("搜索：活动名称、地点、单位"))
        self.finish_bar()

    def first_step(self) -> str:
        return self.tr("点右上角“新建招商活动”（Ctrl+N）登记推介会、洽谈会或蹲点招商。")

    def load_rows(self, session, ids=None):
        rows = event_rows(session)
        return rows if ids is None else [r for r in rows if r.id in set(ids)]

    def accepts(self, row: EventRow, words: list[str]) -> bool:
        hay = f"{row.name}\n{row.place}\n{row.unit}\n{_kind(row)}".casefold()
        return all(w in hay for w in words)

    def new_record(self):
        return self.main_window.open_event(None)

    def open_selected(self):
        event_id = self.selected_id()
        return None if event_id is None else self.main_window.open_event(event_id)

    def delete_selected(self) -> bool:
        event_id = self.selected_id()
        if event_id is None:
            return False
        row = self.model.row_at(self.table.currentIndex().row())
        if not self.main_window.ask(self.tr("删除招商活动"), self.tr("确定删除“%s”吗？可用“撤销”恢复。") % row.name):
            return False
        from ..store.investors import delete_event

        try:
            self.context.history.change(
                self.tr("删除招商活动“%s”") % row.name, "event", event_id, lambda s: delete_event(s, event_id)
            )
        except Exception as exc:  # noqa: BLE001
            self.main_window.show_error(exc)
            return False
        return True


class EventEditor(CopyAfterConflict, UnsavedChanges, QDialog):
    saved = Signal(int)

    def __init__(self, context, event_id: int | None, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("eventEditor")
        self.setStyleSheet(INVALID_STYLE)
        self.context = context
        self.event_id = event_id
        self.today = today or dt.date.today()
        with context.read() as session:
            units = unit_choices(session)
            data = event_data(session, event_id) if event_id is not None else None
            own_unit = keys.own_unit(session)
        # In a township's file a new event is the township's own: left at the county, its
        # return would not carry it (the check event_not_in_return says so for old ones).
        own_unit_id = next((uid for uid, name in units if name == own_unit), None)
        self.fields: dict = {}
        form = QFormLayout()

        def add(name, widget, label):
            widget.setObjectName(f"field_{name}")
            self.fields[name] = widget
            form.addRow(label, widget)
            return widget

        add("name", QLineEdit(self), self.tr("活动名称 *"))
        kind = add("kind", QComboBox(self), self.tr("类型 *"))
        for k in EventKind:
            kind.addItem(k.label, k.value)
        add("date", date_edit(self, "field_date"), self.tr("日期 *"))
        unit = add("unit_id", QComboBox(self), self.tr("举办单位"))
        unit.addItem(self.tr("（县招商局）"), None)
        for unit_id, name in units:
            unit.addItem(name, unit_id)
        add("place", QLineEdit(self), self.tr("地点"))
        add("firms", QLineEdit(self), self.tr("参会企业数"))
        add("representatives", QLineEdit(self), self.tr("客商代表人数"))
        add("intention_projects", QLineEdit(self), self.tr("达成意向项目数"))
        notes = add("notes", QPlainTextEdit(self), self.tr("备注"))
        notes.setTabChangesFocus(True)
        self.error = error_label(self, "editorError")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("saveButton")
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancelButton")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        row = QHBoxLayout()  # beside the box, not in it: a QDialogButtonBox shows every button it is given
        row.addWidget(self.copy_mine_button(self.tr("招商活动")))
        row.addWidget(buttons, 1)
        layout.addLayout(row)
        data = data or EventData(name="", kind=EventKind.PROMOTION, date=self.today, unit_id=own_unit_id)
        self._version = data.version  # a colleague's save since then refuses ours (store/versions.py)
        self.fields["name"].setText(data.name)
        kind.setCurrentIndex(max(kind.findData(data.kind.value), 0))
        self.fields["date"].setText(date_text(data.date))
        unit.setCurrentIndex(max(unit.findData(data.unit_id), 0))
        self.fields["place"].setText(data.place)
        for name in ("firms", "representatives", "intention_projects"):
            self.fields[name].setText(str(getattr(data, name) or 0))
        notes.setPlainText(data.notes)
        self.setWindowTitle(self.tr("新建招商活动") if event_id is None else self.tr("招商活动：%s") % data.name)
        self.resize(520, 440)
        self.show_read_only(context.ledger.readonly)
        self.mark_clean()

    def collect(self) -> EventData:
        f = self.fields
        for widget in f.values():
            if widget.property("invalid"):
                mark_invalid(widget, None)
        return EventData(
            name=f["name"].text(),
            kind=EventKind(f["kind"].currentData()),
            date=parse_date(f["date"].text(), "date", self.tr("活动日期"), required=True),
            unit_id=f["unit_id"].currentData(),
            place=f["place"].text().strip(),
            firms=count(f["firms"].text() or "0", "firms", self.tr("参会企业数")),
            representatives=count(f["representatives"].text() or "0", "representatives", self.tr("客商代表人数")),
            intention_projects=count(f["intention_projects"].text() or "0", "intention_projects", self.tr("达成意向项目数")),
            notes=f["notes"].toPlainText().strip(),
            version=self._version,
        )

    def save(self) -> bool:
        try:
            data = self.collect()
            validate_event(data, self.today)
        except ValidationError as exc:
            self.error.setText(exc.message)
            self.error.show()
            widget = self.fields.get(exc.field)
            if widget is not None:
                mark_invalid(widget, exc.message)
                widget.setFocus()
            return False
        event_id = self.event_id
        text = self.tr("新建招商活动“%s”") if event_id is None else self.tr("修改招商活动“%s”")
        try:
            event = self.context.history.change(
                text % data.name.strip(), "event", event_id,
                lambda s: save_event(s, event_id, data, self.today), key_of=lambda e: e.id,
            )
        except KnownError as exc:
            self.show_refusal(exc)  # a colleague saved first: the form stays, and can be copied
            return False
        self.event_id = event.id
        self.saved.emit(event.id)
        self.accept()
        return True
