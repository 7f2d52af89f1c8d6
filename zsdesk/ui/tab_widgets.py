"""Widgets the tabs share: the search field, and what an empty table says on the first day.

A search field is never narrower than its placeholder, which says what is searched
(项目名称、投资方、联系领导、编号): at 1000 px the projects tab cut it to "联系领导、…".

A clerk's new ledger opens on blank white tables with only their headers; nothing said
that 新建项目 (Ctrl+N) or 文件 → 导入已有台账 is where to begin. The hint lies over the
table's viewport while the ledger holds none of its records (a search that finds nothing is
said by the count below the table, not here) and lets clicks through to the table.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QToolButton, QWidget

MARGIN = 24
PLACEHOLDER_PADDING = 8
"""The line edit's frame and text margins (3 px at the left), and a gap before the clear button."""


class SearchField(QLineEdit):
    """A tab's search box (clear button on), at least as wide as its placeholder."""

    def __init__(self, parent: QWidget, name: str, on_change=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setClearButtonEnabled(True)
        if on_change is not None:
            self.textChanged.connect(on_change)

    def setPlaceholderText(self, text: str) -> None:
        super().setPlaceholderText(text)
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        clear = sum(button.sizeHint().width() for button in self.findChildren(QToolButton))
        wanted = self.fontMetrics().horizontalAdvance(self.placeholderText()) + clear + PLACEHOLDER_PADDING
        return QSize(max(hint.width(), wanted), hint.height())


class EmptyHint(QLabel):
    """``nothing``: the first line (还没有项目。); ``first_step``: how to add one, left out
    while the ledger is read-only (where nothing can be added)."""

    def __init__(self, table: QAbstractItemView, nothing: str, first_step: str):
        viewport = table.viewport()
        super().__init__(viewport)
        self.setObjectName(f"{table.objectName()}EmptyHint")
        self.nothing = nothing
        self.first_step = first_step
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        viewport.installEventFilter(self)
        self._place(viewport)
        self.hide()

    def refresh(self, total: int, read_only: bool) -> None:
        """Shown while ``total`` (the records in the ledger, before any filter) is 0."""
        self.setText(self.nothing if read_only else f"{self.nothing}\n{self.first_step}")
        self.setVisible(total == 0)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place(watched)
        return False

    def _place(self, viewport) -> None:
        self.setGeometry(viewport.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN))
