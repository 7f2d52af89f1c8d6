"""A child process for cold starts and memory: ``python -m bench.child MODE [PATH]``.

MODE ``bare``: a bare PySide6 main window, started the way zsdesk starts (the floor).
MODE ``zsdesk``: zsdesk's own entry point, ``zsdesk --db PATH``, exactly as a clerk starts it.
MODE ``memory``: like ``zsdesk``, then every tab is visited before the peak RSS is read.

Both start the event loop through ``QApplication.exec``, which is replaced here by a
function that lets the first events (show, layout, paint) run, prints one line
``SHOWN <wall clock> <peak RSS kB> <json>`` and returns 0, so the program ends as if
the clerk closed it. The parent times from starting the process to reading that line.
"Shown" is the main window mapped with its menus: zsdesk shows it before the ledger is
open (window first), so in modes ``zsdesk`` and ``memory`` the loop then runs on until the
ledger fills the window — the first rows of the default tab in its table — and prints
``FILLED <wall clock> <peak RSS kB> <json>``, the second figure, so that a gain in "shown"
is not merely moved behind it.
"""

import time

STARTED = time.time()

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402


def _peak_rss_kb() -> int:
    """This process's peak resident memory in kB: VmHWM of /proc/self/status.

    Not getrusage's ru_maxrss: on Linux that keeps, across exec, the high-water mark of
    the memory the process had before it (a fork or vfork of the bench itself, which
    holds a window on the large county), so a bare window's "peak" came out at the
    bench's own size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _report(extra: dict, word: str = "SHOWN") -> None:
    extra = {"started": STARTED, "cpu_seconds": _cpu_seconds(), **extra}
    sys.stdout.write(f"{word} {time.time():.6f} {_peak_rss_kb()} {json.dumps(extra)}\n")
    sys.stdout.flush()


def _first_rows_shown(window) -> bool:
    """The window shows a ledger and its current tab's table has rows painted."""
    attached = getattr(window, "is_attached", None)
    if callable(attached) and not attached():
        return False
    from PySide6.QtWidgets import QAbstractItemView

    page = window.tabs.currentWidget() if getattr(window, "tabs", None) is not None else None
    if page is None:
        return False
    tables = page.findChildren(QAbstractItemView)
    return any(t.isVisible() and t.model() is not None and t.model().rowCount() > 0 for t in tables)


def _wait_filled(app, windows, timeout: float = 600.0) -> bool:
    from PySide6.QtWidgets import QAbstractItemView

    deadline = time.perf_counter() + timeout
    main = [w for w in windows if getattr(w, "tabs", None) is not None]
    while main and not all(_first_rows_shown(w) for w in main):
        if time.perf_counter() > deadline:
            return False
        app.processEvents()
        if any(getattr(w, "open_problem", None) is not None for w in main):
            return False  # the ledger could not be opened: nothing will fill
        time.sleep(0.001)
    for w in main:
        for view in w.findChildren(QAbstractItemView):
            if view.isVisible():
                view.viewport().repaint()
    return bool(main)


def _settle(app, rounds: int = 3) -> None:
    for _ in range(rounds):
        app.processEvents()


def _patch_exec(visit_tabs: bool, until_filled: bool = False) -> None:
    from PySide6.QtWidgets import QApplication

    def exec_once(*_args, **_kwargs):
        app = QApplication.instance()
        _settle(app)
        windows = [w for w in app.topLevelWidgets() if w.isVisible()]
        extra = {"windows": [w.objectName() or type(w).__name__ for w in windows]}
        extra["shown_rss_kb"] = _peak_rss_kb()
        if not visit_tabs:
            _report(extra)
        if until_filled or visit_tabs:
            filled = _wait_filled(app, windows)
            if not visit_tabs:
                _report({"filled": filled}, "FILLED")
        if visit_tabs:
            extra["tabs"] = _visit_tabs(app, windows)
            _report(extra)
        return 0

    QApplication.exec = exec_once
    QApplication.exec_ = exec_once


def _wait_loaded(window) -> None:
    from PySide6.QtWidgets import QWidget

    for widget in window.findChildren(QWidget):
        if hasattr(widget, "wait_loaded"):
            widget.wait_loaded(600_000)


def _visit_tabs(app, windows) -> dict[str, int]:
    """Show every tab and let background loads finish: all of the file's data in view.

    Returns each tab's name with the peak RSS (kB) once it was shown and loaded.
    """
    visited = {}
    for window in windows:
        tabs = getattr(window, "tabs", None)
        if tabs is None:
            continue
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            _settle(app)
            _wait_loaded(window)
            _settle(app)
            visited[tabs.widget(index).objectName() or tabs.tabText(index)] = _peak_rss_kb()
    return visited


def bare() -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    _patch_exec(visit_tabs=False)
    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setObjectName("MainWindow")
    window.resize(1440, 900)
    window.show()
    return app.exec()


def zsdesk(path: str, visit_tabs: bool) -> int:
    _patch_exec(visit_tabs, until_filled=True)
    from zsdesk.cli.main import main

    return main(["--db", path])


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        status = bare()
    elif mode in ("zsdesk", "memory"):
        status = zsdesk(sys.argv[2], visit_tabs=mode == "memory")
    else:
        raise SystemExit(f"unknown mode {mode}")
    sys.stdout.flush()
    os._exit(status or 0)
