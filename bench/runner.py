"""``python -m bench``: measure every figure of issue 9, print the table, write JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import figures_gui, figures_ledger, figures_returns, figures_server, figures_store
from .county import DEFAULT_CACHE, ROOT, County, demo_county
from .figures import KEYS, SPECS
from .measure import ERROR, NOT_YET_BUILT, Figure, NotYetBuilt
from .report import diagnostics_table, figures_from_json, markdown_table, notes, write_json

DEFAULT_JSON = ROOT / "bench" / "results.json"


@dataclass
class Plan:
    """How many timed runs each kind of figure gets."""

    fast: int
    """In-process work of milliseconds (progress, the tabs, the editor)."""
    process: int
    """A child process each (cold start)."""
    heavy: int
    """Seconds each (export, import, memory)."""
    diagnostics: int
    import_times: bool
    """Each heavy module's import time in fresh interpreters (a dozen processes)."""


FULL = Plan(fast=9, process=5, heavy=3, diagnostics=3, import_times=True)
QUICK = Plan(fast=3, process=1, heavy=1, diagnostics=1, import_times=False)


@dataclass
class Run:
    county: County
    plan: Plan
    quick: bool
    work_dir: Path
    _window: object = field(default=None, repr=False)
    _server: object = field(default=None, repr=False)

    def server(self):
        """The throwaway PostgreSQL cluster of the server figures (started on first use);
        raises figures_server.Unavailable where there is none."""
        if self._server is None:
            try:
                self._server = figures_server.Server()
            except figures_server.Unavailable as exc:
                self._server = exc
        if isinstance(self._server, Exception):
            raise self._server
        return self._server

    def stop_server(self) -> None:
        if isinstance(self._server, figures_server.Server):
            self._server.stop()
        self._server = None

    def window(self):
        """One main window on the county, shared by the in-process GUI figures."""
        if self._window is None:
            self._window = figures_gui.Window(self.county)
        return self._window

    def close(self) -> None:
        if self._window is not None:
            self._window.close()
            self._window = None


def _measurers():
    return {
        "cold_start": lambda f, r: figures_gui.cold_start_figure(f, r.county, r.plan.process, warmup=not r.quick),
        "ledger_filled": lambda f, r: figures_gui.ledger_filled_figure(f, r.county, r.plan.process, warmup=not r.quick),
        "frozen_cold_start": lambda f, r: figures_gui.frozen_cold_start_figure(
            f, r.county, r.plan.process, warmup=not r.quick
        ),
        "projects_first_rows": lambda f, r: figures_gui.projects_first_rows_figure(f, r.window(), r.plan.fast),
        "projects_search": lambda f, r: figures_gui.projects_search_figure(f, r.window(), r.plan.fast),
        "project_editor_open": lambda f, r: figures_gui.editor_open_figure(f, r.window(), r.plan.fast),
        "progress": lambda f, r: figures_store.progress_figure(f, r.county, r.plan.fast),
        "dashboard_redraw": lambda f, r: figures_gui.dashboard_redraw_figure(f, r.window(), r.plan.fast),
        "return_export": lambda f, r: figures_returns.export_figure(f, r.county, r.work_dir, r.plan.heavy),
        "returns_import": lambda f, r: figures_returns.import_figure(
            f, r.county, r.work_dir, r.plan.heavy, returns=5 if r.quick else figures_returns.RETURNS
        ),
        "ledger_preview": lambda f, r: figures_ledger.preview_figure(f, r.work_dir, r.plan.heavy, r.quick),
        "ledger_import": lambda f, r: figures_ledger.import_figure(f, r.work_dir, r.plan.heavy, r.quick),
        "peak_memory": _peak_memory,
        "server_progress": _on_server(lambda f, s, r: figures_server.progress_figure(f, s, r.county, r.plan.fast)),
        "server_projects_first_rows": _on_server(
            lambda f, s, r: figures_server.projects_first_rows_figure(f, s, r.county, r.plan.fast)
        ),
        "server_import_clients": _on_server(
            lambda f, s, r: figures_server.import_clients_figure(
                f, s, r.county, r.work_dir, 1 if r.quick else r.plan.heavy, returns=8 if r.quick else figures_returns.RETURNS
            )
        ),
    }


def _on_server(measurer):
    """A server figure: skipped, saying why, where PostgreSQL is not installed."""

    def measure_on_server(figure: Figure, run: Run) -> None:
        try:
            server = run.server()
        except figures_server.Unavailable as exc:
            figures_server.skip(figure, str(exc))
            return
        measurer(figure, server, run)

    return measure_on_server


def _peak_memory(figure: Figure, run: Run) -> None:
    # The child opens the county for writing and one file has one writer
    # (zsdesk.store.filelock): the in-process window lets go of it first.
    run.close()
    figures_gui.memory_figure(figure, run.county, run.plan.heavy)


def measure(figure: Figure, run: Run) -> Figure:
    started = time.perf_counter()
    try:
        _measurers()[figure.key](figure, run)
    except NotYetBuilt as exc:
        figure.status = NOT_YET_BUILT
        figure.runs, figure.floor_runs = [], []
        figure.note = str(exc)
    except Exception as exc:  # a figure that fails is reported, and the bench exits 1
        figure.status = ERROR
        figure.runs, figure.floor_runs = [], []
        figure.note = f"{type(exc).__name__}: {exc}"
        figure.extra["traceback"] = traceback.format_exc()
    figure.extra["bench_seconds"] = round(time.perf_counter() - started, 2)
    return figure


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="zsdesk 性能基准 / zsdesk's benchmarks: every figure as a median next to its floor.",
    )
    parser.add_argument("--quick", action="store_true", help="小演示县、少量重复，一分钟内 / small county, under a minute")
    parser.add_argument("--json", type=Path, default=None, help=f"结果 JSON 路径 / where to write JSON (default {DEFAULT_JSON})")
    parser.add_argument("--only", default="", help=f"只测这些，逗号分隔 / only these figures: {','.join(KEYS)}")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="演示县缓存目录 / demo county cache folder")
    parser.add_argument("--no-diagnostics", action="store_true", help="不测导入耗时等诊断 / skip the diagnostics")
    parser.add_argument("--table", type=Path, metavar="JSON", help="只打印已有结果文件的表格 / print the table of a results file, measure nothing")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.table:
        import json

        document = json.loads(args.table.read_text(encoding="utf-8"))
        print(markdown_table(figures_from_json(document)))
        return 0
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    only = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = sorted(set(only) - set(KEYS))
    if unknown:
        print(f"unknown figures: {', '.join(unknown)}; known: {', '.join(KEYS)}", file=sys.stderr)
        return 2
    plan = QUICK if args.quick else FULL
    size = "small" if args.quick else "large"
    load_before = os.getloadavg()
    started = time.perf_counter()
    county = demo_county(size, args.cache)
    print(f"county: {county.path.name} ({'written in %.1f s' % county.seconds_to_write if county.seconds_to_write else 'cached'})")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)} on {os.cpu_count()} CPUs", flush=True)

    import tempfile

    figures = []
    with tempfile.TemporaryDirectory(prefix="zsdesk-bench-work-") as work:
        run = Run(county, plan, args.quick, Path(work))
        try:
            for spec in SPECS:
                figure = spec.blank()
                if only and spec.key not in only:
                    figure.status = "skipped"
                    figure.note = "--only"
                else:
                    measure(figure, run)
                    print(f"  {spec.key}: {figure.status} {'' if figure.median is None else round(figure.median, 1)}", flush=True)
                figures.append(figure)
        finally:
            run.close()
            run.stop_server()
        diagnostics = []
        if not args.no_diagnostics and not only:
            diagnostics = figures_store.open_diagnostics(county, plan.diagnostics)
            if plan.import_times:
                diagnostics += figures_store.import_diagnostics(plan.diagnostics)
    load_after = os.getloadavg()

    document = {
        "generated": dt.datetime.now().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "county": {"size": size, "file": county.path.name, **county.counts()},
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in load_after],
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "plan": plan.__dict__,
        "bench_seconds": round(time.perf_counter() - started, 1),
        "figures": [f.as_json() for f in figures],
        "diagnostics": diagnostics,
    }
    json_path = args.json or DEFAULT_JSON
    write_json(json_path, document)

    counts = document["county"]
    print()
    print(
        f"zsdesk bench ({document['mode']}): {counts['units']} units, {counts['projects']:,} projects, "
        f"{counts['fund_records']:,} fund rows, {counts['file_mb']} MB; "
        f"load {load_before[0]:.2f} → {load_after[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print()
    print(markdown_table(figures))
    if diagnostics:
        print()
        print(diagnostics_table(diagnostics))
    text = notes(figures)
    if text:
        print()
        print(text)
    print(f"\nJSON: {json_path}  ({document['bench_seconds']} s)")
    failed = [f.key for f in figures if f.status == ERROR]
    if failed:
        print(f"figures that failed: {', '.join(failed)}", file=sys.stderr)
        for f in figures:
            if f.status == ERROR:
                print(f.extra.get("traceback", ""), file=sys.stderr)
        return 1
    return 0
