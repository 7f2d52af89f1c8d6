"""The window asks store services; it never builds SQL itself (issue 15, item 5).

A source check over zsdesk/ui: no import of SQLAlchemy's statement builders (only
``sqlalchemy.exc`` for errors and ``sqlalchemy.orm.Session`` for types), no import of the
models' tables, no ``text(...)``, and no ``.execute`` / ``.scalar`` / ``.scalars`` /
``.query`` on a session. The second test shows the check finds each of those.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[1] / "zsdesk" / "ui"
ALLOWED_IMPORTS = {"sqlalchemy.exc", "sqlalchemy.orm"}
SESSION_CALLS = {"execute", "scalar", "scalars", "query", "exec_driver_sql"}


def sql_in(source: str, name: str = "<source>") -> list[str]:
    """Where ``source`` builds or runs SQL itself: 'name:line: what' for each place."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = ("." * node.level) + (node.module or "")
            if module.startswith("sqlalchemy") and module not in ALLOWED_IMPORTS:
                found.append(f"{name}:{node.lineno}: from {module} import …")
            elif module.endswith("store.models") or module.endswith("store") and any(a.name == "models" for a in node.names):
                found.append(f"{name}:{node.lineno}: imports the tables (store.models)")
            elif module in ALLOWED_IMPORTS and module == "sqlalchemy.orm":
                extra = [a.name for a in node.names if a.name != "Session"]
                if extra:
                    found.append(f"{name}:{node.lineno}: from sqlalchemy.orm import {', '.join(extra)}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy" and alias.name not in ALLOWED_IMPORTS:
                    found.append(f"{name}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SESSION_CALLS:
            found.append(f"{name}:{node.lineno}: .{node.func.attr}(…)")
    return found


def test_no_module_of_the_window_builds_sql():
    modules = sorted(UI.glob("*.py"))
    assert len(modules) > 30  # the check reads the real package
    found = [hit for path in modules for hit in sql_in(path.read_text(encoding="utf-8"), path.name)]
    assert found == []


def test_the_check_finds_each_way_of_building_sql():
    """What the nine modules did before their queries moved into zsdesk/store."""
    snippets = {
        "from sqlalchemy import select\n": "from sqlalchemy import …",
        "from sqlalchemy import func, select\n": "from sqlalchemy import …",
        "import sqlalchemy\n": "import sqlalchemy",
        "from ..store.models import Unit\n": "store.models",
        "from ..store import models as m\n": "store.models",
        "from sqlalchemy.orm import Session, aliased\n": "aliased",
        "units = list(session.execute(q).all())\n": ".execute(",
        "unit = session.scalar(q)\n": ".scalar(",
        "ids = list(session.scalars(q))\n": ".scalars(",
        "n = session.query(Project).count()\n": ".query(",
    }
    for source, what in snippets.items():
        hits = sql_in(source)
        assert len(hits) == 1 and what in hits[0], (source, hits)
    # what the window may keep: errors, the Session type, and store services
    assert sql_in(
        "from sqlalchemy.exc import DBAPIError\nfrom sqlalchemy.orm import Session\n"
        "from ..store.units import unit_choices\nunits = unit_choices(session)\n"
    ) == []
