"""Undo and redo of changes (edit, new, delete) as snapshots of whole records.

A change runs once through ``AppContext.write``; in the same transaction the record is
snapshotted before and after. Undo writes the "before" snapshot back, redo the "after"
one, each again through ``write`` (one transaction, ``data_changed``, the ledger's
hooks). If that write is refused (a locked month, a removed file) the history does not
move and the user is told why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlalchemy.orm import Session

from ..store import investors as investor_store
from ..store import projects as project_store
from ..store.versions import check_undo, record_version


@dataclass(frozen=True)
class RecordKind:
    """How to snapshot and restore one kind of record."""

    snapshot: Callable[[Session, Any], Any]
    restore: Callable[[Session, Any, Any], None]


def _target_snapshot(session: Session, key) -> Any:
    from ..store.targets import target_grid

    unit_id, year, indicator = key
    return target_grid(session, year).get((unit_id, indicator))


def _target_restore(session: Session, key, value) -> None:
    from ..store.targets import set_target

    unit_id, year, indicator = key
    set_target(session, unit_id, year, indicator, None if value is None else str(value))


KINDS: dict[str, RecordKind] = {
    "project": RecordKind(project_store.snapshot_project, project_store.restore_project),
    "investor": RecordKind(investor_store.snapshot_investor, investor_store.restore_investor),
    "event": RecordKind(investor_store.snapshot_event, investor_store.restore_event),
    "target": RecordKind(_target_snapshot, _target_restore),
}


class SnapshotCommand(QUndoCommand):
    def __init__(self, context, text: str, kind: str, key, before, after, version=None):
        super().__init__(text)
        self.version = version
        """The record's version as this step last left it: an undo or redo is refused if a
        colleague changed the record since (store/versions.py)."""
        self.context = context
        self.kind = kind
        self.key = key
        self.before = before
        self.after = after
        self.skip = True
        """The write is already done; the next redo/undo call from the stack only moves it."""
        self.error: BaseException | None = None

    def write(self, snapshot) -> None:
        restore = KINDS[self.kind].restore

        def run(session: Session):
            check_undo(session, self.kind, self.key, self.version)
            restore(session, self.key, snapshot)
            session.flush()
            return record_version(session, self.kind, self.key)

        with self.context.precise():
            self.version = self.context.write(run)

    # QUndoStack calls these when its index moves (push calls redo). History writes
    # first and only then moves the stack, so a refused write leaves the index alone.
    def redo(self) -> None:
        if self.skip:
            self.skip = False
            return
        self.write(self.after)

    def undo(self) -> None:
        if self.skip:
            self.skip = False
            return
        self.write(self.before)


class History(QObject):
    """The undo stack of the open ledger, with writes that may fail."""

    failed = Signal(object)
    """An undo or redo was refused: the exception (a KnownError for a user's problem)."""

    def __init__(self, context, stack: QUndoStack):
        super().__init__(context)
        self.context = context
        self.stack = stack

    def change(self, text: str, kind: str, key, action: Callable[[Session], Any], key_of=None) -> Any:
        """Run ``action`` as one undoable change of the record ``key`` of ``kind``.

        For a new record, pass ``key=None`` and ``key_of(result)`` giving its key.
        Returns what ``action`` returned. Errors propagate; nothing is recorded then.
        """
        snapshot = KINDS[kind].snapshot
        box: dict = {}

        def run(session: Session):
            before = snapshot(session, key) if key is not None else None
            result = action(session)
            session.flush()
            final_key = key if key is not None else key_of(result)
            box.update(before=before, after=snapshot(session, final_key), key=final_key)
            box["version"] = record_version(session, kind, final_key)
            return result

        with self.context.precise():
            result = self.context.write(run)
        self.stack.push(SnapshotCommand(self.context, text, kind, box["key"], box["before"], box["after"], box["version"]))
        return result

    def undo(self) -> bool:
        return self._move(-1)

    def redo(self) -> bool:
        return self._move(+1)

    def _move(self, step: int) -> bool:
        index = self.stack.index()
        target = index - 1 if step < 0 else index
        if target < 0 or target >= self.stack.count():
            return False
        command = self.stack.command(target)
        try:
            command.write(command.before if step < 0 else command.after)
        except Exception as exc:  # noqa: BLE001 - told to the user by whoever listens
            self.failed.emit(exc)
            return False
        command.skip = True  # the write is done: the stack only moves its index
        if step < 0:
            self.stack.undo()
        else:
            self.stack.redo()
        return True
