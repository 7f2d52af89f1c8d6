"""Check rules (审核): plain facts in, findings out. No SQL, no Qt.

Each rule is a small function with an id, a level and a Chinese title. It reads the
facts the store loaded (:class:`CheckFacts`) and yields :class:`Finding` objects that
point at one record by a stable key (``project:<code>``, ``unit:<name>``,
``visit:<id>``, ``followup:<id>``, ``target:<unit>:<year>:<indicator>`` …) and carry
what the GUI needs to open it.

Levels follow the four classes of rule of the government reporting clients, folded
into three:

* ``error`` (强制): the data is wrong and must be fixed; it cannot be explained away.
  These are things with one right answer the clerk can correct in the ledger
  (a negative amount, dates out of order, funds above the planned investment).
* ``warning`` (核实): may stand with a written explanation (审核说明) — e.g. a 浙商回归
  project building but not yet declared, because declaring is a provincial procedure
  the clerk cannot finish today. The explanation is kept and goes into the return.
* ``hint`` (提示): worth a look, never stops anything (an overdue follow-up).

A return cannot go out while its unit has an error, or a warning without an
explanation (see :func:`blocking`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..errors import ValidationError
from .enums import FILM_CULTURE_INDUSTRY, PIPELINE, STAGE_DATE_FIELDS, Indicator, Stage, _Labelled
from .money import format_wan
from .periods import YearMonth


class Level(_Labelled):
    ERROR = ("error", "错误")
    WARNING = ("warning", "警告")
    HINT = ("hint", "提示")

    @property
    def severity(self) -> int:
        """0 for errors, then warnings, then hints: sort key, most serious first."""
        return _SEVERITY[self.value]


_SEVERITY = {"error": 0, "warning": 1, "hint": 2}

MIN_EXPLANATION_CHARS = 5
"""An explanation needs at least this many letters, digits or hanzi (not punctuation)."""

FOLLOW_UP_SILENCE_DAYS = 90
"""A project being pushed forward with no follow-up for this long gets a hint."""

_ON_THE_LINE = frozenset(PIPELINE)

PUSHED_STAGES = (Stage.NEGOTIATING, Stage.SIGNED, Stage.LANDED, Stage.UNDER_CONSTRUCTION)
"""意向项目抓签约，签约项目抓落地，落地项目抓开工，开工项目抓投产."""


# ---------------------------------------------------------------- facts


class StageDates(tuple):
    """A project's stage dates, read like the dict it replaces (``get``, ``items``):
    one slot per stage in :data:`STAGE_DATE_FIELDS`'s order, None where there is no
    date. A tuple of eight is 104 bytes where the dict was 230 to 360 (issue 18: the
    whole-file checks hold 50,000 projects' facts at their peak)."""

    __slots__ = ()

    @classmethod
    def of(cls, dates: Mapping[Stage, dt.date | None]) -> "StageDates":
        return cls(dates.get(stage) for stage in _DATED_STAGES)

    def get(self, stage: Stage, default=None):
        index = _STAGE_SLOT.get(stage)
        value = None if index is None else tuple.__getitem__(self, index)
        return default if value is None else value

    def items(self) -> list[tuple[Stage, dt.date]]:
        return [(stage, day) for stage, day in zip(_DATED_STAGES, self) if day is not None]

    def keys(self) -> list[Stage]:
        return [stage for stage, _day in self.items()]

    def __repr__(self) -> str:
        return f"StageDates({dict(self.items())!r})"


_DATED_STAGES = tuple(STAGE_DATE_FIELDS)
_STAGE_SLOT = {stage: i for i, stage in enumerate(_DATED_STAGES)}


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    id: int
    code: str
    name: str
    unit: str
    stage: Stage
    dates: Mapping[Stage, dt.date | None]
    planned_investment: Decimal
    funds_total: Decimal
    """Funds arrived, all months in scope (up to the period's end when a month is given)."""
    zhejiang_return: bool = False
    declared: bool = False
    declared_on: dt.date | None = None
    carried_over: bool = False
    liaison_leader: str = ""
    responsible_unit: str = ""
    investor_id: int | None = None

    def date(self, stage: Stage) -> dt.date | None:
        return self.dates.get(stage)


@dataclass(frozen=True, slots=True)
class FundFacts:
    """One month's funds arrived for a project (only the ones the fund rules look at)."""

    project_id: int
    year: int
    month: int
    amount: Decimal

    @property
    def period(self) -> YearMonth:
        return YearMonth(self.year, self.month)


@dataclass(frozen=True, slots=True)
class FollowUpFacts:
    id: int
    project_id: int
    date: dt.date
    due_on: dt.date | None
    done: bool
    next_step: str = ""


@dataclass(frozen=True, slots=True)
class VisitFacts:
    id: int
    date: dt.date
    investor_id: int | None
    unit: str | None
    project_id: int | None = None


@dataclass(frozen=True, slots=True)
class InvestorFacts:
    id: int
    name: str
    unit: str | None
    industry: str
    film_production: bool
    registered_on: dt.date | None


@dataclass(frozen=True, slots=True)
class EventFacts:
    id: int
    name: str
    date: dt.date
    unit: str | None
    """The organising unit; None for the county bureau (县招商局)."""


@dataclass(frozen=True, slots=True)
class UnitFacts:
    id: int
    name: str
    project_count: int
    targets: Mapping[Indicator, Decimal | int]
    """The unit's targets for the period's year."""


@dataclass
class CheckFacts:
    """Everything the rules read, for the whole file or one unit."""

    period: YearMonth
    today: dt.date
    month_given: bool = False
    """True when checking one month's data (a return); False for the whole file."""
    unit: str | None = None
    """The one unit checked, or None for the whole file."""
    units: list[UnitFacts] = field(default_factory=list)
    county_targets: set[Indicator] = field(default_factory=set)
    projects: list[ProjectFacts] = field(default_factory=list)
    funds: list[FundFacts] = field(default_factory=list)
    follow_ups: list[FollowUpFacts] = field(default_factory=list)
    visits: list[VisitFacts] = field(default_factory=list)
    investors: list[InvestorFacts] = field(default_factory=list)
    own_unit: str | None = None
    """In a township's own file: its unit (whose return the file sends); None at the county."""
    events: list[EventFacts] = field(default_factory=list)
    reported_targets: Mapping[str, Mapping[Indicator, Decimal | int | None]] = field(default_factory=dict)
    """At the county: unit name → the targets its last imported return printed for the year."""
    """Events of the year (to the month's end for a return), every organiser: only a
    township's file reads them, to tell what its return would leave out."""

    @property
    def as_of(self) -> dt.date:
        """The day the data is judged at: today, or the month's end for a past month."""
        return min(self.today, self.period.last_day) if self.month_given else self.today

    _ids: "array | dict | None" = field(default=None, repr=False, compare=False)
    """The projects' ids in list order when they ascend (as load_facts reads them): found
    by bisection, 8 bytes a project where a dict by id took about 50 (issue 18: 2.5 MB
    at the checks' peak on 50,000 projects); else a dict of position by id."""
    _refs: list = field(default_factory=list, repr=False, compare=False)

    def _position(self, project_id) -> int | None:
        ids = self._ids
        if ids is None or len(ids) != len(self.projects):
            try:
                ids = array("q", [p.id for p in self.projects])
            except (TypeError, OverflowError):  # facts made by hand (tests) with odd ids
                ids = [None, None]
            if any(a is None or a >= b for a, b in zip(ids, ids[1:])):
                ids = {p.id: i for i, p in enumerate(self.projects)}
            self._ids = ids
            self._refs = [None] * len(self.projects)
        if isinstance(ids, dict):
            return ids.get(project_id)
        i = bisect_left(ids, project_id)
        return i if i < len(ids) and ids[i] == project_id else None

    def project(self, project_id: int) -> ProjectFacts | None:
        """The project with this id (indexed on first use, once the facts are loaded)."""
        if project_id is None:
            return None
        i = self._position(project_id)
        return None if i is None else self.projects[i]

    def ref(self, p: ProjectFacts) -> "RecordRef":
        """The project's record reference, one object for all its findings (a project of
        a large file is named by three or four findings; a reference is immutable)."""
        i = self._position(p.id)
        if i is None or self.projects[i] is not p:
            return project_ref(p)
        found = self._refs[i]
        if found is None:
            found = self._refs[i] = project_ref(p)
        return found


# ---------------------------------------------------------------- findings


@dataclass(frozen=True, slots=True)
class RecordRef:
    """The record a finding points at."""

    given_key: str | None
    """The stable key (see :attr:`key`), or None when it is ``<kind>:<id>`` — made when
    read, so that 22,000 follow-ups' references hold no key of their own."""
    kind: str
    """project, investor, visit, followup, unit, target, county."""
    id: int | None
    """Database id of the record (None for a missing target)."""
    label: str
    """What a person calls it: the project's name, the unit's name…"""
    unit: str | None = None
    target: tuple[str, int] | int | str | None = None
    """What the GUI opens on a double-click (see :attr:`opens`); :data:`ITSELF` for the
    record itself and a bare id for the project of that id, so that 50,000 projects'
    and 22,000 follow-ups' references hold no tuple each."""

    @property
    def key(self) -> str:
        """Stable key, the same across reopening: what acknowledgements are stored under."""
        given = self.given_key
        return f"{self.kind}:{self.id}" if given is None else given

    @property
    def opens(self) -> tuple[str, int] | None:
        """('project', id) or ('investor', id): what a double-click opens; None: nothing."""
        target = self.target
        if target is ITSELF:
            return (self.kind, self.id)
        return ("project", target) if target.__class__ is int else target


ITSELF = "itself"
"""A RecordRef's target when the record it names is what opens."""


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    rule: str
    record_key: str
    explanation: str
    by: str
    at: dt.datetime


@dataclass(frozen=True, slots=True, eq=False)
class Finding:
    rule: str
    level: Level
    said: str | tuple
    """The message; or, for a rule with a wording (:attr:`Rule.wording`), what it is
    worded from when read. A large county's 72,000 hints held as text took 13 MB at the
    checks' peak (issue 18), their arguments about half."""
    record: RecordRef
    acknowledgement: Acknowledgement | None = None

    @property
    def message(self) -> str:
        said = self.said
        return said if said.__class__ is str else RULES[self.rule].wording(self.record, *said)

    def _compared(self) -> tuple:
        return (self.rule, self.level, self.message, self.record, self.acknowledgement)

    def __eq__(self, other) -> bool:
        """Equal when they say the same of the same record: a message kept as its
        arguments equals the same message kept as text."""
        if other.__class__ is not Finding:
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.record.key)

    @property
    def title(self) -> str:
        return RULES[self.rule].title

    @property
    def explained(self) -> bool:
        return self.acknowledgement is not None

    @property
    def blocks(self) -> bool:
        """Stops a return: an error, or a warning nobody explained."""
        return self.level is Level.ERROR or (self.level is Level.WARNING and not self.explained)

    def as_json(self) -> dict:
        ack = self.acknowledgement
        return {
            "rule": self.rule,
            "title": self.title,
            "level": self.level.value,
            "message": self.message,
            "record_key": self.record.key,
            "kind": self.record.kind,
            "id": self.record.id,
            "label": self.record.label,
            "unit": self.record.unit,
            "explanation": ack.explanation if ack else None,
            "explained_by": ack.by if ack else None,
            "explained_at": ack.at.isoformat(sep=" ") if ack else None,
        }


def project_ref(p: ProjectFacts, key: str | None = None) -> RecordRef:
    return RecordRef(key or f"project:{p.code}", "project", p.id, p.name, p.unit, ITSELF)


def unit_ref(u: UnitFacts) -> RecordRef:
    return RecordRef(f"unit:{u.name}", "unit", u.id, u.name, u.name)


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    title: str
    """A short Chinese name: 已开工未申报."""
    find: Callable[[CheckFacts], Iterable[Finding]]
    per_project: bool = False
    """Reads only the projects, their funds and follow-ups (and the period): its findings
    on a whole file are those of each unit's projects checked alone, so a whole county
    can be checked one unit at a time (:func:`zsdesk.store.checks_query.run_checks`)."""
    wording: Callable[..., str] | None = None
    """``wording(record, *said)``: the message of a finding for which the rule yielded a
    tuple instead of text (see :attr:`Finding.said`)."""

    @property
    def can_acknowledge(self) -> bool:
        return self.level is Level.WARNING


RULES: dict[str, Rule] = {}


def rule(rule_id: str, level: Level, title: str, *, per_project: bool = False, wording=None):
    """Register a rule over the whole facts: ``fn(facts) -> iterable of (message, RecordRef)``.

    ``per_project``: the rule reads only ``projects``, ``funds`` and ``follow_ups`` (and
    the period and today), and a project's findings never depend on another unit's
    projects (see :attr:`Rule.per_project`). ``wording``: the rule may yield a tuple in
    place of the message, worded by ``wording(record, *tuple)`` when read.
    """

    def register(fn: Callable[[CheckFacts], Iterable[tuple[str, RecordRef]]]):
        def find(facts: CheckFacts) -> Iterator[Finding]:
            for message, ref in fn(facts):
                yield Finding(rule_id, level, message, ref)

        RULES[rule_id] = Rule(rule_id, level, title, find, per_project, wording)
        return fn

    return register


def project_rule(rule_id: str, level: Level, title: str):
    """Register a rule on one project at a time: ``fn(project, facts) -> message or None``."""

    def register(fn: Callable[[ProjectFacts, CheckFacts], str | None]):
        def over_projects(facts: CheckFacts):
            for p in facts.projects:
                message = fn(p, facts)
                if message:
                    yield message, facts.ref(p)

        rule(rule_id, level, title, per_project=True)(over_projects)
        return fn

    return register


def _day(value: dt.date) -> str:
    return value.isoformat()


def _wan(value: Decimal) -> str:
    return f"{format_wan(value)}万元"


def started_undeclared(p: ProjectFacts, by: dt.date | None = None) -> bool:
    """已开工未申报: a 浙商回归 project building (or beyond) that was never declared.

    Declaring (申报) is the 浙商回归 declaration to the province and city, so the rule
    is about 浙商回归 projects; their funds count zero until declared. With ``by``,
    only a project that had started by that day.
    """
    if not p.zhejiang_return or p.declared:
        return False
    started = p.date(Stage.UNDER_CONSTRUCTION)
    if started is None:
        return p.stage in (Stage.UNDER_CONSTRUCTION, Stage.IN_OPERATION) and by is None
    return by is None or started <= by


@project_rule("undeclared_construction", Level.WARNING, "已开工未申报")
def _undeclared_construction(p: ProjectFacts, facts: CheckFacts) -> str | None:
    if not started_undeclared(p, facts.period.last_day if facts.month_given else None):
        return None
    started = p.date(Stage.UNDER_CONSTRUCTION)
    when = f"已于{_day(started)}开工" if started else "已开工"
    return f"浙商回归项目“{p.name}”{when}，但至今没有向省市申报：到位资金不计入浙商回归实绩"


@project_rule("funds_above_planned", Level.ERROR, "到位资金超过计划总投资")
def _funds_above_planned(p: ProjectFacts, facts: CheckFacts) -> str | None:
    if p.funds_total <= p.planned_investment:
        return None
    return (
        f"“{p.name}”累计到位资金{_wan(p.funds_total)}，超过计划总投资{_wan(p.planned_investment)}："
        "请核对到位资金或修改计划总投资"
    )


@project_rule("stage_dates_out_of_order", Level.ERROR, "阶段日期顺序颠倒")
def _stage_dates_out_of_order(p: ProjectFacts, facts: CheckFacts) -> str | None:
    dated = [(s, p.date(s)) for s in PIPELINE if p.date(s)]
    for (earlier, d1), (later, d2) in zip(dated, dated[1:]):
        if d2 < d1:
            return f"“{p.name}”的{later.label}日期（{_day(d2)}）早于{earlier.label}日期（{_day(d1)}）"
    if dated:
        last_stage, last_day = max(dated, key=lambda pair: pair[1])
        for off in (Stage.SUSPENDED, Stage.TERMINATED):
            day = p.date(off)
            if day and day < last_day:
                return f"“{p.name}”的{off.label}日期（{_day(day)}）早于{last_stage.label}日期（{_day(last_day)}）"
    return None


@project_rule("stage_date_missing", Level.ERROR, "所处阶段没有日期")
def _stage_date_missing(p: ProjectFacts, facts: CheckFacts) -> str | None:
    if p.date(p.stage) is not None:
        return None
    return f"“{p.name}”处于{p.stage.label}阶段，但没有{p.stage.label}日期：签约、开工等数字按日期统计"


@project_rule("stage_date_skipped", Level.WARNING, "缺少前一阶段日期")
def _stage_date_skipped(p: ProjectFacts, facts: CheckFacts) -> str | None:
    # 谋划 is optional: only projects the government conceived pass through it.
    if p.stage not in _ON_THE_LINE:
        reached = [s for s in PIPELINE if p.date(s)]
        if not reached:
            return None
        current = reached[-1]
    else:
        current = p.stage
    earlier = PIPELINE[1 : PIPELINE.index(current)]
    missing = [s.label for s in earlier if p.date(s) is None]
    if not missing:
        return None
    return f"“{p.name}”已到{current.label}阶段，但缺少{'、'.join(missing)}日期"


@project_rule("stage_date_future", Level.ERROR, "阶段日期在今天之后")
def _stage_date_future(p: ProjectFacts, facts: CheckFacts) -> str | None:
    late = [(s, d) for s, d in p.dates.items() if d and d > facts.today]
    if not late:
        return None
    stage, day = late[0]
    return f"“{p.name}”的{stage.label}日期（{_day(day)}）在今天之后：尚未发生的阶段不能登记"


@project_rule("no_liaison_leader", Level.WARNING, "没有联系领导")
def _no_liaison_leader(p: ProjectFacts, facts: CheckFacts) -> str | None:
    if not _signed_and_active(p) or p.liaison_leader.strip():
        return None
    return f"“{p.name}”（{p.stage.label}）没有联系领导：一个项目、一名联系领导、一个责任单位"


@project_rule("no_responsible_unit", Level.WARNING, "没有责任单位")
def _no_responsible_unit(p: ProjectFacts, facts: CheckFacts) -> str | None:
    if not _signed_and_active(p) or p.responsible_unit.strip():
        return None
    return f"“{p.name}”（{p.stage.label}）没有责任单位：一个项目、一名联系领导、一个责任单位"


SIGNED_AND_BEYOND = frozenset(PIPELINE[PIPELINE.index(Stage.SIGNED) :])


def _signed_and_active(p: ProjectFacts) -> bool:
    """Signed or beyond, still on the line: the projects a leader and a unit must push."""
    return p.stage in SIGNED_AND_BEYOND


@project_rule("declaration_incomplete", Level.WARNING, "申报信息不全")
def _declaration_incomplete(p: ProjectFacts, facts: CheckFacts) -> str | None:
    if p.declared and p.declared_on is None:
        return f"“{p.name}”标记为已申报，但没有申报日期"
    if not p.declared and p.declared_on is not None:
        return f"“{p.name}”有申报日期（{_day(p.declared_on)}），但没有标记为已申报：其浙商回归资金不计入实绩"
    return None


@project_rule("funds_before_signing", Level.WARNING, "未签约已有到位资金")
def _funds_before_signing(p: ProjectFacts, facts: CheckFacts) -> str | None:
    if p.funds_total <= 0 or p.stage not in (Stage.PLANNED, Stage.NEGOTIATING):
        return None
    return f"“{p.name}”尚处于{p.stage.label}阶段（未签约），却已登记到位资金{_wan(p.funds_total)}"


@project_rule("carried_over_but_new", Level.WARNING, "结转项目却是今年新项目")
def _carried_over_but_new(p: ProjectFacts, facts: CheckFacts) -> str | None:
    if not p.carried_over:
        return None
    dated = [(s, d) for s, d in p.dates.items() if d]
    if not dated:
        return None
    stage, first = min(dated, key=lambda pair: pair[1])
    if first.year < facts.period.year:
        return None
    return (
        f"“{p.name}”标记为结转项目，但最早的{stage.label}日期（{_day(first)}）在{facts.period.year}年："
        "结转项目不计入新引进大项目"
    )


@project_rule("signed_without_investor", Level.HINT, "已签约没有投资方")
def _signed_without_investor(p: ProjectFacts, facts: CheckFacts) -> str | None:
    if p.investor_id is not None or not _signed_and_active(p):
        return None
    return f"“{p.name}”已{p.stage.label}，但没有填写投资方"


def _same_name_wording(ref: RecordRef, first_code: str) -> str:
    code = ref.key.removeprefix("project:")
    return f"{ref.unit}有两个同名项目“{ref.label}”（编码 {first_code} 与 {code}）：是否重复登记？"


@rule("duplicate_project_name", Level.HINT, "项目重名", per_project=True, wording=_same_name_wording)
def _duplicate_project_name(facts: CheckFacts):
    # Names are compared within a unit: per project, as run one unit at a time.
    seen: dict[tuple[str, str], ProjectFacts] = {}
    for p in facts.projects:
        if p.stage is Stage.TERMINATED:
            continue
        name = "".join(p.name.split())
        first = seen.setdefault((p.unit, name), p)
        if first is not p:
            yield (first.code,), facts.ref(p)


@rule("negative_funds", Level.ERROR, "到位资金为负数", per_project=True)
def _negative_funds(facts: CheckFacts):
    for f in facts.funds:
        p = facts.project(f.project_id)
        if p is not None and f.amount < 0:
            yield (
                f"“{p.name}”{f.period.chinese}的到位资金为负数（{_wan(f.amount)}）",
                project_ref(p, f"fund:{p.code}:{f.period}"),
            )


@rule("future_funds", Level.ERROR, "登记了未到月份的资金", per_project=True)
def _future_funds(facts: CheckFacts):
    now = YearMonth.of(facts.today)
    for f in facts.funds:
        p = facts.project(f.project_id)
        if p is not None and f.period > now:
            yield (
                f"“{p.name}”登记了{f.period.chinese}的到位资金{_wan(f.amount)}，该月尚未到来",
                project_ref(p, f"fund:{p.code}:{f.period}"),
            )


def _overdue_wording(ref: RecordRef, next_step: str, due_on: dt.date, late: int) -> str:
    step = f"“{next_step}”" if next_step.strip() else "下一步工作"
    return f"“{ref.label}”的跟踪事项{step}应于{_day(due_on)}前完成，已逾期{late}天"


@rule("follow_up_overdue", Level.HINT, "跟踪事项逾期", per_project=True, wording=_overdue_wording)
def _follow_up_overdue(facts: CheckFacts):
    latest: dict[int, dt.date] = {}
    for f in facts.follow_ups:
        latest[f.project_id] = max(latest.get(f.project_id, f.date), f.date)
    for f in facts.follow_ups:
        p = facts.project(f.project_id)
        if p is None or f.done or f.due_on is None or f.due_on >= facts.as_of:
            continue
        if p.stage not in _ON_THE_LINE or p.stage is Stage.IN_OPERATION:
            continue
        if latest[f.project_id] > f.due_on:
            continue  # something was logged after the due day: the step was taken up
        yield (
            (f.next_step, f.due_on, (facts.as_of - f.due_on).days),
            RecordRef(None, "followup", f.id, p.name, p.unit, p.id),
        )


def _silence_wording(ref: RecordRef, stage: Stage, followed: bool, activity: dt.date, silent: int) -> str:
    since = "最近一次跟踪服务" if followed else f"进入{stage.label}阶段"
    return f"“{ref.label}”（{stage.label}）自{since}（{_day(activity)}）已{silent}天没有跟踪服务记录"


@rule("no_recent_follow_up", Level.HINT, "长期没有跟踪服务", per_project=True, wording=_silence_wording)
def _no_recent_follow_up(facts: CheckFacts):
    last: dict[int, dt.date] = {}
    for f in facts.follow_ups:
        last[f.project_id] = max(last.get(f.project_id, f.date), f.date)
    for p in facts.projects:
        if p.stage not in PUSHED_STAGES:
            continue
        followed = last.get(p.id)
        stage_day = p.date(p.stage)
        known = [d for d in (followed, stage_day) if d]
        if not known:
            continue
        activity = max(known)
        silent = (facts.as_of - activity).days
        if silent <= FOLLOW_UP_SILENCE_DAYS:
            continue
        yield (p.stage, followed == activity, activity, silent), facts.ref(p)


@rule("visit_without_investor", Level.WARNING, "考察对接没有客商")
def _visit_without_investor(facts: CheckFacts):
    for v in facts.visits:
        if v.investor_id is None:
            yield (
                f"{_day(v.date)}{v.unit or ''}的考察对接没有填写客商：不计入考察企业家数",
                RecordRef(None, "visit", v.id, f"{_day(v.date)}考察对接", v.unit,
                          ("project", v.project_id) if v.project_id else None),
            )


@rule("visit_in_future", Level.WARNING, "考察日期在今天之后")
def _visit_in_future(facts: CheckFacts):
    for v in facts.visits:
        if v.date > facts.today:
            yield (
                f"{v.unit or ''}登记了{_day(v.date)}的考察对接，该日尚未到来",
                RecordRef(None, "visit", v.id, f"{_day(v.date)}考察对接", v.unit,
                          ("investor", v.investor_id) if v.investor_id else None),
            )


def _investor_ref(i: InvestorFacts) -> RecordRef:
    return RecordRef(None, "investor", i.id, i.name, i.unit, ITSELF)


@rule("film_production_not_film", Level.WARNING, "影视制作企业产业不符")
def _film_production_not_film(facts: CheckFacts):
    for i in facts.investors:
        if i.film_production and i.industry != FILM_CULTURE_INDUSTRY:
            yield (
                f"客商“{i.name}”标记为影视制作，但产业是“{i.industry or '未填'}”而不是{FILM_CULTURE_INDUSTRY}："
                "不计入新引进影视文化企业",
                _investor_ref(i),
            )


@rule("investor_registered_future", Level.WARNING, "客商注册日期在今天之后")
def _investor_registered_future(facts: CheckFacts):
    for i in facts.investors:
        if i.registered_on and i.registered_on > facts.today:
            yield f"客商“{i.name}”的落户注册日期（{_day(i.registered_on)}）在今天之后", _investor_ref(i)


@rule("target_without_projects", Level.WARNING, "有目标任务没有项目")
def _target_without_projects(facts: CheckFacts):
    for u in facts.units:
        if u.project_count == 0 and any(v > 0 for v in u.targets.values()):
            yield f"{u.name}有{facts.period.year}年目标任务，但台账中没有该单位的任何项目", unit_ref(u)


@rule("event_not_in_return", Level.WARNING, "招商活动不会写入本单位月报")
def _event_not_in_return(facts: CheckFacts):
    """In a township's file an event of the county bureau or of another unit is kept, but the
    township's return carries only its own unit's events: the bureau would never see it."""
    own = facts.own_unit
    if not own or (facts.unit is not None and facts.unit != own):
        return
    for e in facts.events:
        if e.unit == own:
            continue
        organiser = e.unit or "县招商局"
        yield (
            f"招商活动“{e.name}”（{_day(e.date)}）的举办单位是{organiser}，不是本台账的{own}："
            f"{own}的月报不会带上它；如果是{own}举办的，请把举办单位改为{own}",
            RecordRef(None, "event", e.id, f"{_day(e.date)}{e.name}", own),
        )


def _same_quantity(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and Decimal(a) == Decimal(b))


def _target_text(indicator: Indicator, value) -> str:
    if value is None:
        return "无目标"
    return f"{_wan(Decimal(value))}" if indicator.measure.value == "money" else f"{value}个"


@rule("reported_targets_differ", Level.WARNING, "单位月报的目标与县里下达的不同")
def _reported_targets_differ(facts: CheckFacts):
    """The bureau's figures and a township's differ: the township's return printed other
    targets than the county holds for it (its file kept its own, or an old 分解表)."""
    for u in facts.units:
        reported = facts.reported_targets.get(u.name)
        if not reported:
            continue
        differing = [
            (ind, u.targets.get(ind), theirs)
            for ind, theirs in reported.items()
            if not _same_quantity(u.targets.get(ind), theirs)
        ]
        if differing:
            parts = "；".join(
                f"{ind.label}：县里{_target_text(ind, ours)}，月报{_target_text(ind, theirs)}" for ind, ours, theirs in differing
            )
            yield (
                f"{u.name}导入的月报中{facts.period.year}年的目标任务与县里下达的不同（{parts}）：请重新下发分解表",
                RecordRef(f"reported_targets:{u.name}:{facts.period.year}", "unit", u.id, u.name, u.name),
            )


def _any_targets(facts: CheckFacts) -> bool:
    return bool(facts.county_targets) or any(u.targets for u in facts.units)


@rule("no_targets", Level.WARNING, "没有目标任务")
def _no_targets(facts: CheckFacts):
    """A file with no targets for the year says so once; otherwise each unit without any."""
    year = facts.period.year
    if facts.unit is None and not _any_targets(facts):
        if facts.units:
            yield (
                f"台账中没有{year}年的目标任务：无法计算完成率和序时进度",
                RecordRef(f"targets:{year}", "county", None, f"{year}年目标任务"),
            )
        return
    for u in facts.units:
        if not u.targets:
            yield (
                f"{u.name}没有{year}年的目标任务：无法计算完成率和序时进度",
                RecordRef(f"targets:{year}:{u.name}", "unit", u.id, u.name, u.name),
            )


@rule("target_missing", Level.HINT, "缺少某项目标任务")
def _target_missing(facts: CheckFacts):
    year = facts.period.year
    for u in facts.units:
        if not u.targets:
            continue  # the whole year is missing: that is no_targets' finding
        for indicator in Indicator:
            if indicator not in u.targets:
                yield (
                    f"{u.name}没有{year}年“{indicator.label}”的目标任务",
                    RecordRef(f"target:{u.name}:{year}:{indicator.value}", "target", u.id, u.name, u.name),
                )


@rule("county_target_missing", Level.HINT, "缺少全县目标任务")
def _county_target_missing(facts: CheckFacts):
    if facts.unit is not None or not _any_targets(facts):
        return
    year = facts.period.year
    assigned = {ind for u in facts.units for ind in u.targets}
    for indicator in Indicator:
        if indicator in assigned and indicator not in facts.county_targets:
            yield (
                f"全县没有{year}年“{indicator.label}”的目标任务（全县目标不是各单位之和，需单独录入）",
                RecordRef(f"county_target:{year}:{indicator.value}", "county", None, "全县"),
            )


# ---------------------------------------------------------------- running


def run_rules(
    facts: CheckFacts,
    acknowledgements: Mapping[tuple[str, str], Acknowledgement] | None = None,
    rules: Iterable[Rule] | None = None,
) -> list[Finding]:
    """Every finding of every rule, most serious first, with explanations attached."""
    findings = collect(facts, acknowledgements or {}, RULES.values() if rules is None else rules, [])
    return sort_findings(findings, facts.units)


def collect(
    facts: CheckFacts,
    acknowledgements: Mapping[tuple[str, str], Acknowledgement],
    rules: Iterable[Rule],
    into: list[Finding],
) -> list[Finding]:
    """The findings of ``rules`` on ``facts``, explanations attached, added to ``into``."""
    for r in rules:
        if not (r.can_acknowledge and acknowledgements):
            into.extend(r.find(facts))
            continue
        for finding in r.find(facts):
            ack = acknowledgements.get(finding.key)
            into.append(replace(finding, acknowledgement=ack) if ack else finding)
    return into


def sort_findings(findings: list[Finding], units: Sequence[UnitFacts]) -> list[Finding]:
    """Most serious first, then by unit (in the units' order), rule and record; in place."""
    order = {u.name: i for i, u in enumerate(units)}
    # Stable sorts from the least significant key up give the order of one sort by the
    # tuple, without a tuple per finding (80,000 of them on a large county, ~6 MB at the
    # checks' peak).
    findings.sort(key=_record_key)
    findings.sort(key=_rule_of)
    findings.sort(key=lambda f: order.get(f.record.unit, len(order)))
    findings.sort(key=_severity)
    return findings


def _record_key(f: Finding) -> str:
    return f.record.key


def _rule_of(f: Finding) -> str:
    return f.rule


def _severity(f: Finding) -> int:
    return f.level.severity


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """What stops a return: errors, and warnings without an explanation."""
    return [f for f in findings if f.blocks]


def explained(findings: Iterable[Finding]) -> list[Finding]:
    """Warnings that stand with an explanation (审核说明), for the return."""
    return [f for f in findings if f.explained]


UNEXPLAINED = "未说明（强制导出）"


def explanation_rows(findings: Iterable[Finding]) -> list[tuple[str, str, str, str]]:
    """Rows of a return's 审核说明 sheet: (rule, record, problem, explanation).

    Explained warnings carry the clerk's words with who and when; anything else passed
    in (a return forced out with problems left) says so, so the bureau sees it.
    """
    rows = []
    for f in findings:
        if f.acknowledgement is not None:
            ack = f.acknowledgement
            who = "，".join(part for part in (ack.by, f"{ack.at:%Y-%m-%d}") if part)
            text = f"{ack.explanation}（{who}）"
        else:
            text = f"{f.level.label}：{UNEXPLAINED}"
        rows.append((f.title, f.record.label, f.message, text))
    return rows


def count_by_level(findings: Iterable[Finding]) -> dict[Level, int]:
    counts: dict[Level, int] = defaultdict(int)
    for f in findings:
        counts[f.level] += 1
    return {level: counts[level] for level in Level}


def summary(findings: Sequence[Finding]) -> str:
    """'2个错误，3个警告（1个已说明），5个提示' or '未发现问题'."""
    if not findings:
        return "未发现问题"
    return summary_of(count_by_level(findings), sum(1 for f in findings if f.explained))


def summary_of(counts: Mapping[Level, int], explained_count: int) -> str:
    """:func:`summary` from the counts by level and of explained findings."""
    if not any(counts.values()):
        return "未发现问题"
    parts = [f"{counts[Level.ERROR]}个错误", f"{counts[Level.WARNING]}个警告"]
    if explained_count:
        parts[-1] += f"（{explained_count}个已说明）"
    parts.append(f"{counts[Level.HINT]}个提示")
    return "，".join(parts)


def real_characters(text: str) -> int:
    """Letters, digits and hanzi in ``text``; punctuation, spaces and symbols don't count."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def validate_explanation(text: str) -> str:
    """The explanation as it will be stored; a Chinese ValidationError if it says nothing."""
    cleaned = " ".join((text or "").split())
    if real_characters(cleaned) < MIN_EXPLANATION_CHARS:
        raise ValidationError(
            f"请写明理由：说明至少要有{MIN_EXPLANATION_CHARS}个字（标点和空格不算），"
            "例如“已提交申报材料，等待省里审核”",
            "explanation",
        )
    from .text_limits import too_long

    message = too_long("explanations", "explanation", cleaned)
    if message:
        raise ValidationError(message, "explanation")
    return cleaned


def rule_for(rule_id: str) -> Rule:
    from ..errors import InputError

    try:
        return RULES[rule_id]
    except KeyError:
        raise InputError(f"没有审核规则“{rule_id}”。规则有：{'、'.join(RULES)}") from None
