"""Gathering the brief's figures: the progress table plus what it does not hold.

Every target, actual and rate comes from :func:`zsdesk.store.progress_query.load_progress`
(the one computation), so the brief equals the progress table, the charts and the
return to the last digit. The rest — of which film production, the visits, the names of
the signed and the undeclared projects — is read here with the same counting rules.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..domain.brief import (
    Brief,
    BriefFigures,
    DeclaredFigures,
    EventFigures,
    NamedProject,
    NewProjectFigures,
    VisitFigures,
    compose_brief,
)
from ..domain.checks import started_undeclared
from ..domain.counting import RULES
from ..domain.enums import INDUSTRIES, PIPELINE, EventKind, Indicator, InvestorType, Stage
from ..domain.periods import YearMonth
from .checks_query import project_facts
from .models import Event, FundRecord, Investor, Project, Unit, Visit
from .progress_query import load_progress
from .settings import county_name, major_threshold
from .units import find_unit


def _year_to_date(column, period: YearMonth):
    return and_(column >= YearMonth(period.year, 1).first_day, column <= period.last_day)


def gather_brief(session: Session, period: YearMonth, *, unit: str | None = None) -> BriefFigures:
    """The figures of the brief for the county (or one unit), January to ``period``.

    An unknown unit raises InputError.
    """
    unit_row = find_unit(session, unit) if unit is not None else None
    table = load_progress(session, period)
    scope = unit_row.name if unit_row else None
    rows = {r.indicator: r for r in table.rows if r.unit == scope}
    unit_rows = {ind: [r for r in table.rows if r.unit is not None and r.indicator is ind] for ind in Indicator}

    def scoped(query, column):
        return query.where(column == unit_row.id) if unit_row is not None else query

    has_targets = any(r.target is not None for r in rows.values())
    if unit_row is None:
        has_targets = has_targets or any(r.target is not None for rs in unit_rows.values() for r in rs)
    return BriefFigures(
        county=county_name(session),
        period=period,
        threshold=major_threshold(session),
        rows=rows,
        unit=scope,
        unit_rows=unit_rows,
        film_production=_film_production(session, period, scoped),
        visits=_visits(session, period, scoped),
        signed=_signed(session, period, scoped),
        undeclared=_undeclared(session, period, scoped),
        events=_events(session, period, scoped),
        negotiating=_at_stage(session, Stage.NEGOTIATING, period, scoped),
        building=_at_stage(session, Stage.UNDER_CONSTRUCTION, period, scoped),
        declared=_declared(session, period, scoped),
        new_projects=_new_projects(session, period, scoped),
        has_data=_has_data(session, period, scoped),
        has_targets=has_targets,
    )


def latest_month(session: Session, today: dt.date | None = None) -> YearMonth:
    """The newest month with funds recorded, not after this month (this month if none)."""
    now = YearMonth.of(today or dt.date.today())
    key = FundRecord.year * 100 + FundRecord.month
    newest = session.scalar(select(func.max(key)).where(key <= now.key))
    return YearMonth(newest // 100, newest % 100) if newest else now


def write_brief(session: Session, period: YearMonth, *, unit: str | None = None) -> Brief:
    return compose_brief(gather_brief(session, period, unit=unit))


def _film_production(session, period, scoped) -> int:
    """新引进影视文化企业 of which film production: the counting rule, plus the flag."""
    rule = RULES[Indicator.FILM_CULTURE_FIRMS]
    query = select(func.count(Investor.id)).where(
        _year_to_date(getattr(Investor, rule.date_field), period),
        Investor.industry == rule.industry,
        Investor.film_production.is_(True),
    )
    return session.scalar(scoped(query, Investor.unit_id)) or 0


def _visits(session, period, scoped) -> VisitFigures:
    in_period = _year_to_date(Visit.date, period)
    firms, batches, headcount = session.execute(
        scoped(
            select(func.count(Visit.investor_id.distinct()), func.sum(Visit.batches), func.sum(Visit.headcount)).where(
                in_period
            ),
            Visit.unit_id,
        )
    ).one()
    notable_query = scoped(
        select(Investor.name, Investor.kind, func.min(Visit.date).label("first"), func.min(Investor.id))
        .join(Visit, Visit.investor_id == Investor.id)
        .where(in_period, Investor.notable.is_(True))
        .group_by(Investor.id)
        .order_by("first", Investor.id),
        Visit.unit_id,
    )
    notable, kinds = [], Counter()
    for name, kind, _first, _id in session.execute(notable_query):
        notable.append(name)
        kinds[kind] += 1
    kind_labels = {}
    for kind in InvestorType:
        if kinds.get(kind.value):
            kind_labels[kind.label] = kinds[kind.value]
    by_industry = Counter(
        dict(
            session.execute(
                scoped(
                    select(Investor.industry, func.count(Visit.id))
                    .join(Visit, Visit.investor_id == Investor.id)
                    .where(in_period, Investor.industry != "")
                    .group_by(Investor.industry),
                    Visit.unit_id,
                )
            ).all()
        )
    )
    order = {name: i for i, name in enumerate(INDUSTRIES)}
    industries = sorted(by_industry, key=lambda name: (-by_industry[name], order.get(name, len(order)), name))
    return VisitFigures(
        firms=firms or 0,
        batches=batches or 0,
        headcount=headcount or 0,
        notable=notable,
        notable_kinds=kind_labels,
        industries=industries,
    )


def _signed(session, period, scoped) -> list[NamedProject]:
    """签约项目: the counting rule's projects, biggest planned investment first."""
    rule = RULES[Indicator.SIGNED_PROJECTS]
    query = scoped(
        select(Project.name, Unit.name, Project.planned_investment)
        .join(Unit, Unit.id == Project.unit_id)
        .where(_year_to_date(getattr(Project, rule.date_field), period))
        .order_by(Project.planned_investment.desc(), Project.id),
        Project.unit_id,
    )
    return [NamedProject(name, unit, planned) for name, unit, planned in session.execute(query)]


def _undeclared(session, period, scoped) -> list[NamedProject]:
    """已开工未申报 as the check rule defines it, started by the month's end."""
    units = dict(session.execute(select(Unit.id, Unit.name)).all())
    order = {uid: i for i, uid in enumerate(session.scalars(select(Unit.id).order_by(Unit.sort_order, Unit.id)))}
    query = scoped(
        select(Project).where(Project.zhejiang_return.is_(True), Project.declared.is_(False)).order_by(Project.id),
        Project.unit_id,
    )
    found = []
    for project in session.scalars(query):
        facts = project_facts(project, units, 0)
        if started_undeclared(facts, period.last_day):
            found.append((order.get(project.unit_id, 0), project.id, NamedProject(facts.name, facts.unit, facts.planned_investment)))
    return [named for *_key, named in sorted(found, key=lambda t: t[:2])]


def _events(session, period, scoped) -> EventFigures:
    in_period = _year_to_date(Event.date, period)
    counts = dict(
        session.execute(scoped(select(Event.kind, func.count(Event.id)).where(in_period).group_by(Event.kind), Event.unit_id)).all()
    )
    by_kind = {kind.label: counts.get(kind.value, 0) for kind in EventKind}
    biggest = session.execute(
        scoped(
            select(Event.name, Event.firms, Event.representatives, Event.intention_projects)
            .where(in_period, Event.kind.in_([EventKind.NEGOTIATION.value, EventKind.PROMOTION.value]))
            .order_by(Event.firms.desc(), Event.representatives.desc(), Event.date, Event.id)
            .limit(1),
            Event.unit_id,
        )
    ).first()
    return EventFigures(sum(counts.values()), by_kind, tuple(biggest) if biggest else None)


def _at_stage(session, stage: Stage, period: YearMonth, scoped) -> int:
    """Projects that stood at ``stage`` at the month's end, read from the stage dates.

    Reached by then, not yet past it (the next stage on the line), not suspended or
    terminated by then: a brief written later for an earlier month says what was true then.
    """
    end = period.last_day
    position = PIPELINE.index(stage)
    conditions = [getattr(Project, stage.date_field) <= end]
    later = [PIPELINE[position + 1]] if position + 1 < len(PIPELINE) else []
    for gone in (*later, Stage.SUSPENDED, Stage.TERMINATED):
        column = getattr(Project, gone.date_field)
        conditions.append(or_(column.is_(None), column > end))
    return session.scalar(scoped(select(func.count(Project.id)).where(*conditions), Project.unit_id)) or 0


def _declared(session, period, scoped) -> DeclaredFigures:
    """浙商回归 projects declared in the year up to the month's end."""
    count, amount, retained, carried = session.execute(
        scoped(
            select(
                func.count(Project.id),
                func.sum(Project.declared_amount),
                func.sum(Project.retained_amount),
                func.sum(case((Project.carried_over.is_(True), 1), else_=0)),
            ).where(
                Project.zhejiang_return.is_(True),
                Project.declared.is_(True),
                _year_to_date(Project.declared_on, period),
            ),
            Project.unit_id,
        )
    ).one()
    return DeclaredFigures(count or 0, amount or Decimal(0), retained or Decimal(0), int(carried or 0))


def _new_projects(session, period, scoped) -> NewProjectFigures:
    """Signed in the year and not carried over (the 大项目 rule without its threshold)."""
    rule = RULES[Indicator.MAJOR_PROJECTS]
    conditions = [_year_to_date(getattr(Project, rule.date_field), period)]
    conditions += [getattr(Project, flag).is_(False) for flag in rule.excluded_flags]
    count, with_capital, capital = session.execute(
        scoped(
            select(func.count(Project.id), func.count(Project.registered_capital), func.sum(Project.registered_capital)).where(
                *conditions
            ),
            Project.unit_id,
        )
    ).one()
    return NewProjectFigures(count or 0, with_capital or 0, capital or Decimal(0))


def _has_data(session, period, scoped) -> bool:
    """Anything at all to report for January to the month."""
    funds = scoped(
        select(func.count(FundRecord.id))
        .join(Project, Project.id == FundRecord.project_id)
        .where(FundRecord.year == period.year, FundRecord.month <= period.month),
        Project.unit_id,
    )
    if session.scalar(funds):
        return True
    dated = [_year_to_date(getattr(Project, stage.date_field), period) for stage in Stage]
    if session.scalar(scoped(select(func.count(Project.id)).where(or_(*dated)), Project.unit_id)):
        return True
    visits = scoped(select(func.count(Visit.id)).where(_year_to_date(Visit.date, period)), Visit.unit_id)
    return bool(session.scalar(visits))
