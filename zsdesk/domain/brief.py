"""The brief (简报): the paragraphs of the half-year review that hold numbers.

Pure: :class:`BriefFigures` in (gathered by :mod:`zsdesk.store.brief_query` from the
one progress computation), paragraphs out, written the way the bureau's review writes
them — 亿元 with two decimals, rates as xx.xx%, lists joined with 、 and 和.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .enums import Indicator, Status
from .money import YUAN_PER_WAN, format_percent, format_yi, normalize
from .periods import YearMonth
from .progress import ProgressRow

NAMED_SIGNED = 3
"""How many signed projects the brief names (the biggest); the review names three."""
NAMED_BEHIND = 2
"""How many of the units furthest behind it names, with their rates."""
NAMED_INDUSTRIES = 3
NAMED_UNDECLARED = 3


@dataclass(frozen=True)
class VisitFigures:
    firms: int = 0
    """Distinct investors that came, January to the month."""
    batches: int = 0
    headcount: int = 0
    notable: Sequence[str] = ()
    """Names of the well-known firms (Investor.notable) that came, first visit first."""
    notable_kinds: Mapping[str, int] = field(default_factory=dict)
    """Kind label (央企, 上市公司…) → how many of the notable firms are of it."""
    industries: Sequence[str] = ()
    """Industries of the visiting firms, most visits first."""


@dataclass(frozen=True)
class NamedProject:
    name: str
    unit: str
    planned_investment: Decimal = Decimal(0)


@dataclass(frozen=True)
class EventFigures:
    """招商活动 January to the month."""

    total: int = 0
    by_kind: Mapping[str, int] = field(default_factory=dict)
    """Kind label (推介会, 洽谈会, 蹲点招商) → how many, in that order."""
    biggest: tuple[str, int, int, int] | None = None
    """The meeting with most firms: (name, firms, representatives, intention projects)."""


@dataclass(frozen=True)
class DeclaredFigures:
    """浙商回归 projects declared to the province and city this year (申报)."""

    count: int = 0
    amount: Decimal = Decimal(0)
    """Declared amounts (申报金额), 万元."""
    retained: Decimal = Decimal(0)
    """Last year's retained amount deducted from them (去年留存), 万元."""
    carried_over: int = 0
    """Of the declared projects, those carried over from an earlier year (结转)."""


@dataclass(frozen=True)
class NewProjectFigures:
    """Projects new this year (signed in the year, not carried over)."""

    count: int = 0
    with_capital: int = 0
    """Of which declared with a registered capital (申报注册资金)."""
    capital: Decimal = Decimal(0)


@dataclass
class BriefFigures:
    county: str
    period: YearMonth
    threshold: Decimal
    """新引进投资规模 N 万元以上: N."""
    rows: Mapping[Indicator, ProgressRow]
    """The county's rows (or the one unit's) from the progress table."""
    unit: str | None = None
    unit_rows: Mapping[Indicator, Sequence[ProgressRow]] = field(default_factory=dict)
    """Every unit's row per indicator, in the file's unit order."""
    film_production: int = 0
    visits: VisitFigures = field(default_factory=VisitFigures)
    signed: Sequence[NamedProject] = ()
    """The projects signed January to the month, biggest planned investment first."""
    undeclared: Sequence[NamedProject] = ()
    """已开工未申报 projects (the check rule's definition), in unit order."""
    events: EventFigures = field(default_factory=EventFigures)
    negotiating: int = 0
    """Projects in talks (在谈) at the month's end — 有一定意向的在谈项目."""
    building: int = 0
    """Projects under construction (落地在建) at the month's end."""
    declared: DeclaredFigures = field(default_factory=DeclaredFigures)
    new_projects: NewProjectFigures = field(default_factory=NewProjectFigures)
    has_data: bool = True
    has_targets: bool = True


@dataclass(frozen=True)
class Section:
    heading: str
    paragraph: str


@dataclass(frozen=True)
class Chapter:
    heading: str
    """一、上半年工作情况 …"""
    sections: list[Section]


@dataclass
class Brief:
    title: str
    chapters: list[Chapter]
    note: str = ""
    has_data: bool = True
    """False when the month had nothing to report: the brief is then one plain sentence."""

    @property
    def sections(self) -> list[Section]:
        return [section for chapter in self.chapters for section in chapter.sections]

    def section(self, heading_words: str) -> Section:
        return next(s for s in self.sections if heading_words in s.heading)

    def file_bytes(self) -> bytes:
        """The text as a .txt file old Windows Notepad opens right: UTF-8 with BOM, CRLF."""
        return self.text().replace("\n", "\r\n").encode("utf-8-sig")

    def text(self) -> str:
        parts = [self.title, ""]
        for chapter in self.chapters:
            parts.append(chapter.heading)
            for section in chapter.sections:
                parts += [section.heading, section.paragraph]
            parts.append("")
        if self.note:
            parts.append(self.note)
        return "\n".join(parts).rstrip() + "\n"


# ---------------------------------------------------------------- words


def months_phrase(period: YearMonth) -> str:
    """'1-6月' (the review's x-x月), or '1月' in January."""
    return "1月" if period.month == 1 else f"1-{period.month}月"


def join_names(names: Sequence[str]) -> str:
    """A、B和C."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


def yi(wan: Decimal) -> str:
    """An amount as the review writes it: '3.27' (亿元, two decimals)."""
    return format_yi(wan, 2)


def target_yi(wan: Decimal) -> str:
    """A target in 亿元 as it was set, without padding: 15, 1.5, 0.35."""
    return format(normalize(Decimal(wan) / YUAN_PER_WAN), "f")


def percent(rate: Decimal | None) -> str:
    return format_percent(rate, 2)


# ---------------------------------------------------------------- composing


def span_phrase(period: YearMonth) -> str:
    """上半年 in June, 全年 in December, else 1-N月 (the review's own words)."""
    return {6: "上半年", 12: "全年"}.get(period.month, months_phrase(period))


def compose_brief(fig: BriefFigures) -> Brief:
    who = fig.unit or fig.county
    title = f"{who}招商引资工作简报（{fig.period.year}年{months_phrase(fig.period)}）"
    span = span_phrase(fig.period)
    if not fig.has_data:
        return Brief(
            title,
            [
                Chapter(
                    f"一、{span}工作情况",
                    [
                        Section(
                            "（一）主要数据。",
                            f"台账中没有{fig.period.year}年{months_phrase(fig.period)}的招商数据（到位资金、项目、考察对接），"
                            "无法生成简报。请先录入数据或导入各单位月报。",
                        )
                    ],
                )
            ],
            has_data=False,
        )
    work = Chapter(
        f"一、{span}工作情况",
        [Section("（一）主要数据。", main_data(fig)), Section("（二）主要做法。", practices(fig))],
    )
    if fig.unit is None:
        uneven = Section("（二）工作进展不平衡。", imbalance(fig))
    else:
        uneven = Section("（二）工作进展。", unit_progress(fig))
    problems = Chapter("二、存在的问题", [Section("（一）新引进项目和浙商回归申报。", declared_paragraph(fig)), uneven])
    note = (
        f"注：数据截至{fig.period.year}年{fig.period.month}月{fig.period.last_day.day}日，由台账按统计口径生成；"
        f"序时进度{percent(fig.rows[Indicator.DOMESTIC_FUNDS].schedule)}。"
    )
    return Brief(title, [work, problems], note)


def wan(value: Decimal) -> str:
    """万元 as the review writes them in running text: no thousands separators, 12345.6."""
    return format(normalize(Decimal(value)), "f")


def practices(fig: BriefFigures) -> str:
    """The figures of 主要做法: promotion events, projects in talks and building."""
    e = fig.events
    parts = []
    if e.total:
        kinds = "、".join(f"{kind}{n}次" for kind, n in e.by_kind.items() if n)
        text = f"{months_phrase(fig.period)}共开展招商活动{e.total}次（{kinds}）"
        if e.biggest:
            name, firms, reps, intention = e.biggest
            text += f"，其中举办的“{name}”有{firms}家企业的{reps}名代表参加，达成意向项目{intention}个"
        parts.append(text)
    else:
        parts.append(f"{months_phrase(fig.period)}没有登记招商活动")
    parts.append(f"截至{fig.period.month}月底，有一定意向的在谈项目{fig.negotiating}个，已经落地的在建项目{fig.building}个")
    return "；".join(parts) + "。"


def declared_paragraph(fig: BriefFigures) -> str:
    """今年向省市申报的浙商回归项目 and the new projects that declared a registered capital."""
    d, n = fig.declared, fig.new_projects
    if d.count:
        text = (
            f"今年向省市申报的“浙商回归”项目{d.count}个、{wan(d.amount)}万元"
            f"（扣除去年留存的{wan(d.retained)}万元，实际到位{wan(d.amount - d.retained)}万元）"
        )
        text += f"，其中结转项目{d.carried_over}个" if d.carried_over else "，没有结转项目"
    else:
        text = "今年还没有向省市申报“浙商回归”项目"
    if n.count:
        share = percent(Decimal(n.with_capital) / Decimal(n.count))
        text += (
            f"；今年新引进的{n.count}个项目中，申报注册资金的{n.with_capital}个、{wan(n.capital)}万元，"
            f"占新引进项目的{share}"
        )
    else:
        text += "；今年还没有新引进项目"
    return text + "。"


def _funds_clause(label: str, row: ProgressRow) -> str:
    text = f"{label}{yi(row.actual)}亿元"
    if row.rate is None:
        return text + "（未下达年度目标任务）"
    return text + f"，完成年度目标任务{target_yi(row.target)}亿元的{percent(row.rate)}"


def main_data(fig: BriefFigures) -> str:
    rows = fig.rows
    where = "我县" if fig.unit is None else fig.unit
    subject = "全县" if fig.unit is None else fig.unit
    funds = "；".join(
        [
            _funds_clause(f"{subject}共引进内资", rows[Indicator.DOMESTIC_FUNDS]),
            _funds_clause("“浙商回归”到位资金", rows[Indicator.ZHEJIANG_RETURN_FUNDS]),
            _funds_clause("“山海协作”项目实际到位资金", rows[Indicator.MOUNTAIN_SEA_FUNDS]),
        ]
    )
    planned = rows[Indicator.PLANNED_PROJECTS]
    planned_text = f"报送谋划项目{planned.actual}个"
    if planned.rate is None:
        planned_text += "（未下达年度目标任务）"
    else:
        planned_text += f"，完成年度目标任务{planned.target}个的{percent(planned.rate)}"
    counts = "；".join(
        [
            f"新引进投资规模{format(normalize(fig.threshold), 'f')}万元以上企业{rows[Indicator.MAJOR_PROJECTS].actual}家",
            f"新引进影视文化企业{rows[Indicator.FILM_CULTURE_FIRMS].actual}家（其中影视制作{fig.film_production}家）",
            planned_text,
            visits_clause(fig.visits, where),
            signed_clause(fig.signed, rows[Indicator.SIGNED_PROJECTS].actual),
        ]
    )
    return f"据统计，{months_phrase(fig.period)}，{funds}。{counts}。"


def visits_clause(v: VisitFigures, where: str) -> str:
    if not v.batches:
        return f"暂无企业前来{where}考察对接"
    text = f"前来{where}考察对接的企业{v.firms}家、{v.batches}批、{v.headcount}人次"
    if v.notable:
        kinds = "、".join(f"{kind}{n}家" for kind, n in v.notable_kinds.items())
        text += f"，包括{'、'.join(v.notable)}等知名企业"
        if kinds:
            text += f"（其中{kinds}）"
    if v.industries:
        named = list(v.industries[:NAMED_INDUSTRIES])
        spread = named[0] if len(named) == 1 else "、".join(named[:-1]) + "及" + named[-1]
        text += f"，主要涉及{spread}等项目"
    return text


def signed_clause(signed: Sequence[NamedProject], count: int) -> str:
    if not count:
        return "暂无新签约项目"
    names = [p.name for p in signed[:NAMED_SIGNED]]
    if count <= len(names):
        return f"签约了{join_names(names)}{'' if count == 1 else f'共{count}个项目'}"
    return f"签约了{join_names(names)}等{count}个项目"


def _behind(rows: Sequence[ProgressRow]) -> list[ProgressRow]:
    behind = [r for r in rows if r.status is Status.BEHIND]
    return sorted(behind, key=lambda r: (r.rate, r.actual))[:NAMED_BEHIND]


def imbalance(fig: BriefFigures) -> str:
    if not fig.has_targets:
        return f"台账中没有{fig.period.year}年的目标任务，无法比较各单位的完成进度。"
    sentences = [
        _indicator_imbalance(fig, Indicator.ZHEJIANG_RETURN_FUNDS, "浙商回归", with_undeclared=True),
        _indicator_imbalance(fig, Indicator.DOMESTIC_FUNDS, "引进内资"),
    ]
    return "".join(s for s in sentences if s)


def _indicator_imbalance(fig: BriefFigures, indicator: Indicator, label: str, with_undeclared: bool = False) -> str:
    rows = [r for r in fig.unit_rows.get(indicator, ()) if r.rate is not None]
    undeclared = list(fig.undeclared) if with_undeclared else []
    if not rows:
        text = f"今年没有单位承担{label}考核任务"
        if undeclared:
            text += "，" + _undeclared_clause(undeclared, set())
        return text + "。"
    done = [r.unit for r in rows if r.status is Status.DONE]
    behind = _behind(rows)
    nothing = [r.unit for r in rows if r.status is Status.NOTHING]
    clauses = [f"今年有{label}考核任务的{len(rows)}家单位"]
    clauses.append(f"{'、'.join(done)}已完成了年度目标任务" if done else "尚无单位完成年度目标任务")
    if behind:
        lagging = "、".join(f"{r.unit}仅完成了{percent(r.rate)}" for r in behind)
        count = sum(1 for r in rows if r.status is Status.BEHIND)
        prefix = "而" if done else ""
        if count > len(behind):
            clauses.append(f"{prefix}{count}家单位慢于序时进度，其中{lagging}")
        else:
            clauses.append(f"{prefix}{lagging}")
    elif not nothing:
        clauses.append("其余单位均达到序时进度")
    if nothing:
        clauses.append(f"{'、'.join(nothing)}还无实绩")
    if undeclared:
        clauses.append(_undeclared_clause(undeclared, set(nothing)))
    return "，".join(clauses) + "。"


def _undeclared_clause(projects: Sequence[NamedProject], nothing_units: set[str]) -> str:
    named = projects[:NAMED_UNDECLARED]
    parts = []
    for p in named:
        outcome = "实绩为零" if p.unit in nothing_units else "资金不计入实绩"
        parts.append(f"{p.unit}的{p.name}虽已动工在建，但至今没有申报，{outcome}")
    text = "；".join(parts)
    if len(projects) > len(named):
        text += f"（已开工未申报的浙商回归项目共{len(projects)}个）"
    return text


def unit_progress(fig: BriefFigures) -> str:
    """For one unit's brief: each indicator's rate against 序时进度 and its rank."""
    if not fig.has_targets:
        return f"{fig.unit}没有{fig.period.year}年的目标任务，无法计算完成进度。"
    schedule = percent(fig.rows[Indicator.DOMESTIC_FUNDS].schedule)
    items = []
    for indicator in Indicator:
        row = fig.rows[indicator]
        if row.rate is None:
            continue
        ranked = [r for r in fig.unit_rows.get(indicator, ()) if r.rank]
        rank = f"，在{len(ranked)}家单位中排第{row.rank}位" if row.rank else ""
        items.append(f"{indicator.short_label}完成率{percent(row.rate)}（{row.status.label}）{rank}")
    text = f"对照序时进度{schedule}，{fig.unit}" + "；".join(items) + "。"
    if fig.undeclared:
        text += _undeclared_clause(fig.undeclared, set()) + "。"
    return text
