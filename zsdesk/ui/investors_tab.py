"""The investors tab (客商): the register with contacts, visits and linked projects."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel

from ..domain.enums import INDUSTRIES, InvestorType
from ..store.investors import InvestorRow, investor_rows
from .record_tab import RecordTab
from .table_models import CENTER, RIGHT, Column, RowListModel


def _kind(row: InvestorRow) -> str:
    try:
        return InvestorType(row.kind).label
    except ValueError:
        return row.kind


COLUMNS = [
    Column("name", "客商名称", lambda r: r.name, lambda r: r.name, width=240),
    Column("kind", "类型", _kind, _kind, CENTER, width=112),
    Column("home_region", "来源地", lambda r: r.home_region, lambda r: r.home_region, width=120),
    Column("industry", "产业", lambda r: r.industry, lambda r: r.industry, width=110),
    Column("unit", "引进单位", lambda r: r.unit, lambda r: r.unit, width=110),
    Column("visits", "考察次数", lambda r: str(r.visits), lambda r: r.visits, RIGHT, width=70),
    Column("batches", "批次", lambda r: str(r.batches), lambda r: r.batches, RIGHT, width=50),
    Column("headcount", "人次", lambda r: str(r.headcount), lambda r: r.headcount, RIGHT, width=50),
    Column("last_visit", "最近考察", lambda r: r.last_visit or "", lambda r: r.last_visit or "", CENTER, width=90),
    Column("projects", "关联项目", lambda r: str(r.projects), lambda r: r.projects, RIGHT, width=70),
    Column("contacts", "联系人", lambda r: r.contacts, lambda r: r.contacts, width=260),
]


class InvestorsModel(RowListModel):
    def __init__(self, parent=None):
        super().__init__(COLUMNS, parent)


class InvestorsTab(RecordTab):
    key = "investors"
    noun = "客商"

    def __init__(self, window):
        super().__init__(window, InvestorsModel())
        self.model.setParent(self)
        self.search.setPlaceholderText(self.tr("搜索：客商名称、来源地、联系人、商会"))
        self.kind_filter = QComboBox(self)
        self.kind_filter.setObjectName("investorsKindFilter")
        self.kind_filter.addItem(self.tr("全部类型"), None)
        for kind in InvestorType:
            self.kind_filter.addItem(kind.label, kind.value)
        self.industry_filter = QComboBox(self)
        self.industry_filter.setObjectName("investorsIndustryFilter")
        self.industry_filter.addItem(self.tr("全部产业"), None)
        self.industry_filter.addItems(INDUSTRIES)
        for label, box in ((self.tr("类型"), self.kind_filter), (self.tr("产业"), self.industry_filter)):
            self.bar.addWidget(QLabel(label, self))
            self.bar.addWidget(box)
            box.currentIndexChanged.connect(self._apply_filter)
        self.finish_bar()

    def _on_data_changed(self) -> None:
        touched = self.context.last_touched
        if touched is not None and "projects" in touched:
            self.reload_when_seen()  # a project's investor or a deleted project changes the counts
            return
        super()._on_data_changed()

    def first_step(self) -> str:
        return self.tr("点右上角“新建客商”（Ctrl+N）登记第一家客商；它的联系人和考察对接也记在其中。")

    def load_rows(self, session, ids=None):
        return investor_rows(session, ids)

    def accepts(self, row: InvestorRow, words: list[str]) -> bool:
        if not words:
            return True
        hay = f"{row.name}\n{row.home_region}\n{row.contacts}\n{row.unit}".casefold()
        return all(w in hay for w in words)

    def extra_filter(self):
        kind = self.kind_filter.currentData()
        industry = self.industry_filter.currentText() if self.industry_filter.currentIndex() > 0 else None
        if kind is None and industry is None:
            return None
        return lambda r: (kind is None or r.kind == kind) and (industry is None or r.industry == industry)

    def new_record(self):
        return self.main_window.open_investor(None)

    def open_selected(self):
        investor_id = self.selected_id()
        return None if investor_id is None else self.main_window.open_investor(investor_id)

    def delete_selected(self) -> bool:
        investor_id = self.selected_id()
        if investor_id is None:
            return False
        row = self.model.row_at(self.table.currentIndex().row())
        question = self.tr("确定删除客商“%s”吗？") % row.name
        if row.projects or row.visits:
            question += self.tr("\n它的 %d 个项目和 %d 次考察记录保留，但不再关联这个客商。") % (row.projects, row.visits)
        question += self.tr("\n可用“撤销”（Ctrl+Z）恢复。")
        if not self.main_window.ask(self.tr("删除客商"), question):
            return False
        from ..store.investors import delete_investor

        try:
            self.context.history.change(
                self.tr("删除客商“%s”") % row.name, "investor", investor_id,
                lambda session: delete_investor(session, investor_id),
            )
        except Exception as exc:  # noqa: BLE001
            self.main_window.show_error(exc)
            return False
        return True
