"""Record versions: two staff editing the same record, and the second save refused.

Projects, investors, events and targets carry a ``version`` (SQLAlchemy's
``version_id_col``, migration 0004): every UPDATE raises it by one and is made
``WHERE version = <the version read>``. An editor remembers the version it loaded and
the save service checks it (:func:`check_version`); two saves racing past that check at
the same moment are caught by the UPDATE itself (SQLAlchemy's ``StaleDataError``, turned
into the same message by the ledger, :func:`conflict_after_stale`). Either way the clerk
gets one Chinese message naming who changed the record and when (from the audit trail),
and nothing of the second save is written — never a silent last-write-wins.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import LedgerError
from . import models as m

KIND_LABELS = {"projects": "项目", "investors": "客商", "events": "招商活动", "targets": "目标任务", "county_targets": "全县目标任务"}
EDITING = "zsdesk.editing"
"""session.info key: (table, record id, label) of the versioned record a save is writing."""


class RecordConflict(LedgerError):
    """A colleague changed (or deleted) the record since this editor loaded it."""


def last_change(session: Session, table: str, record_id: int) -> m.AuditEntry | None:
    """The newest change (update or delete) of a record in the audit trail; for a
    project, of its funds and follow-ups too (they raise its version)."""
    if table == "projects":
        from .audit import history

        entries = [e for e in history(session, table, record_id) if not (e.table_name == table and e.action == "insert")]
        return entries[-1] if entries else None
    return session.scalar(
        select(m.AuditEntry)
        .where(
            m.AuditEntry.table_name == table,
            m.AuditEntry.record_id == record_id,
            m.AuditEntry.action.in_(("update", "delete")),
        )
        .order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc())
        .limit(1)
    )


def _when(at: dt.datetime, today: dt.date) -> str:
    if at.date() == today:
        return f"{at:%H:%M}"
    if at.year == today.year:
        return f"{at.month}月{at.day}日 {at:%H:%M}"
    return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


def conflict_message(session: Session, table: str, record_id: int, label: str, *, today: dt.date | None = None) -> str:
    """项目“…”已被 王五 于 14:32 修改，您的修改没有保存。请关闭后重新打开再改。"""
    kind = KIND_LABELS.get(table, "记录")
    entry = last_change(session, table, record_id)
    gone = session.get(_MODELS[table], record_id) is None if table in _MODELS else False
    verb = "删除" if gone else "修改"
    if entry is None:
        who = "其他同事"
        head = f"{kind}“{label}”已被{who}{verb}"
    else:
        head = f"{kind}“{label}”已被 {entry.who or '其他同事'} 于 {_when(entry.at, today or dt.date.today())} {verb}"
    tail = "请关闭后重新打开再改。" if not gone else "如仍需要，请重新新建。"
    return f"{head}，您的修改没有保存。{tail}"


_MODELS = {"projects": m.Project, "investors": m.Investor, "events": m.Event, "targets": m.Target}


def editing(session: Session, table: str, record_id: int, label: str) -> None:
    """Note which versioned record this action writes (for a conflict found at flush)."""
    session.info[EDITING] = (table, record_id, label)


def check_version(session: Session, record, expected: int | None, table: str, label: str) -> None:
    """Refuse the save if ``record`` is no longer at the ``expected`` version the editor loaded."""
    editing(session, table, record.id, label)
    if expected is not None and record.version != expected:
        raise RecordConflict(conflict_message(session, table, record.id, label))


def conflict_after_stale(ledger, editing_info) -> RecordConflict:
    """The message for a StaleDataError raised by a flush (the transaction is rolled back)."""
    if not editing_info:
        return RecordConflict("这条记录已被其他同事修改，您的修改没有保存。请关闭后重新打开再改。")
    table, record_id, label = editing_info
    with ledger.read() as session:
        return RecordConflict(conflict_message(session, table, record_id, label))


def deleted_message(session: Session, table: str, record_id: int, label: str) -> str:
    return conflict_message(session, table, record_id, label)


# -- undo and redo ----------------------------------------------------------------------
# The window's undo writes a whole record back from a snapshot. It is a save too: refused
# if a colleague changed the record after the change being undone (or redone).

_KINDS = {"project": "projects", "investor": "investors", "event": "events"}


def record_version(session: Session, kind: str, key) -> int | None:
    """The stored version of the record an undo step is about (None: gone, or not versioned)."""
    table = _KINDS.get(kind)
    if table is None:
        return None
    record = session.get(_MODELS[table], key)
    return None if record is None else record.version


def check_undo(session: Session, kind: str, key, expected: int | None) -> None:
    """Refuse an undo or redo of ``kind``/``key`` unless the record is still as that step
    left it (version ``expected``; None: the step left it deleted)."""
    table = _KINDS.get(kind)
    if table is None:
        return
    record = session.get(_MODELS[table], key)
    current = None if record is None else record.version
    if current != expected:
        label = record.name if record is not None else ""
        raise RecordConflict(
            conflict_message(session, table, key, label).replace("请关闭后重新打开再改。", "这一步不能再撤销或重做。")
        )


# -- targets: one cell of the grid ---------------------------------------------------------

def check_target(session: Session, table: str, label: str, shown, stored) -> None:
    """Refuse a target typed over a cell that showed ``shown`` when a colleague has since
    stored ``stored`` there (set, changed or cleared): the message names who and when."""
    if shown == stored:
        return
    entry = session.scalar(
        select(m.AuditEntry)
        .where(m.AuditEntry.table_name == table, m.AuditEntry.record_label == label)
        .order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc())
        .limit(1)
    )
    kind = "目标任务"
    if entry is None:
        head = f"{kind}“{label}”已被其他同事修改"
    else:
        head = f"{kind}“{label}”已被 {entry.who or '其他同事'} 于 {_when(entry.at, dt.date.today())} 修改"
    raise RecordConflict(f"{head}，您的修改没有保存。表格已刷新，请看过现在的数值后再改。")
