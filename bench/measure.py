"""Timing, figures and the 'not yet built' rule.

A figure is the median of several runs of one piece of work; beside it, where the issue
asks for one, a floor: the same work done the minimal way, measured in the same run of
the bench so that the machine's load touches both alike.
"""

from __future__ import annotations

import gc
import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MEASURED = "measured"
NOT_YET_BUILT = "not yet built"
ERROR = "error"


BUDGET_SECONDS = 60.0


class NotYetBuilt(Exception):
    """The capability a figure measures is not on this branch yet."""


def require(module: str, *attributes: str):
    """Import ``module`` and return it (or its attributes); NotYetBuilt when it is missing.

    Only a missing zsdesk module or attribute counts as 'not yet built'; any other import
    error (a bug, a missing third-party package) propagates and the figure fails.
    """
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing.startswith("zsdesk") and (module == missing or module.startswith(missing + ".")):
            raise NotYetBuilt(f"{module} 尚未实现 / not on this branch") from None
        raise
    if not attributes:
        return loaded
    found = []
    for name in attributes:
        if not hasattr(loaded, name):
            raise NotYetBuilt(f"{module}.{name} 尚未实现 / not on this branch")
        found.append(getattr(loaded, name))
    return found[0] if len(found) == 1 else tuple(found)


def time_runs(
    work: Callable[[Any], object],
    runs: int,
    *,
    setup: Callable[[], Any] | None = None,
    teardown: Callable[[Any], None] | None = None,
    warmup: int = 1,
    budget: float = BUDGET_SECONDS,
) -> "Timings":
    """Seconds taken by ``work(setup())`` in each of ``runs`` runs, after ``warmup`` untimed ones.

    ``setup`` and ``teardown`` are not timed. The garbage collector is run before each
    run, not switched off: the program pays for its garbage too. Once the runs so far
    have taken ``budget`` seconds, no more are started (a figure far off its target
    would otherwise hold the bench for many minutes); at least one run is always timed.
    Beside each wall-clock time, the CPU time of the measuring (GUI) thread is kept: on a
    machine shared with other work it shows what the load added. (Background threads'
    CPU is left out; what they cost the GUI thread shows in the wall-clock time.)
    """
    times = Timings()
    spent = 0.0
    for index in range(warmup + runs):
        if times and spent > budget:
            break
        state = setup() if setup else None
        gc.collect()
        start, cpu_start = time.perf_counter(), time.thread_time()
        work(state)
        elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
        spent += elapsed
        if teardown:
            teardown(state)
        if index >= warmup:
            times.append(elapsed)
            times.cpu.append(cpu)
    return times


class Timings(list):
    """Wall-clock seconds of each run, with ``.cpu``: the thread's CPU seconds of each."""

    def __init__(self, *args):
        super().__init__(*args)
        self.cpu: list[float] = []

    def __iadd__(self, other):
        super().__iadd__(other)
        self.cpu += getattr(other, "cpu", [])
        return self


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Target:
    kind: str
    """'ratio': figure ÷ floor at most ``value``; 'max': the figure itself at most ``value`` (its unit)."""
    value: float

    def text(self, unit: str) -> str:
        return f"≤ {self.value:g}×" if self.kind == "ratio" else f"≤ {self.value:g} {unit}"


@dataclass
class Figure:
    key: str
    title: str
    unit: str
    target: Target
    issue: int
    floor_title: str | None = None
    status: str = NOT_YET_BUILT
    runs: list[float] = field(default_factory=list)
    floor_runs: list[float] = field(default_factory=list)
    cpu_runs: list[float] = field(default_factory=list)
    """CPU time of each run (same unit as ``runs``): what the machine's load cannot inflate."""
    floor_cpu_runs: list[float] = field(default_factory=list)
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float | None:
        return median(self.runs) if self.runs else None

    def record(self, timings: "Timings", *, floor: bool = False) -> None:
        """Keep ``timings`` (seconds) as the figure's (or its floor's) runs, in ms."""
        if floor:
            self.floor_runs, self.floor_cpu_runs = ms(timings), ms(timings.cpu)
        else:
            self.runs, self.cpu_runs = ms(timings), ms(timings.cpu)

    @property
    def cpu(self) -> float | None:
        return median(self.cpu_runs) if self.cpu_runs else None

    @property
    def floor_cpu(self) -> float | None:
        return median(self.floor_cpu_runs) if self.floor_cpu_runs else None

    @property
    def floor(self) -> float | None:
        return median(self.floor_runs) if self.floor_runs else None

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.floor:
            return None
        return self.median / self.floor

    @property
    def passed(self) -> bool | None:
        if self.status != MEASURED:
            return None
        if self.target.kind == "ratio":
            return None if self.ratio is None else self.ratio <= self.target.value
        return self.median <= self.target.value

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "issue": self.issue,
            "status": self.status,
            "unit": self.unit,
            "median": self.median,
            "runs": self.runs,
            "floor_title": self.floor_title,
            "floor": self.floor,
            "floor_runs": self.floor_runs,
            "ratio": self.ratio,
            "cpu": self.cpu,
            "cpu_runs": self.cpu_runs,
            "floor_cpu": self.floor_cpu,
            "floor_cpu_runs": self.floor_cpu_runs,
            "target": {"kind": self.target.kind, "value": self.target.value, "text": self.target.text(self.unit)},
            "pass": self.passed,
            "note": self.note,
            "extra": self.extra,
        }


def ms(seconds: list[float]) -> list[float]:
    return [round(s * 1000, 2) for s in seconds]


def openpyxl_read_all(paths) -> int:
    """The floor of reading workbooks: openpyxl (read-only) through every cell of every
    sheet of ``paths``; the number of cells."""
    import openpyxl

    cells = 0
    for path in paths:
        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            for ws in workbook.worksheets:
                for row in ws.iter_rows(values_only=True):
                    cells += len(row)
        finally:
            workbook.close()
    return cells
