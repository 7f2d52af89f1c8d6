"""Looking up units by name, as people type them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from .models import Unit


def list_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id)))


def unit_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every unit in the ledger's order: what a unit picker offers."""
    return [(row.id, row.name) for row in session.execute(select(Unit.id, Unit.name).order_by(Unit.sort_order, Unit.id))]


def unit_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Unit.id).order_by(Unit.sort_order, Unit.id)))


def ledger_counts(session: Session) -> dict[str, int]:
    """How many projects, investors and units the ledger holds (the window's status line)."""
    from sqlalchemy import func

    from .models import Investor, Project

    return {
        "projects": session.scalar(select(func.count(Project.id))) or 0,
        "investors": session.scalar(select(func.count(Investor.id))) or 0,
        "units": session.scalar(select(func.count(Unit.id))) or 0,
    }


def unit_names(session: Session) -> list[str]:
    return list(session.scalars(select(Unit.name).order_by(Unit.sort_order, Unit.id)))


def find_unit(session: Session, name: str) -> Unit:
    """The unit with this name; a Chinese InputError listing the known ones if none."""
    unit = session.scalar(select(Unit).where(Unit.name == name.strip()))
    if unit is None:
        known = "、".join(unit_names(session)) or "（无）"
        raise InputError(f"未知的单位“{name}”。本台账的单位有：{known}")
    return unit
