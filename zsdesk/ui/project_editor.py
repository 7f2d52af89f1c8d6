"""The project editor: every field of a project, its funds and its follow-up log.

Nothing is written until 保存 and the whole form is valid; 取消 discards. A save is one
transaction and one undoable change.

Extensions add pages: append to :data:`EDITOR_PAGES` a callable ``(editor) -> (QWidget,
title)``; it is called for every editor opened, after the built-in pages. The editor's
``saved`` signal gives the project id after each save.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.enums import INDUSTRIES, PIPELINE, Stage
from ..domain.money import format_money, format_wan
from ..domain.periods import YearMonth
from ..domain.records import FollowUpData, ProjectData
from ..domain.text_limits import limit_of
from ..domain.validation import amount, fund_amount, parse_date, validate_project
from ..errors import KnownError, ValidationError
from ..store import settings as keys
from ..store.investors import home_regions, investor_names
from ..store.units import unit_choices
from ..store.projects import duplicate_projects, project_data, save_project
from .forms import (
    INVALID_STYLE,
    NOT_DATA,
    CopyAfterConflict,
    UnsavedChanges,
    DateQuestion,
    confirm,
    date_edit,
    date_text,
    error_label,
    mark_invalid,
    money_edit,
    money_text,
)

EDITOR_PAGES: list[Callable[["ProjectEditor"], tuple[QWidget, str]]] = []

TEXT_FIELDS = (
    ("liaison_leader", "联系领导"),
    ("responsible_unit", "责任单位"),
    ("cooperating_departments", "配合部门"),
    ("person_in_charge", "责任人"),
    ("site", "选址"),
    ("land_status", "用地指标"),
)
MONEY_FIELDS = (
    ("planned_investment", "计划总投资"),
    ("registered_capital", "注册资金"),
    ("declared_amount", "申报金额"),
    ("retained_amount", "去年留存"),
)
FLAG_FIELDS = (
    ("zhejiang_return", "浙商回归"),
    ("mountain_sea", "山海协作"),
    ("foreign_capital", "外资"),
    ("carried_over", "结转（上年延续）"),
)
NOTE_FIELDS = (("progress_note", "进展情况"), ("problems", "存在问题"), ("notes", "备注"))
FOLLOW_UP_COLUMNS = (("date", "日期"), ("who", "跟踪人"), ("action", "跟踪内容"), ("next_step", "下一步"), ("due_on", "期限"), ("done", "已办结"))
FUTURE_BRUSH = QBrush(QColor("#eeeeee"))
TOTAL_BRUSH = QBrush(QColor("#f4f7fb"))


class InvestorNames(QObject):
    """The investor register's names for completion, read once and shared by editors.

    Names that occur more than once get their home region and id, so each entry picks
    one investor. Dropped when a write may have changed investors.
    """

    def __init__(self, context):
        super().__init__(context)
        self.context = context
        self._displays: dict[str, int] | None = None
        self._model = QStringListModel(self)
        context.data_changed.connect(self._maybe_stale)
        context.ledger_changed.connect(self._stale)

    @classmethod
    def of(cls, context) -> "InvestorNames":
        names = context.findChild(cls)
        return names if names is not None else cls(context)

    def _maybe_stale(self) -> None:
        touched = self.context.last_touched
        if touched is None or "investors" in touched:
            self._stale()

    def _stale(self) -> None:
        self._displays = None

    def displays(self) -> dict[str, int]:
        if self._displays is None:
            with self.context.read() as session:
                pairs = investor_names(session)
                counts: dict[str, int] = {}
                for _id, name in pairs:
                    counts[name] = counts.get(name, 0) + 1
                repeated = {name for name, n in counts.items() if n > 1}
                regions = home_regions(session, repeated)
            displays = {}
            for investor_id, name in pairs:
                if name in repeated:
                    displays[f"{name}（{regions.get(investor_id) or '—'}，#{investor_id}）"] = investor_id
                else:
                    displays[name] = investor_id
            self._displays = displays
            self._model.setStringList(list(displays))
        return self._displays

    def model(self) -> QStringListModel:
        self.displays()
        return self._model


class ProjectEditor(CopyAfterConflict, UnsavedChanges, QDialog):
    saved = Signal(int)

    def __init__(self, context, project_id: int | None, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("projectEditor")
        self.setStyleSheet(INVALID_STYLE)
        self.context = context
        self.project_id = project_id
        self.today = today or dt.date.today()
        self.fields: dict[str, QWidget] = {}
        self.funds: dict[tuple[int, int], Decimal] = {}
        self._bad_funds: dict[tuple[int, int], str] = {}
        self._filling_funds = False
        self._loaded_name_unit: tuple[str, int | None] | None = None
        self._stage_offers: set = set()
        with context.read() as session:
            self._units = unit_choices(session)
            self._own_unit = keys.own_unit(session)
            data = project_data(session, project_id) if project_id is not None else None
        self._investor_names = InvestorNames.of(context)
        self._investor_display = self._investor_names.displays()
        self._build()
        if data is None:
            data = self._blank()
        self._load(data)
        self.setWindowTitle(self.tr("新建项目") if project_id is None else self.tr("项目：%s") % data.name)
        self.resize(960, 680)
        self.show_read_only(context.ledger.readonly)
        self.mark_clean()

    def extra_state(self) -> tuple:
        # The grid shows one year; the funds of every year are what would be saved.
        return tuple(sorted(self.funds.items())), tuple(sorted(self._bad_funds.items()))

    # -- building -------------------------------------------------------------------

    def _build(self) -> None:
        self.pages = QTabWidget(self)
        self.pages.setObjectName("projectEditorPages")
        self.pages.addTab(self._basic_page(), self.tr("基本信息"))
        self.pages.addTab(self._stages_page(), self.tr("阶段与申报"))
        self.pages.addTab(self._funds_page(), self.tr("到位资金"))
        self.pages.addTab(self._follow_ups_page(), self.tr("跟踪服务"))
        self.pages.addTab(self._notes_page(), self.tr("进展与问题"))
        for page in EDITOR_PAGES:
            widget, title = page(self)
            widget.setProperty(NOT_DATA, True)  # such pages save on their own
            self.pages.addTab(widget, title)

        self.error = error_label(self, "editorError")
        self.save_button = QPushButton(self.tr("保存"), self)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setToolTip(self.tr("保存（Ctrl+S）"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.reject)
        self.delete_button = QPushButton(self.tr("删除项目…"), self)
        self.delete_button.setObjectName("deleteButton")
        self.delete_button.clicked.connect(self.delete)
        self.delete_button.setVisible(self.project_id is not None)
        self.copy_mine_button(self.tr("项目"))
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def _line(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"field_{name}")
        limit = limit_of("projects", name)
        if limit is not None:
            edit.setMaxLength(limit.chars)  # the same limit validation enforces on save
        self.fields[name] = edit
        return edit

    def _basic_page(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        name = self._line("name")
        name.setPlaceholderText(self.tr("必填"))
        form.addRow(self.tr("项目名称 *"), name)

        unit = QComboBox(self)
        unit.setObjectName("field_unit_id")
        for unit_id, unit_name in self._units:
            unit.addItem(unit_name, unit_id)
        self.fields["unit_id"] = unit
        form.addRow(self.tr("所属单位 *"), unit)

        investor = self._line("investor")
        investor.setPlaceholderText(self.tr("输入名称查找客商库；库中没有的将新建"))
        completer = QCompleter(self._investor_names.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        investor.setCompleter(completer)
        self.investor_hint = QLabel(self)
        self.investor_hint.setObjectName("investorHint")
        self.investor_hint.setStyleSheet("color: #555;")
        investor.textChanged.connect(self._investor_changed)
        row = QHBoxLayout()
        row.addWidget(investor, 1)
        row.addWidget(self.investor_hint)
        form.addRow(self.tr("投资方（客商）"), row)

        industry = QComboBox(self)
        industry.setObjectName("field_industry")
        industry.setEditable(True)
        industry.addItems(["", *INDUSTRIES])
        self.fields["industry"] = industry
        form.addRow(self.tr("产业类别"), industry)

        stage = QComboBox(self)
        stage.setObjectName("field_stage")
        for s in Stage:
            stage.addItem(s.label, s.value)
        stage.currentIndexChanged.connect(self._stage_changed)
        self.fields["stage"] = stage
        self.stage_hint = QLabel(self)
        self.stage_hint.setObjectName("stageHint")
        self.stage_hint.setStyleSheet("color: #8a5a00;")
        stage_row = QHBoxLayout()
        stage_row.addWidget(stage)
        stage_row.addWidget(self.stage_hint, 1)
        form.addRow(self.tr("项目阶段 *"), stage_row)

        money_row = QHBoxLayout()
        for field, label in MONEY_FIELDS[:2]:
            edit = money_edit(self, f"field_{field}")
            self.fields[field] = edit
            edit.editingFinished.connect(lambda f=field, l=label: self._check_money(f, l))
            if field != MONEY_FIELDS[0][0]:
                money_row.addSpacing(16)
                money_row.addWidget(QLabel(self.tr(label) + self.tr("（万元）"), self))
            money_row.addWidget(edit)
        money_row.addStretch(1)
        form.addRow(self.tr("计划总投资（万元）*"), money_row)

        flags = QHBoxLayout()
        for field, label in FLAG_FIELDS:
            box = QCheckBox(self.tr(label), self)
            box.setObjectName(f"field_{field}")
            self.fields[field] = box
            flags.addWidget(box)
        flags.addStretch(1)
        form.addRow(self.tr("标记"), flags)
        for field, label in TEXT_FIELDS:
            form.addRow(self.tr(label), self._line(field))
        return page

    def _stages_page(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        grid.addWidget(QLabel(self.tr("到达各阶段的日期（当前阶段必填，按先后顺序）："), self), 0, 0, 1, 4)
        for i, stage in enumerate(Stage):
            edit = date_edit(self, f"field_{stage.date_field}")
            edit.month_hint = self.sensible_day
            edit.editingFinished.connect(lambda s=stage: self._stage_date_entered(s))
            edit.textChanged.connect(lambda _text: self._refresh_stage_hint())
            self.fields[stage.date_field] = edit
            row, col = 1 + i % 6, (i // 6) * 2
            grid.addWidget(QLabel(stage.label, self), row, col)
            grid.addWidget(edit, row, col + 1)
        declared = QCheckBox(self.tr("已申报（已录入省市系统）"), self)
        declared.setObjectName("field_declared")
        self.fields["declared"] = declared
        grid.addWidget(declared, 8, 0, 1, 2)
        declared_on = date_edit(self, "field_declared_on")
        declared_on.editingFinished.connect(lambda: self._check_date("declared_on", "申报日期"))
        self.fields["declared_on"] = declared_on
        grid.addWidget(QLabel(self.tr("申报日期"), self), 9, 0)
        grid.addWidget(declared_on, 9, 1)
        for i, (field, label) in enumerate(MONEY_FIELDS[2:]):
            edit = money_edit(self, f"field_{field}")
            edit.editingFinished.connect(lambda f=field, l=label: self._check_money(f, l))
            self.fields[field] = edit
            grid.addWidget(QLabel(self.tr(label) + self.tr("（万元）"), self), 10 + i, 0)
            grid.addWidget(edit, 10 + i, 1)
        grid.setColumnStretch(4, 1)
        grid.setRowStretch(12, 1)
        return page

    def _funds_page(self) -> QWidget:
        page = QWidget(self)
        self.funds_year = QSpinBox(self)
        self.funds_year.setObjectName("fundsYear")
        self.funds_year.setRange(1990, 2999)
        self.funds_year.setValue(self.today.year)
        self.funds_year.setProperty(NOT_DATA, True)
        self.funds_year.valueChanged.connect(self._show_funds_year)
        self.funds_grid = QTableWidget(2, 12, self)
        self.funds_grid.setObjectName("fundsGrid")
        self.funds_grid.setProperty(NOT_DATA, True)  # extra_state holds the funds of all years
        self.funds_grid.setHorizontalHeaderLabels([self.tr("%d月") % m for m in range(1, 13)])
        self.funds_grid.setVerticalHeaderLabels([self.tr("当月到位"), self.tr("累计")])
        self.funds_grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.funds_grid.setFixedHeight(self.funds_grid.horizontalHeader().sizeHint().height() + 2 * 30 + 6)
        self.funds_grid.verticalHeader().setDefaultSectionSize(30)
        self.funds_grid.itemChanged.connect(self._fund_cell_changed)
        self.funds_total = QLabel(self)
        self.funds_total.setObjectName("fundsTotal")
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("年度"), self))
        top.addWidget(self.funds_year)
        top.addSpacing(20)
        top.addWidget(self.funds_total, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.funds_grid)
        note = QLabel(self.tr("金额单位：万元，最多4位小数；尚未到来的月份不能填写（灰色）。"), self)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        layout.addStretch(1)
        return page

    def _follow_ups_page(self) -> QWidget:
        page = QWidget(self)
        self.follow_ups = QTableWidget(0, len(FOLLOW_UP_COLUMNS), self)
        self.follow_ups.setObjectName("followUpsTable")
        self.follow_ups.setHorizontalHeaderLabels([self.tr(label) for _, label in FOLLOW_UP_COLUMNS])
        header = self.follow_ups.horizontalHeader()
        for i, width in enumerate((100, 80, 260, 220, 100, 60)):
            self.follow_ups.setColumnWidth(i, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.follow_ups.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        add = QPushButton(self.tr("添加跟踪记录"), self)
        add.setObjectName("addFollowUp")
        add.clicked.connect(lambda: self.add_follow_up())
        remove = QPushButton(self.tr("删除所选记录"), self)
        remove.setObjectName("removeFollowUp")
        remove.clicked.connect(self._remove_follow_up)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(buttons)
        layout.addWidget(self.follow_ups)
        return page

    def _notes_page(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        for field, label in NOTE_FIELDS:
            edit = QPlainTextEdit(self)
            edit.setObjectName(f"field_{field}")
            edit.setTabChangesFocus(True)
            self.fields[field] = edit
            form.addRow(self.tr(label), edit)
        return page

    # -- loading --------------------------------------------------------------------

    def _blank(self) -> ProjectData:
        unit_id = next((uid for uid, name in self._units if name == self._own_unit), None)
        data = ProjectData(name="", unit_id=unit_id, planned_investment=None)
        data.dates = {}  # no silent default: the clerk says when the project was conceived
        data.funds = {}
        data.follow_ups = []
        return data

    def _load(self, data: ProjectData) -> None:
        f = self.fields
        f["name"].setText(data.name)
        index = f["unit_id"].findData(data.unit_id)
        f["unit_id"].setCurrentIndex(index if index >= 0 else (0 if data.unit_id is not None else -1))
        if data.unit_id is None and self.project_id is None:
            f["unit_id"].setCurrentIndex(-1)
        display = next((d for d, i in self._investor_display.items() if i == data.investor_id), "")
        f["investor"].setText(display)
        f["industry"].setCurrentText(data.industry)
        f["stage"].blockSignals(True)
        f["stage"].setCurrentIndex(f["stage"].findData(data.stage.value))
        f["stage"].blockSignals(False)
        self._stage = data.stage
        for field, _label in MONEY_FIELDS:
            f[field].setText(money_text(getattr(data, field)))
        for field, _label in FLAG_FIELDS:
            f[field].setChecked(bool(getattr(data, field)))
        f["declared"].setChecked(bool(data.declared))
        f["declared_on"].setText(date_text(data.declared_on))
        for field, _label in TEXT_FIELDS:
            f[field].setText(getattr(data, field))
        for field, _label in NOTE_FIELDS:
            f[field].setPlainText(getattr(data, field))
        for stage in Stage:
            f[stage.date_field].setText(date_text(data.dates.get(stage)))
        self.funds = dict(data.funds or {})
        if self.funds and self.project_id is not None and not any(y == self.today.year for y, _ in self.funds):
            self.funds_year.setValue(max(y for y, _ in self.funds))
        self._show_funds_year()
        self.follow_ups.setRowCount(0)
        for entry in data.follow_ups or []:
            self.add_follow_up(entry)
        self._loaded_name_unit = (data.name.strip(), data.unit_id) if self.project_id is not None else None
        self._version = data.version
        self._investor_changed(f["investor"].text())
        self._refresh_stage_hint()

    # -- investor -------------------------------------------------------------------

    def _investor_changed(self, text: str) -> None:
        text = text.strip()
        if not text:
            self.investor_hint.setText("")
        elif text in self._investor_display:
            self.investor_hint.setText(self.tr("客商库中的客商"))
        else:
            self.investor_hint.setText(self.tr("客商库中没有，保存时新建"))

    # -- stages ---------------------------------------------------------------------

    def stage_date(self, stage: Stage) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.fields[stage.date_field].text().strip())
        except ValueError:
            return None

    def sensible_day(self) -> dt.date:
        """Where a calendar opens when its field is empty: the latest stage date the
        project has (its story is there), else the window's today."""
        days = [d for d in (self.stage_date(s) for s in Stage) if d is not None]
        return min(max(days), self.today) if days else self.today

    def missing_earlier(self, stage: Stage) -> list[Stage]:
        """Pipeline stages before ``stage`` whose date is empty."""
        if not stage.on_the_line:
            return []
        return [s for s in PIPELINE[: PIPELINE.index(stage)] if not self.fields[s.date_field].text().strip()]

    def _refresh_stage_hint(self) -> None:
        stage = self._stage
        parts = []
        if not self.fields[stage.date_field].text().strip():
            parts.append(self.tr("请在“阶段与申报”页填写到达“%s”的日期") % stage.label)
        missing = self.missing_earlier(stage)
        if missing:
            parts.append(self.tr("尚缺更早阶段的日期：%s") % "、".join(s.label for s in missing))
        self.stage_hint.setText("；".join(parts))

    def ask_stage_date(self, stage: Stage) -> dt.date | None:
        """Ask the day the project reached ``stage`` (None: cancelled). Tests replace this."""
        question = self.tr("项目哪一天到达“%s”阶段？") % stage.label
        missing = self.missing_earlier(stage)
        if missing:
            question += "\n" + self.tr("尚缺更早阶段的日期：%s（可在“阶段与申报”页补填）") % "、".join(
                s.label for s in missing
            )
        dialog = DateQuestion(self, self.tr("阶段日期"), question, self.sensible_day(), self.today)
        return dialog.date() if dialog.exec() else None

    def _stage_date_entered(self, stage: Stage) -> None:
        """A date typed for a later stage than the project's: offer to move the stage."""
        self._check_date(stage.date_field, f"“{stage.label}”日期")
        day = self.stage_date(stage)
        current = self._stage
        if day is None or self.read_only or stage is current or not stage.on_the_line or not current.on_the_line:
            return
        if PIPELINE.index(stage) < PIPELINE.index(current):
            return
        key = (stage, day)
        if key in self._stage_offers:
            return
        self._stage_offers.add(key)
        if self.confirm(
            self.tr("项目阶段"),
            self.tr("已填写到达“%s”的日期（%s），项目现在是“%s”。\n把项目阶段改为“%s”吗？")
            % (stage.label, day.isoformat(), current.label, stage.label),
        ):
            self.set_stage(stage)

    def _stage_changed(self) -> None:
        combo = self.fields["stage"]
        new = Stage(combo.currentData())
        old = self._stage
        later = (not new.on_the_line) or (old.on_the_line and PIPELINE.index(new) > PIPELINE.index(old)) or (
            not old.on_the_line
        )
        date_field = self.fields[new.date_field]
        if later and new is not old and not date_field.text().strip():
            day = self.ask_stage_date(new)
            if day is None:
                combo.blockSignals(True)
                combo.setCurrentIndex(combo.findData(old.value))
                combo.blockSignals(False)
                return
            date_field.setText(day.isoformat())
        self._stage = new
        self._refresh_stage_hint()

    def set_stage(self, stage: Stage) -> None:
        """Move the project to ``stage`` as the user would with the combo box."""
        combo = self.fields["stage"]
        combo.setCurrentIndex(combo.findData(stage.value))

    # -- funds ----------------------------------------------------------------------

    def _show_funds_year(self) -> None:
        year = self.funds_year.value()
        self._filling_funds = True
        try:
            for month in range(1, 13):
                key = (year, month)
                text = self._bad_funds.get(key)
                if text is None:
                    text = money_text(self.funds.get(key))
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if YearMonth(year, month).is_future(self.today):
                    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                    item.setBackground(FUTURE_BRUSH)
                    item.setToolTip(self.tr("%d年%d月尚未到来") % (year, month))
                self.funds_grid.setItem(0, month - 1, item)
                mark_invalid_item(item, key in self._bad_funds)
            self._refresh_running_total()
        finally:
            self._filling_funds = False

    def _refresh_running_total(self) -> None:
        year = self.funds_year.value()
        running = Decimal(0)
        for month in range(1, 13):
            running += self.funds.get((year, month), Decimal(0))
            shown = "" if YearMonth(year, month).is_future(self.today) and not self.funds.get((year, month)) else format_money(running)
            item = QTableWidgetItem(shown)
            item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setBackground(TOTAL_BRUSH)
            self.funds_grid.setItem(1, month - 1, item)
        others = sum((v for (y, _m), v in self.funds.items() if y != year), Decimal(0))
        text = self.tr("%d年到位合计：%s 万元") % (year, format_money(running))
        if others:
            text += self.tr("　（其他年度合计 %s 万元）") % format_money(others)
        self.funds_total.setText(text)

    def _fund_cell_changed(self, item: QTableWidgetItem) -> None:
        if self._filling_funds or item.row() != 0:
            return
        year, month = self.funds_year.value(), item.column() + 1
        self.set_fund_text(year, month, item.text())

    def set_fund_text(self, year: int, month: int, text: str) -> bool:
        """Take what was typed for one month; a bad amount is kept, marked and reported."""
        key = (year, month)
        try:
            value = fund_amount(year, month, text, self.today)
        except ValidationError as exc:
            self._bad_funds[key] = text
            self.funds.pop(key, None)
            self._show_message(exc.message)
            ok = False
        else:
            self._bad_funds.pop(key, None)
            if value is None:
                self.funds.pop(key, None)
            else:
                self.funds[key] = value
            if not self._bad_funds:
                self._clear_message()
            ok = True
        if year == self.funds_year.value():
            self._show_funds_year()
        return ok

    # -- follow-ups -----------------------------------------------------------------

    def add_follow_up(self, entry: FollowUpData | None = None) -> int:
        if entry is None:
            entry = FollowUpData(date=self.today)
        row = self.follow_ups.rowCount()
        self.follow_ups.insertRow(row)
        values = (date_text(entry.date), entry.who, entry.action, entry.next_step, date_text(entry.due_on))
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, entry.id)
            self.follow_ups.setItem(row, column, item)
        done = QTableWidgetItem()
        done.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        done.setCheckState(Qt.CheckState.Checked if entry.done else Qt.CheckState.Unchecked)
        self.follow_ups.setItem(row, 5, done)
        if entry.id is None:
            self.follow_ups.setCurrentCell(row, 2)
        return row

    def set_follow_up(self, row: int, **values) -> None:
        """Type into a follow-up row (date, who, action, next_step, due_on as text; done)."""
        columns = {key: i for i, (key, _label) in enumerate(FOLLOW_UP_COLUMNS)}
        for key, value in values.items():
            item = self.follow_ups.item(row, columns[key])
            if key == "done":
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
            else:
                item.setText(value)

    def _remove_follow_up(self) -> None:
        rows = sorted({i.row() for i in self.follow_ups.selectedIndexes()}, reverse=True)
        for row in rows:
            self.follow_ups.removeRow(row)

    def _collect_follow_ups(self) -> list[FollowUpData]:
        entries = []
        for row in range(self.follow_ups.rowCount()):
            def text(column: int) -> str:
                item = self.follow_ups.item(row, column)
                return item.text().strip() if item else ""

            prefix = f"follow_ups:{row}:"
            entries.append(
                FollowUpData(
                    date=parse_date(text(0), prefix + "date", self.tr("跟踪日期"), required=True),
                    who=text(1),
                    action=text(2),
                    next_step=text(3),
                    due_on=parse_date(text(4), prefix + "due_on", self.tr("下次跟踪期限")),
                    done=self.follow_ups.item(row, 5).checkState() == Qt.CheckState.Checked,
                    id=self.follow_ups.item(row, 0).data(Qt.ItemDataRole.UserRole),
                )
            )
        return entries

    # -- field checks ---------------------------------------------------------------

    def _check_money(self, field: str, label: str) -> None:
        try:
            amount(self.fields[field].text(), field, label)
        except ValidationError as exc:
            self.show_field_error(exc, focus=False)
        else:
            self._clear_field(field)

    def _check_date(self, field: str, label: str) -> None:
        try:
            parse_date(self.fields[field].text(), field, label)
        except ValidationError as exc:
            self.show_field_error(exc, focus=False)
        else:
            self._clear_field(field)

    def _clear_field(self, field: str) -> None:
        widget = self.fields.get(field)
        if widget is not None and widget.property("invalid"):
            mark_invalid(widget, None)
            if not any(w.property("invalid") for w in self.fields.values()):
                self._clear_message()

    def _show_message(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _clear_message(self) -> None:
        self.error.clear()
        self.error.hide()

    def show_field_error(self, exc: ValidationError, focus: bool = True) -> None:
        """Put the message under the form and outline the field, on its page."""
        self._show_message(exc.message)
        field = exc.field or ""
        if field.startswith("funds:"):
            year, month = (int(p) for p in field.split(":")[1].split("-"))
            self.pages.setCurrentIndex(2)
            self.funds_year.setValue(year)
            self.funds_grid.setCurrentCell(0, month - 1)
            return
        if field.startswith("follow_ups:"):
            _, row, name = field.split(":")
            column = [k for k, _ in FOLLOW_UP_COLUMNS].index(name)
            self.pages.setCurrentIndex(3)
            self.follow_ups.setCurrentCell(int(row), column)
            return
        widget = self.fields.get("investor" if field == "investor_id" else field)
        if widget is None:
            return
        mark_invalid(widget, exc.message)
        if focus:
            page = self._page_of(widget)
            if page is not None:
                self.pages.setCurrentIndex(page)
            widget.setFocus()

    def _page_of(self, widget: QWidget) -> int | None:
        for i in range(self.pages.count()):
            if self.pages.widget(i).isAncestorOf(widget):
                return i
        return None

    # -- saving ---------------------------------------------------------------------

    def collect(self) -> ProjectData:
        """The form as data; raises ValidationError at the first field that cannot be read."""
        f = self.fields
        for widget in f.values():
            if widget.property("invalid"):
                mark_invalid(widget, None)
        investor_text = f["investor"].text().strip()
        investor_id = self._investor_display.get(investor_text)
        data = ProjectData(
            name=f["name"].text(),
            unit_id=f["unit_id"].currentData(),
            stage=Stage(f["stage"].currentData()),
            investor_id=investor_id,
            new_investor_name=investor_text if investor_text and investor_id is None else None,
            industry=f["industry"].currentText().strip(),
        )
        for field, label in MONEY_FIELDS:
            setattr(data, field, amount(f[field].text(), field, self.tr(label), required=field == "planned_investment"))
        for stage in Stage:
            data.dates[stage] = parse_date(f[stage.date_field].text(), stage.date_field, f"“{stage.label}”日期")
        for field, _label in FLAG_FIELDS:
            setattr(data, field, f[field].isChecked())
        data.declared = f["declared"].isChecked()
        data.declared_on = parse_date(f["declared_on"].text(), "declared_on", self.tr("申报日期"))
        for field, _label in TEXT_FIELDS:
            setattr(data, field, f[field].text().strip())
        for field, _label in NOTE_FIELDS:
            setattr(data, field, f[field].toPlainText().strip())
        if self._bad_funds:
            (year, month), text = sorted(self._bad_funds.items())[0]
            fund_amount(year, month, text, self.today)  # raises with the message
        data.funds = dict(self.funds)
        data.follow_ups = self._collect_follow_ups()
        data.version = self._version
        return data

    def confirm(self, title: str, question: str) -> bool:
        """A yes/no question (a duplicate name). Tests replace this."""
        return confirm(self, title, question)

    def save(self) -> bool:
        """Validate the whole form; save it as one change; close. False if refused."""
        self._clear_message()
        try:
            data = self.collect()
            validate_project(data, self.today)
        except ValidationError as exc:
            self.show_field_error(exc)
            return False
        if not self._duplicate_ok(data):
            return False
        project_id = self.project_id
        label = data.name.strip()
        text = self.tr("新建项目“%s”") % label if project_id is None else self.tr("修改项目“%s”") % label
        try:
            project = self.context.history.change(
                text,
                "project",
                project_id,
                lambda session: save_project(session, project_id, data, self.today),
                key_of=lambda p: p.id,
            )
        except ValidationError as exc:
            self.show_field_error(exc)
            return False
        except KnownError as exc:
            # A colleague saved first (RecordConflict): nothing of this form was written,
            # and nothing typed is lost — the form stays open as it is, and can be copied.
            self.show_refusal(exc)
            return False
        self.project_id = project.id
        self.saved.emit(project.id)
        self.accept()
        return True

    def extra_typed_lines(self) -> list[str]:
        # The grid shows one year; the copy holds the funds of every year typed.
        lines = [f"{year}年{month}月：{money_text(value)}" for (year, month), value in sorted(self.funds.items())]
        return [f"【{self.tr('到位资金')}（{self.tr('万元')}）】", *lines] if lines else []

    def _duplicate_ok(self, data: ProjectData) -> bool:
        key = (data.name.strip(), data.unit_id)
        if self._loaded_name_unit == key:
            return True
        with self.context.read() as session:
            codes = duplicate_projects(session, data.name, data.unit_id, self.project_id)
        if not codes:
            return True
        unit = self.fields["unit_id"].currentText()
        return self.confirm(
            self.tr("项目名称重复"),
            self.tr("%s已有同名项目“%s”（编号 %s）。\n仍然保存吗？") % (unit, data.name.strip(), "、".join(codes)),
        )

    def delete(self) -> bool:
        if self.project_id is None:
            return False
        name = self.fields["name"].text().strip()
        if not self.confirm(
            self.tr("删除项目"),
            self.tr("确定删除项目“%s”吗？\n它的到位资金和跟踪记录一并删除。可用“撤销”（Ctrl+Z）恢复。") % name,
        ):
            return False
        from ..store.projects import delete_project

        project_id = self.project_id
        try:
            self.context.history.change(
                self.tr("删除项目“%s”") % name, "project", project_id,
                lambda s: delete_project(s, project_id, self._version),
            )
        except KnownError as exc:
            self._show_message(exc.message)
            return False
        self.accept()
        return True


def mark_invalid_item(item: QTableWidgetItem, invalid: bool) -> None:
    if invalid:
        item.setBackground(QBrush(QColor("#ffd6d6")))
        item.setForeground(QBrush(QColor("#a00000")))
