"""What a form hands to the store: typed, plain values (no Qt, no SQL).

A form turns what was typed into these (refusing unreadable text field by field); the
rules across fields live in :mod:`zsdesk.domain.validation`; the store writes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .enums import EventKind, InvestorType, Stage


@dataclass
class FollowUpData:
    date: dt.date | None
    who: str = ""
    action: str = ""
    next_step: str = ""
    due_on: dt.date | None = None
    done: bool = False
    id: int | None = None
    """The stored entry this edits; None for a new entry."""


@dataclass
class ProjectData:
    name: str
    unit_id: int | None
    stage: Stage = Stage.PLANNED
    dates: dict[Stage, dt.date | None] = field(default_factory=dict)
    investor_id: int | None = None
    new_investor_name: str | None = None
    """An investor typed that is not in the register yet: created with the project."""
    industry: str = ""
    planned_investment: Decimal | None = Decimal(0)
    registered_capital: Decimal | None = None
    zhejiang_return: bool = False
    mountain_sea: bool = False
    foreign_capital: bool = False
    carried_over: bool = False
    declared: bool = False
    declared_on: dt.date | None = None
    declared_amount: Decimal | None = None
    retained_amount: Decimal | None = None
    liaison_leader: str = ""
    responsible_unit: str = ""
    cooperating_departments: str = ""
    person_in_charge: str = ""
    site: str = ""
    land_status: str = ""
    progress_note: str = ""
    problems: str = ""
    notes: str = ""
    funds: dict[tuple[int, int], Decimal] | None = None
    """(year, month) → funds arrived, 万元, for every month with funds; None leaves funds as they are."""
    follow_ups: list[FollowUpData] | None = None
    """The whole follow-up log; None leaves it as it is."""
    version: int | None = None
    """The stored project's version when the editor loaded it: saving is refused if a
    colleague changed the project since (None: not checked, e.g. a new project)."""


@dataclass
class ContactData:
    name: str
    title: str = ""
    phone: str = ""
    id: int | None = None


@dataclass
class VisitData:
    date: dt.date | None
    batches: int | None = 1
    headcount: int | None = 1
    receiving_leader: str = ""
    seen: str = ""
    outcome: str = ""
    project_id: int | None = None
    unit_id: int | None = None
    id: int | None = None


@dataclass
class InvestorData:
    name: str
    kind: InvestorType = InvestorType.PRIVATE
    home_region: str = ""
    industry: str = ""
    chamber: str = ""
    unit_id: int | None = None
    registered_on: dt.date | None = None
    film_production: bool = False
    notable: bool = False
    notes: str = ""
    contacts: list[ContactData] | None = None
    visits: list[VisitData] | None = None
    version: int | None = None
    """The stored investor's version when loaded (see ProjectData.version)."""


@dataclass
class EventData:
    name: str
    kind: EventKind
    date: dt.date | None
    unit_id: int | None = None
    place: str = ""
    firms: int | None = 0
    representatives: int | None = 0
    intention_projects: int | None = 0
    notes: str = ""
    version: int | None = None
    """The stored event's version when loaded (see ProjectData.version)."""
