"""The schema's revisions: which the program knows and which is newest (portable).

Read from the migration scripts themselves; Alembic is imported only when a file or a
server must be migrated (or the scripts are unusual), not to open a ledger at the head.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Alembic is imported only to migrate: see _revision_graph
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    """The migration scripts, read once per process (they do not change while it runs)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


@functools.lru_cache(maxsize=1)
def _revision_graph() -> tuple[str, frozenset[str]] | None:
    """(head, every revision), read from the scripts' own ``revision``/``down_revision``.

    Opening a file that is already at the head needs only these two facts. Reading them
    with ``ast`` instead of Alembic's ScriptDirectory keeps Alembic (and the Mako and
    Pygments it imports) out of the program's start: bench/ measured ~0.2 s of CPU for
    that import against ~0.2 s for a whole bare PySide6 window. None (then Alembic
    reads the scripts) if they are not one line of revisions with a single head;
    tests/test_store_open_fast.py checks the two readings agree.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        values = {}
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                try:
                    values[target.id] = ast.literal_eval(value)
                except ValueError:
                    return None
        if "revision" not in values:
            continue
        down = values.get("down_revision")
        if not isinstance(values["revision"], str) or not (down is None or isinstance(down, str)):
            return None  # a merge or something unusual: let Alembic read it
        revisions.add(values["revision"])
        if down is not None:
            parents.add(down)
    heads = revisions - parents
    if len(heads) != 1 or not parents <= revisions:
        return None
    return heads.pop(), frozenset(revisions)


def head_revision() -> str:
    graph = _revision_graph()
    return graph[0] if graph else _script().get_current_head()


def known_revisions() -> set[str]:
    graph = _revision_graph()
    if graph:
        return set(graph[1])
    return {rev.revision for rev in _script().walk_revisions()}


def current_revision(engine) -> str | None:
    """The revision stamped in the database behind ``engine``."""
    with engine.connect() as connection:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()
