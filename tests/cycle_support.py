"""Helpers for the month's-cycle tests: the bureau's county file, a township's projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from zsdesk.domain.enums import Indicator, Stage
from zsdesk.domain.periods import YearMonth
from zsdesk.domain.records import ProjectData
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import CountyTarget, Project, Target, Unit, target_to_base
from zsdesk.store.projects import save_project

TODAY = dt.date(2026, 11, 27)
JUNE = YearMonth(2026, 6)
UNITS = ["尚湖镇", "冷水镇", "安文街道"]


def unit_id(session, name: str) -> int:
    return session.query(Unit.id).filter(Unit.name == name).scalar()


def county_file(tmp_path: Path) -> Path:
    """The bureau's file: three units, 尚湖镇's targets and the county's."""
    path = tmp_path / "county.sqlite"
    ledger = create_ledger(path, "磐安县", UNITS)
    with ledger.begin() as s:
        s.add(Target(unit_id=unit_id(s, "尚湖镇"), year=2026, indicator="domestic_funds",
                     value=target_to_base(Indicator.DOMESTIC_FUNDS, Decimal(3000))))
        s.add(Target(unit_id=unit_id(s, "尚湖镇"), year=2026, indicator="signed_projects", value=4))
        s.add(CountyTarget(year=2026, indicator="domestic_funds", value=target_to_base(Indicator.DOMESTIC_FUNDS, Decimal(20000))))
    ledger.close()
    return path


def signed_project(session, name: str, funds: dict[int, str], **extra) -> int:
    data = ProjectData(
        name=name,
        unit_id=unit_id(session, "尚湖镇"),
        stage=Stage.SIGNED,
        dates={Stage.NEGOTIATING: dt.date(2026, 2, 1), Stage.SIGNED: dt.date(2026, 3, 15)},
        industry="健康",
        planned_investment=Decimal(8000),
        new_investor_name=f"{name}投资方",
        liaison_leader=extra.pop("liaison_leader", "县长"),
        responsible_unit="尚湖镇人民政府",
        funds={(2026, m): Decimal(v) for m, v in funds.items()},
        **extra,
    )
    return save_project(session, None, data, TODAY).id


def county_with_projects(tmp_path: Path) -> Path:
    """The county's file already holding three projects of 尚湖镇 and one of 冷水镇."""
    county = county_file(tmp_path)
    ledger = open_ledger(county)
    with ledger.begin() as s:
        signed_project(s, "尚湖康养小镇项目", {3: "100", 6: "50"})
        signed_project(s, "尚湖中药材加工项目", {5: "80"})
        signed_project(s, "尚湖老茶厂改造项目", {1: "30", 2: "20"})
        other = signed_project(s, "冷水高山蔬菜基地", {4: "5"})
        s.get(Project, other).unit_id = unit_id(s, "冷水镇")
    ledger.close()
    return county


