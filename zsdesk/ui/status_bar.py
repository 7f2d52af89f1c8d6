"""The main window's status bar: where the ledger is, what it holds, and room for messages.

A deep path (``/home/…/文档/2026年招商引资台账/各乡镇/安文街道/…/台账.sqlite``) in a
permanent widget used to take the whole bar, and QStatusBar paints a temporary message only
in what its permanent widgets leave: 已保存副本 was cut to nothing. The location is shown
elided in the middle (its start and its file name stay readable, the full text is the
tooltip), at most :data:`LOCATION_SHARE` of the bar, and less while a message needs the room.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtWidgets import QLabel, QSizeGrip, QSizePolicy, QStatusBar

LOCATION_SHARE = 0.4
"""The most of the bar's width the location takes when no message is shown."""
MESSAGE_PADDING = 16
"""QStatusBar paints a message from x = 6 up to 2 px before the first permanent widget,
with the layout's 6 px spacing between widgets: a little room on top of the text's width."""
MIN_LOCATION_CHARS = 4
"""Narrower than four "…" and the location says nothing: it is hidden until the message goes."""


ELLIPSIS = "…"


def elide_middle(metrics, text: str, width: int) -> str:
    """``text`` cut in its middle to ``width`` pixels, as QFontMetrics.elidedText(…,
    ElideMiddle, …) does: the most characters that fit, the first half kept one longer.
    Here rather than Qt's: PySide makes its whole Qt namespace (12 ms) the first time a
    Qt enum is named, and the path is elided before the window's first paint."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    if metrics.horizontalAdvance(ELLIPSIS) > width:
        return ""

    def cut(kept: int) -> str:
        head = (kept + 1) // 2
        return text[:head] + ELLIPSIS + text[len(text) - (kept - head):]

    low, high = 0, len(text) - 1  # ``low`` characters always fit; ``high + 1`` never do
    while low < high:
        middle = (low + high + 1) // 2
        if metrics.horizontalAdvance(cut(middle)) <= width:
            low = middle
        else:
            high = middle - 1
    return cut(low)


class ElidedLabel(QLabel):
    """One line of text shown elided in the middle to fit the label's width.

    ``full_text()`` is the whole text, also the tooltip; ``text()`` is what is painted.
    Its size hint is the whole text's width and its minimum is small, so a long text never
    forces the window wider: the layout (and ``setMaximumWidth``) decides, the label elides.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.updateGeometry()
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right() + 2
        return QSize(min(width, self.maximumWidth()), hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("…"), super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = elide_middle(self.fontMetrics(), self._full, max(width, 0))
        if shown != self.text():
            super().setText(shown)


class LocationFitter(QObject):
    """Keeps ``location`` (an ElidedLabel in ``bar``) to its share of the bar, and smaller
    while a temporary message is shown, so that the message is seen whole; hidden when
    not even a few characters would fit beside the message. ``beside``: the bar's other
    permanent widgets, which keep their width."""

    def __init__(self, bar: QStatusBar, location: ElidedLabel, beside: tuple = ()):
        super().__init__(bar)
        self.bar = bar
        self.location = location
        self.beside = beside
        self._wanted = True
        bar.installEventFilter(self)
        bar.messageChanged.connect(lambda _text: self.fit())

    def set_shown(self, shown: bool) -> None:
        """Whether there is a location to show at all (the window's own choice)."""
        self._wanted = shown
        self.fit()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.bar and event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        width = int(self.bar.width() * LOCATION_SHARE)
        message = self.bar.currentMessage()
        if message:
            taken = sum(w.sizeHint().width() + MESSAGE_PADDING for w in self.beside if w.isVisible())
            grip = self.bar.findChild(QSizeGrip)
            if grip is not None and grip.isVisible():
                taken += grip.width() + MESSAGE_PADDING
            needed = self.bar.fontMetrics().horizontalAdvance(message) + 2 * MESSAGE_PADDING
            width = min(width, self.bar.width() - taken - needed)
        self.location.setMaximumWidth(max(width, 0))
        self.location.updateGeometry()
        self.location.setVisible(self._wanted and width >= MIN_LOCATION_CHARS * self.location.minimumSizeHint().width())
