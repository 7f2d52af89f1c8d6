"""A deterministic demo county, shaped like the half-year review in ``shared/seed``.

The same arguments give the same file content: every random choice comes from one
seeded generator and no clock is read. Some units finish their targets, some lag far
behind, one has nothing on 浙商回归 while its ski resort is being built undeclared.

``size="large"`` (20 units, ten years, 50,000 projects, ~600,000 monthly fund rows,
5,000 investors, 20,000 visits) is for benchmarks; it is written with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from ..domain.counting import DEFAULT_MAJOR_THRESHOLD_WAN
from ..domain.enums import (
    FILM_CULTURE_INDUSTRY,
    INDUSTRIES,
    PIPELINE,
    EventKind,
    Indicator,
    InvestorType,
    Stage,
    UnitKind,
)
from ..domain.money import YUAN_PER_WAN
from ..domain.periods import YearMonth
from ..errors import InputError
from . import settings as keys
from .codes import new_project_code
from .db import Ledger
from .ledger_setup import create_ledger

COUNTY = "磐安县"
UNITS: list[tuple[str, UnitKind]] = [
    ("安文街道", UnitKind.SUBDISTRICT),
    ("新渥街道", UnitKind.SUBDISTRICT),
    ("尚湖镇", UnitKind.TOWNSHIP),
    ("方前镇", UnitKind.TOWNSHIP),
    ("玉山镇", UnitKind.TOWNSHIP),
    ("仁川镇", UnitKind.TOWNSHIP),
    ("大盘镇", UnitKind.TOWNSHIP),
    ("冷水镇", UnitKind.TOWNSHIP),
    ("尖山镇", UnitKind.TOWNSHIP),
    ("双峰乡", UnitKind.TOWNSHIP),
    ("九和乡", UnitKind.TOWNSHIP),
    ("新城区", UnitKind.ZONE),
    ("磐安工业园区", UnitKind.ZONE),
    ("云山旅游度假区", UnitKind.ZONE),
    ("旅游局", UnitKind.DEPARTMENT),
    ("经商局", UnitKind.DEPARTMENT),
    ("农业局", UnitKind.DEPARTMENT),
    ("文广新局", UnitKind.DEPARTMENT),
]
EXTRA_LARGE_UNITS = [("胡宅乡", UnitKind.TOWNSHIP), ("万苍乡", UnitKind.TOWNSHIP)]
NOTHING_UNIT = "冷水镇"
"""Has a 浙商回归 target and nothing to show: its ski resort is building but undeclared."""

PLACES = "云山 花溪 灵江 大盘山 玉山 百杖潭 十八涡 舞龙峡 高姥山 夹溪 乌石 榉溪 古茶场 药谷 青山尖 金山 逸园 白云 龙潭 石门".split()
THEMES = {
    "旅游/休闲养生": ["康养小镇", "度假酒店", "民宿集群", "露营基地", "森林步道", "温泉度假村"],
    "中药材": ["中药饮片加工", "浙贝母种植基地", "药材交易中心", "中药提取"],
    "生态工业": ["新材料产业园", "智能装备制造", "包装科技", "磁性材料"],
    "生态农业": ["高山蔬菜基地", "香榧基地", "茶叶深加工", "食用菌基地"],
    "文化影视": ["影视基地", "文化创意园", "影视后期制作", "民俗文化苑"],
    "健康": ["养生馆", "康复医院", "健康管理中心"],
    "新能源": ["光伏电站", "风电场", "抽水蓄能"],
    "其他": ["商贸综合体", "物流中心", "职业培训基地"],
}
PHASES = ["", "一期", "二期", "三期"]
NOTABLE = [
    ("物产中大集团", InvestorType.STATE_OWNED),
    ("浙江省直同人集团", InvestorType.STATE_OWNED),
    ("上海宝冶集团", InvestorType.CENTRAL_SOE),
    ("金恪投资控股", InvestorType.PRIVATE),
    ("绿城中国", InvestorType.LISTED),
    ("颐高集团", InvestorType.PRIVATE),
    ("银来集团", InvestorType.PRIVATE),
    ("中天控股集团", InvestorType.PRIVATE),
    ("铁汉生态环境", InvestorType.LISTED),
    ("金城集团", InvestorType.PRIVATE),
]
CITIES = "杭州 宁波 温州 金华 义乌 上海 深圳 东阳 永康 苍南 绍兴 台州".split()
WORDS = "云海 恒达 绿源 华康 中盛 天和 鼎信 瑞丰 嘉禾 博远 宏图 安泰 聚贤 同舟 磐石 汇通 景宁 康宁".split()
TRADES = {
    "旅游/休闲养生": "旅游开发",
    "中药材": "药业",
    "生态工业": "科技",
    "生态农业": "农业开发",
    "文化影视": "文化传媒",
    "健康": "健康产业",
    "新能源": "新能源",
    "其他": "实业",
}
LEADERS = "陈剑波 李卫东 王海峰 张晓明 吴建平 周立新 郑国强 孙伟".split()
PEOPLE = "张丽 王芳 李强 刘洋 陈静 杨帆 赵磊 黄敏 周杰 吴霞 徐鹏 孙悦".split()
DEPARTMENTS = "发改局 自然资源局 住建局 生态环境分局 经商局 农业局 旅游局".split()
STAGE_WEIGHTS = {
    Stage.PLANNED: 14,
    Stage.NEGOTIATING: 22,
    Stage.SIGNED: 16,
    Stage.LANDED: 12,
    Stage.UNDER_CONSTRUCTION: 16,
    Stage.IN_OPERATION: 12,
    Stage.SUSPENDED: 5,
    Stage.TERMINATED: 3,
}
RATES = [1.32, 1.08, 1.01, 0.86, 0.74, 0.66, 0.58, 0.52, 0.47, 0.41, 0.36, 0.30, 0.24, 0.19, 0.15, 0.12, 0.10]
"""Completion rates to aim the targets at; counts are never aimed below 30%."""


@dataclass(frozen=True)
class DemoSize:
    projects_per_unit: int
    years: int
    investors: int
    visits: int
    events: int
    fund_probability: float
    fund_months: int
    """Funds arrive over at most this many months after signing."""


SIZES = {
    "small": DemoSize(projects_per_unit=20, years=2, investors=160, visits=240, events=12, fund_probability=0.55, fund_months=24),
    "large": DemoSize(projects_per_unit=2500, years=10, investors=5000, visits=20000, events=300, fund_probability=0.62, fund_months=45),
}


@dataclass
class _Built:
    units: list[tuple[str, UnitKind]]
    end: dt.date = dt.date.max
    """The last day any record may fall on (:func:`data_end`)."""
    investors: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    funds: list[dict] = field(default_factory=list)
    follow_ups: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    county_targets: list[dict] = field(default_factory=list)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def data_end(period: YearMonth, today: dt.date | None = None) -> dt.date:
    """The last day the demo's data may fall on: the month's last day, or today while the
    month is under way (a demo of this month made on the 29th held projects planned and
    visits made on the 30th, which its own checks called errors: 阶段日期在今天之后)."""
    today = today or dt.date.today()
    return today if period.first_day <= today < period.last_day else period.last_day


def write_demo(path: str | os.PathLike, period: YearMonth, size: str = "small", *, today: dt.date | None = None) -> Ledger:
    """Write the demo county to a new file at ``path`` and return it open."""
    if size not in SIZES:
        raise InputError(f"未知的规模“{size}”，可选 small 或 large")
    built = build_demo(period, size, today=today)
    ledger = create_ledger(path, COUNTY, built.units)
    with ledger.begin() as session:
        keys.set_setting(session, keys.MAJOR_THRESHOLD, str(DEFAULT_MAJOR_THRESHOLD_WAN))
        keys.set_setting(session, keys.CLERK_NAME, "张丽")
        keys.set_setting(session, keys.REVIEWER, "王建国")
        keys.set_setting(session, keys.PHONE, "0579-84661234")
        unit_ids = {name: uid for uid, name in session.execute(text("SELECT id, name FROM units"))}
        _insert(session, "investors", built.investors, unit_ids)
        _insert(session, "contacts", built.contacts, unit_ids)
        _insert(session, "projects", built.projects, unit_ids)
        _insert(session, "fund_records", built.funds, unit_ids)
        _insert(session, "follow_ups", built.follow_ups, unit_ids)
        _insert(session, "visits", built.visits, unit_ids)
        _insert(session, "events", built.events, unit_ids)
        _insert(session, "targets", built.targets, unit_ids)
        _insert(session, "county_targets", built.county_targets, unit_ids)
    if ledger.is_server:  # the rows came with their ids: the server's sequences go past them
        from .models import Base
        from .server import move_sequences

        with ledger.engine.begin() as connection:
            move_sequences(connection, Base.metadata.sorted_tables)
    return ledger


def _insert(session, table: str, rows: list[dict], unit_ids: dict[str, int]) -> None:
    """Bulk insert with plain, portable SQL: values are already in stored form."""
    if not rows:
        return
    if "unit" in rows[0]:
        rows = [{**{k: v for k, v in r.items() if k != "unit"}, "unit_id": unit_ids.get(r["unit"])} for r in rows]
    columns = list(rows[0])
    statement = text(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )
    for start in range(0, len(rows), 20000):
        session.execute(statement, rows[start : start + 20000])


def build_demo(period: YearMonth, size: str, *, today: dt.date | None = None) -> _Built:
    spec = SIZES[size]
    rng = random.Random(f"zsdesk-demo/{period}/{size}")
    units = UNITS + (EXTRA_LARGE_UNITS if size == "large" else [])
    built = _Built(units=units, end=data_end(period, today))
    end = built.end
    first_year = period.year - spec.years + 1

    _build_investors(built, rng, spec, period, first_year)
    _build_projects(built, rng, spec, period, first_year)
    _build_visits_and_events(built, rng, spec, period, first_year)
    _build_targets(built, rng, period)
    assert all(p["planned_on"] is None or p["planned_on"] <= end.isoformat() for p in built.projects)
    return built


def _build_investors(built: _Built, rng, spec: DemoSize, period: YearMonth, first_year: int) -> None:
    unit_names = [u for u, _ in built.units]
    for i in range(spec.investors):
        if i < len(NOTABLE):
            name, kind = NOTABLE[i]
            industry = rng.choice(INDUSTRIES[:7])
        else:
            industry = rng.choice(INDUSTRIES)
            kind = rng.choices(list(InvestorType), weights=[3, 8, 8, 50, 4, 27])[0]
            name = f"{rng.choice(CITIES)}{rng.choice(WORDS)}{TRADES[industry]}有限公司"
            if i >= 200:
                name = name.replace("有限公司", f"{i}号有限公司") if rng.random() < 0.5 else name
        registered = None
        if industry == FILM_CULTURE_INDUSTRY or rng.random() < 0.3:
            registered = _random_day(rng, dt.date(first_year, 1, 1), built.end)
        built.investors.append(
            {
                "id": i + 1,
                "name": name,
                "kind": kind.value,
                "home_region": rng.choice(CITIES) if kind is not InvestorType.NATIVE_ABROAD else f"在外磐商·{rng.choice(CITIES)}",
                "industry": industry,
                "chamber": f"{rng.choice(CITIES)}磐安商会" if kind is InvestorType.NATIVE_ABROAD else "",
                "unit": rng.choice(unit_names),
                "registered_on": _iso(registered),
                "film_production": industry == FILM_CULTURE_INDUSTRY and rng.random() < 0.45,
                "notable": i < len(NOTABLE),
                "notes": "",
            }
        )
        for c in range(rng.choice([1, 1, 2])):
            built.contacts.append(
                {
                    "investor_id": i + 1,
                    "name": rng.choice(PEOPLE) + ("总" if c == 0 else ""),
                    "title": rng.choice(["董事长", "总经理", "投资总监", "项目经理"]),
                    "phone": f"13{rng.randrange(100000000, 999999999)}",
                }
            )


def _stage_path(rng, stage: Stage, start: dt.date, end: dt.date) -> tuple[Stage, dict[str, dt.date]]:
    """Dates for every stage up to ``stage``, in order and never after ``end``."""
    reached = PIPELINE if not stage.on_the_line else PIPELINE[: PIPELINE.index(stage) + 1]
    if stage in (Stage.SUSPENDED, Stage.TERMINATED):
        reached = PIPELINE[: rng.randrange(2, 5)]
    dates: dict[str, dt.date] = {}
    day = start
    final = reached[0]
    for step in reached:
        if day > end:
            break
        dates[step.date_field] = day
        final = step
        day = day + dt.timedelta(days=rng.randrange(12, 75))
    if not stage.on_the_line and day <= end and final is reached[-1]:
        dates[stage.date_field] = day
        final = stage
    return final, dates


def _build_projects(built: _Built, rng, spec: DemoSize, period: YearMonth, first_year: int) -> None:
    end = built.end
    project_id = 0
    investor_ids = [inv["id"] for inv in built.investors]
    for unit, _kind in built.units:
        for n in range(spec.projects_per_unit):
            project_id += 1
            industry = rng.choice(INDUSTRIES)
            this_year = rng.random() < (0.7 if spec.years <= 2 else 1 / spec.years * 1.5)
            start_year = period.year if this_year else rng.randrange(first_year, period.year)
            start = _random_day(rng, dt.date(start_year, 1, 5), min(end, dt.date(start_year, 12, 20)))
            stage = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
            stage, dates = _stage_path(rng, stage, start, end)
            planned = Decimal(rng.choice([300, 800, 1500, 3000, 5000, 8000, 12000, 20000, 50000])) * Decimal(
                rng.randrange(80, 130)
            ) / 100
            planned = planned.quantize(Decimal(1))
            zj = rng.random() < 0.32
            name = f"{rng.choice(PLACES)}{rng.choice(THEMES[industry])}{rng.choice(PHASES)}项目"
            signed = dates.get("signed_on")
            declared = zj and signed is not None and rng.random() < 0.85 and unit != NOTHING_UNIT
            project = {
                "id": project_id,
                "code": new_project_code(rng),
                "name": name,
                "unit": unit,
                "investor_id": rng.choice(investor_ids) if rng.random() < 0.9 else None,
                "industry": industry,
                "stage": stage.value,
                **{s.date_field: None for s in Stage},
                **{k: _iso(v) for k, v in dates.items()},
                "zhejiang_return": zj,
                "mountain_sea": rng.random() < 0.14,
                "foreign_capital": rng.random() < 0.03,
                "carried_over": start_year < period.year and stage not in (Stage.TERMINATED, Stage.IN_OPERATION),
                "declared": declared,
                "declared_on": _iso(min(end, signed + dt.timedelta(days=rng.randrange(5, 40)))) if declared else None,
                "declared_amount": None,
                "retained_amount": None,
                "planned_investment": int(planned) * YUAN_PER_WAN,
                "registered_capital": int(planned / 5) * YUAN_PER_WAN if rng.random() < 0.25 else None,
                "liaison_leader": rng.choice(LEADERS) if rng.random() < 0.93 else "",
                "responsible_unit": unit if rng.random() < 0.95 else "",
                "cooperating_departments": "、".join(rng.sample(DEPARTMENTS, 2)),
                "person_in_charge": rng.choice(PEOPLE),
                "site": f"{unit}{rng.choice(PLACES)}村",
                "land_status": rng.choice(["已落实", "待报批", "未落实", "租用厂房"]),
                "progress_note": "",
                "problems": rng.choice(["", "", "用地指标未落实", "资金到位慢", "审批程序复杂"]),
                "notes": "",
                "created_at": f"{start.isoformat()} 09:00:00",
                "updated_at": f"{start.isoformat()} 09:00:00",
            }
            if n == 0 and unit == NOTHING_UNIT:
                # The review's ski resort: building, 浙商回归, never declared.
                project.update(name="高姥山滑雪场项目", industry="旅游/休闲养生", zhejiang_return=True, declared=False)
            total = _build_funds(built, rng, spec, project, dates, period)
            if project["declared"] and total:
                retained = int(total * rng.choice([0, 0, 0.1, 0.2])) // YUAN_PER_WAN * YUAN_PER_WAN
                project["declared_amount"] = total + retained
                project["retained_amount"] = retained
            project["progress_note"] = {
                "planned": "谋划中，正在编制项目建议书",
                "negotiating": "多次对接洽谈，意向明确",
                "signed": "已签约，正在办理前期手续",
                "landed": "已落地，正在办理用地报批",
                "under_construction": "在建，主体工程推进中",
                "in_operation": "已投产",
                "suspended": "投资方资金困难，暂缓推进",
                "terminated": "投资方撤回，已终止",
            }[project["stage"]]
            built.projects.append(project)
            _build_follow_ups(built, rng, project, dates, period)
    _name_signed_projects(built, period)


def _build_funds(built: _Built, rng, spec: DemoSize, project: dict, dates: dict, period: YearMonth) -> int:
    """Monthly funds from signing on, never after ``period``; returns this year's total (yuan)."""
    signed = dates.get("signed_on")
    if signed is None:
        return 0
    month = YearMonth.of(signed)
    budget = project["planned_investment"] * rng.uniform(0.25, 0.85)
    per_month = max(YUAN_PER_WAN, int(budget / 18))
    this_year = 0
    months_left = spec.fund_months
    while month <= period and months_left:
        months_left -= 1
        if rng.random() < spec.fund_probability:
            amount = rng.randrange(per_month // 3, per_month + 1) // YUAN_PER_WAN * YUAN_PER_WAN
            if rng.random() < 0.1:
                amount += rng.randrange(0, 10) * 1000  # 0.1 万元 steps: money is exact, not round
            if amount:
                built.funds.append(
                    {"project_id": project["id"], "year": month.year, "month": month.month, "amount": amount}
                )
                if month.year == period.year:
                    this_year += amount
        month = month.next()
    return this_year


def _build_follow_ups(built: _Built, rng, project: dict, dates: dict, period: YearMonth) -> None:
    if project["stage"] in ("terminated",) or rng.random() < 0.3:
        return
    last = max(dates.values())
    for k in range(rng.choice([1, 1, 2, 3])):
        day = _random_day(rng, last, built.end)
        due = day + dt.timedelta(days=rng.choice([7, 14, 30, 45]))
        built.follow_ups.append(
            {
                "project_id": project["id"],
                "date": _iso(day),
                "who": rng.choice(PEOPLE),
                "action": rng.choice(["电话对接投资方", "上门走访", "协调用地报批", "召开项目推进会"]),
                "next_step": rng.choice(["跟进签约条款", "督促资金到位", "协助办理证照", "落实用地指标"]),
                "due_on": _iso(due),
                "done": k > 0,
            }
        )


def _name_signed_projects(built: _Built, period: YearMonth) -> None:
    """The three projects the review names as signed, on the first projects signed this year."""
    names = iter(["金山民俗文化苑", "青山尖风电场一期", "逸园文化聚落"])
    year_start = f"{period.year}-01-01"
    for project in built.projects:
        if project["signed_on"] and project["signed_on"] >= year_start and project["unit"] != NOTHING_UNIT:
            name = next(names, None)
            if name is None:
                return
            project["name"] = name


def _build_visits_and_events(built: _Built, rng, spec: DemoSize, period: YearMonth, first_year: int) -> None:
    unit_names = [u for u, _ in built.units]
    start = dt.date(first_year if spec.years > 2 else period.year, 1, 1)
    for i in range(spec.visits):
        investor = built.investors[i % 10] if i < 20 else rng.choice(built.investors)
        project = rng.choice(built.projects) if rng.random() < 0.3 else None
        built.visits.append(
            {
                "investor_id": investor["id"] if rng.random() < 0.97 else None,
                "unit": rng.choice(unit_names),
                "project_id": project["id"] if project else None,
                "date": _iso(_random_day(rng, start, built.end)),
                "batches": rng.choice([1, 1, 1, 2, 3]),
                "headcount": rng.randrange(2, 12),
                "receiving_leader": rng.choice(LEADERS),
                "seen": rng.choice(["特色小镇选址", "休闲养生旅游资源", "风电场选址", "中药材基地", "工业园区标准厂房"]),
                "outcome": rng.choice(["有投资意向", "进一步洽谈", "暂无意向", "达成初步合作意向"]),
            }
        )
    for i in range(spec.events):
        kind = [EventKind.NEGOTIATION, EventKind.PROMOTION, EventKind.STATIONED][i % 3]
        unit = rng.choice(unit_names)
        day = _random_day(rng, start, built.end)
        built.events.append(
            {
                "unit": unit,
                "kind": kind.value,
                "name": {
                    EventKind.NEGOTIATION: f"{unit}投资考察洽谈会",
                    EventKind.PROMOTION: f"{rng.choice(CITIES)}磐安商会招商推介会",
                    EventKind.STATIONED: f"赴{rng.choice(CITIES)}蹲点招商",
                }[kind],
                "date": _iso(day),
                "place": rng.choice(CITIES),
                "firms": rng.randrange(5, 60) if kind is not EventKind.STATIONED else rng.randrange(3, 12),
                "representatives": rng.randrange(20, 200) if kind is not EventKind.STATIONED else rng.randrange(5, 30),
                "intention_projects": rng.randrange(0, 15),
                "notes": "",
            }
        )


def _build_targets(built: _Built, rng, period: YearMonth) -> None:
    """Targets chosen after the facts, so that the completion rates spread as in the review."""
    actual = _actuals_in_memory(built, period)
    unit_names = [u for u, _ in built.units]
    totals: dict[Indicator, int] = {}
    for indicator in Indicator:
        rates = RATES + [0.0] * (len(unit_names) - len(RATES))
        rng.shuffle(rates)
        for unit, rate in zip(unit_names, rates):
            value = actual.get((unit, indicator), 0)
            if indicator is Indicator.ZHEJIANG_RETURN_FUNDS and unit == NOTHING_UNIT:
                value = 0
                rate = 0.0
            if indicator.measure.value == "count":
                rate = max(rate, 0.3)
            if indicator.measure.value == "money":
                if value and rate:
                    base = Decimal(value) / Decimal(str(rate)) / YUAN_PER_WAN
                else:
                    base = Decimal(rng.choice([500, 1000, 2000, 3000]))
                target = int((base / 100).to_integral_value() or 1) * 100 * YUAN_PER_WAN
            else:
                target = max(1, round(value / rate)) if value and rate else rng.randrange(1, 4)
            built.targets.append(
                {"unit": unit, "year": period.year, "indicator": indicator.value, "value": target}
            )
            totals[indicator] = totals.get(indicator, 0) + target
    for indicator, total in totals.items():
        county = total * 95 // 100
        if indicator.measure.value == "money":
            county = county // (1000 * YUAN_PER_WAN) * 1000 * YUAN_PER_WAN
        built.county_targets.append({"year": period.year, "indicator": indicator.value, "value": max(1, county)})


def _actuals_in_memory(built: _Built, period: YearMonth) -> dict[tuple[str, Indicator], int]:
    """Rough actuals for choosing targets only; the real figures come from the store."""
    first, last = f"{period.year}-01-01", period.last_day.isoformat()
    by_id = {p["id"]: p for p in built.projects}
    out: dict[tuple[str, Indicator], int] = {}

    def add(unit, indicator, value):
        out[(unit, indicator)] = out.get((unit, indicator), 0) + value

    for f in built.funds:
        if f["year"] != period.year:
            continue
        p = by_id[f["project_id"]]
        if not p["foreign_capital"]:
            add(p["unit"], Indicator.DOMESTIC_FUNDS, f["amount"])
        if p["zhejiang_return"] and p["declared"]:
            add(p["unit"], Indicator.ZHEJIANG_RETURN_FUNDS, f["amount"])
        if p["mountain_sea"]:
            add(p["unit"], Indicator.MOUNTAIN_SEA_FUNDS, f["amount"])
    for p in built.projects:
        if p["planned_on"] and first <= p["planned_on"] <= last:
            add(p["unit"], Indicator.PLANNED_PROJECTS, 1)
        if p["signed_on"] and first <= p["signed_on"] <= last:
            add(p["unit"], Indicator.SIGNED_PROJECTS, 1)
            if not p["carried_over"] and p["planned_investment"] >= DEFAULT_MAJOR_THRESHOLD_WAN * YUAN_PER_WAN:
                add(p["unit"], Indicator.MAJOR_PROJECTS, 1)
    for inv in built.investors:
        if inv["industry"] == FILM_CULTURE_INDUSTRY and inv["registered_on"] and first <= inv["registered_on"] <= last:
            add(inv["unit"], Indicator.FILM_CULTURE_FIRMS, 1)
    return out


def demo_path_ok(path: Path) -> None:
    if path.exists():
        raise InputError(f"文件已存在，不会覆盖：{path}")
