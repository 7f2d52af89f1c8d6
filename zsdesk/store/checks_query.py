"""Loading the facts the check rules read, running them, and keeping explanations.

A handful of queries, whatever the size of the file: projects with their funds summed
in SQL, the few fund rows the fund rules look at, follow-ups, visits, investors, units
and targets. The rules themselves are in :mod:`zsdesk.domain.checks`.

The export gate for the monthly return is :func:`unexplained_errors` (what stops the
return) and :func:`explanations_for` (what goes into its 审核说明 sheet).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ..domain.checks import (
    RULES,
    Acknowledgement,
    CheckFacts,
    EventFacts,
    Finding,
    FollowUpFacts,
    StageDates,
    FundFacts,
    InvestorFacts,
    ProjectFacts,
    UnitFacts,
    VisitFacts,
    blocking,
    collect,
    explained,
    explanation_rows,
    rule_for,
    run_rules,
    sort_findings,
    validate_explanation,
)
from ..domain.enums import STAGE_DATE_FIELDS, Indicator, Stage
from ..domain.finding_table import FindingTable
from ..domain.periods import YearMonth
from ..errors import InputError, KnownError
from .models import (
    CheckAcknowledgement,
    CountyTarget,
    Event,
    FollowUp,
    FundRecord,
    Investor,
    Project,
    Target,
    Unit,
    Visit,
    target_from_base,
)
from .settings import CLERK_NAME, get_setting, own_unit
from .units import find_unit


def load_facts(
    session: Session,
    period: YearMonth | None = None,
    *,
    unit: str | None = None,
    today: dt.date | None = None,
) -> CheckFacts:
    """The facts for the whole file, or for one unit; with ``period``, for that month's return.

    Without a period the whole file is read and the year is the current one. With a
    period, funds and visits are those of the year up to the month (what the return
    carries). An unknown unit raises InputError.
    """
    loader = _Loader(session, period, unit, today)
    facts = loader.file_facts()
    loader.add_projects(facts, loader.unit_row.id if loader.unit_row is not None else None)
    return facts


class _Loader:
    """One load of check facts: the file's own (units, targets, visits, investors, events)
    and, for the whole file or one unit at a time, its projects with their funds and
    follow-ups."""

    def __init__(self, session: Session, period: YearMonth | None, unit: str | None, today: dt.date | None):
        self.session = session
        self.today = today or dt.date.today()
        self.month_given = period is not None
        self.period = period or YearMonth.of(self.today)
        self.unit_row = find_unit(session, unit) if unit is not None else None
        self.unit_names = dict(session.execute(select(Unit.id, Unit.name)).all())
        self.judged_funds: dict[int, list[FundFacts]] | None = None

    def new_facts(self) -> CheckFacts:
        unit_row = self.unit_row
        return CheckFacts(
            period=self.period,
            today=self.today,
            month_given=self.month_given,
            unit=unit_row.name if unit_row is not None else None,
        )

    def _scoped(self, query, unit_column):
        return query.where(unit_column == self.unit_row.id) if self.unit_row is not None else query

    def file_facts(self) -> CheckFacts:
        """Everything but the projects, their funds and follow-ups."""
        session, period, scoped, unit_names = self.session, self.period, self._scoped, self.unit_names
        facts = self.new_facts()
        facts.units = _units(session, period.year, self.unit_row)
        if self.unit_row is None:
            facts.county_targets = {
                Indicator(ind)
                for ind in session.scalars(select(CountyTarget.indicator).where(CountyTarget.year == period.year))
                if ind in Indicator._value2member_map_
            }
        visits = select(Visit.id, Visit.date, Visit.investor_id, Visit.unit_id, Visit.project_id).order_by(Visit.id)
        if self.month_given:
            visits = visits.where(Visit.date >= YearMonth(period.year, 1).first_day, Visit.date <= period.last_day)
        same = {}.setdefault
        facts.visits = [
            VisitFacts(vid, same(day, day), same(investor_id, investor_id), unit_names.get(unit_id), same(project_id, project_id))
            for vid, day, investor_id, unit_id, project_id in session.execute(scoped(visits, Visit.unit_id))
        ]

        investors = select(
            Investor.id, Investor.name, Investor.unit_id, Investor.industry, Investor.film_production, Investor.registered_on
        ).order_by(Investor.id)
        facts.investors = [
            InvestorFacts(iid, name, unit_names.get(unit_id), industry or "", bool(film), registered)
            for iid, name, unit_id, industry, film, registered in session.execute(scoped(investors, Investor.unit_id))
        ]

        facts.reported_targets = _reported_targets(session, period.year, {u.name for u in facts.units})

        # A township's file: every event of the year, whoever organised it (the return carries
        # only its own unit's, so the others are what it would leave out).
        own = own_unit(session)
        if own:
            facts.own_unit = own
            events = select(Event.id, Event.name, Event.date, Event.unit_id).where(
                Event.date >= YearMonth(period.year, 1).first_day
            ).order_by(Event.date, Event.id)
            if self.month_given:
                events = events.where(Event.date <= period.last_day)
            facts.events = [
                EventFacts(eid, name, day, unit_names.get(unit_id)) for eid, name, day, unit_id in session.execute(events)
            ]
        return facts

    def add_projects(self, facts: CheckFacts, unit_id: int | None) -> None:
        """The projects of ``unit_id`` (of the whole file when None) into ``facts``, each
        with its funds summed in SQL (to the month's end when one is given), the fund rows
        the fund rules judge and the follow-ups."""
        session, period = self.session, self.period

        def of_unit(query):
            return query if unit_id is None else query.where(Project.unit_id == unit_id)

        funds = select(FundRecord.project_id, func.sum(FundRecord.amount).label("total")).group_by(FundRecord.project_id)
        if self.month_given:
            funds = funds.where(or_(FundRecord.year < period.year, (FundRecord.year == period.year) & (FundRecord.month <= period.month)))
        if unit_id is not None:  # the unit's own fund rows only, by the (project, year, month) index
            funds = funds.where(FundRecord.project_id.in_(select(Project.id).where(Project.unit_id == unit_id)))
        funds = funds.subquery()
        total = func.coalesce(funds.c.total, 0)
        query = of_unit(
            select(*PROJECT_COLUMNS, total.label("funds_total"))
            .outerjoin(funds, funds.c.project_id == Project.id)
            .order_by(Project.id)
        )
        # Streamed (yield_per): the driver's rows are not all buffered beside the facts.
        shared: dict = {}
        for row in session.execute(query.execution_options(yield_per=2_000)):
            facts.projects.append(project_facts(row, self.unit_names, row.funds_total, shared))

        facts.funds = self._judged_funds(unit_id)

        follow_ups = of_unit(
            select(FollowUp.id, FollowUp.project_id, FollowUp.date, FollowUp.due_on, FollowUp.done, FollowUp.next_step)
            .join(Project, Project.id == FollowUp.project_id)
            .order_by(FollowUp.id)
        )
        same = shared.setdefault
        facts.follow_ups = [
            FollowUpFacts(fid, same(project_id, project_id), same(day, day), same(due, due), done, same(step, step))
            for fid, project_id, day, due, done, step in session.execute(follow_ups.execution_options(yield_per=5_000))
        ]

    def _judged_funds(self, unit_id: int | None) -> list[FundFacts]:
        """Only the fund rows the fund rules judge: negative ones, and months after today's.
        They are few; read once for the whole file and handed out by unit (one scan of
        the fund table, not one per unit)."""
        if self.judged_funds is None:
            now = YearMonth.of(self.today)
            rows = (
                select(Project.unit_id, FundRecord.project_id, FundRecord.year, FundRecord.month, FundRecord.amount)
                .join(Project, Project.id == FundRecord.project_id)
                .where(or_(FundRecord.amount < 0, FundRecord.year * 100 + FundRecord.month > now.key))
                .order_by(FundRecord.id)
            )
            if self.month_given:
                rows = rows.where(FundRecord.year == self.period.year, FundRecord.month <= self.period.month)
            if self.unit_row is not None:
                rows = rows.where(Project.unit_id == self.unit_row.id)
            self.judged_funds = defaultdict(list)
            for owner, project_id, year, month, amount in self.session.execute(rows):
                self.judged_funds[owner].append(FundFacts(project_id, year, month, amount))
        if unit_id is None:
            return [f for unit_funds in self.judged_funds.values() for f in unit_funds]
        return self.judged_funds.get(unit_id, [])


def _units(session: Session, year: int, only: Unit | None) -> list[UnitFacts]:
    counts = dict(session.execute(select(Project.unit_id, func.count(Project.id)).group_by(Project.unit_id)).all())
    targets: dict[int, dict[Indicator, Decimal | int]] = defaultdict(dict)
    for unit_id, ind, value in session.execute(
        select(Target.unit_id, Target.indicator, Target.value).where(Target.year == year)
    ):
        if ind in Indicator._value2member_map_:
            targets[unit_id][Indicator(ind)] = target_from_base(Indicator(ind), value)
    query = select(Unit.id, Unit.name).order_by(Unit.sort_order, Unit.id)
    if only is not None:
        query = query.where(Unit.id == only.id)
    return [
        UnitFacts(uid, name, counts.get(uid, 0), dict(targets.get(uid, {})))
        for uid, name in session.execute(query)
    ]


_STAGES = {s.value: s for s in Stage}

PROJECT_COLUMNS = (
    Project.id,
    Project.code,
    Project.name,
    Project.unit_id,
    Project.stage,
    *(getattr(Project, field) for field in STAGE_DATE_FIELDS.values()),
    Project.planned_investment,
    Project.zhejiang_return,
    Project.declared,
    Project.declared_on,
    Project.carried_over,
    Project.liaison_leader,
    Project.responsible_unit,
    Project.investor_id,
)
"""What the rules read of a project: columns, not whole objects (50,000 of them load fast)."""


def project_facts(p, unit_names: dict[int, str], total: Decimal | int, shared: dict | None = None) -> ProjectFacts:
    """Facts of a project from a row of PROJECT_COLUMNS (or a Project).

    ``shared``: a dict kept across the rows of one load, in which equal dates and
    texts (a leader's name, a responsible unit) are one object — 50,000 projects'
    facts in a third less memory. Only values whose equal copies are interchangeable:
    dates and text, not Decimals (12.5 and 12.5000 are equal and print differently).
    """
    same = shared.setdefault if shared is not None else _itself
    dates = StageDates(None if day is None else same(day, day) for day in map(p.__getattribute__, _DATE_FIELDS))
    declared_on = p.declared_on
    leader, responsible = p.liaison_leader or "", p.responsible_unit or ""
    return ProjectFacts(
        id=same(p.id, p.id),  # the same int object as the follow-ups' and visits' project_id
        code=p.code,
        name=p.name,
        unit=unit_names.get(p.unit_id, ""),
        stage=_STAGES.get(p.stage, Stage.PLANNED),
        dates=dates,
        planned_investment=_planned(p.planned_investment, shared),
        funds_total=_as_wan(total),
        zhejiang_return=bool(p.zhejiang_return),
        declared=bool(p.declared),
        declared_on=declared_on if declared_on is None else same(declared_on, declared_on),
        carried_over=bool(p.carried_over),
        liaison_leader=same(leader, leader),
        responsible_unit=same(responsible, responsible),
        investor_id=same(p.investor_id, p.investor_id),
    )


_DATE_FIELDS = tuple(STAGE_DATE_FIELDS.values())
"""A project row's date columns in StageDates' order."""


def _itself(value, _default):
    return value


_ZERO = Decimal(0)


def _planned(value: Decimal | None, shared: dict | None) -> Decimal:
    """The planned investment, equal amounts one object: the Money column gives every
    amount with four decimals, so equal ones print alike (keyed apart from the texts
    and days, which an amount never equals)."""
    if not value:
        return _ZERO
    if shared is None:
        return value
    return shared.setdefault(("wan", value), value)


def _reported_targets(session: Session, year: int, units: set[str]) -> dict:
    """What the units' imported returns printed as their targets (kept by the importer)."""
    import json

    from .models import Setting

    found: dict = {}
    for key, value in session.execute(select(Setting.key, Setting.value).where(Setting.key.like("reported_targets:%"))):
        _prefix, unit, text_year = key.rsplit(":", 2) if key.count(":") >= 2 else (None, None, None)
        if unit not in units or text_year != str(year):
            continue
        try:
            raw = json.loads(value)
        except ValueError:
            continue
        found[unit] = {
            Indicator(k): (None if v is None else (Decimal(v) if Indicator(k).measure.value == "money" else int(Decimal(v))))
            for k, v in raw.items()
            if k in Indicator._value2member_map_
        }
    return found


def _as_wan(value) -> Decimal:
    """The coalesced sum comes back typed as Money (Decimal 万元) or as a bare 0."""
    if not value:  # 22,000 of the large county's 50,000 projects: one zero for them all
        return _ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value)) / 10_000


def acknowledgements(session: Session) -> dict[tuple[str, str], Acknowledgement]:
    return {
        (a.rule, a.record_key): Acknowledgement(a.rule, a.record_key, a.explanation, a.by, a.at)
        for a in session.scalars(select(CheckAcknowledgement))
    }


def run_checks(
    session: Session,
    period: YearMonth | None = None,
    *,
    unit: str | None = None,
    today: dt.date | None = None,
) -> list[Finding]:
    """The findings for the file (or one unit, or one unit's month), explanations attached."""
    findings: list[Finding] = []
    units = _check(session, period, unit, today, findings.extend)
    return sort_findings(findings, units)


def check_table(
    session: Session,
    period: YearMonth | None = None,
    *,
    unit: str | None = None,
    today: dt.date | None = None,
) -> FindingTable:
    """:func:`run_checks` as a :class:`~zsdesk.domain.finding_table.FindingTable`: each
    unit's findings packed as they are found, so that a county's 80,000 never exist as
    objects at once (what the checks tab holds)."""
    table = FindingTable()
    units = _check(session, period, unit, today, table.extend)
    return table.sort(units)


def _check(session: Session, period, unit, today, take) -> list:
    """Run every rule, handing ``take`` each batch of findings; the units' facts back."""
    acks = acknowledgements(session)
    if unit is not None:
        facts = load_facts(session, period, unit=unit, today=today)
        take(collect(facts, acks, RULES.values(), []))
        return facts.units
    # Every unit: the rules on projects run one unit at a time, so that the facts of a
    # whole county's projects (44 MB for 50,000) never exist beside its findings (issue
    # 18); a rule of that kind judges a project by its own unit's projects alone.
    loader = _Loader(session, period, None, today)
    facts = loader.file_facts()
    take(collect(facts, acks, [r for r in RULES.values() if not r.per_project], []))
    units = facts.units
    del facts  # its visits and investors are judged: not kept through the units' passes
    per_project = [r for r in RULES.values() if r.per_project]
    for unit_id in sorted(loader.unit_names):
        part = loader.new_facts()
        loader.add_projects(part, unit_id)
        take(collect(part, acks, per_project, []))
        del part
    return units


def acknowledge(
    session: Session,
    rule: str,
    record_key: str,
    explanation: str,
    *,
    by: str | None = None,
    today: dt.date | None = None,
) -> Acknowledgement:
    """Explain a warning (审核说明). Saying it again replaces the earlier explanation.

    Refused with a Chinese message: an unknown rule, an error or a hint (errors must be
    fixed, hints need nothing), an explanation that says nothing, or a warning the file
    does not have now.
    """
    checked = rule_for(rule)
    if not checked.can_acknowledge:
        raise InputError(
            f"“{checked.title}”是{checked.level.label}，"
            + ("必须修改数据，不能以说明代替" if checked.level.value == "error" else "不需要说明")
        )
    text = validate_explanation(explanation)
    current = {f.key for f in run_checks(session, today=today)}
    if (rule, record_key) not in current:
        raise InputError(f"台账中现在没有这条审核结果：{checked.title} {record_key}（可能已经修改好了）")
    by = (by or get_setting(session, CLERK_NAME) or "").strip()
    at = dt.datetime.now().replace(microsecond=0)
    row = session.scalar(
        select(CheckAcknowledgement).where(
            CheckAcknowledgement.rule == rule, CheckAcknowledgement.record_key == record_key
        )
    )
    if row is None:
        row = CheckAcknowledgement(rule=rule, record_key=record_key)
        session.add(row)
    row.explanation, row.by, row.at = text, by, at
    session.flush()
    return Acknowledgement(rule, record_key, text, by, at)


def withdraw(session: Session, rule: str, record_key: str) -> bool:
    """Take an explanation back; True if there was one."""
    result = session.execute(
        delete(CheckAcknowledgement).where(
            CheckAcknowledgement.rule == rule, CheckAcknowledgement.record_key == record_key
        )
    )
    return bool(result.rowcount)


def unexplained_errors(session: Session, unit: str, period: YearMonth, *, today: dt.date | None = None) -> list[Finding]:
    """What stops ``unit``'s return for ``period``: its errors, and its warnings nobody explained.

    Empty means the return may go out.
    """
    return blocking(run_checks(session, period, unit=unit, today=today))


def explanations_for(session: Session, unit: str, period: YearMonth, *, today: dt.date | None = None) -> list[Finding]:
    """The explained warnings of ``unit``'s return for ``period`` (for its 审核说明 sheet).

    Each finding carries ``.acknowledgement`` (explanation, by, at). Explanations of
    findings the data no longer shows are not carried.
    """
    return explained(run_checks(session, period, unit=unit, today=today))


class ReturnBlocked(KnownError):
    """A return that may not go out yet: errors to fix or warnings to explain (exit status 1)."""

    exit_status = 1

    def __init__(self, unit: str, period: YearMonth, findings: list[Finding], *, forced: bool = False):
        self.errors = [f for f in findings if f.level.value == "error"]
        self.warnings = [f for f in findings if f.level.value != "error"]
        parts = [f"{len(self.errors)}个错误"] if self.errors else []
        if self.warnings:
            parts.append(f"{len(self.warnings)}个未说明的警告")
        if forced:
            advice = "错误必须修改后才能导出（强制导出只能放过未说明的警告）"
        else:
            advice = "请修改数据或填写审核说明后再导出"
        super().__init__(f"{unit}{period.chinese}的月报有{'、'.join(parts)}，未导出：{advice}")
        self.unit, self.period, self.findings = unit, period, findings


def gate_for_export(
    session: Session, unit: str, period: YearMonth, *, force: bool = False, today: dt.date | None = None
) -> list[tuple[str, str, str, str]]:
    """Check ``unit``'s return for ``period`` before it is written.

    Returns the rows of its 审核说明 sheet (pass them as ``export_return(...,
    explanations=...)``). Raises :class:`ReturnBlocked` while an error or an unexplained
    warning remains. ``force`` lets unexplained warnings through — they are then listed in
    the sheet as not explained, so the bureau sees them — but never an error: errors
    are fixed, not explained.
    """
    findings = run_checks(session, period, unit=unit, today=today)
    stops = blocking(findings)
    if stops and (not force or any(f.level.value == "error" for f in stops)):
        raise ReturnBlocked(unit, period, stops, forced=force)
    return explanation_rows(explained(findings) + stops)


def check_exports(
    session: Session, units: list[str], period: YearMonth, *, force: bool = False, today: dt.date | None = None
) -> tuple[dict[str, list[tuple[str, str, str, str]]], dict[str, ReturnBlocked]]:
    """:func:`gate_for_export` for several units: (审核说明 rows of those that may go, the refusals)."""
    ready, blocked = {}, {}
    for unit in units:
        try:
            ready[unit] = gate_for_export(session, unit, period, force=force, today=today)
        except ReturnBlocked as exc:
            blocked[unit] = exc
    return ready, blocked


def rule_counts(findings: list[Finding]) -> Counter:
    return Counter(f.rule for f in findings)


__all__ = [
    "RULES",
    "acknowledge",
    "acknowledgements",
    "explanations_for",
    "gate_for_export",
    "check_exports",
    "ReturnBlocked",
    "check_table",
    "load_facts",
    "run_checks",
    "unexplained_errors",
    "withdraw",
]
