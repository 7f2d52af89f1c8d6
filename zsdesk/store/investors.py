"""Investors (客商), their contacts and visits; promotion events. Rows and services.

Services take the session of one user action and use plain ORM code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from typing import NamedTuple

from sqlalchemy import select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from ..domain.enums import EventKind, InvestorType
from ..domain.records import ContactData, EventData, InvestorData, VisitData
from ..domain.validation import validate_event, validate_investor
from ..errors import InputError
from .models import Contact, Event, Investor, Project, Visit
from .projects import touch


class InvestorRow(NamedTuple):
    id: int
    name: str
    kind: str
    home_region: str
    industry: str
    unit: str
    contacts: str
    """'name title phone; …' of every contact."""
    visits: int
    batches: int
    headcount: int
    last_visit: str | None
    projects: int


_ROWS_SQL = """
SELECT i.id, i.name, i.kind, i.home_region, i.industry, COALESCE(u.name, ''),
       COALESCE(c.contacts, ''), COALESCE(v.visits, 0), COALESCE(v.batches, 0),
       COALESCE(v.headcount, 0), v.last_visit, COALESCE(p.projects, 0)
FROM investors AS i
LEFT JOIN units AS u ON u.id = i.unit_id
LEFT JOIN (SELECT investor_id, {concat} AS contacts
           FROM (SELECT investor_id, id, name, phone FROM contacts {only} ORDER BY investor_id, id) AS cc
           GROUP BY investor_id) AS c ON c.investor_id = i.id
LEFT JOIN (SELECT investor_id, COUNT(*) AS visits, CAST(SUM(batches) AS BIGINT) AS batches,
                  CAST(SUM(headcount) AS BIGINT) AS headcount, CAST(MAX(date) AS TEXT) AS last_visit
           FROM visits {only} GROUP BY investor_id) AS v ON v.investor_id = i.id
LEFT JOIN (SELECT investor_id, COUNT(*) AS projects FROM projects {only}
           GROUP BY investor_id) AS p ON p.investor_id = i.id
{where}
ORDER BY i.id DESC
"""
"""Each child table aggregated once (GROUP BY), not once per investor. The contacts are
joined in id order by each dialect's own aggregate (:data:`_CONCAT`)."""

_CONTACT = "name || CASE WHEN phone <> '' THEN ' ' || phone ELSE '' END"
_CONCAT = {
    "sqlite": f"group_concat({_CONTACT}, '；')",  # in the subquery's (investor_id, id) order
    "postgresql": f"string_agg({_CONTACT}, '；' ORDER BY id)",
}


def investor_rows(session: Session, ids: Sequence[int] | None = None) -> list[InvestorRow]:
    where = only = ""
    if ids is not None:
        id_list = ", ".join(str(int(i)) for i in ids) or "NULL"
        where = f"WHERE i.id IN ({id_list})"
        only = f"WHERE investor_id IN ({id_list})"
    concat = _CONCAT[session.get_bind().dialect.name]
    sql = _ROWS_SQL.format(where=where, only=only, concat=concat)
    cursor = session.connection().connection.driver_connection.execute(sql)
    try:
        return list(map(InvestorRow._make, cursor))
    finally:
        cursor.close()


def home_regions(session: Session, names) -> dict[int, str]:
    """id → home region of the investors with these names (to tell same-named ones apart)."""
    names = list(names)
    if not names:
        return {}
    return dict(session.execute(select(Investor.id, Investor.home_region).where(Investor.name.in_(names))).all())


def projects_of_investor(session: Session, investor_id: int, also=()) -> list[tuple[int, str, str]]:
    """(id, name, code) of the investor's projects and of the projects ``also`` names
    (those its visits link to), by id."""
    rows = session.execute(
        select(Project.id, Project.name, Project.code)
        .where((Project.investor_id == investor_id) | Project.id.in_(list(also)))
        .order_by(Project.id)
    )
    return [tuple(row) for row in rows]


def investor_names(session: Session) -> list[tuple[int, str]]:
    return list(session.execute(select(Investor.id, Investor.name).order_by(Investor.name)).all())


def find_investor_by_name(session: Session, name: str) -> int | None:
    return session.scalar(select(Investor.id).where(Investor.name == name.strip()).limit(1))


def get_investor(session: Session, investor_id: int) -> Investor:
    investor = session.get(Investor, investor_id)
    if investor is None:
        raise InputError("这个客商已不存在（可能已被删除）")
    return investor


_INVESTOR_FIELDS = (
    "name", "home_region", "industry", "chamber", "unit_id", "registered_on",
    "film_production", "notable", "notes",
)


def investor_data(session: Session, investor_id: int) -> InvestorData:
    investor = get_investor(session, investor_id)
    data = InvestorData(
        kind=InvestorType(investor.kind) if investor.kind in InvestorType._value2member_map_ else InvestorType.PRIVATE,
        **{f: getattr(investor, f) for f in _INVESTOR_FIELDS},
    )
    data.version = investor.version
    data.contacts = [ContactData(c.name, c.title, c.phone, id=c.id) for c in investor.contacts]
    visits = session.scalars(select(Visit).where(Visit.investor_id == investor_id).order_by(Visit.date, Visit.id))
    data.visits = [
        VisitData(v.date, v.batches, v.headcount, v.receiving_leader, v.seen, v.outcome, v.project_id, v.unit_id, id=v.id)
        for v in visits
    ]
    return data


def duplicate_investors(session: Session, name: str, exclude_id: int | None = None) -> list[int]:
    query = select(Investor.id).where(Investor.name == name.strip())
    if exclude_id is not None:
        query = query.where(Investor.id != exclude_id)
    return list(session.scalars(query))


def save_investor(session: Session, investor_id: int | None, data: InvestorData, today: dt.date) -> Investor:
    validate_investor(data, today)
    if investor_id is None:
        investor = Investor(name=data.name.strip())
        session.add(investor)
    else:
        investor = session.get(Investor, investor_id)
        if investor is None and data.version is not None:
            from .versions import RecordConflict, conflict_message

            raise RecordConflict(conflict_message(session, "investors", investor_id, data.name.strip()))
        investor = get_investor(session, investor_id)
        from .versions import check_version

        check_version(session, investor, data.version, "investors", investor.name)
    for name in _INVESTOR_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        if getattr(investor, name) != value:
            setattr(investor, name, value)
    if investor.kind != data.kind.value:
        investor.kind = data.kind.value
    session.flush()
    if data.contacts is not None:
        _sync_children(
            session,
            Contact,
            {c.id: c for c in session.scalars(select(Contact).where(Contact.investor_id == investor.id))},
            [
                (c.id, {"investor_id": investor.id, "name": c.name.strip(), "title": c.title.strip(), "phone": c.phone.strip()})
                for c in data.contacts
            ],
        )
        session.expire(investor, ["contacts"])
    if data.visits is not None:
        _sync_children(
            session,
            Visit,
            {v.id: v for v in session.scalars(select(Visit).where(Visit.investor_id == investor.id))},
            [(v.id, _visit_values(investor, v)) for v in data.visits],
        )
        session.expire(investor, ["visits"])
    session.flush()
    touch(session, "investors", investor.id)
    return investor


def _visit_values(investor: Investor, visit: VisitData) -> dict:
    return {
        "investor_id": investor.id,
        "date": visit.date,
        "batches": visit.batches,
        "headcount": visit.headcount,
        "receiving_leader": visit.receiving_leader.strip(),
        "seen": visit.seen.strip(),
        "outcome": visit.outcome.strip(),
        "project_id": visit.project_id,
        "unit_id": visit.unit_id if visit.unit_id is not None else investor.unit_id,
    }


def _sync_children(session: Session, model, existing: dict, wanted: list[tuple[int | None, dict]]) -> None:
    """Rows of ``model`` become ``wanted`` (id or None, values); only changes are written."""
    kept = {record_id for record_id, _ in wanted if record_id is not None}
    for record_id, record in existing.items():
        if record_id not in kept:
            session.delete(record)
    for record_id, values in wanted:
        record = existing.get(record_id) if record_id is not None else None
        if record is None:
            session.add(model(**values))
        else:
            for name, value in values.items():
                if getattr(record, name) != value:
                    setattr(record, name, value)
    session.flush()


def delete_investor(session: Session, investor_id: int) -> None:
    """Delete an investor; its projects and visits stay, without the investor."""
    investor = get_investor(session, investor_id)
    for project in session.scalars(select(Project).where(Project.investor_id == investor_id)):
        project.investor_id = None
        touch(session, "projects", project.id)
    for visit in session.scalars(select(Visit).where(Visit.investor_id == investor_id)):
        visit.investor_id = None
    session.delete(investor)
    session.flush()
    touch(session, "investors", investor_id)


def _columns(obj) -> dict:
    # Not the version (store/versions.py): a record put back by undo is a change, and its
    # version moves on from where it is.
    return {attr.key: getattr(obj, attr.key) for attr in sa_inspect(type(obj)).column_attrs if attr.key != "version"}


def snapshot_investor(session: Session, investor_id: int) -> dict | None:
    investor = session.get(Investor, investor_id)
    if investor is None:
        return None
    return {
        "investor": _columns(investor),
        "contacts": [_columns(c) for c in investor.contacts],
        "visits": [_columns(v) for v in session.scalars(select(Visit).where(Visit.investor_id == investor_id))],
        "project_ids": list(session.scalars(select(Project.id).where(Project.investor_id == investor_id))),
    }


def restore_investor(session: Session, investor_id: int, snapshot: dict | None) -> None:
    investor = session.get(Investor, investor_id)
    if snapshot is None:
        if investor is not None:
            delete_investor(session, investor_id)
        touch(session, "investors", investor_id)
        return
    if investor is None:
        investor = Investor(**snapshot["investor"])
        session.add(investor)
    else:
        for name, value in snapshot["investor"].items():
            if getattr(investor, name) != value:
                setattr(investor, name, value)
    session.flush()
    _sync_children(
        session,
        Contact,
        {c.id: c for c in session.scalars(select(Contact).where(Contact.investor_id == investor_id))},
        [(c["id"], c) for c in snapshot["contacts"]],
    )
    # Visits outlive their investor (investor_id NULL): take back those that were ours.
    wanted_visits = {v["id"]: v for v in snapshot["visits"]}
    current = {v.id: v for v in session.scalars(select(Visit).where(Visit.investor_id == investor_id))}
    current.update({v.id: v for v in session.scalars(select(Visit).where(Visit.id.in_(list(wanted_visits))))})
    _sync_children(
        session,
        Visit,
        current,
        [(visit_id, values) for visit_id, values in wanted_visits.items()],
    )
    for project in session.scalars(select(Project).where(Project.id.in_(snapshot["project_ids"]))):
        project.investor_id = investor_id
        touch(session, "projects", project.id)
    session.flush()
    session.expire(investor)
    touch(session, "investors", investor_id)


# -- promotion events ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    date: str
    kind: str
    name: str
    unit: str
    place: str
    firms: int
    representatives: int
    intention_projects: int


def event_rows(session: Session) -> list[EventRow]:
    rows = session.execute(
        text(
            "SELECT e.id, e.date, e.kind, e.name, COALESCE(u.name, ''), e.place, e.firms, "
            "e.representatives, e.intention_projects FROM events AS e "
            "LEFT JOIN units AS u ON u.id = e.unit_id ORDER BY e.date DESC, e.id DESC"
        )
    )
    return [EventRow(*row) for row in rows]


_EVENT_FIELDS = ("name", "date", "unit_id", "place", "firms", "representatives", "intention_projects", "notes")


def event_data(session: Session, event_id: int) -> EventData:
    event = session.get(Event, event_id)
    if event is None:
        raise InputError("这个招商活动已不存在（可能已被删除）")
    return EventData(kind=EventKind(event.kind), version=event.version, **{f: getattr(event, f) for f in _EVENT_FIELDS})


def save_event(session: Session, event_id: int | None, data: EventData, today: dt.date) -> Event:
    validate_event(data, today)
    if event_id is None:
        event = Event(kind=data.kind.value, name=data.name.strip(), date=data.date)
        session.add(event)
    else:
        event = session.get(Event, event_id)
        from .versions import RecordConflict, check_version, conflict_message

        if event is None:
            if data.version is not None:
                raise RecordConflict(conflict_message(session, "events", event_id, data.name.strip()))
            raise InputError("这个招商活动已不存在（可能已被删除）")
        check_version(session, event, data.version, "events", event.name)
    for name in _EVENT_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip()
        if getattr(event, name) != value:
            setattr(event, name, value)
    if event.kind != data.kind.value:
        event.kind = data.kind.value
    session.flush()
    touch(session, "events", event.id)
    return event


def delete_event(session: Session, event_id: int) -> None:
    event = session.get(Event, event_id)
    if event is not None:
        session.delete(event)
        session.flush()
    touch(session, "events", event_id)


def snapshot_event(session: Session, event_id: int) -> dict | None:
    event = session.get(Event, event_id)
    return None if event is None else _columns(event)


def restore_event(session: Session, event_id: int, snapshot: dict | None) -> None:
    event = session.get(Event, event_id)
    if snapshot is None:
        delete_event(session, event_id)
        return
    if event is None:
        session.add(Event(**snapshot))
    else:
        for name, value in snapshot.items():
            if getattr(event, name) != value:
                setattr(event, name, value)
    session.flush()
    touch(session, "events", event_id)
