"""The Qt window. Nothing outside ``zsdesk/ui`` imports Qt.

Importing this package stays light (no Qt until a function is called), so the command
line can start without loading Qt.
"""

from __future__ import annotations

import os


def main_window(path: str | os.PathLike):
    """Build the main window on the ledger at ``path`` for an existing QApplication.

    The event loop is not run: GUI tests (pytest-qt's ``qtbot``) and tools drive it.
    (Once the submodule ``zsdesk.ui.main_window`` is imported, the package attribute
    is that module, which is callable the same way.)
    """
    from .main_window import build_main_window

    return build_main_window(path)
