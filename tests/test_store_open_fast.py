"""Opening a file at the newest schema does not import Alembic (a cold-start fix from bench/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from zsdesk.store import db

ROOT = Path(__file__).resolve().parent.parent


def test_revision_graph_agrees_with_alembic():
    script = ScriptDirectory.from_config(db._alembic_config())
    graph = db._revision_graph()
    assert graph is not None
    head, revisions = graph
    assert head == script.get_current_head()
    assert set(revisions) == {rev.revision for rev in script.walk_revisions()}
    assert db.head_revision() == head
    assert db.known_revisions() == set(revisions)


def test_opening_a_current_file_imports_no_alembic(demo_path):
    code = (
        "import sys\n"
        "from zsdesk.store.db import open_ledger, head_revision\n"
        f"ledger = open_ledger({str(demo_path)!r})\n"
        "ledger.close()\n"
        "print(head_revision(), sorted({n.split('.')[0] for n in sys.modules} & {'alembic', 'mako', 'pygments'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(demo_path.parent)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [db.head_revision(), "[]"]
