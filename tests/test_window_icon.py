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
