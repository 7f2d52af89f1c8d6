"""Making new ledger files: empty, or started from another file (a new year, a starter file)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from ..domain.enums import UnitKind
from ..errors import InputError, LedgerError
from . import settings as keys
from .db import Ledger, open_ledger
from .models import CountyTarget, FollowUp, FundRecord, Investor, Project, Setting, Target, Unit


def guess_unit_kind(name: str) -> UnitKind:
    """A unit's kind from its name, as Chinese place names make it plain."""
    if name.endswith("街道"):
        return UnitKind.SUBDISTRICT
    if name.endswith(("镇", "乡")):
        return UnitKind.TOWNSHIP
    if name.endswith(("局", "委", "办", "部")):
        return UnitKind.DEPARTMENT
    return UnitKind.ZONE


def _refuse_existing(path) -> None:
    from .server import display_url, is_url, server_engine, stored_revision

    if is_url(path):
        engine = server_engine(str(path))
        try:
            if stored_revision(engine, str(path)) is not None:
                raise LedgerError(f"服务器上的这个数据库已有台账，不会覆盖：{display_url(str(path))}")
        finally:
            engine.dispose()
        return
    if path.exists():
        raise LedgerError(f"文件已存在，不会覆盖：{path}")


def create_ledger(
    path: str | os.PathLike,
    county: str,
    units: Sequence[str | tuple[str, UnitKind]],
    *,
    own_unit: str | None = None,
) -> Ledger:
    """A new, empty ledger with its county and units (a file, or an empty server database)."""
    from .server import is_url

    path = str(path) if is_url(path) else Path(path)
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
    from .server import is_url

    path = str(path) if is_url(path) else Path(path)
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


def starter_file_name(unit: str, year: int) -> str:
    """尚湖镇-2026年起始台账.sqlite"""
    return f"{unit}-{year}年起始台账.sqlite"


def _columns(model, exclude=("id",)) -> list[str]:
    return [c.key for c in model.__table__.columns if c.key not in exclude]


def create_starter(
    path: str | os.PathLike, county_file: str | os.PathLike, unit: str, *, now: dt.datetime | None = None
) -> Ledger:
    """A township's starter file (起始台账) from the county's file: the county, the units,
    the targets, the county's settings, and the unit's projects the county already holds
    (with their codes, investors, monthly funds and follow-ups), marked as the unit's own
    file, with where its targets came from."""
    now = (now or dt.datetime.now()).replace(microsecond=0)
    source = open_ledger(county_file, readonly=True)
    try:
        with source.read() as session:
            unit_row = session.scalar(select(Unit).where(Unit.name == unit))
            if unit_row is None:
                known = "、".join(session.scalars(select(Unit.name).order_by(Unit.sort_order, Unit.id)))
                raise InputError(f"县里的台账中没有单位“{unit}”（有：{known or '无'}）")
            project_fields = _columns(Project)
            projects = [
                {k: getattr(p, k) for k in ("id", *project_fields)}
                for p in session.scalars(select(Project).where(Project.unit_id == unit_row.id).order_by(Project.id))
            ]
            ids = [p["id"] for p in projects]
            investor_ids = {p["investor_id"] for p in projects if p["investor_id"]}
            investor_ids |= set(session.scalars(select(Investor.id).where(Investor.unit_id == unit_row.id)))
            investor_fields = _columns(Investor)
            investors = [
                ({k: getattr(i, k) for k in investor_fields}, i.id, [(c.name, c.title, c.phone) for c in i.contacts])
                for i in session.scalars(select(Investor).where(Investor.id.in_(investor_ids)).order_by(Investor.id))
            ]
            funds = [
                (f.project_id, f.year, f.month, f.amount)
                for f in session.scalars(select(FundRecord).where(FundRecord.project_id.in_(ids)))
            ] if ids else []
            follow_fields = _columns(FollowUp)
            follow_ups = [
                {k: getattr(f, k) for k in follow_fields}
                for f in session.scalars(select(FollowUp).where(FollowUp.project_id.in_(ids)))
            ] if ids else []
            unit_names = dict(session.execute(select(Unit.id, Unit.name)).all())
    finally:
        source.close()
    ledger = create_from(path, county_file, own_unit=unit)
    try:
        with ledger.begin() as session:
            new_units = dict(session.execute(select(Unit.name, Unit.id)).all())

            def unit_id(old):
                return new_units.get(unit_names.get(old)) if old is not None else None

            investor_map = {}
            for values, old_id, contacts in investors:
                from .models import Contact

                investor = Investor(**{**values, "unit_id": unit_id(values["unit_id"])})
                investor.contacts = [Contact(name=n, title=t, phone=ph) for n, t, ph in contacts]
                session.add(investor)
                session.flush()
                investor_map[old_id] = investor.id
            project_map = {}
            for values in projects:
                old_id = values.pop("id")
                values["unit_id"] = unit_id(values["unit_id"])
                values["investor_id"] = investor_map.get(values["investor_id"])
                project = Project(**values)
                session.add(project)
                session.flush()
                project_map[old_id] = project.id
            session.add_all(
                FundRecord(project_id=project_map[p], year=y, month=m, amount=a) for p, y, m, a in funds
            )
            session.add_all(
                FollowUp(**{**f, "project_id": project_map[f["project_id"]]}) for f in follow_ups
            )
            # The county's 审核人 and telephone are not the township's: asked when the file is first used.
            for key in (keys.REVIEWER, keys.PHONE):
                keys.set_setting(session, key, "")
            keys.set_setting(session, keys.TARGETS_FROM, f"{Path(county_file).name}（{now:%Y-%m-%d %H:%M}）")
    except BaseException:
        ledger.close()
        raise
    return ledger


def create_starters(
    county_file: str | os.PathLike, year: int, out_dir: str | os.PathLike, units: Sequence[str] | None = None
) -> list[Path]:
    """One starter file per unit (or the ones named) in ``out_dir``; an existing file is not overwritten."""
    out_dir = Path(out_dir)
    if units is None:
        source = open_ledger(county_file, readonly=True)
        try:
            with source.read() as session:
                units = list(session.scalars(select(Unit.name).order_by(Unit.sort_order, Unit.id)))
        finally:
            source.close()
    paths = [out_dir / starter_file_name(u, year) for u in units]
    existing = [p.name for p in paths if p.exists()]
    if existing:
        raise LedgerError(f"文件已存在，不会覆盖：{'、'.join(existing)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for unit, path in zip(units, paths):
        create_starter(path, county_file, unit).close()
    return paths


@dataclass(frozen=True)
class StarterInfo:
    unit: str
    county: str
    year: int
    targets_from: str


def starter_info(path: str | os.PathLike, *, today: dt.date | None = None) -> StarterInfo:
    """Whose starter file this is; a Chinese InputError for a file that is not one."""
    ledger = open_ledger(path, readonly=True)
    try:
        with ledger.read() as session:
            unit = keys.own_unit(session)
            county = keys.county_name(session)
            targets_from = keys.get_setting(session, keys.TARGETS_FROM)
            year = session.scalar(select(func.max(Target.year)))
    finally:
        ledger.close()
    if not unit:
        raise InputError(
            f"“{Path(path).name}”不是某个单位的起始台账（它是县里汇总用的台账）：请选择县招商局发来的“单位-年度起始台账”文件"
        )
    return StarterInfo(unit, county, year or (today or dt.date.today()).year, targets_from)


def take_starter(
    starter: str | os.PathLike, folder: str | os.PathLike, sign_off: dict[str, str], *, today: dt.date | None = None
) -> Path:
    """The clerk's own ledger from a starter file: a copy in ``folder`` named 尚湖镇-2026年台账.sqlite
    (the starter file stays as it came), with who signs the return."""
    from .backup import copy_to

    info = starter_info(starter, today=today)
    target = Path(folder) / f"{info.unit}-{info.year}年台账.sqlite"
    n = 1
    while target.exists():
        n += 1
        target = Path(folder) / f"{info.unit}-{info.year}年台账（{n}）.sqlite"
    copy_to(starter, target)
    ledger = open_ledger(target)
    try:
        with ledger.begin() as session:
            for key, value in sign_off.items():
                keys.set_setting(session, key, value)
    finally:
        ledger.close()
    return target
