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
from .forms import INVALID_STYLE, UnsavedChanges, mark_invalid, ok_cancel


def data_folder() -> Path:
    """The user's data folder for zsdesk (made if missing)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(location) if location else Path.home() / ".zsdesk"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def documents_folder() -> Path:
    """Where a clerk finds files again: the user's Documents folder (not a hidden data folder)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def ledger_file_name(owner: str, year: int) -> str:
    """尚湖镇-2026年台账.sqlite: whose file and which year, as a clerk looks for it."""
    return f"{owner}-{year}年台账.sqlite"


SIGN_OFF_FIELDS = (
    (keys.CLERK_NAME, "填报人"),
    (keys.REVIEWER, "审核人"),
    (keys.PHONE, "联系电话"),
)
"""Who signs the monthly return: asked when a file is made, confirmed at each export."""


class SignOffFields:
    """填报人, 审核人 and 联系电话 as three line edits added to a form."""

    def __init__(self, parent: QWidget, form: QFormLayout, values: dict[str, str] | None = None):
        self.edits: dict[str, QLineEdit] = {}
        for key, label in SIGN_OFF_FIELDS:
            edit = QLineEdit((values or {}).get(key, ""), parent)
            edit.setObjectName(f"signoff_{key}")
            self.edits[key] = edit
            form.addRow(parent.tr(label), edit)

    def values(self) -> dict[str, str]:
        """The three as typed; a ValidationError names the first one left empty."""
        result = {key: edit.text().strip() for key, edit in self.edits.items()}
        for key, label in SIGN_OFF_FIELDS:
            if not result[key]:
                raise ValidationError(f"请填写{label}：月报的表尾要写明填报人、审核人和联系电话", key)
        return result


class SignOffDialog(QDialog):
    """Asked once when a clerk starts from a file: who fills in and signs the return."""

    def __init__(self, parent=None, values: dict[str, str] | None = None, title: str = "月报的填报人"):
        super().__init__(parent)
        self.setObjectName("signOffDialog")
        self.setWindowTitle(self.tr(title))
        form = QFormLayout()
        intro = QLabel(self.tr("月报表尾要写明填报人、审核人和联系电话（以后导出时还会再确认）："), self)
        intro.setWordWrap(True)
        self.fields = SignOffFields(self, form, values)
        self.error = _error_label(self)
        buttons = ok_cancel(self, self.tr("确定"), "okButton")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.chosen: dict[str, str] = {}

    def accept(self) -> None:
        try:
            self.chosen = self.fields.values()
        except ValidationError as exc:
            self.error.setText(exc.message)
            self.error.show()
            self.fields.edits[exc.field].setFocus()
            return
        super().accept()


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("formError")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


UNIT_LINES_SHOWN = 5
"""Lines the new ledger's list of units shows before it scrolls."""


class NewLedgerDialog(QDialog):
    """A new, empty ledger: county, units, whose file it is, and where it goes."""

    COUNTY_FILE = "（县招商局：汇总全部单位）"

    def __init__(self, parent=None, folder: Path | None = None, year: int | None = None):
        import datetime as dt

        super().__init__(parent)
        self.setObjectName("newLedgerDialog")
        self.setWindowTitle(self.tr("新建台账"))
        self.created_path: Path | None = None
        self.folder = folder or documents_folder()
        self.year = year or dt.date.today().year
        self._path_typed = False
        self.county = QLineEdit(self)
        self.county.setObjectName("newLedgerCounty")
        self.county.setPlaceholderText(self.tr("例如：磐安县"))
        self.units = QPlainTextEdit(self)
        self.units.setObjectName("newLedgerUnits")
        self.units.setTabChangesFocus(True)  # units are typed one a line; Tab goes on to the next field
        self.units.setPlaceholderText(self.tr("每行一个单位，例如：\n安文街道\n尚湖镇\n新城区"))
        # The example's four lines and one more, whatever the font: at 14 pt the dialog's
        # fixed 420 px squeezed the box to three lines and cut 新城区 in half.
        margin = 2 * (self.units.frameWidth() + int(self.units.document().documentMargin()))
        self.units.setMinimumHeight(UNIT_LINES_SHOWN * self.units.fontMetrics().lineSpacing() + margin)
        self.own_unit = QComboBox(self)
        self.own_unit.setObjectName("newLedgerOwnUnit")
        # Whose file it is, asked with no answer preselected: a township clerk who
        # clicks through must not end up with the county's file.
        self.own_unit.setPlaceholderText(self.tr("请选择…"))
        self.own_unit.addItem(self.tr(self.COUNTY_FILE))
        self.own_unit.setCurrentIndex(-1)
        self.units.textChanged.connect(self._refresh_own_units)
        self.path = QLineEdit(self)
        self.path.setObjectName("newLedgerPath")
        self._suggest_path()
        self.path.textEdited.connect(lambda _text: setattr(self, "_path_typed", True))
        self.own_unit.currentIndexChanged.connect(lambda _i: self._suggest_path())
        self.county.textChanged.connect(lambda _t: self._suggest_path())
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
        self.sign_off = SignOffFields(self, form)
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
        self.own_unit.setCurrentIndex(self.own_unit.findText(current) if current else -1)
        self.own_unit.blockSignals(False)

    def owner(self) -> str | None:
        """The unit chosen, '' for the county's file, None when nothing was chosen yet."""
        if self.own_unit.currentIndex() < 0:
            return None
        return self.own_unit.currentText() if self.own_unit.currentIndex() > 0 else ""

    def _suggest_path(self) -> None:
        if self._path_typed:
            return
        owner = self.owner() or self.county.text().strip() or self.tr("招商")
        self.path.setText(str(self.folder / ledger_file_name(owner, self.year)))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("新台账保存为"), self.path.text(), self.tr("台账文件 (*.sqlite)"))
        if path:
            self.path.setText(path)

    def accept(self) -> None:
        owner = self.owner()
        if owner is None and self.unit_list():
            self._show(self.tr("请选择本台账属于哪个单位（乡镇的台账选本单位，县招商局选第一项）"))
            self.own_unit.setFocus()
            return
        own = owner or None
        try:
            sign_off = self.sign_off.values()
        except ValidationError as exc:
            self._show(exc.message)
            self.sign_off.edits[exc.field].setFocus()
            return
        text = self.path.text().strip()
        if not text:
            self._show(self.tr("请选择新台账的保存位置"))
            return
        path = Path(text)
        if not path.suffix:
            path = path.with_suffix(".sqlite")
        try:
            ledger = create_ledger(path, self.county.text(), self.unit_list(), own_unit=own)
            with ledger.begin() as session:
                for key, value in sign_off.items():
                    keys.set_setting(session, key, value)
            ledger.close()
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


class StarterFilesDialog(QDialog):
    """文件 → 生成各单位起始台账: which units, which year, which folder."""

    def __init__(self, parent, units: list[str], year: int, folder: Path):
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QListWidget, QListWidgetItem, QSpinBox

        super().__init__(parent)
        self.setObjectName("starterFilesDialog")
        self.setWindowTitle(self.tr("生成各单位起始台账"))
        intro = QLabel(
            self.tr("每个单位一个文件：本县和各单位、该单位的目标任务、县里的设置，以及县里已有的该单位项目。"
                    "把文件发给各单位，他们在首次启动时选“从县招商局发来的起始台账开始”。"),
            self,
        )
        intro.setWordWrap(True)
        self.units = QListWidget(self)
        self.units.setObjectName("starterUnits")
        for name in units:
            item = QListWidgetItem(name, self.units)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.year = QSpinBox(self)
        self.year.setObjectName("starterYear")
        self.year.setRange(2000, 2999)
        self.year.setValue(year)
        self.folder = QLineEdit(str(folder), self)
        self.folder.setObjectName("starterFolder")
        browse = QPushButton(self.tr("选择…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("单位"), self.units)
        form.addRow(self.tr("年度"), self.year)
        form.addRow(self.tr("保存到文件夹"), row)
        self.error = _error_label(self)
        buttons = ok_cancel(self, self.tr("生成"), "starterMake")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 460)
        self.county_file: Path | None = None
        self.written: list[Path] = []

    def chosen_units(self) -> list[str]:
        from PySide6.QtCore import Qt

        return [self.units.item(i).text() for i in range(self.units.count())
                if self.units.item(i).checkState() == Qt.CheckState.Checked]

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("起始台账保存到"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def accept(self) -> None:
        from ..store.ledger_setup import create_starters

        units = self.chosen_units()
        if not units:
            self._show(self.tr("请至少选择一个单位"))
            return
        folder = self.folder.text().strip()
        if not folder:
            self._show(self.tr("请选择保存起始台账的文件夹"))
            return
        try:
            self.written = create_starters(self.county_file, self.year.value(), Path(folder), units)
        except KnownError as exc:
            self._show(exc.message)
            return
        super().accept()

    def _show(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
