"""Make Qt widgets show Chinese with the bundled font.

Call :func:`register_qt_fonts` right after creating the QApplication and
before building windows: it loads the bundled GBK subset of Noto Sans CJK SC
into Qt's font database and makes it the application's default font, so every
widget shows Chinese even on a machine without a Chinese system font.
Characters the font lacks still fall back to system fonts as usual.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from zsdesk.resources import CJK_FONT_FAMILY, CJK_FONT_FILES

__all__ = ["CJK_FONT_FAMILY", "DEFAULT_POINT_SIZE", "register_qt_fonts"]

log = logging.getLogger(__name__)

DEFAULT_POINT_SIZE = 10.0

# path -> font id from QFontDatabase.addApplicationFont (per process; Qt keeps
# application fonts until removed, across QApplication instances).
_loaded: dict[str, int] = {}


def _load(path: Path) -> list[str]:
    key = str(path)
    font_id = _loaded.get(key)
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id is not None else []
    if not families:  # not loaded yet, or removed since
        if not path.is_file():
            raise FileNotFoundError(f"bundled font missing: {path}")
        font_id = QFontDatabase.addApplicationFont(key)
        if font_id < 0:
            raise RuntimeError(f"Qt could not load the bundled font {path}")
        _loaded[key] = font_id
        families = QFontDatabase.applicationFontFamilies(font_id)
    return families


def register_qt_fonts(
    app: QGuiApplication | None = None, point_size: float = DEFAULT_POINT_SIZE
) -> QFont:
    """Load the bundled font(s) and make the family the application default.

    *app* is the running QApplication / QGuiApplication (default: the current
    instance; one must exist).  Safe to call more than once.  Returns the font
    set as default (family :data:`CJK_FONT_FAMILY`, *point_size* points).
    """
    app = app or QGuiApplication.instance()
    if app is None:
        raise RuntimeError("register_qt_fonts needs a QApplication: create it first")
    families: set[str] = set()
    for path in CJK_FONT_FILES:
        families.update(_load(Path(path)))
    if CJK_FONT_FAMILY not in families:
        raise RuntimeError(
            f"bundled font family {CJK_FONT_FAMILY!r} not among the loaded ones: {sorted(families)}"
        )
    font = QFont(app.font())
    font.setFamilies([CJK_FONT_FAMILY])
    font.setPointSizeF(point_size)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    app.setFont(font)
    log.debug("default font %s %s pt", CJK_FONT_FAMILY, point_size)
    return font
