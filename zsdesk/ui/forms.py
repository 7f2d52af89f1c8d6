"""Helpers for editor forms: field errors shown at the field, date and money fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ..domain.money import format_wan

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


def date_edit(parent: QWidget, name: str) -> QLineEdit:
    """A date typed as text (may stay empty): faster than a spin box, and can be blank."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText("YYYY-MM-DD")
    edit.setMaxLength(12)
    edit.setFixedWidth(110)
    return edit


def money_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText("万元")
    edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    edit.setFixedWidth(140)
    return edit


def date_text(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def money_text(value: Decimal | None) -> str:
    return "" if value is None else format_wan(value).replace(",", "")


class DateQuestion(QDialog):
    """Asks for one date (the day a stage was reached), today by default."""

    def __init__(self, parent, title: str, question: str, default: dt.date, latest: dt.date):
        super().__init__(parent)
        self.setObjectName("dateQuestion")
        self.setWindowTitle(title)
        self.calendar = QCalendarWidget(self)
        self.calendar.setObjectName("dateQuestionCalendar")
        self.calendar.setMaximumDate(QDate(latest.year, latest.month, latest.day))
        self.calendar.setSelectedDate(QDate(default.year, default.month, default.day))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(question, self))
        layout.addWidget(self.calendar)
        layout.addWidget(buttons)

    def date(self) -> dt.date:
        d = self.calendar.selectedDate()
        return dt.date(d.year(), d.month(), d.day())


def confirm(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question)
    return answer == QMessageBox.StandardButton.Yes
