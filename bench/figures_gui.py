"""Figures of the window: cold start, the projects tab, the editor, the dashboard, memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .child import TAB_ORDER
from .county import ROOT, County, child_env
from .measure import BUDGET_SECONDS, MEASURED, Figure, NotYetBuilt, median, ms, require, time_runs

# --- child processes: cold start and peak memory ---------------------------------------


def _run_child(mode: str, path: Path | None, settings_home: Path, **env_extra: str) -> dict:
    """Start a ``memory`` child, time it to its SHOWN line; its wall clock and peak RSS."""
    command = [sys.executable, "-m", "bench.child", mode] + ([str(path)] if path else [])
    env = child_env()
    env.update(env_extra)
    env["XDG_CONFIG_HOME"] = str(settings_home)  # QSettings of the bench, not the user's
    env["XDG_DATA_HOME"] = str(settings_home / "data")
    start_wall = time.time()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    shown_line = None
    for line in process.stdout:
        if line.startswith("SHOWN "):
            shown_line = line
            elapsed = time.perf_counter() - start
            break
    _, stderr = process.communicate(timeout=600)
    if shown_line is None:
        raise RuntimeError(f"child {mode} never showed a window (exit {process.returncode}):\n{stderr[-3000:]}")
    _, _wall, rss_kb, extra = shown_line.split(" ", 3)
    extra = json.loads(extra)
    return {
        "seconds": elapsed,
        "interpreter_seconds": extra["started"] - start_wall,
        "peak_rss_mb": int(rss_kb) / 1024,
        "cpu_seconds": extra["cpu_seconds"],
        "extra": extra,
        "stderr": stderr.strip()[-2000:],
    }


def _require_window() -> None:
    require("zsdesk.ui.app", "run_app")
    require("zsdesk.ui", "main_window")


def _run_start(command: list[str], env: dict, *, filled: bool) -> dict:
    """Start a program that prints SHOWN (and, with ``filled``, FILLED) lines: the seconds
    from starting it to each (wall, by the line's own clock reading) and its CPU seconds then.

    The lines' format is zsdesk/ui/startup_report.py's: ``WORD <unix time> <CPU s> <json>``.
    """
    start_wall = time.time()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict[str, list[str]] = {}
    wanted = {"SHOWN", "FILLED"} if filled else {"SHOWN"}
    for line in process.stdout:
        word = line.split(" ", 1)[0]
        if word in ("STARTED", "SHOWN", "FILLED"):
            seen[word] = line.split(" ", 3)
        if wanted <= set(seen):
            break
    _, stderr = process.communicate(timeout=600)
    if not wanted <= set(seen):
        raise RuntimeError(f"{command[-1]} never reported {sorted(wanted - set(seen))} (exit {process.returncode}):\n{stderr[-3000:]}")
    result = {"stderr": stderr.strip()[-2000:]}
    if "STARTED" in seen:
        result["interpreter_seconds"] = float(seen["STARTED"][1]) - start_wall
    for word in wanted:
        _, when, cpu, extra = seen[word]
        result[f"{word.lower()}_seconds"] = float(when) - start_wall
        result[f"{word.lower()}_cpu_seconds"] = float(cpu)
        result[f"{word.lower()}_extra"] = json.loads(extra)
    if filled and not result["filled_extra"].get("filled"):
        raise RuntimeError(f"the ledger did not fill the window: {result['filled_extra']}\n{stderr[-3000:]}")
    return result


def _child(mode: str, path: Path | None, settings_home: Path) -> tuple[list[str], dict]:
    env = child_env()
    env["XDG_CONFIG_HOME"] = str(settings_home)  # QSettings of the bench, not the user's
    env["XDG_DATA_HOME"] = str(settings_home / "data")
    return [sys.executable, "-m", "bench.child", mode] + ([str(path)] if path else []), env


def _start_runs(county: County, runs: int, warmup: bool) -> tuple[list[dict], list[dict]]:
    """zsdesk --db on the county and the bare window, alternately: (zsdesk runs, bare runs)."""
    with tempfile.TemporaryDirectory(prefix="zsdesk-bench-") as home:
        home = Path(home)
        if warmup:  # one untimed start of each: byte-compiles, fills Matplotlib's font cache
            _run_start(*_child("bare", None, home), filled=False)
            _run_start(*_child("zsdesk", county.path, home), filled=True)
        zsdesk_runs, bare_runs = [], []
        for _ in range(runs):
            bare_runs.append(_run_start(*_child("bare", None, home), filled=False))
            zsdesk_runs.append(_run_start(*_child("zsdesk", county.path, home), filled=True))
            if sum(r["filled_seconds"] for r in zsdesk_runs) > BUDGET_SECONDS:
                break
    return zsdesk_runs, bare_runs


_START_RUNS: dict = {}
"""The child runs of the last county measured: cold_start and ledger_filled are two readings
of the same starts (one process start gives both lines)."""


def _cached_start_runs(county: County, runs: int, warmup: bool):
    key = (str(county.path), runs)
    if key not in _START_RUNS:
        _START_RUNS.clear()
        _START_RUNS[key] = _start_runs(county, runs, warmup)
    return _START_RUNS[key]


def cold_start_figure(figure: Figure, county: County, runs: int, *, warmup: bool = True) -> None:
    _require_window()
    zsdesk_runs, bare_runs = _cached_start_runs(county, runs, warmup)
    figure.runs = ms([r["shown_seconds"] for r in zsdesk_runs])
    figure.floor_runs = ms([r["shown_seconds"] for r in bare_runs])
    figure.cpu_runs = ms([r["shown_cpu_seconds"] for r in zsdesk_runs])
    figure.floor_cpu_runs = ms([r["shown_cpu_seconds"] for r in bare_runs])
    figure.extra = {
        "interpreter_start_ms": ms([r["interpreter_seconds"] for r in zsdesk_runs]),
        "ledger_filled_ms": ms([r["filled_seconds"] for r in zsdesk_runs]),
        "stderr": zsdesk_runs[-1]["stderr"],
    }
    figure.note = (
        "子进程 python -m bench.child: zsdesk --db PATH vs QMainWindow，到主窗口第一次绘制（含菜单）；含解释器启动 / "
        "child processes, to the main window's first paint (menus laid out), interpreter start included"
    )
    figure.status = MEASURED


def ledger_filled_figure(figure: Figure, county: County, runs: int, *, warmup: bool = True) -> None:
    """The same starts as cold_start, to the first rows of the default tab in the window."""
    _require_window()
    zsdesk_runs, bare_runs = _cached_start_runs(county, runs, warmup)
    figure.runs = ms([r["filled_seconds"] for r in zsdesk_runs])
    figure.cpu_runs = ms([r["filled_cpu_seconds"] for r in zsdesk_runs])
    figure.floor_runs = ms([r["shown_seconds"] for r in bare_runs])
    figure.floor_cpu_runs = ms([r["shown_cpu_seconds"] for r in bare_runs])
    figure.extra = {"window_shown_ms": ms([r["shown_seconds"] for r in zsdesk_runs]), "title": zsdesk_runs[-1]["filled_extra"].get("title")}
    figure.note = (
        "同一批子进程：zsdesk --db PATH 到默认标签页的首批行显示 / the same starts, until the default tab's first rows "
        "are in; 目标：不晚于旧启动方式显示窗口的时间 (930 ms) / target: no later than the old start showed its window"
    )
    figure.status = MEASURED


# --- the frozen program (dist/zsdesk/zsdesk), when it was built -------------------------

FROZEN = ROOT / "dist" / "zsdesk" / "zsdesk"
FROZEN_BARE_DIST = ROOT / "bench" / "cache" / "frozen"
FROZEN_BARE = FROZEN_BARE_DIST / "bare" / "bare"


def frozen_bare(build: bool = True) -> Path:
    """The bare window frozen as zsdesk is (bench/frozen_bare.spec), built once into bench/cache/."""
    if FROZEN_BARE.exists() or not build:
        return FROZEN_BARE
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    command = [str(pyinstaller) if pyinstaller.exists() else "pyinstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(FROZEN_BARE_DIST), "--workpath", str(ROOT / "bench" / "cache" / "frozen-build")]
    result = subprocess.run(command + [str(ROOT / "bench" / "frozen_bare.spec")], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0 or not FROZEN_BARE.exists():
        raise RuntimeError(f"building the frozen bare window failed:\n{result.stderr[-3000:]}")
    return FROZEN_BARE


def frozen_cold_start_figure(figure: Figure, county: County, runs: int, *, warmup: bool = True) -> None:
    if not FROZEN.exists():
        raise NotYetBuilt(f"没有冻结程序 {FROZEN.relative_to(ROOT)}（先运行 pyinstaller build.spec）/ no frozen build")
    bare = frozen_bare()
    with tempfile.TemporaryDirectory(prefix="zsdesk-bench-") as home:
        home = Path(home)
        env = child_env()
        env.pop("PYTHONPATH", None)  # the frozen programs carry their own modules
        env["XDG_CONFIG_HOME"] = str(home)
        env["XDG_DATA_HOME"] = str(home / "data")
        zsdesk_env = dict(env, ZSDESK_REPORT_START="1")
        zsdesk_command = [str(FROZEN), "--db", str(county.path)]
        if warmup:
            _run_start([str(bare)], env, filled=False)
            _run_start(zsdesk_command, zsdesk_env, filled=True)
        zsdesk_runs, bare_runs = [], []
        for _ in range(runs):
            bare_runs.append(_run_start([str(bare)], env, filled=False))
            zsdesk_runs.append(_run_start(zsdesk_command, zsdesk_env, filled=True))
            if sum(r["filled_seconds"] for r in zsdesk_runs) > BUDGET_SECONDS:
                break
    figure.runs = ms([r["shown_seconds"] for r in zsdesk_runs])
    figure.floor_runs = ms([r["shown_seconds"] for r in bare_runs])
    figure.cpu_runs = ms([r["shown_cpu_seconds"] for r in zsdesk_runs])
    figure.floor_cpu_runs = ms([r["shown_cpu_seconds"] for r in bare_runs])
    figure.extra = {
        "ledger_filled_ms": ms([r["filled_seconds"] for r in zsdesk_runs]),
        "ledger_filled_cpu_ms": ms([r["filled_cpu_seconds"] for r in zsdesk_runs]),
    }
    figure.note = (
        "dist/zsdesk/zsdesk --db PATH (ZSDESK_REPORT_START=1) vs bench/frozen_bare.spec 同样方式冻结的空窗口，"
        "到主窗口第一次绘制 / the frozen program vs a bare window frozen the same way, to the first paint"
    )
    figure.status = MEASURED


def memory_figure(figure: Figure, county: County, runs: int) -> None:
    _require_window()
    with tempfile.TemporaryDirectory(prefix="zsdesk-bench-") as home:
        home = Path(home)
        zsdesk_runs, bare_runs = [], []
        for _ in range(runs):
            zsdesk_runs.append(_run_child("memory", county.path, home))
            bare_runs.append(_run_child("bare_memory", None, home))
            if sum(r["seconds"] for r in zsdesk_runs) > BUDGET_SECONDS:
                break
        # Not in the figure, beside it: the tabs visited last to first (the charts'
        # Matplotlib loaded before the checks and before the projects' rows are read again).
        reversed_run = _run_child("memory", county.path, home, **{TAB_ORDER: "reversed"})
    figure.runs = [round(r["peak_rss_mb"], 1) for r in zsdesk_runs]
    figure.floor_runs = [round(r["peak_rss_mb"], 1) for r in bare_runs]
    tabs = zsdesk_runs[-1]["extra"].get("tabs", {})
    figure.extra = {
        "rss_when_shown_mb": [round(r["extra"]["shown_rss_kb"] / 1024, 1) for r in zsdesk_runs],
        "peak_mb_after_each_tab": {
            tab: round(kb / 1024, 1) for tab, kb in tabs.items() if not tab.endswith(":now")
        },
        "rss_mb_after_each_tab": {
            tab[: -len(":now")]: round(kb / 1024, 1) for tab, kb in tabs.items() if tab.endswith(":now")
        },
        "peak_mb_tabs_reversed": round(reversed_run["peak_rss_mb"], 1),
        "peak_mb_after_each_tab_reversed": {
            tab: round(kb / 1024, 1)
            for tab, kb in reversed_run["extra"].get("tabs", {}).items()
            if not tab.endswith(":now")
        },
    }
    figure.note = "子进程的峰值常驻内存（/proc/self/status VmHWM），走遍各标签页、全部行读入后 / peak RSS of the child after every tab was shown and every row loaded"
    figure.status = MEASURED


# --- in the bench's own process: the projects tab, the editor, the dashboard ----------


class Window:
    """The main window on a county, built once for the in-process figures."""

    def __init__(self, county: County):
        _require_window()
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        self.settings_home = tempfile.TemporaryDirectory(prefix="zsdesk-bench-")
        os.environ["XDG_CONFIG_HOME"] = self.settings_home.name
        from PySide6.QtWidgets import QApplication, QWidget

        from zsdesk.ui import main_window

        self.county = county
        self.app = QApplication.instance() or QApplication([sys.argv[0]])
        self.window = main_window(county.path)
        self.window.resize(1440, 900)
        self.window.show()
        self.settle()
        for tab in self.window.findChildren(QWidget):
            if hasattr(tab, "wait_loaded"):
                tab.wait_loaded(600_000)
        self.settle()

    def settle(self, rounds: int = 3) -> None:
        for _ in range(rounds):
            self.app.processEvents()

    def find(self, name: str, kind=None):
        """The child widget named ``name``; NotYetBuilt when the window has none."""
        from PySide6.QtWidgets import QWidget

        found = self.window.findChild(kind or QWidget, name)
        if found is None:
            raise NotYetBuilt(f"主窗口中没有 {name} / no widget {name} in the main window")
        return found

    def close(self) -> None:
        from PySide6.QtWidgets import QWidget

        for tab in self.window.findChildren(QWidget):
            if hasattr(tab, "wait_loaded"):
                tab.wait_loaded(600_000)
        self.window.close()
        context = getattr(self.window, "context", None)
        if context is not None and hasattr(context, "close"):
            context.close()
        self.window.deleteLater()
        self.settle()
        self.settings_home.cleanup()


def _wait_until(app, condition, timeout: float = 5.0) -> bool:
    """Let events run until ``condition()`` holds (timers such as a search delay included)."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            return False
        app.processEvents()
    return True


def _wait_loaded(window: Window, tab) -> None:
    """Let a background load of the tab finish (untimed), so runs don't overlap it."""
    if hasattr(tab, "wait_loaded"):
        tab.wait_loaded(600_000)
    window.settle()


def projects_first_rows_figure(figure: Figure, window: Window, runs: int) -> None:
    """The projects tab (re)loads the file's projects and paints its first rows.

    A large file's tab shows a first page at once and reads the rest in the background;
    the figure is the first rows painted, the time until every row is in is reported beside.
    """
    tab = window.find("projectsTab")
    table = window.find("projectsTable")
    if not hasattr(tab, "reload"):
        raise NotYetBuilt("projectsTab 没有 reload() / the projects tab has no reload()")
    window.window.select_tab("projects")

    def open_rows(_):
        tab.reload()
        _wait_until(window.app, lambda: table.model().rowCount() > 0)
        table.viewport().repaint()

    figure.record(time_runs(open_rows, runs, setup=lambda: _wait_loaded(window, tab)))
    first_rows = table.model().rowCount()

    def all_rows(_):
        tab.reload()
        _wait_loaded(window, tab)
        table.viewport().repaint()

    figure.extra["all_rows_ms"] = ms(time_runs(all_rows, max(1, runs // 3), setup=lambda: _wait_loaded(window, tab)))
    figure.extra["first_rows"] = first_rows
    figure.extra["all_rows"] = table.model().rowCount()
    figure.note = (
        f"projectsTab.reload() 到首批 {first_rows} 行绘制 / until the first {first_rows} rows are painted; "
        f"全部 {figure.extra['all_rows']} 行读入 / all rows in: {figure.extra['all_rows_ms']} ms"
    )
    figure.status = MEASURED


SEARCH_TEXT = "基"
"""One keystroke: a character in many demo project names (基地), from an empty box."""


def _type(app, widget, text: str) -> None:
    """One key press and release carrying ``text``, as a keyboard (or an IME commit) gives it.

    (QTest.keyClicks asserts on characters outside ASCII.)
    """
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        app.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, text))


def projects_search_figure(figure: Figure, window: Window, runs: int) -> None:
    search = window.find("projectsSearch")
    table = window.find("projectsTable")
    window.window.select_tab("projects")
    _wait_loaded(window, window.find("projectsTab"))
    all_rows = table.model().rowCount()

    def clear():
        search.clear()
        _wait_until(window.app, lambda: table.model().rowCount() == all_rows)
        window.settle()

    def keystroke(_):
        _type(window.app, search, SEARCH_TEXT)
        _wait_until(window.app, lambda: table.model().rowCount() != all_rows)
        table.viewport().repaint()

    figure.record(time_runs(keystroke, runs, setup=clear))
    figure.extra = {"rows_before": all_rows, "rows_after": table.model().rowCount(), "text": SEARCH_TEXT}
    search.clear()
    window.settle()
    if figure.extra["rows_after"] in (0, all_rows):
        raise AssertionError(f"the search did not filter: {figure.extra}")
    figure.note = f"在空搜索框输入“{SEARCH_TEXT}”直到表格重新筛选并绘制 / typed into an empty box until re-filtered and painted"
    figure.status = MEASURED


def _a_busy_project(county: County) -> int:
    """A project with funds every month of the year and follow-ups: a full editor."""
    import sqlite3

    connection = sqlite3.connect(f"file:{county.path.as_posix()}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT project_id FROM fund_records WHERE year = 2026 GROUP BY project_id "
            "ORDER BY count(*) DESC, project_id LIMIT 1"
        ).fetchone()
        return row[0]
    finally:
        connection.close()


def editor_open_figure(figure: Figure, window: Window, runs: int) -> None:
    if not hasattr(window.window, "open_project"):
        raise NotYetBuilt("MainWindow.open_project 尚未实现")
    project_id = _a_busy_project(window.county)
    editors = []

    def open_editor(_):
        editor = window.window.open_project(project_id)
        _wait_until(window.app, lambda: editor.isVisible())
        editor.repaint()
        editors.append(editor)

    def close_editor(_):
        editor = editors.pop()
        editor.close()
        editor.deleteLater()
        window.settle()

    figure.record(time_runs(open_editor, runs, teardown=close_editor))
    figure.extra["project_id"] = project_id
    figure.note = "MainWindow.open_project(id) 到编辑窗口显示并绘制 / until shown and painted"
    figure.status = MEASURED


def dashboard_redraw_figure(figure: Figure, window: Window, runs: int) -> None:
    """The ranking of the 20 units redrawn after a change to the data (what every edit
    costs while the dashboard is shown: fresh figures from the file, then the drawing).

    A redraw when only a picker changed (the data cached) is reported beside it.
    """
    tab = window.find("dashboardTab")
    if not hasattr(tab, "redraw"):
        raise NotYetBuilt("dashboardTab 没有 redraw() / the dashboard has no redraw()")
    from zsdesk.charts.build import ChartKind
    from zsdesk.domain.enums import Indicator

    window.window.select_tab("dashboard")
    window.settle()
    tab.select(kind=ChartKind.RANKING, indicator=Indicator.DOMESTIC_FUNDS, unit=None)
    window.settle()
    if not tab.has_chart():
        raise AssertionError(f"the dashboard shows no chart: {tab.last_error}")

    def after_data_change(_):
        if hasattr(tab, "reload"):
            tab.reload()  # what data_changed does to a visible tab: read the ledger again, redraw
        else:
            tab._data_changed()
        window.settle(1)

    figure.record(time_runs(after_data_change, runs))
    bars = len(getattr(tab.figure.axes[0], "patches", [])) if tab.figure.axes else 0

    money = [Indicator.DOMESTIC_FUNDS, Indicator.ZHEJIANG_RETURN_FUNDS, Indicator.MOUNTAIN_SEA_FUNDS]
    turn = iter(range(10**6))

    def picker(_):
        tab.select(indicator=money[next(turn) % len(money)])
        window.settle(1)

    cached = time_runs(picker, runs)
    figure.extra = {
        "bars": bars,
        "picker_redraw_ms": ms(cached),
        "picker_redraw_cpu_ms": ms(cached.cpu),
    }
    figure.note = (
        f"排名图（{bars} 个条形）数据变化后重绘 / ranking redrawn after data_changed; "
        f"仅切换指标（数据已缓存）/ picker only, data cached: {median(ms(cached)):.0f} ms"
    )
    figure.status = MEASURED
