"""A generator of the messy ledgers townships keep, with the truth they hold.

Each layout writes the same kind of projects the way a different clerk would: title
rows, merged two-row headers, money in 万元 / 亿元 / 元, dates typed as text in several
forms or kept as Excel dates, stage and flag vocabularies, monthly or cumulative funds,
totals and note rows. :class:`TruthProject` is what zsdesk must end up holding.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Border, Side

from zsdesk.domain.enums import Stage

FUNDS_YEAR = 2026
LAST_MONTH = 10
"""Funds up to October 2026; every date on or before it (tests run with today ≥ 2026-11)."""
TODAY = dt.date(2026, 11, 15)

INDUSTRY_WORDS = {  # the standard industry → how a clerk writes it, per layout
    "旅游/休闲养生": ("旅游", "旅游/休闲养生", "文旅"),
    "中药材": ("中药材", "中医药", "药材"),
    "生态工业": ("工业", "生态工业", "制造业"),
    "生态农业": ("农业", "生态农业", "现代农业"),
    "文化影视": ("影视", "文化影视", "影视文化"),
    "健康": ("健康", "康养", "大健康"),
    "新能源": ("新能源", "光伏", "储能"),
}
STAGE_WORDS = {
    Stage.PLANNED: ("谋划", "储备", "谋划"),
    Stage.NEGOTIATING: ("在谈", "洽谈中", "意向"),
    Stage.SIGNED: ("签约", "已签约", "签约"),
    Stage.LANDED: ("落地", "注册", "已落地"),
    Stage.UNDER_CONSTRUCTION: ("开工", "在建", "已开工"),
    Stage.IN_OPERATION: ("投产", "竣工投产", "已投产"),
}
FLAG_WORDS = (("是", "否"), ("√", "×"), ("Y", "N"), ("1", "0"))
PIPE = (Stage.PLANNED, Stage.NEGOTIATING, Stage.SIGNED, Stage.LANDED, Stage.UNDER_CONSTRUCTION, Stage.IN_OPERATION)
NAMES = ("灵江影视基地", "花溪高山蔬菜基地", "逸园物流中心", "石门抽水蓄能", "大盘山中药材加工", "云山康养小镇",
         "玉山茶叶精深加工", "尖山光伏电站", "新渥民宿集群", "安文文创园", "双峰竹木制品", "冷水高山茶园")
INVESTORS = ("浙江银来集团有限公司", "中天控股集团", "金城集团", "颐高集团", "绿城中国", "物产中大集团",
             "上海宝冶集团", "铁汉生态环境", "浙江省直同人集团", "金恪投资控股")


@dataclass
class TruthProject:
    name: str
    investor: str
    industry: str
    stage: Stage
    dates: dict[Stage, dt.date]
    planned: Decimal
    """万元."""
    zhejiang_return: bool
    mountain_sea: bool
    declared: bool
    declared_on: dt.date | None
    liaison_leader: str
    responsible_unit: str
    funds: dict[int, Decimal] = field(default_factory=dict)
    """Month of FUNDS_YEAR → 万元."""

    @property
    def cumulative(self) -> Decimal:
        return sum(self.funds.values(), Decimal(0))


def make_truth(count: int, seed: int, *, yuan_exact: bool = False) -> list[TruthProject]:
    """``count`` projects; amounts whole 万元 or, with ``yuan_exact``, to the yuan."""
    rng = random.Random(seed)
    projects = []
    for i in range(count):
        stage = PIPE[i % len(PIPE)]
        day = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
        dates = {}
        for step in PIPE[: PIPE.index(stage) + 1]:
            day = min(day + dt.timedelta(days=rng.randint(10, 60)), dt.date(2026, 10, 28))
            dates[step] = day
        if i % 4 == 0:  # a first date a clerk wrote as a month only ('2025年3月')
            first = PIPE[0]
            dates[first] = dates[first].replace(day=1)
        reached_signed = PIPE.index(stage) >= PIPE.index(Stage.SIGNED)
        funds = {}
        if reached_signed:
            for month in range(1, LAST_MONTH + 1):
                if rng.random() < 0.5:
                    amount = Decimal(rng.randint(1, 900))
                    if yuan_exact:
                        amount += Decimal(rng.randint(0, 9999)) / 10_000
                    funds[month] = amount
        declared = reached_signed and rng.random() < 0.5
        base = NAMES[i % len(NAMES)]
        projects.append(TruthProject(
            name=base if i < len(NAMES) else f"{base}{i // len(NAMES) + 1}期",
            investor=INVESTORS[rng.randrange(len(INVESTORS))],
            industry=list(INDUSTRY_WORDS)[rng.randrange(len(INDUSTRY_WORDS))],
            stage=stage,
            dates=dates,
            planned=Decimal(rng.randint(5, 400)) * 100 if not yuan_exact else Decimal(rng.randint(500, 40_000_000)) / 10_000,
            zhejiang_return=rng.random() < 0.4,
            mountain_sea=rng.random() < 0.3,
            declared=declared,
            declared_on=(dates[Stage.SIGNED] + dt.timedelta(days=5)) if declared else None,
            liaison_leader=rng.choice(("王副县长", "李副县长", "陈常委")),
            responsible_unit=rng.choice(("县经商局", "县发改局", "县农业局")),
            funds=funds,
        ))
    return projects


def _flag(value: bool, words: tuple[str, str]) -> str:
    return words[0] if value else words[1]


def _dot_date(day: dt.date) -> str:
    return f"{day.year}.{day.month}.{day.day}"


# --- the layouts --------------------------------------------------------------------------------

def layout_titled_monthly(path: Path, truth: list[TruthProject], unit: str) -> None:
    """A title, '单位：万元', one header row, a column per month, a 合计 row, a footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ws.append([f"{unit}{FUNDS_YEAR}年招商引资项目台账"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位：" + unit, None, None, None, None, "单位：万元"])
    months = [f"{m}月" for m in range(1, LAST_MONTH + 1)]
    ws.append(["序号", "项目名称", "投资方", "产业类别", "项目阶段", "计划总投资", "谋划时间", "在谈时间", "签约时间",
               "落地时间", "开工时间", "投产时间", "是否浙商回归", "是否山海协作", "是否申报", "申报日期",
               "联系领导", "责任单位", *months, "备注"])
    for i, p in enumerate(truth, 1):
        ws.append([i, p.name, p.investor, INDUSTRY_WORDS[p.industry][0], STAGE_WORDS[p.stage][0], int(p.planned),
                   *[p.dates.get(s).isoformat() if p.dates.get(s) else None for s in PIPE],
                   _flag(p.zhejiang_return, FLAG_WORDS[0]), _flag(p.mountain_sea, FLAG_WORDS[0]),
                   _flag(p.declared, FLAG_WORDS[0]), p.declared_on.isoformat() if p.declared_on else None,
                   p.liaison_leader, p.responsible_unit,
                   *[int(p.funds[m]) if m in p.funds else None for m in range(1, LAST_MONTH + 1)], ""])
    last = ws.max_row
    ws.append(["合计", None, None, None, None, f"=SUM(F4:F{last})"])
    ws.append([])
    ws.append(["填报人：张三", None, None, "审核人：李四", None, "联系电话：0579-8466xxxx"])
    wb.save(path)


def layout_merged_cumulative(path: Path, truth: list[TruthProject], unit: str) -> None:
    """Two title rows, a merged two-row header (到位资金 over 本月 / 本年累计), 亿元, dotted
    dates, 已签约 / 在建 / 洽谈中, √/×, a 小计 row per stage group, a 注 row at the bottom."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([f"磐安县{unit}招商项目推进情况表"])
    ws.append([f"（截至{FUNDS_YEAR}年{LAST_MONTH}月底）"])
    ws.append(["序号", "项目名称", "投资主体", "行业", "项目进度", "总投资额（亿元）", "到位资金（万元）", None,
               "洽谈时间", "签约日期", "注册时间", "开工时间", "投产时间", "谋划时间",
               "浙商回归", "山海协作", "是否已申报", "申报时间", "联系县领导", "牵头单位"])
    ws.append([None, None, None, None, None, None, "本月", "本年累计"])
    for column in "ABCDEF":
        ws.merge_cells(f"{column}3:{column}4")
    ws.merge_cells("G3:H3")
    for column in "IJKLMNOPQRST":
        ws.merge_cells(f"{column}3:{column}4")
    for i, p in enumerate(truth, 1):
        ws.append([i, p.name, p.investor, INDUSTRY_WORDS[p.industry][1], STAGE_WORDS[p.stage][1],
                   float(p.planned / 10_000), int(p.funds.get(LAST_MONTH, 0)) or None, int(p.cumulative) or None,
                   *[_dot_date(p.dates[s]) if p.dates.get(s) else None for s in (Stage.NEGOTIATING, Stage.SIGNED, Stage.LANDED, Stage.UNDER_CONSTRUCTION, Stage.IN_OPERATION, Stage.PLANNED)],
                   _flag(p.zhejiang_return, FLAG_WORDS[1]), _flag(p.mountain_sea, FLAG_WORDS[1]),
                   _flag(p.declared, FLAG_WORDS[1]), f"{p.declared_on.year}年{p.declared_on.month}月{p.declared_on.day}日" if p.declared_on else None,
                   p.liaison_leader, p.responsible_unit])
        if i == len(truth) // 2:
            ws.append([None, "小计", None, None, None, None, None, None])
    ws.append(["合  计"])
    ws.append(["注：到位资金以财政、银行凭证为准。"])
    wb.save(path)


def layout_yuan_dates(path: Path, truth: list[TruthProject], unit: str) -> None:
    """No title; money in 元 with separators and full-width digits; real Excel dates;
    储备 / 意向 / 注册 / 竣工投产; Y/N; columns '2026年1月' …"""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["项目代码", "项目名称", "合作企业", "产业", "状态", "计划投资(元)",
               "谋划日期", "意向时间", "签约时间", "落地日期", "开工日期", "投产日期",
               "浙商回归", "山海协作", "已申报", "申报日期", "联系领导", "责任单位",
               *[f"{FUNDS_YEAR}年{m}月(元)" for m in range(1, LAST_MONTH + 1)]])
    wide = str.maketrans("0123456789,", "０１２３４５６７８９，")
    for i, p in enumerate(truth, 1):
        yuan = int(p.planned * 10_000)
        planned = f"{yuan:,}" if i % 3 else f"{yuan:,}".translate(wide)
        row = [f"XM{FUNDS_YEAR}{i:03d}", p.name, p.investor, INDUSTRY_WORDS[p.industry][2], STAGE_WORDS[p.stage][1 if p.stage is not Stage.SIGNED else 0],
               planned,
               *[dt.datetime.combine(p.dates[s], dt.time()) if p.dates.get(s) else None for s in PIPE],
               _flag(p.zhejiang_return, FLAG_WORDS[2]), _flag(p.mountain_sea, FLAG_WORDS[2]),
               _flag(p.declared, FLAG_WORDS[2]), dt.datetime.combine(p.declared_on, dt.time()) if p.declared_on else None,
               p.liaison_leader, p.responsible_unit,
               *[int(p.funds[m] * 10_000) if m in p.funds else None for m in range(1, LAST_MONTH + 1)]]
        ws.append(row)
    for row in ws.iter_rows(min_row=2, min_col=7, max_col=12):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    wb.save(path)


def layout_month_only_dates(path: Path, truth: list[TruthProject], unit: str) -> None:
    """Dates typed '2026年3月' (the 1st with a note) and '2026/3/5'; money '3.5亿' / '800万'."""
    wb = Workbook()
    ws = wb.active
    ws.append([f"{unit}重点招商项目清单"])
    ws.append(["项目", "企业名称", "产业类型", "进展阶段", "投资规模", "谋划时间", "洽谈日期", "签约时间", "落地时间",
               "开工时间", "投产时间", "浙商回归", "山海协作", "是否申报", "申报日期", "联系领导", "责任单位", "累计到位资金"])
    for p in truth:
        planned = f"{p.planned / 10_000}亿" if p.planned % 100 == 0 and p.planned >= 10_000 else f"{p.planned}万"
        row = [p.name, p.investor, INDUSTRY_WORDS[p.industry][0], STAGE_WORDS[p.stage][2], planned,
               *[f"{p.dates[s].year}年{p.dates[s].month}月" if p.dates.get(s) and p.dates[s].day == 1 else
                 (f"{p.dates[s].year}/{p.dates[s].month}/{p.dates[s].day}" if p.dates.get(s) else None) for s in PIPE],
               _flag(p.zhejiang_return, FLAG_WORDS[0]), _flag(p.mountain_sea, FLAG_WORDS[0]),
               _flag(p.declared, FLAG_WORDS[0]), p.declared_on.isoformat() if p.declared_on else None,
               p.liaison_leader, p.responsible_unit, f"{p.cumulative}万" if p.cumulative else None]
        ws.append(row)
    wb.save(path)


CSV_HEADER = ["序号", "项目名称", "投资方", "产业类别", "项目阶段", "计划总投资（万元）", "谋划时间", "在谈时间", "签约时间",
              "落地时间", "开工时间", "投产时间", "浙商回归", "山海协作", "已申报", "申报日期", "联系领导", "责任单位",
              "累计到位资金（万元）"]


def layout_csv(path: Path, truth: list[TruthProject], unit: str, encoding: str = "gbk") -> None:
    """A CSV as exported by an old system: GBK (or another encoding), 1/0 flags, 2026/3/5 dates."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for i, p in enumerate(truth, 1):
            writer.writerow([i, p.name, p.investor, INDUSTRY_WORDS[p.industry][0], STAGE_WORDS[p.stage][0], f"{p.planned:,}",
                             *[f"{p.dates[s].year}/{p.dates[s].month}/{p.dates[s].day}" if p.dates.get(s) else "" for s in PIPE],
                             _flag(p.zhejiang_return, FLAG_WORDS[3]), _flag(p.mountain_sea, FLAG_WORDS[3]),
                             _flag(p.declared, FLAG_WORDS[3]), p.declared_on.isoformat() if p.declared_on else "",
                             p.liaison_leader, p.responsible_unit, str(p.cumulative)])
        writer.writerow(["合计", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""])


def layout_with_filler(path: Path, truth: list[TruthProject], unit: str) -> None:
    """Layout 1 with rows whose content was deleted but whose borders stay (as LibreOffice
    keeps them after a clerk clears rows): blank formatted rows between and after the projects."""
    layout_titled_monthly(path, truth, unit)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    thin = Side(style="thin")
    ws.insert_rows(6, 3)
    for row in list(range(6, 9)) + list(range(ws.max_row + 1, ws.max_row + 200)):
        for column in range(1, 30):
            ws.cell(row, column).border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb.save(path)


LAYOUTS = {
    "titled_monthly": layout_titled_monthly,
    "merged_cumulative": layout_merged_cumulative,
    "yuan_dates": layout_yuan_dates,
    "month_only_dates": layout_month_only_dates,
    "csv_gbk": layout_csv,
}
MONTHLY = {"titled_monthly", "yuan_dates"}
"""Layouts that carry each month's funds; the others carry the cumulative amount only."""
