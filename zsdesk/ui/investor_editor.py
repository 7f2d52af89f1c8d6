"""The investor editor: the firm, its contacts and its visit log (考察对接)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.enums import INDUSTRIES, InvestorType
from ..domain.records import ContactData, InvestorData, VisitData
from ..domain.validation import count, parse_date, validate_investor
from ..errors import KnownError, ValidationError
from ..store.investors import duplicate_investors, investor_data, projects_of_investor, save_investor
from ..store.units import unit_choices
from .forms import INVALID_STYLE, CopyAfterConflict, UnsavedChanges, confirm, date_edit, date_text, error_label, mark_invalid

CONTACT_COLUMNS = (("name", "姓名"), ("title", "职务"), ("phone", "电话"))
VISIT_COLUMNS = (
    ("date", "日期"),
    ("batches", "批次"),
    ("headcount", "人数"),
    ("receiving_leader", "接待领导"),
    ("seen", "考察内容"),
    ("outcome", "对接成果"),
    ("unit_id", "接待单位"),
    ("project_id", "关联项目"),
)


class InvestorEditor(CopyAfterConflict, UnsavedChanges, QDialog):
    saved = Signal(int)

    def __init__(self, context, investor_id: int | None, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("investorEditor")
        self.setStyleSheet(INVALID_STYLE)
        self.context = context
        self.investor_id = investor_id
        self.today = today or dt.date.today()
        self.fields: dict[str, QWidget] = {}
        with context.read() as session:
            self._units = unit_choices(session)
            data = investor_data(session, investor_id) if investor_id is not None else None
            from ..store import settings as keys

            own = keys.own_unit(session)
            # In a township's file a new investor was brought in by the township.
            own_unit_id = next((uid for uid, name in self._units if name == own), None)
            self._projects = []
            if investor_id is not None:
                linked = {v.project_id for v in data.visits if v.project_id}
                self._projects = projects_of_investor(session, investor_id, linked)
        self._build()
        self._load(data or InvestorData(name="", contacts=[], visits=[], unit_id=own_unit_id))
        self._loaded_name = data.name.strip() if data else None
        self.setWindowTitle(self.tr("新建客商") if investor_id is None else self.tr("客商：%s") % data.name)
        self.resize(980, 640)
        self.show_read_only(context.ledger.readonly)
        self.mark_clean()

    # -- building -------------------------------------------------------------------

    def _build(self) -> None:
        self.pages = QTabWidget(self)
        self.pages.setObjectName("investorEditorPages")
        self.pages.addTab(self._basic_page(), self.tr("基本信息"))
        self.pages.addTab(self._contacts_page(), self.tr("联系人"))
        self.pages.addTab(self._visits_page(), self.tr("考察对接"))
        self.error = error_label(self, "editorError")
        self.save_button = QPushButton(self.tr("保存"), self)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.reject)
        self.copy_mine_button(self.tr("客商"))
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def _basic_page(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)

        def line(name: str, label: str) -> QLineEdit:
            edit = QLineEdit(self)
            edit.setObjectName(f"field_{name}")
            self.fields[name] = edit
            form.addRow(label, edit)
            return edit

        line("name", self.tr("客商名称 *")).setPlaceholderText(self.tr("必填：公司全称或姓名"))
        kind = QComboBox(self)
        kind.setObjectName("field_kind")
        for k in InvestorType:
            kind.addItem(k.label, k.value)
        self.fields["kind"] = kind
        form.addRow(self.tr("类型"), kind)
        line("home_region", self.tr("来源地"))
        industry = QComboBox(self)
        industry.setObjectName("field_industry")
        industry.setEditable(True)
        industry.addItems(["", *INDUSTRIES])
        self.fields["industry"] = industry
        form.addRow(self.tr("产业"), industry)
        line("chamber", self.tr("所属商会"))
        unit = QComboBox(self)
        unit.setObjectName("field_unit_id")
        unit.addItem(self.tr("（无）"), None)
        for unit_id, name in self._units:
            unit.addItem(name, unit_id)
        self.fields["unit_id"] = unit
        form.addRow(self.tr("引进单位"), unit)
        registered = date_edit(self, "field_registered_on")
        self.fields["registered_on"] = registered
        form.addRow(self.tr("在本县注册落户日期"), registered)
        film = QCheckBox(self.tr("影视制作企业"), self)
        film.setObjectName("field_film_production")
        self.fields["film_production"] = film
        notable = QCheckBox(self.tr("知名企业"), self)
        notable.setObjectName("field_notable")
        self.fields["notable"] = notable
        flags = QHBoxLayout()
        flags.addWidget(film)
        flags.addWidget(notable)
        flags.addStretch(1)
        form.addRow(self.tr("标记"), flags)
        notes = QPlainTextEdit(self)
        notes.setObjectName("field_notes")
        notes.setTabChangesFocus(True)
        self.fields["notes"] = notes
        form.addRow(self.tr("备注"), notes)
        return page

    def _table_page(self, name: str, columns, widths, add_text: str, add) -> tuple[QWidget, QTableWidget]:
        page = QWidget(self)
        table = QTableWidget(0, len(columns), self)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels([self.tr(label) for _, label in columns])
        for i, width in enumerate(widths):
            table.setColumnWidth(i, width)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        add_button = QPushButton(add_text, self)
        add_button.setObjectName(f"add_{name}")
        add_button.clicked.connect(lambda: add())
        remove = QPushButton(self.tr("删除所选"), self)
        remove.setObjectName(f"remove_{name}")
        remove.clicked.connect(lambda: self._remove_rows(table))
        buttons = QHBoxLayout()
        buttons.addWidget(add_button)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(buttons)
        layout.addWidget(table)
        return page, table

    def _contacts_page(self) -> QWidget:
        page, self.contacts = self._table_page(
            "contactsTable", CONTACT_COLUMNS, (140, 160, 200), self.tr("添加联系人"), self.add_contact
        )
        return page

    def _visits_page(self) -> QWidget:
        page, self.visits = self._table_page(
            "visitsTable", VISIT_COLUMNS, (95, 45, 45, 90, 200, 180, 110, 180), self.tr("添加考察记录"), self.add_visit
        )
        return page

    @staticmethod
    def _remove_rows(table: QTableWidget) -> None:
        for row in sorted({i.row() for i in table.selectedIndexes()}, reverse=True):
            table.removeRow(row)

    # -- loading --------------------------------------------------------------------

    def _load(self, data: InvestorData) -> None:
        self._version = data.version  # a colleague's save since then refuses ours (store/versions.py)
        f = self.fields
        f["name"].setText(data.name)
        f["kind"].setCurrentIndex(max(f["kind"].findData(data.kind.value), 0))
        f["home_region"].setText(data.home_region)
        f["industry"].setCurrentText(data.industry)
        f["chamber"].setText(data.chamber)
        f["unit_id"].setCurrentIndex(max(f["unit_id"].findData(data.unit_id), 0))
        f["registered_on"].setText(date_text(data.registered_on))
        f["film_production"].setChecked(bool(data.film_production))
        f["notable"].setChecked(bool(data.notable))
        f["notes"].setPlainText(data.notes)
        for contact in data.contacts or []:
            self.add_contact(contact)
        for visit in data.visits or []:
            self.add_visit(visit)

    def add_contact(self, contact: ContactData | None = None) -> int:
        contact = contact or ContactData(name="")
        row = self.contacts.rowCount()
        self.contacts.insertRow(row)
        for column, value in enumerate((contact.name, contact.title, contact.phone)):
            item = QTableWidgetItem(value)
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, contact.id)
            self.contacts.setItem(row, column, item)
        return row

    def add_visit(self, visit: VisitData | None = None) -> int:
        if visit is None:
            visit = VisitData(date=self.today, unit_id=self.fields["unit_id"].currentData())
        row = self.visits.rowCount()
        self.visits.insertRow(row)
        texts = (
            date_text(visit.date), str(visit.batches or ""), str(visit.headcount or ""),
            visit.receiving_leader, visit.seen, visit.outcome,
        )
        for column, value in enumerate(texts):
            item = QTableWidgetItem(value)
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, visit.id)
            self.visits.setItem(row, column, item)
        unit = QComboBox(self.visits)
        unit.addItem(self.tr("（无）"), None)
        for unit_id, name in self._units:
            unit.addItem(name, unit_id)
        unit.setCurrentIndex(max(unit.findData(visit.unit_id), 0))
        self.visits.setCellWidget(row, 6, unit)
        project = QComboBox(self.visits)
        project.addItem(self.tr("（无）"), None)
        for project_id, name, code in self._projects:
            project.addItem(f"{name}（{code}）", project_id)
        project.setCurrentIndex(max(project.findData(visit.project_id), 0))
        self.visits.setCellWidget(row, 7, project)
        return row

    def set_visit(self, row: int, **values) -> None:
        """Type into a visit row (texts; unit_id / project_id as ids)."""
        columns = {key: i for i, (key, _label) in enumerate(VISIT_COLUMNS)}
        for key, value in values.items():
            if key in ("unit_id", "project_id"):
                box = self.visits.cellWidget(row, columns[key])
                box.setCurrentIndex(max(box.findData(value), 0))
            else:
                self.visits.item(row, columns[key]).setText(str(value))

    def set_contact(self, row: int, **values) -> None:
        columns = {key: i for i, (key, _label) in enumerate(CONTACT_COLUMNS)}
        for key, value in values.items():
            self.contacts.item(row, columns[key]).setText(value)

    # -- saving ---------------------------------------------------------------------

    def collect(self) -> InvestorData:
        f = self.fields
        for widget in f.values():
            if widget.property("invalid"):
                mark_invalid(widget, None)
        data = InvestorData(
            name=f["name"].text(),
            kind=InvestorType(f["kind"].currentData()),
            home_region=f["home_region"].text().strip(),
            industry=f["industry"].currentText().strip(),
            chamber=f["chamber"].text().strip(),
            unit_id=f["unit_id"].currentData(),
            registered_on=parse_date(f["registered_on"].text(), "registered_on", self.tr("落户日期")),
            film_production=f["film_production"].isChecked(),
            notable=f["notable"].isChecked(),
            notes=f["notes"].toPlainText().strip(),
            version=self._version,
        )
        data.contacts = []
        for row in range(self.contacts.rowCount()):
            texts = [(self.contacts.item(row, c).text() if self.contacts.item(row, c) else "").strip() for c in range(3)]
            if not any(texts):
                continue  # an empty line added and left
            data.contacts.append(
                ContactData(*texts, id=self.contacts.item(row, 0).data(Qt.ItemDataRole.UserRole))
            )
        data.visits = []
        for row in range(self.visits.rowCount()):
            def text(column: int) -> str:
                item = self.visits.item(row, column)
                return item.text().strip() if item else ""

            prefix = f"visits:{row}:"
            data.visits.append(
                VisitData(
                    date=parse_date(text(0), prefix + "date", self.tr("考察日期"), required=True),
                    batches=count(text(1), prefix + "batches", self.tr("考察批次"), required=True),
                    headcount=count(text(2), prefix + "headcount", self.tr("考察人数"), required=True),
                    receiving_leader=text(3),
                    seen=text(4),
                    outcome=text(5),
                    unit_id=self.visits.cellWidget(row, 6).currentData(),
                    project_id=self.visits.cellWidget(row, 7).currentData(),
                    id=self.visits.item(row, 0).data(Qt.ItemDataRole.UserRole),
                )
            )
        return data

    def show_field_error(self, exc: ValidationError) -> None:
        self.error.setText(exc.message)
        self.error.show()
        field = exc.field or ""
        for prefix, table, columns, page in (
            ("visits:", self.visits, VISIT_COLUMNS, 2),
            ("contacts:", self.contacts, CONTACT_COLUMNS, 1),
        ):
            if field.startswith(prefix):
                _, row, name = field.split(":")
                self.pages.setCurrentIndex(page)
                table.setCurrentCell(int(row), [k for k, _ in columns].index(name))
                return
        widget = self.fields.get(field)
        if widget is not None:
            mark_invalid(widget, exc.message)
            self.pages.setCurrentIndex(0)
            widget.setFocus()

    def confirm(self, title: str, question: str) -> bool:
        return confirm(self, title, question)

    def save(self) -> bool:
        self.error.hide()
        try:
            data = self.collect()
            validate_investor(data, self.today)
        except ValidationError as exc:
            self.show_field_error(exc)
            return False
        if data.name.strip() != self._loaded_name:
            with self.context.read() as session:
                duplicates = duplicate_investors(session, data.name, self.investor_id)
            if duplicates and not self.confirm(
                self.tr("客商名称重复"),
                self.tr("客商库中已有“%s”。\n仍然保存为另一个客商吗？") % data.name.strip(),
            ):
                return False
        investor_id = self.investor_id
        name = data.name.strip()
        text = self.tr("新建客商“%s”") % name if investor_id is None else self.tr("修改客商“%s”") % name
        try:
            investor = self.context.history.change(
                text, "investor", investor_id,
                lambda session: save_investor(session, investor_id, data, self.today),
                key_of=lambda i: i.id,
            )
        except ValidationError as exc:
            self.show_field_error(exc)
            return False
        except KnownError as exc:
            self.show_refusal(exc)  # a colleague saved first: the form stays, and can be copied
            return False
        self.investor_id = investor.id
        self.saved.emit(investor.id)
        self.accept()
        return True
