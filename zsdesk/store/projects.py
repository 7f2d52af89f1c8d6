"""Projects: the rows of the projects table, and the services that change projects.

The table is read with one query (funds and follow-ups aggregated in SQL), whatever the
size of the file. Services take the session of the user's action and do not commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from ..domain.enums import Stage
from ..domain.records import FollowUpData, ProjectData
from ..domain.validation import validate_project
from ..errors import InputError
from .codes import new_project_code
from .models import FollowUp, FundRecord, Investor, Project, Unit, Visit


class ProjectRow(NamedTuple):
    """One line of the projects table. Money in whole yuan (exact, cheap to sort).

    A named tuple: 50,000 of them are made in a few milliseconds, straight from the
    database rows (a frozen dataclass took ten times longer).
    """

    id: int
    code: str
    name: str
    unit: str
    investor: str
    industry: str
    stage: str
    planned_yuan: int
    funds_year_yuan: int
    zhejiang_return: bool
    mountain_sea: bool
    foreign_capital: bool
    carried_over: bool
    declared: bool
    liaison_leader: str
    responsible_unit: str
    last_follow_up: str | None
    """ISO date of the latest follow-up."""
    next_due: str | None
    """ISO date: the earliest due date of the follow-ups not yet done."""
    first_date: str | None
    """ISO date of the earliest stage reached (when the project entered the ledger)."""
    terminated_on: str | None


_ROWS_SQL = """
SELECT p.id, p.code, p.name, u.name, COALESCE(i.name, ''), p.industry, p.stage,
       p.planned_investment,
       CAST(COALESCE((SELECT SUM(f.amount) FROM fund_records AS f
                      WHERE f.project_id = p.id AND f.year = {year}), 0) AS BIGINT),
       p.zhejiang_return, p.mountain_sea, p.foreign_capital, p.carried_over, p.declared,
       p.liaison_leader, p.responsible_unit,
       CAST((SELECT MAX(fu.date) FROM follow_ups AS fu WHERE fu.project_id = p.id) AS TEXT),
       CAST((SELECT MIN(fu.due_on) FROM follow_ups AS fu WHERE fu.project_id = p.id AND NOT fu.done) AS TEXT),
       CAST(COALESCE(p.planned_on, p.negotiating_on, p.signed_on, p.landed_on,
                     p.construction_on, p.operation_on, {created_day}) AS TEXT),
       CAST(p.terminated_on AS TEXT)
FROM projects AS p
JOIN units AS u ON u.id = p.unit_id
LEFT JOIN investors AS i ON i.id = p.investor_id
{where}
ORDER BY p.id DESC
{limit}
"""
"""Newest first, so the first page is the rowid's tail: no sort of the whole table.
The aggregates are correlated subqueries on (project_id, ...) indexes, so a page of
rows costs a page of index lookups. Portable between SQLite and PostgreSQL: dates come
back as ISO text and sums as integers on both; only the day of ``created_at`` is
spelled per dialect (:func:`_rows_sql`)."""


def _rows_sql(session: Session, year: int, where: str, limit: str) -> str:
    postgres = session.get_bind().dialect.name == "postgresql"
    created_day = "CAST(p.created_at AS DATE)" if postgres else "date(p.created_at)"
    return _ROWS_SQL.format(year=int(year), created_day=created_day, where=where, limit=limit)


def project_rows(
    session: Session, year: int, ids: Sequence[int] | None = None, limit: int | None = None
) -> list[ProjectRow]:
    """Projects as table rows (newest first), with the funds arrived in ``year``.

    ``ids``: only these projects; ``limit``: only the newest ones (the first page).
    Read through the driver's own cursor: for 50,000 rows SQLAlchemy's row objects
    cost more than the query.
    """
    where = ""
    if ids is not None:
        where = f"WHERE p.id IN ({', '.join(str(int(i)) for i in ids) or 'NULL'})"
    clause = f"LIMIT {int(limit)}" if limit is not None else ""
    sql = _rows_sql(session, year, where, clause)
    cursor = session.connection().connection.driver_connection.execute(sql)
    try:
        return _compact(cursor, {})
    finally:
        cursor.close()


def iter_project_rows(session: Session, year: int, batch: int = 5000):
    """All rows in batches (for a loader that can stop between batches)."""
    sql = _rows_sql(session, year, "", "")
    cursor = session.connection().connection.driver_connection.execute(sql)
    shared: dict = {}
    try:
        while True:
            chunk = cursor.fetchmany(batch)
            if not chunk:
                return
            yield _compact(chunk, shared)
    finally:
        cursor.close()


def _compact(rows, shared: dict) -> list[ProjectRow]:
    """Rows whose equal values are one object.

    The driver makes a new object of every value of every row: 50,000 rows held twelve
    each, 40 MB, though a unit's name, a stage, a leader or a day repeats across
    thousands of rows. Mapped through ``shared`` (one dict for one load), each distinct
    text, day or amount is kept once; the code and the name, unique, are left alone.
    Equal values here are interchangeable (str, int, None: no Decimals).
    """
    same = shared.setdefault
    make = ProjectRow._make
    return [
        make((
            r[0], r[1], r[2], same(r[3], r[3]), same(r[4], r[4]), same(r[5], r[5]), same(r[6], r[6]),
            same(r[7], r[7]), same(r[8], r[8]), r[9], r[10], r[11], r[12], r[13],
            same(r[14], r[14]), same(r[15], r[15]), same(r[16], r[16]), same(r[17], r[17]),
            same(r[18], r[18]), same(r[19], r[19]),
        ))
        for r in rows
    ]


def project_ids_of_investors(session: Session, investor_ids) -> list[int]:
    ids = [int(i) for i in investor_ids]
    if not ids:
        return []
    return list(session.scalars(select(Project.id).where(Project.investor_id.in_(ids))))


def project_count(session: Session) -> int:
    return session.scalar(text("SELECT COUNT(*) FROM projects")) or 0


def project_years(session: Session) -> list[int]:
    """The years from the first to the last funds recorded, and this year, newest first.

    From the bounds of the (year, month) index: two lookups, not a pass over every
    monthly record or project (the window asks this when it opens).
    """
    # Two statements: SQLite answers a lone MIN or MAX from the index's ends, but
    # scans the whole index for both in one SELECT.
    low = session.scalar(text("SELECT MIN(year) FROM fund_records"))
    high = session.scalar(text("SELECT MAX(year) FROM fund_records"))
    years = {dt.date.today().year}
    if low is not None:
        years.update(range(int(low), int(high) + 1))
    return sorted(years, reverse=True)


# -- services ------------------------------------------------------------------------
# Each takes the session of one user action (AppContext.write / Ledger.begin) and uses
# plain ORM code, so the session hooks a ledger installs (audit trail, locked months)
# see every change.

TOUCHED = "zsdesk.touched"
"""session.info key: {'projects': set(ids), ...} — what a write changed, for quick refreshes."""

_PROJECT_FIELDS = (
    "name", "unit_id", "industry", "stage", "zhejiang_return", "mountain_sea", "foreign_capital",
    "carried_over", "declared", "declared_on", "declared_amount", "retained_amount",
    "planned_investment", "registered_capital", "liaison_leader", "responsible_unit",
    "cooperating_departments", "person_in_charge", "site", "land_status", "progress_note",
    "problems", "notes",
)


def project_values(data: ProjectData) -> dict[str, object]:
    """The project's columns as stored from the editor's (or an import's) data: text
    trimmed, the stage by its value, no planned investment as 0."""
    values: dict[str, object] = {}
    for name in _PROJECT_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        if name == "stage":
            value = Stage(value).value
        if name == "planned_investment" and value is None:
            value = Decimal(0)
        values[name] = value
    return values


def touch(session: Session, kind: str, record_id: int) -> None:
    session.info.setdefault(TOUCHED, {}).setdefault(kind, set()).add(record_id)


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise InputError("这个项目已不存在（可能已被删除）")
    return project


def unit_name_of_project(session: Session, project_id: int) -> str | None:
    """The name of the unit a project belongs to; None if the project is gone."""
    return session.scalar(select(Unit.name).join(Project, Project.unit_id == Unit.id).where(Project.id == project_id))


def project_data(session: Session, project_id: int) -> ProjectData:
    """The stored project as the editor's data, funds and follow-ups included."""
    project = get_project(session, project_id)
    data = ProjectData(
        name=project.name,
        unit_id=project.unit_id,
        stage=Stage(project.stage),
        dates={s: project.stage_date(s) for s in Stage},
        investor_id=project.investor_id,
        **{f: getattr(project, f) for f in _PROJECT_FIELDS if f not in ("name", "unit_id", "stage")},
    )
    data.version = project.version
    data.funds = {(r.year, r.month): r.amount for r in project.funds}
    data.follow_ups = [
        FollowUpData(f.date, f.who, f.action, f.next_step, f.due_on, f.done, id=f.id) for f in project.follow_ups
    ]
    return data


def duplicate_projects(session: Session, name: str, unit_id: int, exclude_id: int | None = None) -> list[str]:
    """Codes of other projects of the same unit with the same name (spaces ignored)."""
    query = select(Project.code).where(
        Project.unit_id == unit_id, func.trim(Project.name) == name.strip()
    )
    if exclude_id is not None:
        query = query.where(Project.id != exclude_id)
    return list(session.scalars(query))


def _investor_for(session: Session, data: ProjectData) -> int | None:
    if data.new_investor_name:
        name = data.new_investor_name.strip()
        existing = session.scalar(select(Investor.id).where(Investor.name == name))
        if existing is not None:
            return existing
        investor = Investor(name=name, industry=data.industry, unit_id=data.unit_id)
        session.add(investor)
        session.flush()
        touch(session, "investors", investor.id)
        return investor.id
    return data.investor_id


def save_project(session: Session, project_id: int | None, data: ProjectData, today: dt.date) -> Project:
    """Create (``project_id`` None) or update a project from the editor's data."""
    validate_project(data, today)
    if session.get(Unit, data.unit_id) is None:
        raise InputError("所选单位不存在")
    if project_id is None:
        project = Project(code=new_project_code())
        session.add(project)
        before = None
    else:
        project = _project_to_change(session, project_id, data.name, data.version)
        before = project.version
    for name, value in project_values(data).items():
        if getattr(project, name) != value:
            setattr(project, name, value)
    project.investor_id = _investor_for(session, data)
    for stage in Stage:
        day = data.dates.get(stage)
        if getattr(project, stage.date_field) != day:
            setattr(project, stage.date_field, day)
    session.flush()
    children = False
    if data.funds is not None:
        children |= _sync_funds(session, project, data.funds)
    if data.follow_ups is not None:
        children |= _sync_follow_ups(session, project, data.follow_ups)
    if before is not None and children and project.version == before:
        # Only its funds or follow-ups changed: the project's version still moves on, so a
        # colleague's editor open on the old funds cannot save over them.
        project.version = before + 1
    session.flush()
    touch(session, "projects", project.id)
    return project


def _project_to_change(session: Session, project_id: int, label: str, version: int | None) -> Project:
    """The stored project, refused (RecordConflict, naming who and when) if it was changed
    or deleted since the editor loaded ``version``."""
    from .versions import RecordConflict, check_version, conflict_message

    project = session.get(Project, project_id)
    if project is None:
        if version is not None:
            raise RecordConflict(conflict_message(session, "projects", project_id, label.strip()))
        raise InputError("这个项目已不存在（可能已被删除）")
    check_version(session, project, version, "projects", project.name)
    return project


def _sync_funds(session: Session, project: Project, funds: dict[tuple[int, int], Decimal]) -> bool:
    """Make the stored monthly funds equal ``funds``, touching only the months that change.
    True if any month changed."""
    wanted = {key: value for key, value in funds.items() if value}
    existing = {(r.year, r.month): r for r in project.funds}
    changed = False
    for key, record in existing.items():
        if key not in wanted:
            session.delete(record)
            changed = True
        elif record.amount != wanted[key]:
            record.amount = wanted[key]
            changed = True
    for (year, month), value in sorted(wanted.items()):
        if (year, month) not in existing:
            session.add(FundRecord(project_id=project.id, year=year, month=month, amount=value))
            changed = True
    session.flush()
    session.expire(project, ["funds"])
    return changed


def set_funds(session: Session, project_id: int, year: int, month: int, value: Decimal | None, today: dt.date) -> None:
    """One month's funds arrived for one project (None or 0 removes the month's record)."""
    from ..domain.validation import fund_amount

    project = get_project(session, project_id)
    funds = {(r.year, r.month): r.amount for r in project.funds}
    funds[(year, month)] = fund_amount(year, month, value, today) if value is not None else None
    _sync_funds(session, project, funds)
    touch(session, "projects", project_id)


def _sync_follow_ups(session: Session, project: Project, entries: list[FollowUpData]) -> bool:
    """Make the stored follow-up log equal ``entries``; True if anything changed."""
    existing = {f.id: f for f in project.follow_ups}
    kept = {e.id for e in entries if e.id is not None}
    changed = False
    for entry_id, record in existing.items():
        if entry_id not in kept:
            session.delete(record)
            changed = True
    for entry in entries:
        values = {
            "date": entry.date,
            "who": entry.who.strip(),
            "action": entry.action.strip(),
            "next_step": entry.next_step.strip(),
            "due_on": entry.due_on,
            "done": bool(entry.done),
        }
        record = existing.get(entry.id) if entry.id is not None else None
        if record is None:
            session.add(FollowUp(project_id=project.id, **values))
            changed = True
        else:
            for name, value in values.items():
                if getattr(record, name) != value:
                    setattr(record, name, value)
                    changed = True
    session.flush()
    session.expire(project, ["follow_ups"])
    return changed


def delete_project(session: Session, project_id: int, version: int | None = None) -> None:
    """Delete a project (with its funds and follow-ups); with ``version``, refused if a
    colleague changed it since the editor loaded that version."""
    if version is None:
        project = get_project(session, project_id)
    else:
        project = _project_to_change(session, project_id, "", version)
    session.delete(project)
    session.flush()
    touch(session, "projects", project_id)


# -- snapshots for undo --------------------------------------------------------------

def _columns(obj) -> dict:
    # Not the version (store/versions.py): a record put back by undo is a change, and its
    # version moves on from where it is.
    return {attr.key: getattr(obj, attr.key) for attr in sa_inspect(type(obj)).column_attrs if attr.key != "version"}


def snapshot_project(session: Session, project_id: int) -> dict | None:
    """Everything of a project (row, funds, follow-ups, linked visits), to restore later."""
    project = session.get(Project, project_id)
    if project is None:
        return None
    return {
        "project": _columns(project),
        "funds": [_columns(r) for r in project.funds],
        "follow_ups": [_columns(f) for f in project.follow_ups],
        "visit_ids": list(session.scalars(select(Visit.id).where(Visit.project_id == project_id))),
    }


def restore_project(session: Session, project_id: int, snapshot: dict | None) -> None:
    """Put a project back as it was in ``snapshot`` (None: it did not exist)."""
    project = session.get(Project, project_id)
    if snapshot is None:
        if project is not None:
            session.delete(project)
            session.flush()
        touch(session, "projects", project_id)
        return
    row = dict(snapshot["project"])
    if row.get("investor_id") is not None and session.get(Investor, row["investor_id"]) is None:
        row["investor_id"] = None  # the investor was deleted since
    if project is None:
        # Back with the ids it had (a server's sequences never hand out an id twice, so
        # the ids are taken from the snapshot rather than made again).
        project = Project(**row)
        session.add(project)
        session.flush()
        session.add_all(FundRecord(**values) for values in snapshot["funds"])
    else:
        for name, value in row.items():
            if getattr(project, name) != value:
                setattr(project, name, value)
        session.flush()
        funds = {(r["year"], r["month"]): r["amount"] for r in snapshot["funds"]}
        _sync_funds(session, project, funds)
    existing = {f.id: f for f in session.scalars(select(FollowUp).where(FollowUp.project_id == project_id))}
    wanted = {f["id"]: f for f in snapshot["follow_ups"]}
    for entry_id, record in existing.items():
        if entry_id not in wanted:
            session.delete(record)
    session.flush()
    for entry_id, values in wanted.items():
        record = existing.get(entry_id)
        if record is None:
            session.add(FollowUp(**values))
        else:
            for name, value in values.items():
                if getattr(record, name) != value:
                    setattr(record, name, value)
    for visit in session.scalars(select(Visit).where(Visit.id.in_(snapshot["visit_ids"]))):
        visit.project_id = project_id
    session.flush()
    session.expire(project)
    touch(session, "projects", project_id)
