"""The bench's results: a Markdown table (for the terminal and the README) and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from .measure import ERROR, MEASURED, Figure


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if value >= 100:
        return f"{value:,.0f} ms"
    return f"{value:.1f} ms"


def _result(figure: Figure) -> str:
    if figure.status == ERROR:
        return "**error**"
    if figure.status != MEASURED:
        return figure.status
    if figure.passed is None:
        return "reported"
    return "pass" if figure.passed else "**MISS**"


def figures_from_json(document: dict) -> list[Figure]:
    """The figures of a results file, to print its table again (``python -m bench --table PATH``)."""
    from .measure import Target

    figures = []
    for item in document["figures"]:
        figure = Figure(
            item["key"], item["title"], item["unit"], Target(item["target"]["kind"], item["target"]["value"]),
            item["issue"], item["floor_title"], item["status"], item["runs"], item["floor_runs"],
            item.get("cpu_runs", []), item.get("floor_cpu_runs", []), item["note"], item["extra"],
        )
        figures.append(figure)
    return figures


def markdown_table(figures: list[Figure]) -> str:
    lines = [
        "| figure | median | floor (same run) | ratio | target | result | CPU time: figure / floor |",
        "| --- | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for f in figures:
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        floor = _number(f.floor, f.unit) if f.floor_title else "—"
        cpu = "—"
        if f.cpu is not None:
            cpu = _number(f.cpu, f.unit)
            if f.floor_cpu:
                cpu += f" / {_number(f.floor_cpu, f.unit)} ({f.cpu / f.floor_cpu:.2f}×)"
        lines.append(
            f"| {f.title} | {_number(f.median, f.unit)} | {floor} | {ratio} | {f.target.text(f.unit)} | {_result(f)} | {cpu} |"
        )
    return "\n".join(lines)


def diagnostics_table(rows: list[dict]) -> str:
    lines = ["| diagnostic | median | runs |", "| --- | ---: | --- |"]
    for row in rows:
        median = "not yet built" if row["median"] is None else f"{row['median']:.1f} {row['unit']}"
        runs = ", ".join(f"{r:g}" for r in row["runs"])
        lines.append(f"| {row['title']} | {median} | {runs} |")
    return "\n".join(lines)


def notes(figures: list[Figure]) -> str:
    out = []
    for f in figures:
        if f.note:
            out.append(f"- {f.key}: {f.note}")
    return "\n".join(out)


def write_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
