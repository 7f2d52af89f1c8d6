"""Dialogs about the ledger file itself: a new ledger, the file's settings, first run."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.money import MoneyError, format_wan, parse_wan
from ..errors import KnownError, ValidationError
from ..store import settings as keys
from ..store.ledger_setup import create_ledger
from ..store.units import unit_names
from .forms import INVALID_STYLE, UnsavedChanges, mark_invalid


def data_folder() -> Path:
    """The user's data folder for zsdesk (made if missing)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(location) if location else Path.home() / ".zsdesk"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("formError")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


class NewLedgerDialog(QDialog):
    """A new, empty ledger: county, units, whose file it is, and where it goes."""

    COUNTY_FILE = "（县招商局：汇总全部单位）"

    def __init__(self, parent=None, folder: Path | None = None):
        super().__init__(parent)
        self.setObjectName("newLedgerDialog")
        self.setWindowTitle(self.tr("新建台账"))
        self.created_path: Path | None = None
        self.county = QLineEdit(self)
        self.county.setObjectName("newLedgerCounty")
        self.county.setPlaceholderText(self.tr("例如：磐安县"))
        self.units = QPlainTextEdit(self)
        self.units.setObjectName("newLedgerUnits")
        self.units.setPlaceholderText(self.tr("每行一个单位，例如：\n安文街道\n尚湖镇\n新城区"))
        self.own_unit = QComboBox(self)
        self.own_unit.setObjectName("newLedgerOwnUnit")
        self.own_unit.addItem(self.tr(self.COUNTY_FILE))
        self.units.textChanged.connect(self._refresh_own_units)
        self.path = QLineEdit(self)
        self.path.setObjectName("newLedgerPath")
        self.path.setText(str((folder or data_folder()) / self.tr("招商台账.sqlite")))
        browse = QPushButton(self.tr("浏览…"), self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("县名"), self.county)
        form.addRow(self.tr("考核单位"), self.units)
        form.addRow(self.tr("本台账属于"), self.own_unit)
        form.addRow(self.tr("保存位置"), path_row)
        self.error = _error_label(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def unit_list(self) -> list[str]:
        return [u.strip() for u in re.split(r"[\n,，、]", self.units.toPlainText()) if u.strip()]

    def _refresh_own_units(self) -> None:
        current = self.own_unit.currentText()
        self.own_unit.blockSignals(True)
        self.own_unit.clear()
        self.own_unit.addItem(self.tr(self.COUNTY_FILE))
        self.own_unit.addItems(self.unit_list())
        index = self.own_unit.findText(current)
        self.own_unit.setCurrentIndex(max(index, 0))
        self.own_unit.blockSignals(False)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("新台账保存为"), self.path.text(), self.tr("台账文件 (*.sqlite)"))
        if path:
            self.path.setText(path)

    def accept(self) -> None:
        own = self.own_unit.currentText() if self.own_unit.currentIndex() > 0 else None
        text = self.path.text().strip()
        if not text:
            self._show(self.tr("请选择新台账的保存位置"))
            return
        path = Path(text)
        if not path.suffix:
            path = path.with_suffix(".sqlite")
        try:
            create_ledger(path, self.county.text(), self.unit_list(), own_unit=own).close()
        except KnownError as exc:
            self._show(exc.message)
            return
        self.created_path = path
        super().accept()

    def _show(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


SETTING_FIELDS = (
    (keys.COUNTY_NAME, "县名"),
    (keys.CLERK_NAME, "填报人"),
    (keys.REVIEWER, "审核人"),
    (keys.PHONE, "联系电话"),
)


class LedgerSettingsDialog(UnsavedChanges, QDialog):
    """台账设置: county name, own unit, the return's 填报人/审核人/联系电话, the threshold."""

    NO_UNIT = "（县招商局：汇总全部单位）"

    def __init__(self, context, parent=None):
        super().__init__(parent)
        self.setObjectName("ledgerSettingsDialog")
        self.setStyleSheet(INVALID_STYLE)
        self.setWindowTitle(self.tr("台账设置"))
        self.context = context
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        with context.read() as session:
            values = keys.all_settings(session)
            units = unit_names(session)
            threshold = keys.major_threshold(session)
        for key, label in SETTING_FIELDS:
            edit = QLineEdit(values.get(key, ""), self)
            edit.setObjectName(f"setting_{key}")
            self.fields[key] = edit
            form.addRow(self.tr(label), edit)
        self.own_unit = QComboBox(self)
        self.own_unit.setObjectName(f"setting_{keys.OWN_UNIT}")
        self.own_unit.addItem(self.tr(self.NO_UNIT))
        self.own_unit.addItems(units)
        own = values.get(keys.OWN_UNIT, "")
        self.own_unit.setCurrentIndex(max(self.own_unit.findText(own), 0) if own else 0)
        form.insertRow(1, self.tr("本台账属于"), self.own_unit)
        self.threshold = QLineEdit(format_wan(threshold).replace(",", ""), self)
        self.threshold.setObjectName(f"setting_{keys.MAJOR_THRESHOLD}")
        form.addRow(self.tr("大项目投资规模门槛（万元）"), self.threshold)
        self.error = _error_label(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText(self.tr("保存"))
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("取消"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(460, 300)
        self.show_read_only(context.ledger.readonly)
        self.mark_clean()

    def save(self) -> bool:
        """Write the settings and close; False (the dialog stays) when refused."""
        self._saved = False
        self.accept()
        return self._saved

    def values(self) -> dict[str, str]:
        """The settings as typed; raises ValidationError for a bad one."""
        for widget in (*self.fields.values(), self.threshold):
            if widget.property("invalid"):
                mark_invalid(widget, None)
        result = {key: edit.text().strip() for key, edit in self.fields.items()}
        if not result[keys.COUNTY_NAME]:
            raise ValidationError(self.tr("县名不能为空"), keys.COUNTY_NAME)
        try:
            threshold = parse_wan(self.threshold.text())
        except MoneyError as exc:
            raise ValidationError(self.tr("大项目门槛：%s") % exc, keys.MAJOR_THRESHOLD) from None
        result[keys.MAJOR_THRESHOLD] = str(threshold)
        result[keys.OWN_UNIT] = self.own_unit.currentText() if self.own_unit.currentIndex() > 0 else ""
        return result

    def accept(self) -> None:
        try:
            values = self.values()
        except ValidationError as exc:
            self.error.setText(exc.message)
            self.error.show()
            widget = self.fields.get(exc.field) or (self.threshold if exc.field == keys.MAJOR_THRESHOLD else None)
            if widget is not None:
                mark_invalid(widget, exc.message)
                widget.setFocus()
            return

        def save(session):
            for key, value in values.items():
                keys.set_setting(session, key, value)

        try:
            self.context.write(save)
        except KnownError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self._saved = True
        super().accept()
