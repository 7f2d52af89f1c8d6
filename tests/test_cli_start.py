"""Starting the window does not import the command modules (a cold-start fix from bench/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from zsdesk.cli.main import _names_a_command, build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_only_window_options_name_no_command():
    assert not _names_a_command([])
    assert not _names_a_command(["--db", "县.sqlite"])
    assert not _names_a_command(["--db", "县.sqlite", "--screenshot", "out.png", "--tab", "projects"])
    assert not _names_a_command(["--demo"])
    assert _names_a_command(["progress", "--db", "县.sqlite", "--month", "2026-06"])
    assert _names_a_command(["--db", "县.sqlite", "progress"])
    assert _names_a_command(["--help"])
    assert _names_a_command(["bogus"])


def test_window_parser_reads_the_same_options_as_the_whole_parser():
    argv = ["--db", "县.sqlite", "--screenshot", "out.png", "--tab", "targets"]
    small = vars(build_parser(commands=False).parse_args(argv))
    whole = vars(build_parser().parse_args(argv))
    assert small == whole
    assert small["command"] is None and small["db"] == "县.sqlite"


def test_window_start_imports_no_command_module():
    code = (
        "import sys\n"
        "import zsdesk.cli.main as m\n"
        "m._run_window = lambda args: print('window', args.db) or 0\n"
        "status = m.main(['--db', 'x.sqlite'])\n"
        "loaded = sorted(n for n in sys.modules if n.startswith('zsdesk.cli.cmd_') or n.split('.')[0] in ('matplotlib', 'openpyxl'))\n"
        "print(status, loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["window x.sqlite", "0 []"]


def test_window_shown_without_matplotlib_or_openpyxl(demo_path, tmp_path):
    """Matplotlib comes with the first chart, openpyxl with the first return: not at start."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from zsdesk.ui import main_window\n"
        f"window = main_window({str(demo_path)!r})\n"
        "window.show()\n"
        "for _ in range(3): app.processEvents()\n"
        "heavy = sorted({n.split('.')[0] for n in sys.modules} & {'matplotlib', 'openpyxl', 'numpy', 'fontTools', 'alembic'})\n"
        "print(window.tab('dashboard').objectName(), heavy)\n"
        "window.select_tab('dashboard')\n"
        "for _ in range(3): app.processEvents()\n"
        "print(type(window.tab('dashboard').canvas).__name__, 'matplotlib' in sys.modules)\n"
        "window.context.close()\n"
    )
    env = {
        "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"), "QT_QPA_PLATFORM": "offscreen",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["dashboardTab []", "FigureCanvasQTAgg True"]
