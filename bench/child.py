"""A child process for cold starts and memory: ``python -m bench.child MODE [PATH]``.

MODE ``bare``: a bare PySide6 main window, started the way zsdesk starts (the floor).
MODE ``zsdesk``: zsdesk's own entry point, ``zsdesk --db PATH``, exactly as a clerk starts it,
with ``ZSDESK_REPORT_START=1`` (zsdesk/ui/startup_report.py).
MODE ``memory``: ``zsdesk --db PATH``, then every tab is visited before the peak RSS is read;
MODE ``bare_memory``: its floor, the bare window's peak RSS.
(``ZSDESK_BENCH_TAB_ORDER=reversed``: ``memory`` visits the tabs last to first.)

``bare`` and ``zsdesk`` print ``STARTED <unix time>`` (the interpreter is up), then
``SHOWN <unix time> <CPU seconds> <json>`` at the main window's first Paint event — mapped,
its menus laid out — and ``zsdesk`` then ``FILLED ...`` once the first rows of the current
tab are in: zsdesk shows its window before the ledger is open (window first), so the second
line keeps a gain in "shown" from being merely moved behind it. The parent times both from
starting the process.

``memory`` starts the event loop through ``QApplication.exec``, replaced here by a function
that waits for the window to fill, visits every tab, prints ``SHOWN <wall clock> <peak RSS
kB> <json>`` and returns 0, so the program ends as if the clerk closed it.
"""

import time

STARTED = time.time()

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402


TAB_ORDER = "ZSDESK_BENCH_TAB_ORDER"
"""``reversed``: ``memory`` visits the tabs last to first."""


def _peak_rss_kb(field: str = "VmHWM") -> int:
    """This process's peak resident memory in kB: VmHWM of /proc/self/status (with
    ``field="VmRSS"``, the memory resident now).

    Not getrusage's ru_maxrss: on Linux that keeps, across exec, the high-water mark of
    the memory the process had before it (a fork or vfork of the bench itself, which
    holds a window on the large county), so a bare window's "peak" came out at the
    bench's own size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _report(extra: dict) -> None:
    extra = {"started": STARTED, "cpu_seconds": _cpu_seconds(), **extra}
    sys.stdout.write(f"SHOWN {time.time():.6f} {_peak_rss_kb()} {json.dumps(extra)}\n")
    sys.stdout.flush()


def _settle(app, rounds: int = 3) -> None:
    for _ in range(rounds):
        app.processEvents()


def _started() -> None:
    sys.stdout.write(f"STARTED {STARTED:.6f}\n")
    sys.stdout.flush()


def _patch_exec_for_memory() -> None:
    from PySide6.QtWidgets import QApplication

    # Importing PySide6 installs its import hook, which reads the source of every module
    # imported after it into linecache (its ``__feature__`` scan). ``zsdesk --db`` imports
    # PySide6 only in run_app and turns the scan off there at once; importing it here,
    # before zsdesk's command line imports SQLAlchemy, had the scan keep SQLAlchemy's
    # sources (~18 MB, 190,000 lines) that a clerk's zsdesk never holds. Turned off as
    # zsdesk does, so the child measures the program's own memory.
    from zsdesk.ui.feature_scan import skip_feature_scan

    skip_feature_scan()

    def exec_once(*_args, **_kwargs):
        from zsdesk.ui.startup_report import wait_filled

        app = QApplication.instance()
        _settle(app)
        windows = [w for w in app.topLevelWidgets() if w.isVisible()]
        for window in windows:
            if getattr(window, "tabs", None) is not None:
                wait_filled(app, window)
                while callable(getattr(window, "is_attached", None)) and not window.is_attached():
                    app.processEvents()  # the other tabs are built after the first rows show
        extra = {"windows": [w.objectName() or type(w).__name__ for w in windows]}
        extra["shown_rss_kb"] = _peak_rss_kb()
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

    Returns each tab's name with the peak RSS (kB) once it was shown and loaded, and
    the RSS then (what the tab holds, where the peak also counts what a tab made and let
    go of while loading).
    """
    visited = {}
    for window in windows:
        tabs = getattr(window, "tabs", None)
        if tabs is None:
            continue
        order = list(range(tabs.count()))
        if os.environ.get(TAB_ORDER) == "reversed":
            order.reverse()  # the charts first, the projects tab (its rows read again) last
        for index in order:
            tabs.setCurrentIndex(index)
            _settle(app)
            _wait_loaded(window)
            _settle(app)
            name = tabs.widget(index).objectName() or tabs.tabText(index)
            visited[name] = _peak_rss_kb()
            visited[name + ":now"] = _peak_rss_kb("VmRSS")
    return visited


def bare_memory() -> int:
    """The memory floor: a bare window, its peak RSS printed as ``memory`` prints it."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    def exec_once(*_args, **_kwargs):
        _settle(QApplication.instance())
        _report({"windows": ["MainWindow"], "shown_rss_kb": _peak_rss_kb()})
        return 0

    QApplication.exec = exec_once
    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.setObjectName("MainWindow")
    window.resize(1440, 900)
    window.show()
    return app.exec()


def bare() -> int:
    """What bench/frozen_bare.py does, unfrozen."""
    _started()
    from bench.frozen_bare import main

    return main()


def zsdesk(path: str) -> int:
    _started()
    os.environ["ZSDESK_REPORT_START"] = "1"
    from zsdesk.cli.main import main

    return main(["--db", path])


def memory(path: str) -> int:
    _patch_exec_for_memory()
    from zsdesk.cli.main import main

    return main(["--db", path])


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        status = bare()
    elif mode == "zsdesk":
        status = zsdesk(sys.argv[2])
    elif mode == "memory":
        status = memory(sys.argv[2])
    elif mode == "bare_memory":
        status = bare_memory()
    else:
        raise SystemExit(f"unknown mode {mode}")
    sys.stdout.flush()
    os._exit(status or 0)
