"""A 审核 page in the project editor: what the checks say about this one project.

Loaded when the page is first shown (opening the editor stays fast) and again after
each save.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..domain.checks import Finding, Level
from ..store.checks_query import run_checks
from ..store.projects import unit_name_of_project
from .checks_panel import EXPLAINED_COLOR, LEVEL_COLORS
from .server_lost import not_read_text, stops_lost_connection


class ProjectChecksPage(QWidget):
    def __init__(self, editor):
        super().__init__(editor)
        self.setObjectName("projectChecksPage")
        self.editor = editor
        self.findings: list[Finding] = []
        self._loaded = False
        self.label = QLabel(self)
        self.label.setObjectName("projectChecksSummary")
        self.label.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("projectChecksList")
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        hint = QLabel(self.tr("错误须修改本项目的数据；警告可在主窗口“审核”标签页中填写说明。"), self)
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.list, 1)
        layout.addWidget(hint)
        saved = getattr(editor, "saved", None)
        if saved is not None:
            saved.connect(lambda _id: self.reload() if self._loaded else None)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._loaded:
            self.reload()

    @stops_lost_connection
    def reload(self) -> None:
        self._loaded = True
        self.list.clear()
        project_id = getattr(self.editor, "project_id", None)
        if project_id is None:
            self.findings = []
            self.label.setText(self.tr("新项目保存后显示审核结果。"))
            return
        with self.editor.context.read() as session:
            unit = unit_name_of_project(session, project_id)
            findings = run_checks(session, unit=unit) if unit else []
        self.findings = [f for f in findings if f.record.opens == ("project", project_id)]
        if not self.findings:
            self.label.setText(self.tr("本项目未发现审核问题。"))
            return
        errors = sum(1 for f in self.findings if f.level is Level.ERROR)
        self.label.setText(self.tr("本项目有 %d 条审核结果（其中错误 %d 条）：") % (len(self.findings), errors))
        for f in self.findings:
            text = f"【{f.level.label}】{f.title}：{f.message}"
            if f.acknowledgement:
                text += "\n" + self.tr("　说明：%s") % f.acknowledgement.explanation
            item = QListWidgetItem(text)
            item.setForeground(QColor(EXPLAINED_COLOR if f.explained else LEVEL_COLORS[f.level]))
            self.list.addItem(item)

    def read_failed(self, exc) -> None:
        self._loaded = False
        self.list.clear()
        self.findings = []
        self.label.setText(not_read_text(self.tr("审核结果")))


def project_checks_page(editor) -> tuple[QWidget, str]:
    page = ProjectChecksPage(editor)
    return page, page.tr("审核")
