"""Starting the window: `zsdesk [--db PATH] [--demo] [--screenshot OUT.png --tab KEY]`."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from ..errors import KnownError

SCREEN_SIZE = (1440, 900)


def _application(offscreen: bool, *, dialogs_now: bool = True):
    if offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    else:
        check_platform()
    ensure_utf8_locale()
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:  # a system library Qt itself needs (libEGL, libGL, ...)
        from .platform_check import qt_import_problem

        message = qt_import_problem(exc)
        if message is None:
            raise
        raise KnownError(message) from None

    from .feature_scan import skip_feature_scan
    from .qsettings import APPLICATION, ORGANIZATION

    skip_feature_scan()

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "zsdesk"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("zsdesk 招商引资台账")
    set_window_icon(app)
    use_chinese_locale(app)
    if dialogs_now:
        use_qt_dialogs()
    install_qt_translations(app)
    register_fonts(app)
    return app


def use_chinese_locale(app) -> None:
    """Qt's own widgets speak the clerk's language whatever the computer's settings:
    calendars in Chinese with weeks from Monday, Chinese number and date formats."""
    from PySide6.QtCore import QLocale

    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))


def use_qt_dialogs() -> None:
    """Qt's own file dialog (translated below) rather than a native one that may be English.

    Before any dialog; on the window-first start, just after the window's first paint
    (zsdesk/ui/opening.py): naming a Qt enum makes PySide build its whole Qt namespace
    (12 ms), which the window's first paint does not wait for."""
    from PySide6.QtCore import QCoreApplication, Qt

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)


def check_platform() -> None:
    """Before QApplication: a display and the xcb plugin's libraries, or one Chinese line (exit 2).

    Without this Qt prints several English lines and aborts (exit 134). ZSDESK_NO_PLATFORM_CHECK=1
    leaves it to Qt (the tests use it to show what the check prevents).
    """
    if os.environ.get("ZSDESK_NO_PLATFORM_CHECK") == "1":
        return
    from .platform_check import platform_problem

    problem = platform_problem()
    if problem:
        raise KnownError(problem)


def ensure_utf8_locale(environ=None) -> bool:
    """Give Qt a UTF-8 locale when the environment names none (LANG unset, C or POSIX).

    Python coerces the C locale to C.UTF-8 itself (PEP 538), but the frozen program's
    bootloader does not, and Qt then warns in English that it "Detected locale "C" with
    character encoding "ANSI_X3.4-1968"" and switches to C.UTF-8 anyway. Setting LC_CTYPE
    (or LC_ALL when that is what overrides) before QApplication does the same silently.
    Returns whether the environment was changed.
    """
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = environ.get(name)
        if value:
            if "utf-8" in value.lower() or "utf8" in value.lower():
                return False
            environ["LC_ALL" if name == "LC_ALL" else "LC_CTYPE"] = "C.UTF-8"
            return True
    environ["LC_CTYPE"] = "C.UTF-8"
    return True


def install_qt_translations(app):
    """Qt's own words in Chinese (取消, 是, 否 on standard buttons, the file dialog).

    The catalogue ships with PySide6 (build.spec keeps only qtbase_zh_CN.qm and qt_zh_CN.qm).
    Returns the installed QTranslator, or None when the catalogue is missing.
    """
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        return None
    app.installTranslator(translator)
    # Words Qt 6 asks for that the shipped catalogue lacks (resources/translations/*.ts).
    from ..resources import resource_path

    gaps = QTranslator(app)
    if gaps.load(str(resource_path("translations", "qt_gaps_zh_CN.qm"))):
        app.installTranslator(gaps)
    return translator


def set_window_icon(app) -> None:
    """The application icon on every window (taskbar, title bar, Alt+Tab), from resources/icons."""
    from PySide6.QtGui import QIcon

    from ..resources import ICON_PNG_SIZES

    icon = QIcon()
    for path in ICON_PNG_SIZES.values():
        if path.is_file():
            icon.addFile(str(path))
    app.setWindowIcon(icon)
    app.setDesktopFileName("zsdesk")  # Wayland/X11 match the window to resources/zsdesk.desktop


def register_fonts(app) -> None:
    """Use the bundled Chinese font when the fonts module is part of this build."""
    try:
        from . import fonts
    except ImportError:
        return
    fonts.register_qt_fonts(app)


def demo_path() -> Path:
    """Where a fresh demo county goes: the user's data folder, else a temporary folder."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        from .ledger_dialogs import data_folder

        folder = data_folder() / "demo"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="zsdesk-demo-"))
    path = folder / f"演示县-{stamp}.sqlite"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"演示县-{stamp}-{n}.sqlite"
    return path


def make_demo() -> Path:
    from ..domain.periods import YearMonth
    from ..store.demo import write_demo

    path = demo_path()
    write_demo(path, YearMonth.current(), "small").close()
    return path


def _initial_path(args) -> Path | str | None:
    """The file (or server URL) to open: --db, a fresh demo, the last file used, or None (ask)."""
    if getattr(args, "db", None):
        from ..store.urls import is_url

        return args.db if is_url(args.db) else Path(args.db)
    if getattr(args, "demo", False):
        return make_demo()
    from .qsettings import recent_files

    for text in recent_files():
        if Path(text).is_file():
            return Path(text)
    return None


def run_app(args) -> int:
    screenshot = getattr(args, "screenshot", None)
    if screenshot and not (getattr(args, "db", None) or getattr(args, "demo", False)):
        raise KnownError("截图需要用 --db 指定台账文件（或用 --demo）")
    from ..memory import limit_arenas

    limit_arenas()  # before Qt or the opener starts a thread (zsdesk/memory.py)
    app = _application(offscreen=bool(screenshot), dialogs_now=False)  # see use_qt_dialogs
    from .main_window import MainWindow

    path = _initial_path(args)
    if path is None:
        from .first_run import FirstRunDialog

        use_qt_dialogs()

        dialog = FirstRunDialog()
        if not dialog.exec() or dialog.chosen_path is None:
            return 0
        path = dialog.chosen_path
    if screenshot:
        from ..store.db import open_ledger
        from .context import AppContext

        ledger = open_ledger(path)  # a KnownError goes to the command line's one Chinese line
        return _screenshot(app, MainWindow(AppContext(ledger)), Path(screenshot), getattr(args, "tab", None))
    # Window first: shown now, "正在打开…"; the ledger opens behind it (zsdesk/ui/opening.py)
    # and a problem with it is said in this window, which then offers another file.
    window = MainWindow()
    window.show()
    from .opening import open_in_window

    open_in_window(window, path)
    from . import startup_report

    if startup_report.wanted():  # bench/: when it was shown and filled, then end
        return startup_report.report(app, window)
    status = app.exec()
    return int(status or 0)


def _screenshot(app, window, out: Path, tab: str | None) -> int:
    window.setGeometry(0, 0, *SCREEN_SIZE)
    window.resize(*SCREEN_SIZE)
    if tab:
        window.select_tab(tab)
    window.show()
    for _ in range(5):
        app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out)):
        raise KnownError(f"无法保存截图：{out}")
    window.context.close()
    print(f"已保存截图：{out}")
    return 0
