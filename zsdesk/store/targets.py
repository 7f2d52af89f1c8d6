"""Annual targets (年度目标任务): the grid of units × indicators, and setting one cell.

Targets are stored in base units (yuan or a count); the grid speaks the indicator's
measure (Decimal 万元 or int). ``unit_id`` None means the county's own row.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.enums import Indicator
from ..domain.validation import target_value
from ..errors import InputError
from .models import CountyTarget, Target, Unit, target_from_base, target_to_base
from .projects import touch

Quantity = Decimal | int


def target_grid(session: Session, year: int) -> dict[tuple[int | None, Indicator], Quantity]:
    """(unit id or None for the county, indicator) → target, for every target set in ``year``."""
    grid: dict[tuple[int | None, Indicator], Quantity] = {}
    for unit_id, indicator, value in session.execute(
        select(Target.unit_id, Target.indicator, Target.value).where(Target.year == year)
    ):
        if indicator in Indicator._value2member_map_:
            grid[(unit_id, Indicator(indicator))] = target_from_base(Indicator(indicator), value)
    for indicator, value in session.execute(
        select(CountyTarget.indicator, CountyTarget.value).where(CountyTarget.year == year)
    ):
        if indicator in Indicator._value2member_map_:
            grid[(None, Indicator(indicator))] = target_from_base(Indicator(indicator), value)
    return grid


def target_years(session: Session) -> list[int]:
    years = set(session.scalars(select(Target.year).distinct())) | set(
        session.scalars(select(CountyTarget.year).distinct())
    )
    return sorted(years, reverse=True)


def assigned_by_county(session: Session, *, refuse: bool = False) -> str:
    """Where a township's targets came from ('' when the file keeps its own targets)."""
    from .settings import TARGETS_FROM, get_setting, own_unit

    source = get_setting(session, TARGETS_FROM) if own_unit(session) else ""
    if source and refuse:
        raise InputError(
            f"本台账的目标任务由县招商局下达（来自{source}），乡镇不能修改；"
            "县里调整后会发来新的年度目标任务分解表，用“文件 → 导入年度目标任务分解表”更新"
        )
    return source


_UNCHECKED = object()


def set_target(
    session: Session,
    unit_id: int | None,
    year: int,
    indicator: Indicator,
    value: str | Quantity | None,
    *,
    shown=_UNCHECKED,
) -> Quantity | None:
    """Set (or with None/empty, remove) one target; returns the value stored.

    In a township's file whose targets came from the county (a starter file, a 分解表)
    they are the bureau's: refused here, so no window or command can let a township
    silently diverge from its assignment; a newer 分解表 replaces them.
    """
    assigned_by_county(session, refuse=True)
    quantity = target_value(indicator, value if value is None or isinstance(value, str) else str(value))
    if not 1900 <= year <= 2999:
        raise InputError(f"年份不合理：{year}")
    if unit_id is None:
        record = session.scalar(
            select(CountyTarget).where(CountyTarget.year == year, CountyTarget.indicator == indicator.value)
        )
    else:
        if session.get(Unit, unit_id) is None:
            raise InputError("所选单位不存在")
        record = session.scalar(
            select(Target).where(Target.unit_id == unit_id, Target.year == year, Target.indicator == indicator.value)
        )
    if shown is not _UNCHECKED:  # the grid's cell showed ``shown``: a colleague's change since is refused
        from .versions import check_target

        stored = None if record is None else target_from_base(indicator, record.value)
        place = "全县" if unit_id is None else session.get(Unit, unit_id).name
        check_target(
            session, "county_targets" if unit_id is None else "targets", f"{place} {year}年 {indicator.label}", shown, stored
        )
    if quantity is None:
        if record is not None:
            session.delete(record)
    else:
        base = target_to_base(indicator, quantity)
        if record is None:
            model = CountyTarget if unit_id is None else Target
            extra = {} if unit_id is None else {"unit_id": unit_id}
            session.add(model(year=year, indicator=indicator.value, value=base, **extra))
        elif record.value != base:
            record.value = base
    session.flush()
    touch(session, "targets", year)
    return quantity
