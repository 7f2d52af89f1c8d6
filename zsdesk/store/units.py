"""Looking up units by name, as people type them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InputError
from .models import Unit


def list_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id)))


def unit_names(session: Session) -> list[str]:
    return list(session.scalars(select(Unit.name).order_by(Unit.sort_order, Unit.id)))


def find_unit(session: Session, name: str) -> Unit:
    """The unit with this name; a Chinese InputError listing the known ones if none."""
    unit = session.scalar(select(Unit).where(Unit.name == name.strip()))
    if unit is None:
        known = "、".join(unit_names(session)) or "（无）"
        raise InputError(f"未知的单位“{name}”。本台账的单位有：{known}")
    return unit
