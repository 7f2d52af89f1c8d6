"""The application icon is set on the QApplication, in every size resources/icons has."""

from zsdesk.resources import ICON_PNG_SIZES
from zsdesk.ui.app import set_window_icon


def test_window_icon_has_every_size(qapp):
    set_window_icon(qapp)
    icon = qapp.windowIcon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert sizes == {(n, n) for n in ICON_PNG_SIZES}
    assert qapp.desktopFileName() == "zsdesk"


def test_qt_standard_words_are_chinese(qapp):
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QMessageBox

    from zsdesk.ui.app import install_qt_translations

    translator = install_qt_translations(qapp)
    assert translator is not None
    try:
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        box = QMessageBox(QMessageBox.Icon.Question, "t", "t", buttons)
        assert box.button(QMessageBox.StandardButton.No).text().replace("&", "").startswith("否")
    finally:
        qapp.removeTranslator(translator)
