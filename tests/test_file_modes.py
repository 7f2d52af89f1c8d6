"""Exported files get the user's ordinary file mode (umask), not mkstemp's private 0600.

Each export runs with the process's umask set, as the clerk's login would set it;
every file the command writes is then checked (a colleague's account on the same PC must
be able to read the return, the summary, the chart, the audit export and the backup copy).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def zsdesk_with_umask(umask: int, *args) -> int:
    """The command line in this process, under ``umask`` (restored after)."""
    from zsdesk.cli.main import main

    previous = os.umask(umask)
    try:
        return main([str(a) for a in args])
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_every_export_has_the_umask_mode(demo_path, tmp_path, umask):
    expected = 0o666 & ~umask
    out = tmp_path / "out"
    out.mkdir()
    commands = {
        "return": ("export-return", "--db", demo_path, "--month", "2026-06", "--unit", "尖山镇", "--force",
                   "--out", out / "月报.xlsx"),
        "summary": ("export-summary", "--db", demo_path, "--month", "2026-06", "--out", out / "汇总.xlsx"),
        "chart": ("chart", "--db", demo_path, "--month", "2026-06", "--kind", "ranking", "--out", out / "排名.pdf"),
        "audit": ("audit", "--db", demo_path, "--from", "2020-01-01", "--out", out / "修改记录.xlsx"),
        "backup": ("backup", "--db", demo_path, "--out", out / "备份.sqlite"),
    }
    for name, args in commands.items():
        assert zsdesk_with_umask(umask, *args) == 0, name
    written = sorted(p for p in out.iterdir())
    assert [p.name for p in written] == sorted(["月报.xlsx", "汇总.xlsx", "排名.pdf", "修改记录.xlsx", "备份.sqlite"])
    # SQLite creates the backup copy itself, with its own default 0644 less the umask.
    wanted = {p.name: oct(0o644 & ~umask if p.suffix == ".sqlite" else expected) for p in written}
    assert {p.name: oct(mode(p)) for p in written} == wanted
    assert not list(out.glob(".*"))  # no temporary file left beside them


def test_the_return_was_private_before_the_fix_would_show(demo_path, tmp_path):
    """The control: mkstemp's own mode is 0600, so the test above can fail."""
    import tempfile

    handle, temp = tempfile.mkstemp(dir=tmp_path)
    os.close(handle)
    assert mode(Path(temp)) == 0o600
