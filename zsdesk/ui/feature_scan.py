"""PySide6's per-module source scan, switched off before anything heavy is imported.

Kept apart from :mod:`zsdesk.ui.opening` so that QApplication's set-up imports nothing
more than this before the window is shown.
"""

from __future__ import annotations


def skip_feature_scan() -> bool:
    """Stop PySide6 reading the source of every module imported after it.

    shiboken6 replaces ``__import__``; for each new module it calls
    ``shibokensupport.feature._mod_uses_pyside``, which is ``"PySide6" in
    inspect.getsource(module)``, to decide whether ``from __feature__ import snake_case``
    may apply to it. zsdesk uses no ``__feature__``, so every module may be marked "not
    using features" without reading it: that saves reading SQLAlchemy's and zsdesk's
    sources at start, and — the reason it is here — that scan is not thread-safe:
    importing in the worker thread while the GUI thread runs crashed the interpreter
    ("Fatal Python error: none_dealloc" inside linecache). A PySide6 without the hook
    is left alone. Returns whether the scan was turned off.
    """
    try:
        from shibokensupport import feature
    except ImportError:
        return False
    if not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _uses_no_feature
    return True


def _uses_no_feature(_module) -> bool:
    return False
