"""The bench's quick mode runs, so the benchmarks cannot rot.

Speed is not asserted here (the bench measures it, issue 9): this checks that every
figure of the issue is in the JSON, measured or explicitly not yet built, that measured
figures carry their runs and floors, and that nothing failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.figures import KEYS

ROOT = Path(__file__).resolve().parent.parent


def _run_quick_bench(tmp_path: Path) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "results.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out), "--cache", str(tmp_path / "cache")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    document = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    return result, document


def test_quick_bench_reports_every_figure(tmp_path):
    result, document = _run_quick_bench(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert document["mode"] == "quick"
    assert document["county"]["size"] == "small"
    assert document["county"]["projects"] > 0
    assert len(document["machine"]["load_before"]) == 3

    figures = {f["key"]: f for f in document["figures"]}
    assert list(figures) == KEYS  # every figure of the issue, in the order
    for key, figure in figures.items():
        assert figure["status"] in ("measured", "not yet built", "skipped"), (key, figure["status"], figure["note"])
        if figure["status"] == "skipped":  # only the server figures, where PostgreSQL is not installed
            assert key.startswith("server_") and ("PostgreSQL" in figure["note"] or "psycopg" in figure["note"]), key
            continue
        if figure["status"] == "not yet built":
            assert figure["note"], key  # says what is missing
            assert figure["median"] is None and figure["pass"] is None
            continue
        assert figure["runs"] and all(r > 0 for r in figure["runs"]), key
        assert min(figure["runs"]) <= figure["median"] <= max(figure["runs"]), key
        if figure["floor_title"]:
            assert figure["floor_runs"] and figure["floor"] > 0, key
            assert abs(figure["ratio"] - figure["median"] / figure["floor"]) < 1e-9, key
        assert isinstance(figure["pass"], bool), key

    # The progress figure needs only the store: it is always measured, its floor checked.
    assert figures["progress"]["status"] == "measured"
    assert "floor checked" in figures["progress"]["note"]

    # The table printed is the JSON's.
    for figure in document["figures"]:
        assert figure["title"] in result.stdout
    assert {d["key"] for d in document["diagnostics"]} >= {"open_ledger", "quick_check", "revision_scan"}


def test_the_memory_child_does_not_keep_sources_zsdesk_never_reads():
    """The memory child imports PySide6 before zsdesk's command line imports SQLAlchemy;
    PySide6's import hook then read every later module's source into linecache (~18 MB
    on the large county's run), which ``zsdesk --db`` never does (it imports PySide6 in
    run_app and turns that scan off at once). The child turns it off the same way."""
    script = (
        "import linecache, bench.child as c\n"
        "c._patch_exec_for_memory()\n"
        "import sqlalchemy.orm\n"
        "print(sum('/sqlalchemy/' in name for name in linecache.cache))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "0"
