"""Making new ledger files: empty, or started from another file (a new year, a starter file)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from ..domain.enums import UnitKind
from ..errors import InputError, LedgerError
from . import settings as keys
from .db import Ledger, open_ledger
from .models import CountyTarget, Setting, Target, Unit


def guess_unit_kind(name: str) -> UnitKind:
    """A unit's kind from its name, as Chinese place names make it plain."""
    if name.endswith("街道"):
        return UnitKind.SUBDISTRICT
    if name.endswith(("镇", "乡")):
        return UnitKind.TOWNSHIP
    if name.endswith(("局", "委", "办", "部")):
        return UnitKind.DEPARTMENT
    return UnitKind.ZONE


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise LedgerError(f"文件已存在，不会覆盖：{path}")


def create_ledger(
    path: str | os.PathLike,
    county: str,
    units: Sequence[str | tuple[str, UnitKind]],
    *,
    own_unit: str | None = None,
) -> Ledger:
    """A new, empty ledger with its county and units."""
    path = Path(path)
    county = county.strip()
    if not county:
        raise InputError("县名不能为空")
    pairs = [(u, guess_unit_kind(u)) if isinstance(u, str) else u for u in units]
    pairs = [(name.strip(), kind) for name, kind in pairs if name.strip()]
    if not pairs:
        raise InputError("至少需要一个单位")
    names = [name for name, _ in pairs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"单位名称重复：{'、'.join(duplicates)}")
    if own_unit is not None and own_unit not in names:
        raise InputError(f"本单位“{own_unit}”不在单位列表中")
    _refuse_existing(path)
    ledger = open_ledger(path, create=True)
    with ledger.begin() as session:
        session.add(Setting(key=keys.COUNTY_NAME, value=county))
        if own_unit:
            session.add(Setting(key=keys.OWN_UNIT, value=own_unit))
        for order, (name, kind) in enumerate(pairs):
            session.add(Unit(name=name, kind=kind.value, sort_order=order))
    return ledger


COPIED_SETTINGS = (keys.COUNTY_NAME, keys.MAJOR_THRESHOLD, keys.REVIEWER, keys.PHONE)


def create_from(path: str | os.PathLike, other: str | os.PathLike, *, own_unit: str | None = None) -> Ledger:
    """A new ledger with another file's county, units and targets, and no projects."""
    path = Path(path)
    source = open_ledger(other, readonly=True)
    try:
        with source.read() as session:
            settings = {
                k: v
                for k, v in session.execute(select(Setting.key, Setting.value))
                if k in COPIED_SETTINGS
            }
            units = [(u.name, UnitKind(u.kind)) for u in session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id))]
            targets = [
                (name, t.year, t.indicator, t.value)
                for t, name in session.execute(select(Target, Unit.name).join(Unit, Target.unit_id == Unit.id))
            ]
            county_targets = [(t.year, t.indicator, t.value) for t in session.scalars(select(CountyTarget))]
    finally:
        source.close()
    ledger = create_ledger(path, settings.get(keys.COUNTY_NAME, "本县"), units, own_unit=own_unit)
    with ledger.begin() as session:
        for key, value in settings.items():
            keys.set_setting(session, key, value)
        ids = dict(session.execute(select(Unit.name, Unit.id)).all())
        session.add_all(Target(unit_id=ids[name], year=y, indicator=i, value=v) for name, y, i, v in targets)
        session.add_all(CountyTarget(year=y, indicator=i, value=v) for y, i, v in county_targets)
    return ledger
