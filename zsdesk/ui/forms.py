"""Helpers for editor forms: field errors shown at the field, date and money fields,
unsaved changes, and the copy of what was typed when a colleague saved first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QGuiApplication, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCalendarWidget,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTabWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..domain.money import format_wan
from ..errors import KnownError
from ..store.versions import RecordConflict

INVALID_STYLE = "*[invalid=\"true\"] { border: 1px solid #d00000; background: #fff0f0; }"


def error_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setStyleSheet("color: #b00020; font-weight: bold;")
    label.setWordWrap(True)
    label.hide()
    return label


def mark_invalid(widget: QWidget, message: str | None) -> None:
    """Outline a field in red with the message as its tooltip (None clears it)."""
    widget.setProperty("invalid", message is not None)
    widget.setToolTip(message or "")
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def chinese_calendar(parent: QWidget | None, name: str) -> QCalendarWidget:
    """A calendar in Chinese (the default locale, zh_CN), weeks starting on Monday."""
    calendar = QCalendarWidget(parent)
    calendar.setObjectName(name)
    calendar.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
    calendar.setGridVisible(True)
    return calendar


class DateField(QLineEdit):
    """A date typed as text (may stay empty), or picked from a calendar (F4 or the
    button at its end). The calendar opens on the field's own date, else on
    ``month_hint()`` (the editor's sensible month), never blindly on today."""

    def __init__(self, parent: QWidget, name: str):
        super().__init__(parent)
        self.setObjectName(name)
        self.setPlaceholderText("YYYY-MM-DD")
        self.setMaxLength(12)
        self.setFixedWidth(130)
        self.month_hint = lambda: None
        self.popup: QCalendarWidget | None = None
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown)
        action = self.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        action.setText("▾")
        action.setToolTip("选择日期（F4）")
        action.setObjectName(f"{name}_calendar")
        action.triggered.connect(self.show_calendar)
        self.calendar_action = action

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_F4 or (
            event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        ):
            self.show_calendar()
            return
        super().keyPressEvent(event)

    def date(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.text().strip())
        except ValueError:
            return None

    def show_calendar(self) -> QCalendarWidget | None:
        if self.isReadOnly():
            return None
        if self.popup is None:
            self.popup = chinese_calendar(None, f"{self.objectName()}_popup")
            self.popup.setWindowFlags(Qt.WindowType.Popup)
            self.popup.clicked.connect(self._picked)
            self.popup.activated.connect(self._picked)
        day = self.date() or self.month_hint()
        if day is not None:
            self.popup.setSelectedDate(QDate(day.year, day.month, day.day))
            self.popup.setCurrentPage(day.year, day.month)
        self.popup.move(self.mapToGlobal(self.rect().bottomLeft()))
        self.popup.show()
        self.popup.setFocus()
        return self.popup

    def _picked(self, qdate: QDate) -> None:
        self.setText(dt.date(qdate.year(), qdate.month(), qdate.day()).isoformat())
        self.popup.hide()
        self.setFocus()
        self.editingFinished.emit()


def date_edit(parent: QWidget, name: str) -> DateField:
    """A date field: typed as text, may stay empty, with a calendar to pick from."""
    return DateField(parent, name)


def money_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText("万元")
    edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    edit.setFixedWidth(140)
    return edit


def ok_cancel(dialog: QDialog, ok_text: str, ok_name: str | None = None) -> QDialogButtonBox:
    """A dialog's 确定/取消 row in Chinese, its buttons wired to the dialog's accept/reject."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    if ok_name:
        ok.setObjectName(ok_name)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(dialog.tr("取消"))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def date_text(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def money_text(value: Decimal | None) -> str:
    return "" if value is None else format_wan(value).replace(",", "")


class DateQuestion(QDialog):
    """Asks for one date (the day a stage was reached), opening on ``default``'s month."""

    def __init__(self, parent, title: str, question: str, default: dt.date, latest: dt.date):
        super().__init__(parent)
        self.setObjectName("dateQuestion")
        self.setWindowTitle(title)
        self.calendar = chinese_calendar(self, "dateQuestionCalendar")
        self.calendar.setMaximumDate(QDate(latest.year, latest.month, latest.day))
        self.calendar.setSelectedDate(QDate(default.year, default.month, default.day))
        self.calendar.setCurrentPage(default.year, default.month)
        self.question = QLabel(question, self)
        self.question.setObjectName("dateQuestionText")
        self.question.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addWidget(self.calendar)
        layout.addWidget(buttons)

    def date(self) -> dt.date:
        d = self.calendar.selectedDate()
        return dt.date(d.year(), d.month(), d.day())


def show_one(window, attribute: str, make):
    """A window of which the main window keeps one (the 简报, the 月度通报): made by
    ``make()`` the first time, kept as ``window.<attribute>`` until closed, raised if open."""
    shown = getattr(window, attribute, None)
    if shown is None:
        shown = make()
        shown.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        setattr(window, attribute, shown)
        shown.finished.connect(lambda _result: setattr(window, attribute, None))
    shown.show()
    shown.raise_()
    shown.activateWindow()
    return shown


def confirm(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question)
    return answer == QMessageBox.StandardButton.Yes


# -- unsaved changes ------------------------------------------------------------------------

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
NOT_DATA = "zsdeskNotData"
"""A widget property: this widget shows or picks, it holds nothing to save (a year picker)."""


def ask_unsaved(parent: QWidget, what: str) -> str:
    """保存 / 不保存 / 取消 for a form with unsaved changes: SAVE, DISCARD or CANCEL.

    The one question every editor and the main window ask; tests answer it by replacing
    this function (``monkeypatch.setattr(forms, "ask_unsaved", ...)``) or by clicking the
    box's buttons, which carry the object names unsavedSave / unsavedDiscard / unsavedCancel.
    """
    tr = parent.tr if parent is not None else (lambda text: text)
    box = QMessageBox(parent)
    box.setObjectName("unsavedQuestion")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(tr("尚未保存"))
    box.setText(tr("“%s”有尚未保存的修改。") % what)
    box.setInformativeText(tr("保存这些修改吗？选“不保存”，刚才的修改将丢失。"))
    save = box.addButton(tr("保存"), QMessageBox.ButtonRole.AcceptRole)
    save.setObjectName("unsavedSave")
    discard = box.addButton(tr("不保存"), QMessageBox.ButtonRole.DestructiveRole)
    discard.setObjectName("unsavedDiscard")
    cancel = box.addButton(tr("取消"), QMessageBox.ButtonRole.RejectRole)
    cancel.setObjectName("unsavedCancel")
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is save:
        return SAVE
    if clicked is discard:
        return DISCARD
    return CANCEL


def _excluded(widget: QWidget, root: QWidget) -> bool:
    while widget is not None and widget is not root:
        if widget.property(NOT_DATA):
            return True
        widget = widget.parentWidget()
    return False


def widget_state(root: QWidget) -> tuple:
    """What a clerk has put into the form under ``root``: every input's value, in order.

    Comparing this with the state right after loading tells whether anything was changed,
    for any form, without each editor listing its fields again.
    """
    values = []
    for widget in root.findChildren(QWidget):
        if _excluded(widget, root):
            continue
        name = widget.objectName()
        if isinstance(widget, QComboBox):
            values.append((name, widget.currentIndex(), widget.currentText()))
        elif isinstance(widget, QLineEdit):
            if not isinstance(widget.parentWidget(), QComboBox):
                values.append((name, widget.text()))
        elif isinstance(widget, QPlainTextEdit):
            values.append((name, widget.toPlainText()))
        elif isinstance(widget, QAbstractButton) and widget.isCheckable() and not isinstance(widget, QRadioButton):
            values.append((name, widget.isChecked()))
        elif isinstance(widget, QAbstractSpinBox) and hasattr(widget, "value"):
            values.append((name, widget.value()))
        elif isinstance(widget, QTableWidget):
            cells = []
            for row in range(widget.rowCount()):
                for column in range(widget.columnCount()):
                    item = widget.item(row, column)
                    if item is not None:
                        checkable = bool(item.flags() & Qt.ItemFlag.ItemIsUserCheckable)
                        cells.append((row, column, item.text(), item.checkState().value if checkable else None))
            values.append((name, widget.rowCount(), tuple(cells)))
    return tuple(values)


class UnsavedChanges:
    """For a QDialog that edits something: it knows when it holds unsaved changes, and
    Esc, ✕ and 取消 (all of which end in ``reject``) ask 保存 / 不保存 / 取消 first.

    The dialog calls :meth:`mark_clean` once loaded and implements ``save() -> bool``
    (which closes the dialog on success). ``extra_state`` adds what the widgets do not
    show at once (the project's funds of other years).
    """

    read_only = False
    _clean_state: tuple | None = None

    def extra_state(self) -> tuple:
        return ()

    def form_state(self) -> tuple:
        return widget_state(self), self.extra_state()

    def mark_clean(self) -> None:
        self._clean_state = self.form_state()

    def has_unsaved_changes(self) -> bool:
        if self.read_only or self._clean_state is None:
            return False
        return self.form_state() != self._clean_state

    def unsaved_title(self) -> str:
        return self.windowTitle()

    def settle_unsaved(self) -> bool:
        """Ask about unsaved changes; True when the dialog may now close (saved or
        discarded, or nothing to ask), False when the clerk chose 取消 or the save was
        refused (the form stays, with the error at the field)."""
        if not self.has_unsaved_changes():
            return True
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        answer = _forms_module().ask_unsaved(self, self.unsaved_title())
        if answer == SAVE:
            return bool(self.save())
        if answer == DISCARD:
            self._clean_state = None
            return True
        return False

    def show_read_only(self, read_only: bool) -> None:
        """A ledger opened read-only: the form shows, nothing can be typed, 保存 is gone,
        and the window says why (instead of refusing at 保存 after the work is done)."""
        self.read_only = read_only
        if not read_only:
            return
        close = getattr(self, "cancel_button", None)
        save = getattr(self, "save_button", None)
        make_read_only(self, keep=tuple(w for w in (close,) if w is not None))
        self.setStyleSheet(self.styleSheet() + READ_ONLY_STYLE)
        if save is not None:
            save.hide()
        for shortcut in self.findChildren(QShortcut):
            shortcut.setEnabled(False)  # Ctrl+S: nothing to save
        if close is not None:
            close.setText(self.tr("关闭"))
        note = QLabel(self.tr(READ_ONLY_NOTE), self)
        note.setObjectName("readOnlyNote")
        note.setStyleSheet("color: #8a5a00; background: #fff4d6; padding: 4px;")
        layout = self.layout()
        if layout is not None:
            layout.insertWidget(0, note)
        if not self.windowTitle().startswith("（只读）"):
            self.setWindowTitle(self.tr("（只读）") + self.windowTitle())

    def discard_and_close(self) -> None:
        """Close without asking (the main window asked already)."""
        self._clean_state = None
        QDialog.reject(self)

    def reject(self) -> None:
        if not self.has_unsaved_changes():
            QDialog.reject(self)
            return
        if self.settle_unsaved() and self._clean_state is None:
            QDialog.reject(self)  # discarded (a save has closed the dialog already)


def _forms_module():
    import sys

    return sys.modules[__name__]


READ_ONLY_STYLE = (
    'QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"] { background: #f2f2f2; color: #333333; }'
)
READ_ONLY_NOTE = "台账以只读方式打开：可以查看，不能修改。"


def make_read_only(root: QWidget, keep: tuple = ()) -> None:
    """Every input under ``root`` shows its value but takes no change; buttons that
    would change something are disabled (those in ``keep`` — 关闭 — stay)."""
    for widget in root.findChildren(QWidget):
        if widget in keep:
            continue
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            widget.setReadOnly(True)
        elif isinstance(widget, QAbstractSpinBox):
            if widget.property(NOT_DATA):
                continue  # a picker of what to show (the funds' year) still works
            widget.setReadOnly(True)
        elif isinstance(widget, (QComboBox, QAbstractButton)):
            if isinstance(widget, QAbstractButton) and widget.parent() is not None and type(widget).__name__ == "QToolButton":
                continue  # tab bar scrollers
            widget.setEnabled(False)
        elif isinstance(widget, QTableWidget):
            widget.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)


# -- a copy of what was typed -------------------------------------------------------------

NO_CHOICE = "（无）"
"""What a choice box shows when nothing is chosen: not worth a line of the copy."""
COPIED_NOTE = "已把您填写的内容复制到剪贴板。"


def typed_value(widget: QWidget) -> str:
    """What a clerk put into one input, as text ("" for nothing; a ticked box is 是)."""
    if isinstance(widget, QComboBox):
        text = widget.currentText().strip()
        return "" if text == NO_CHOICE else text
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText().strip()
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return "是" if widget.isChecked() else ""
    return ""


def _is_input(widget: QWidget) -> bool:
    return isinstance(widget, (QComboBox, QLineEdit, QPlainTextEdit)) or (
        isinstance(widget, QAbstractButton) and widget.isCheckable()
    )


def _label(text: str) -> str:
    """A field's label as a clerk reads it, without the 必填 star or a trailing colon."""
    return text.strip().rstrip("*").strip().rstrip("：:").strip()


def table_lines(table: QTableWidget, title: str) -> list[str]:
    """One line a filled row: "联系人 1：姓名 张三；电话 138…" (empty cells left out)."""
    headers = [
        table.horizontalHeaderItem(c).text() if table.horizontalHeaderItem(c) else str(c + 1)
        for c in range(table.columnCount())
    ]
    lines = []
    for row in range(table.rowCount()):
        cells = []
        for column in range(table.columnCount()):
            widget = table.cellWidget(row, column)
            item = table.item(row, column)
            if widget is not None:
                value = typed_value(widget)
            elif item is None:
                value = ""
            elif item.data(Qt.ItemDataRole.CheckStateRole) is not None:  # a tick box (已办结)
                value = "是" if item.checkState() == Qt.CheckState.Checked else ""
            else:
                value = item.text().strip()
            if value:
                cells.append(f"{headers[column]} {value}")
        if cells:
            lines.append(f"{_label(title)} {len(lines) + 1}：" + "；".join(cells))
    return lines


def typed_lines(layout: QLayout, label: str = "") -> list[str]:
    """What was typed into the inputs under ``layout``, "label：value" a line, in the
    order the form shows them: a form row's label, else the text of the QLabel just
    before the input (the grid of stage dates), a tick box's own text; a tab page's
    lines under its title in 【】, a table's rows one line each. Empty inputs and
    widgets marked NOT_DATA are left out."""
    lines: list[str] = []
    if isinstance(layout, QFormLayout):
        for row in range(layout.rowCount()):
            label_item = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
            row_label = label_item.widget().text() if label_item and isinstance(label_item.widget(), QLabel) else ""
            for role in (QFormLayout.ItemRole.FieldRole, QFormLayout.ItemRole.SpanningRole):
                lines += _item_lines(layout.itemAt(row, role), row_label)
        return lines
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if isinstance(item.widget(), QLabel):
            label = item.widget().text()  # names the input that follows it
            continue
        lines += _item_lines(item, label)
    return lines


def _item_lines(item: QLayoutItem | None, label: str) -> list[str]:
    if item is None:
        return []
    if item.layout() is not None:
        return typed_lines(item.layout(), label)
    widget = item.widget()
    if widget is None or widget.property(NOT_DATA):
        return []
    if isinstance(widget, QTabWidget):
        lines = []
        for i in range(widget.count()):
            page = widget.widget(i)
            if page.property(NOT_DATA) or page.layout() is None:
                continue
            body = typed_lines(page.layout(), widget.tabText(i))
            if body:
                lines += [f"【{widget.tabText(i)}】", *body]
        return lines
    if isinstance(widget, QTableWidget):
        return table_lines(widget, label)
    if _is_input(widget):
        value = typed_value(widget)
        if not value:
            return []
        name = widget.text() if isinstance(widget, QAbstractButton) else label
        return [f"{_label(name)}：{value}"]
    if widget.layout() is not None:
        return typed_lines(widget.layout(), label)
    return []


class CopyAfterConflict:
    """For an editor whose save can be refused because a colleague saved the record first
    (store/versions.py): nothing typed is lost — the form stays open as it is, the refusal
    shows in ``self.error``, and a 复制我填写的内容 button puts the form's text on the
    clipboard, to be typed again after reopening the record.

    The editor calls :meth:`copy_mine_button` when building its buttons and
    :meth:`show_refusal` when the store refuses a save. ``extra_typed_lines`` adds what
    the widgets do not hold (the project's funds of every year)."""

    def copy_mine_button(self, noun: str) -> QPushButton:
        button = QPushButton(self.tr("复制我填写的内容"), self)
        button.setObjectName("copyMineButton")
        button.setToolTip(self.tr("把这张表里填写的内容复制到剪贴板，重新打开%s后可以对照着再改") % noun)
        button.clicked.connect(self.copy_form_text)
        button.hide()  # offered only when a save is refused because a colleague changed the record
        self.copy_button = button
        return button

    def show_refusal(self, exc: KnownError) -> None:
        self.error.setText(exc.message)
        self.error.show()
        if isinstance(exc, RecordConflict):
            self.copy_button.show()

    def extra_typed_lines(self) -> list[str]:
        return []

    def form_text(self) -> str:
        """What the clerk filled in, "label：value" a line, for the clipboard."""
        return "\n".join(typed_lines(self.layout()) + self.extra_typed_lines())

    def copy_form_text(self) -> str:
        text = self.form_text()
        QGuiApplication.clipboard().setText(text)
        self.error.setText(self.error.text().split("\n")[0] + "\n" + self.tr(COPIED_NOTE))
        self.error.show()
        return text
