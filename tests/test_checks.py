"""The check rules (审核): each rule makes its finding, and does not on a near miss;
the store feeds them; explanations are kept across reopening; the export gate."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from zsdesk.domain.checks import (
    MIN_EXPLANATION_CHARS,
    RULES,
    CheckFacts,
    EventFacts,
    FollowUpFacts,
    FundFacts,
    InvestorFacts,
    Level,
    ProjectFacts,
    UnitFacts,
    VisitFacts,
    blocking,
    real_characters,
    run_rules,
    summary,
    validate_explanation,
)
from zsdesk.domain.enums import Indicator, Stage
from zsdesk.domain.periods import YearMonth
from zsdesk.errors import InputError, ValidationError

TODAY = dt.date(2026, 7, 15)
D = dt.date
ALL_TARGETS = {ind: 10 for ind in Indicator}


def project(**changes) -> ProjectFacts:
    base = ProjectFacts(
        id=1,
        code="XM-AAAAA-00001",
        name="云山康养小镇项目",
        unit="甲镇",
        stage=Stage.SIGNED,
        dates={Stage.PLANNED: D(2026, 1, 10), Stage.NEGOTIATING: D(2026, 2, 1), Stage.SIGNED: D(2026, 3, 1)},
        planned_investment=Decimal(1000),
        funds_total=Decimal(100),
        liaison_leader="李卫东",
        responsible_unit="甲镇",
        investor_id=7,
    )
    return replace(base, **changes)


def dates(**by_stage) -> dict:
    return {Stage(name): day for name, day in by_stage.items()}


def facts(**changes) -> CheckFacts:
    base = dict(
        period=YearMonth(2026, 6),
        today=TODAY,
        month_given=True,
        units=[UnitFacts(1, "甲镇", 1, dict(ALL_TARGETS))],
        county_targets=set(Indicator),
        projects=[project()],
        follow_ups=[FollowUpFacts(1, 1, D(2026, 6, 20), D(2026, 7, 20), False, "督促资金到位")],
    )
    base.update(changes)
    return CheckFacts(**base)


def found(rule_id: str, f: CheckFacts):
    return [x for x in run_rules(f, rules=[RULES[rule_id]])]


UNDER_CONSTRUCTION = dict(
    stage=Stage.UNDER_CONSTRUCTION,
    dates=dates(negotiating=D(2025, 9, 1), signed=D(2025, 10, 1), landed=D(2025, 12, 1), under_construction=D(2026, 3, 5)),
    zhejiang_return=True,
)

# rule id → (facts that make the finding, a near miss that must not)
CASES = {
    "reported_targets_differ": (
        facts(reported_targets={"甲镇": {Indicator.DOMESTIC_FUNDS: Decimal(12000)}}),
        facts(reported_targets={"甲镇": {Indicator.DOMESTIC_FUNDS: Decimal(10), Indicator.SIGNED_PROJECTS: 10}}),
    ),
    "event_not_in_return": (
        facts(own_unit="甲镇", events=[EventFacts(1, "上海推介会", D(2026, 6, 3), None)]),
        facts(own_unit="甲镇", events=[EventFacts(1, "上海推介会", D(2026, 6, 3), "甲镇")]),
    ),
    "undeclared_construction": (
        facts(projects=[project(**UNDER_CONSTRUCTION)]),
        facts(projects=[project(**UNDER_CONSTRUCTION, declared=True, declared_on=D(2026, 3, 20))]),
    ),
    "funds_above_planned": (
        facts(projects=[project(funds_total=Decimal("1000.0001"))]),
        facts(projects=[project(funds_total=Decimal("1000"))]),
    ),
    "stage_dates_out_of_order": (
        facts(projects=[project(dates=dates(planned=D(2026, 1, 10), negotiating=D(2026, 4, 1), signed=D(2026, 3, 1)))]),
        facts(projects=[project(dates=dates(planned=D(2026, 3, 1), negotiating=D(2026, 3, 1), signed=D(2026, 3, 1)))]),
    ),
    "stage_date_missing": (
        facts(projects=[project(stage=Stage.LANDED)]),
        facts(projects=[project(stage=Stage.LANDED, dates={**project().dates, Stage.LANDED: D(2026, 4, 1)})]),
    ),
    "stage_date_skipped": (
        facts(projects=[project(stage=Stage.LANDED, dates=dates(negotiating=D(2026, 1, 1), landed=D(2026, 4, 1)))]),
        # 谋划 is optional: a project an investor brought never passes through it
        facts(projects=[project(dates=dates(negotiating=D(2026, 1, 1), signed=D(2026, 3, 1)))]),
    ),
    "stage_date_future": (
        facts(projects=[project(dates={**project().dates, Stage.SIGNED: TODAY + dt.timedelta(days=1)})]),
        facts(projects=[project(dates={**project().dates, Stage.SIGNED: TODAY})], month_given=False),
    ),
    "no_liaison_leader": (
        facts(projects=[project(liaison_leader="  ")]),
        facts(projects=[project(stage=Stage.NEGOTIATING, liaison_leader="")]),
    ),
    "no_responsible_unit": (
        facts(projects=[project(responsible_unit="")]),
        facts(projects=[project(stage=Stage.TERMINATED, responsible_unit="",
                                dates={**project().dates, Stage.TERMINATED: D(2026, 5, 1)})]),
    ),
    "declaration_incomplete": (
        facts(projects=[project(declared=True)]),
        facts(projects=[project(declared=True, declared_on=D(2026, 3, 9))]),
    ),
    "funds_before_signing": (
        facts(projects=[project(stage=Stage.NEGOTIATING, dates=dates(negotiating=D(2026, 2, 1)))]),
        facts(projects=[project(stage=Stage.NEGOTIATING, dates=dates(negotiating=D(2026, 2, 1)), funds_total=Decimal(0))]),
    ),
    "carried_over_but_new": (
        facts(projects=[project(carried_over=True)]),
        facts(projects=[project(carried_over=True, dates={**project().dates, Stage.PLANNED: D(2025, 12, 31)})]),
    ),
    "signed_without_investor": (
        facts(projects=[project(investor_id=None)]),
        facts(projects=[project(investor_id=None, stage=Stage.NEGOTIATING)]),
    ),
    "duplicate_project_name": (
        facts(projects=[project(), project(id=2, code="XM-AAAAA-00002", name="云山 康养小镇项目")]),
        facts(projects=[project(), project(id=2, code="XM-AAAAA-00002", unit="乙乡")]),
    ),
    "negative_funds": (
        facts(funds=[FundFacts(1, 2026, 3, Decimal("-0.5"))]),
        facts(funds=[FundFacts(1, 2026, 3, Decimal(0))]),
    ),
    "future_funds": (
        facts(funds=[FundFacts(1, 2026, 8, Decimal(5))]),
        facts(funds=[FundFacts(1, 2026, 7, Decimal(5))]),
    ),
    "follow_up_overdue": (
        facts(follow_ups=[FollowUpFacts(1, 1, D(2026, 6, 1), D(2026, 6, 10), False, "督促资金到位")]),
        # a later entry shows the step was taken up
        facts(follow_ups=[FollowUpFacts(1, 1, D(2026, 6, 1), D(2026, 6, 10), False, "督促资金到位"),
                          FollowUpFacts(2, 1, D(2026, 6, 12), D(2026, 7, 30), True, "")]),
    ),
    "no_recent_follow_up": (
        facts(follow_ups=[FollowUpFacts(1, 1, D(2026, 3, 1), None, True)]),  # 121 days before June 30
        facts(follow_ups=[FollowUpFacts(1, 1, D(2026, 4, 1), None, True)]),  # 90 days: not yet
    ),
    "visit_without_investor": (
        facts(visits=[VisitFacts(3, D(2026, 5, 2), None, "甲镇")]),
        facts(visits=[VisitFacts(3, D(2026, 5, 2), 9, "甲镇")]),
    ),
    "visit_in_future": (
        facts(visits=[VisitFacts(3, TODAY + dt.timedelta(days=1), 9, "甲镇")]),
        facts(visits=[VisitFacts(3, TODAY, 9, "甲镇")]),
    ),
    "film_production_not_film": (
        facts(investors=[InvestorFacts(9, "横店影视", "甲镇", "健康", True, None)]),
        facts(investors=[InvestorFacts(9, "横店影视", "甲镇", "文化影视", True, None)]),
    ),
    "investor_registered_future": (
        facts(investors=[InvestorFacts(9, "横店影视", "甲镇", "文化影视", True, D(2026, 8, 1))]),
        facts(investors=[InvestorFacts(9, "横店影视", "甲镇", "文化影视", True, TODAY)]),
    ),
    "target_without_projects": (
        facts(units=[UnitFacts(1, "甲镇", 0, dict(ALL_TARGETS))], projects=[]),
        facts(units=[UnitFacts(1, "甲镇", 0, {ind: 0 for ind in Indicator})], projects=[]),
    ),
    "no_targets": (
        facts(units=[UnitFacts(1, "甲镇", 1, {})], county_targets=set()),
        facts(units=[UnitFacts(1, "甲镇", 1, {Indicator.DOMESTIC_FUNDS: 5})], county_targets=set()),
    ),
    "target_missing": (
        facts(units=[UnitFacts(1, "甲镇", 1, {i: 1 for i in Indicator if i is not Indicator.SIGNED_PROJECTS})]),
        facts(units=[UnitFacts(1, "甲镇", 1, {})]),  # the whole year missing is no_targets' finding
    ),
    "county_target_missing": (
        facts(county_targets=set(Indicator) - {Indicator.MAJOR_PROJECTS}),
        facts(county_targets=set(Indicator) - {Indicator.MAJOR_PROJECTS},
              units=[UnitFacts(1, "甲镇", 1, {i: 1 for i in Indicator if i is not Indicator.MAJOR_PROJECTS})]),
    ),
}


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_makes_its_finding(rule_id):
    bad, _ = CASES[rule_id]
    findings = found(rule_id, bad)
    assert len(findings) == 1, findings
    finding = findings[0]
    assert finding.rule == rule_id and finding.level is RULES[rule_id].level
    assert finding.message and not finding.message.isascii()  # a Chinese sentence
    assert finding.record.key and finding.record.kind


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_stays_quiet_on_a_near_miss(rule_id):
    _, good = CASES[rule_id]
    assert found(rule_id, good) == []


def test_the_default_facts_are_clean():
    assert run_rules(facts()) == []


def test_findings_point_at_the_record():
    f = found("undeclared_construction", CASES["undeclared_construction"][0])[0]
    assert f.record.key == "project:XM-AAAAA-00001"
    assert f.record.opens == ("project", 1) and f.record.unit == "甲镇"
    assert "已于2026-03-05开工" in f.message and "浙商回归" in f.message
    fund = found("negative_funds", CASES["negative_funds"][0])[0]
    assert fund.record.key == "fund:XM-AAAAA-00001:2026-03" and fund.record.opens == ("project", 1)
    assert "2026年3月" in fund.message and "-0.5万元" in fund.message
    follow = found("follow_up_overdue", CASES["follow_up_overdue"][0])[0]
    assert follow.record.key == "followup:1" and "已逾期20天" in follow.message  # June 10 → June 30
    target = found("target_missing", CASES["target_missing"][0])[0]
    assert target.record.key == "target:甲镇:2026:signed_projects"
    film = found("film_production_not_film", CASES["film_production_not_film"][0])[0]
    assert film.record.opens == ("investor", 9)


def test_undeclared_only_counts_construction_started_by_the_month():
    later = project(**{**UNDER_CONSTRUCTION, "dates": {**UNDER_CONSTRUCTION["dates"], Stage.UNDER_CONSTRUCTION: D(2026, 7, 2)}})
    assert found("undeclared_construction", facts(projects=[later])) == []
    assert len(found("undeclared_construction", facts(projects=[later], month_given=False))) == 1
    not_zj = project(**{**UNDER_CONSTRUCTION, "zhejiang_return": False})
    assert found("undeclared_construction", facts(projects=[not_zj])) == []


def test_out_of_order_also_sees_termination_before_the_last_stage():
    p = project(stage=Stage.TERMINATED, dates={**project().dates, Stage.TERMINATED: D(2026, 2, 1)})
    (f,) = found("stage_dates_out_of_order", facts(projects=[p]))
    assert "终止日期（2026-02-01）早于签约日期（2026-03-01）" in f.message


def test_levels_and_blocking():
    f = facts(
        projects=[project(funds_total=Decimal(2000), liaison_leader="")],
        follow_ups=[FollowUpFacts(1, 1, D(2026, 6, 1), D(2026, 6, 10), False, "")],
    )
    findings = run_rules(f)
    assert [x.level for x in findings] == [Level.ERROR, Level.WARNING, Level.HINT]
    assert [x.rule for x in blocking(findings)] == ["funds_above_planned", "no_liaison_leader"]
    assert summary(findings) == "1个错误，1个警告，1个提示"
    assert summary([]) == "未发现问题"


@pytest.mark.parametrize(
    "text, ok",
    [
        ("已提交申报材料", True),
        ("  待 省 里 审 核  ", True),
        ("ok ok", False),  # four letters
        ("好的。。。！！", False),
        ("…… —— ？？ 12", False),
        ("abcde", True),
        ("", False),
    ],
)
def test_explanation_needs_real_text(text, ok):
    if ok:
        assert real_characters(validate_explanation(text)) >= MIN_EXPLANATION_CHARS
    else:
        with pytest.raises(ValidationError) as err:
            validate_explanation(text)
        assert "至少" in str(err.value)


# ---------------------------------------------------------------- the store


from zsdesk.store.checks_query import (  # noqa: E402
    acknowledge,
    explanations_for,
    load_facts,
    run_checks,
    unexplained_errors,
    withdraw,
)
from zsdesk.store.db import open_ledger  # noqa: E402
from zsdesk.store.models import (  # noqa: E402
    CountyTarget,
    Event,
    Setting,
    FollowUp,
    FundRecord,
    Investor,
    Project,
    Target,
    Unit,
    Visit,
    target_to_base,
)

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends


def _unit_id(session, name):
    return session.query(Unit.id).filter(Unit.name == name).scalar()


def good_project(session, unit, code, **changes) -> Project:
    values = dict(
        code=code,
        name=f"{unit}康养小镇项目{code[-2:]}",
        unit_id=_unit_id(session, unit),
        investor_id=None,
        stage=Stage.SIGNED.value,
        negotiating_on=D(2026, 2, 1),
        signed_on=D(2026, 3, 1),
        planned_investment=Decimal(1000),
        liaison_leader="李卫东",
        responsible_unit=unit,
    )
    values.update(changes)
    p = Project(**values)
    session.add(p)
    session.flush()
    session.add(FollowUp(project_id=p.id, date=D(2026, 6, 25), due_on=D(2026, 7, 20), done=False))
    return p


def clean_ledger(ledger):
    """Every unit has targets, a signed project with an investor, leader, unit, follow-up."""
    with ledger.begin() as s:
        inv = Investor(name="中天控股集团", industry="生态工业")
        s.add(inv)
        s.flush()
        for i, unit in enumerate(["甲镇", "乙乡", "丙街道", "丁园区"]):
            uid = _unit_id(s, unit)
            for ind in Indicator:
                s.add(Target(unit_id=uid, year=2026, indicator=ind.value, value=target_to_base(ind, 10)))
            p = good_project(s, unit, f"XM-CLEAN-0000{i}", investor_id=inv.id)
            s.add(FundRecord(project_id=p.id, year=2026, month=5, amount=Decimal("12.5")))
        for ind in Indicator:
            s.add(CountyTarget(year=2026, indicator=ind.value, value=target_to_base(ind, 40)))
        s.add(Visit(investor_id=inv.id, unit_id=_unit_id(s, "甲镇"), date=D(2026, 5, 3), batches=1, headcount=4))


def test_a_clean_ledger_has_no_findings(ledger):
    clean_ledger(ledger)
    with ledger.read() as s:
        assert run_checks(s, today=TODAY) == []
        assert run_checks(s, YearMonth(2026, 6), unit="甲镇", today=TODAY) == []


def break_everything(ledger) -> None:
    """One record for every rule, written to the file as a clerk (or an import) might."""
    with ledger.begin() as s:
        jia, yi = _unit_id(s, "甲镇"), _unit_id(s, "乙乡")
        for ind in Indicator:
            if ind is not Indicator.SIGNED_PROJECTS:
                s.add(Target(unit_id=jia, year=2026, indicator=ind.value, value=target_to_base(ind, 10)))
        s.add(Target(unit_id=_unit_id(s, "丁园区"), year=2026, indicator="domestic_funds", value=10_000_000))
        s.add(CountyTarget(year=2026, indicator="domestic_funds", value=100_000_000))
        film = Investor(name="横店影视", industry="健康", film_production=True, registered_on=D(2026, 9, 1), unit_id=jia)
        s.add(film)
        s.flush()
        ski = good_project(s, "甲镇", "XM-SKI00-00001", name="高姥山滑雪场项目", stage="under_construction",
                           landed_on=D(2026, 3, 20), construction_on=D(2026, 4, 2), zhejiang_return=True,
                           investor_id=film.id)
        s.add(FundRecord(project_id=ski.id, year=2026, month=4, amount=Decimal(-3)))
        s.add(FundRecord(project_id=ski.id, year=2026, month=9, amount=Decimal(5)))
        over = good_project(s, "甲镇", "XM-OVER0-00002", planned_investment=Decimal(10), investor_id=film.id)
        s.add(FundRecord(project_id=over.id, year=2026, month=5, amount=Decimal("10.0001")))
        good_project(s, "甲镇", "XM-ORDER-00003", signed_on=D(2026, 1, 1), investor_id=film.id)
        good_project(s, "甲镇", "XM-MISS0-00004", stage="landed", investor_id=film.id)
        good_project(s, "甲镇", "XM-SKIP0-00005", stage="under_construction", construction_on=D(2026, 5, 1),
                     investor_id=film.id)
        good_project(s, "甲镇", "XM-FUTR0-00006", signed_on=D(2026, 8, 1), investor_id=film.id)
        good_project(s, "甲镇", "XM-LEAD0-00007", liaison_leader="", responsible_unit="", investor_id=film.id)
        good_project(s, "甲镇", "XM-DECL0-00008", declared=True, investor_id=film.id)
        early = good_project(s, "甲镇", "XM-EARLY-00009", stage="negotiating", signed_on=None, investor_id=film.id)
        s.add(FundRecord(project_id=early.id, year=2026, month=2, amount=Decimal(1)))
        good_project(s, "甲镇", "XM-CARRY-00010", carried_over=True, investor_id=film.id)
        good_project(s, "甲镇", "XM-NOINV-00011")
        good_project(s, "甲镇", "XM-DUP00-00012", name="甲镇康养小镇项目10", investor_id=film.id)
        late = good_project(s, "甲镇", "XM-LATE0-00013", investor_id=film.id)
        s.add(FollowUp(project_id=late.id, date=D(2026, 6, 1), due_on=D(2026, 6, 5), done=False, next_step="落实用地"))
        s.query(FollowUp).filter(FollowUp.project_id == late.id, FollowUp.date == D(2026, 6, 25)).delete()
        quiet = good_project(s, "甲镇", "XM-QUIET-00014", investor_id=film.id)
        s.query(FollowUp).filter(FollowUp.project_id == quiet.id).delete()
        s.add(Visit(investor_id=None, unit_id=jia, date=D(2026, 5, 3), batches=1, headcount=3))
        s.add(Visit(investor_id=film.id, unit_id=jia, date=D(2026, 8, 3), batches=1, headcount=3))
        s.add(Setting(key="reported_targets:甲镇:2026", value='{"domestic_funds": "12000"}'))  # its return said otherwise
        s.add(Setting(key="own_unit", value="甲镇"))  # a township's file: the county's event is not in its return
        s.add(Event(unit_id=None, kind="promotion", name="上海推介会", date=D(2026, 6, 3)))
        assert yi  # 乙乡 has neither targets nor projects: the county-wide missing-target hints name it


def test_the_store_feeds_every_rule(ledger):
    break_everything(ledger)
    with ledger.read() as s:
        findings = run_checks(s, today=TODAY)
    assert {f.rule for f in findings} == set(RULES)
    by_rule = {f.rule: f for f in findings}
    assert by_rule["undeclared_construction"].record.label == "高姥山滑雪场项目"
    assert by_rule["negative_funds"].record.key == "fund:XM-SKI00-00001:2026-04"
    assert by_rule["future_funds"].record.key == "fund:XM-SKI00-00001:2026-09"
    assert "10.0001万元" in by_rule["funds_above_planned"].message
    assert by_rule["target_without_projects"].record.key == "unit:丁园区"
    assert {f.record.key for f in findings if f.rule == "no_targets"} == {"targets:2026:乙乡", "targets:2026:丙街道"}


def test_month_and_unit_narrow_the_facts(ledger):
    break_everything(ledger)
    with ledger.read() as s:
        whole = load_facts(s, today=TODAY)
        june = load_facts(s, YearMonth(2026, 6), unit="甲镇", today=TODAY)
        other = load_facts(s, YearMonth(2026, 6), unit="丁园区", today=TODAY)
    assert {(f.year, f.month) for f in whole.funds} == {(2026, 4), (2026, 9)}
    assert {(f.year, f.month) for f in june.funds} == {(2026, 4)}  # September is not in June's return
    ski = next(p for p in june.projects if p.code == "XM-SKI00-00001")
    assert ski.funds_total == Decimal(-3)  # up to June only
    assert next(p for p in whole.projects if p.code == "XM-SKI00-00001").funds_total == Decimal(2)
    assert len(june.visits) == 1 and len(whole.visits) == 2
    assert other.projects == [] and [u.name for u in other.units] == ["丁园区"]
    with ledger.read() as s, pytest.raises(InputError, match="未知的单位"):
        load_facts(s, unit="火星镇")


def test_a_whole_file_is_checked_one_unit_at_a_time_with_the_same_findings(ledger, monkeypatch):
    """Issue 18: the rules on projects run on one unit's facts at a time, so that a county's
    50,000 projects' facts never exist beside its findings. The findings are exactly those
    of every rule on all the facts at once, in the same order, explanations attached."""
    from zsdesk.domain import checks as checks_module
    from zsdesk.domain.checks import run_rules
    from zsdesk.store.checks_query import acknowledgements

    break_everything(ledger)
    with ledger.begin() as s:  # findings in a second unit, and one name in two units
        good_project(s, "乙乡", "XM-YIDUP-00020", name="甲镇康养小镇项目10", stage="landed", liaison_leader="")
        good_project(s, "乙乡", "XM-YIDUP-00021", name="甲镇康养小镇项目10")
        quiet = good_project(s, "丙街道", "XM-BING0-00022", signed_on=D(2025, 1, 5), negotiating_on=D(2024, 12, 1))
        s.query(FollowUp).filter(FollowUp.project_id == quiet.id).delete()
    with ledger.begin() as s:
        acknowledge(s, "no_liaison_leader", "project:XM-YIDUP-00020", "联系领导人选待县里确定", today=TODAY)

    seen_units = []
    collect = checks_module.collect

    def watching(facts, acks, rules, into):
        if any(r.per_project for r in rules):
            seen_units.append({p.unit for p in facts.projects})
        return collect(facts, acks, rules, into)

    for period in (None, YearMonth(2026, 6)):
        with ledger.read() as s:
            at_once = run_rules(load_facts(s, period, today=TODAY), acknowledgements(s))
        seen_units.clear()
        monkeypatch.setattr("zsdesk.store.checks_query.collect", watching)
        with ledger.read() as s:
            by_unit = run_checks(s, period, today=TODAY)
        monkeypatch.undo()
        assert [(f.rule, f.record.key, f.message, f.acknowledgement) for f in by_unit] == [
            (f.rule, f.record.key, f.message, f.acknowledgement) for f in at_once
        ]
        assert seen_units and all(len(units) <= 1 for units in seen_units)  # never two units' projects at once
        assert {"甲镇", "乙乡", "丙街道"} <= set().union(*seen_units)
    same_name = [f for f in by_unit if f.rule == "duplicate_project_name"]
    # one in each unit: 甲镇's two namesakes, 乙乡's two; across the units they are not duplicates
    assert sorted(f.record.unit for f in same_name) == ["乙乡", "甲镇"]
    assert next(f for f in same_name if f.record.unit == "乙乡").message == (
        "乙乡有两个同名项目“甲镇康养小镇项目10”（编码 XM-YIDUP-00020 与 XM-YIDUP-00021）：是否重复登记？"
    )
    explained = next(f for f in by_unit if f.record.key == "project:XM-YIDUP-00020" and f.rule == "no_liaison_leader")
    assert explained.explained


def test_the_checks_tabs_table_holds_the_same_findings_as_the_list(ledger):
    """What the checks tab holds (FindingTable: columns and one text per unit) reads back
    finding by finding equal to run_checks' objects, in the same order; its counts, made
    from the columns, are the list's."""
    from zsdesk.domain.checks import Level, blocking, count_by_level, summary
    from zsdesk.store.checks_query import check_table

    break_everything(ledger)
    with ledger.begin() as s:
        acknowledge(s, "no_liaison_leader", "project:XM-LEAD0-00007", "联系领导人选待县里确定", today=TODAY)
    kinds = set()
    for period, unit in ((None, None), (YearMonth(2026, 6), None), (YearMonth(2026, 6), "甲镇")):
        with ledger.read() as s:
            listed = run_checks(s, period, unit=unit, today=TODAY)
            table = check_table(s, period, unit=unit, today=TODAY)
        assert len(table) == len(listed) > 10
        assert list(table) == listed
        assert [f.message for f in table] == [f.message for f in listed]
        assert [f.record.opens for f in table] == [f.record.opens for f in listed]
        assert table[-1] == listed[-1] and table[1:3] == listed[1:3]
        assert table.count_by_level() == count_by_level(listed)
        assert table.blocking_count() == len(blocking(listed))
        assert table.summary() == summary(listed)
        assert [table.level(i) for i in range(len(table))] == [f.level for f in listed]
        assert [table.record_key(i) for i in range(len(table))] == [f.record.key for f in listed]
        assert [table.index_of(f.rule, f.record.key) for f in listed] == list(range(len(listed)))
        assert table.index_of("no_such_rule", "project:X") is None and table.index_of(listed[0].rule, "nowhere") is None
        assert any(f.explained for f in table) and table.count_by_level()[Level.ERROR]
        kinds |= {f.record.kind for f in table}
    assert {"project", "followup", "visit", "investor", "unit", "county", "event"} <= kinds  # every kind of reference


def test_acknowledging_a_warning_survives_reopening(ledger):
    break_everything(ledger)
    with ledger.begin() as s:
        ack = acknowledge(s, "undeclared_construction", "project:XM-SKI00-00001",
                          "  已提交申报材料，等待省商务厅审核  ", by="张丽", today=TODAY)
    assert ack.explanation == "已提交申报材料，等待省商务厅审核"
    ledger.close()
    reopened = open_ledger(ledger.location)
    try:
        with reopened.read() as s:
            findings = run_checks(s, today=TODAY)
        ski = next(f for f in findings if f.rule == "undeclared_construction")
        assert ski.explained and ski.acknowledgement.by == "张丽"
        assert ski.acknowledgement.explanation == "已提交申报材料，等待省商务厅审核"
        assert not ski.blocks
        with reopened.begin() as s:  # saying it again replaces the explanation
            acknowledge(s, "undeclared_construction", "project:XM-SKI00-00001", "省里已受理，下月可完成申报",
                        by="王建国", today=TODAY)
        with reopened.read() as s:
            ski = next(f for f in run_checks(s, today=TODAY) if f.rule == "undeclared_construction")
        assert ski.acknowledgement.explanation == "省里已受理，下月可完成申报" and ski.acknowledgement.by == "王建国"
        with reopened.begin() as s:
            assert withdraw(s, "undeclared_construction", "project:XM-SKI00-00001")
            assert not withdraw(s, "undeclared_construction", "project:XM-SKI00-00001")
        with reopened.read() as s:
            ski = next(f for f in run_checks(s, today=TODAY) if f.rule == "undeclared_construction")
        assert not ski.explained and ski.blocks
    finally:
        reopened.close()


@pytest.mark.parametrize(
    "rule, key, why, words",
    [
        ("negative_funds", "fund:XM-SKI00-00001:2026-04", "这是一笔退款冲销", "必须修改数据"),
        ("follow_up_overdue", "followup:1", "已经电话联系过了", "不需要说明"),
        ("undeclared_construction", "project:XM-SKI00-00001", "好的！", "至少"),
        ("undeclared_construction", "project:XM-NOPE0-00000", "已提交申报材料", "没有这条审核结果"),
        ("no_such_rule", "project:XM-SKI00-00001", "已提交申报材料", "没有审核规则"),
    ],
)
def test_what_cannot_be_acknowledged(ledger, rule, key, why, words):
    break_everything(ledger)
    with pytest.raises(InputError, match=words):
        with ledger.begin() as s:
            acknowledge(s, rule, key, why, today=TODAY)
    with ledger.read() as s:
        assert not any(f.explained for f in run_checks(s, today=TODAY))


def test_the_export_gate(ledger):
    break_everything(ledger)
    june = YearMonth(2026, 6)
    with ledger.read() as s:
        stops = unexplained_errors(s, "甲镇", june, today=TODAY)
        assert {f.level for f in stops} == {Level.ERROR, Level.WARNING}
        assert all(f.record.unit == "甲镇" for f in stops)
        assert [f.rule for f in unexplained_errors(s, "乙乡", june, today=TODAY)] == ["no_targets"]
        assert explanations_for(s, "甲镇", june, today=TODAY) == []
    warnings = [f for f in stops if f.level is Level.WARNING]
    with ledger.begin() as s:
        for f in warnings:
            acknowledge(s, f.rule, f.record.key, f"已核实：{f.title}，情况属实", by="张丽", today=TODAY)
    with ledger.read() as s:
        stops = unexplained_errors(s, "甲镇", june, today=TODAY)
        carried = explanations_for(s, "甲镇", june, today=TODAY)
    assert stops and all(f.level is Level.ERROR for f in stops)  # errors must still be fixed
    assert {f.key for f in carried} == {f.key for f in warnings}
    assert all(f.acknowledgement.explanation.startswith("已核实") for f in carried)


def test_fixing_the_data_clears_the_gate(ledger):
    clean_ledger(ledger)
    with ledger.begin() as s:
        p = s.query(Project).filter(Project.code == "XM-CLEAN-00000").one()
        s.add(FundRecord(project_id=p.id, year=2026, month=6, amount=Decimal(-1)))
    with ledger.read() as s:
        assert [f.rule for f in unexplained_errors(s, "甲镇", YearMonth(2026, 6), today=TODAY)] == ["negative_funds"]
    with ledger.begin() as s:
        s.query(FundRecord).filter(FundRecord.amount < 0).delete()
    with ledger.read() as s:
        assert unexplained_errors(s, "甲镇", YearMonth(2026, 6), today=TODAY) == []


def test_stale_explanations_are_not_carried(ledger):
    break_everything(ledger)
    with ledger.begin() as s:
        acknowledge(s, "no_liaison_leader", "project:XM-LEAD0-00007", "新领导下周到任后确定", today=TODAY)
    with ledger.begin() as s:
        s.query(Project).filter(Project.code == "XM-LEAD0-00007").update({"liaison_leader": "吴建平"})
    with ledger.read() as s:
        carried = explanations_for(s, "甲镇", YearMonth(2026, 6), today=TODAY)
    assert "no_liaison_leader" not in {f.rule for f in carried}


def test_demo_county_checks(demo_ledger, period):
    with demo_ledger.read() as s:
        findings = run_checks(s, period, today=TODAY)
    rules = {f.rule for f in findings}
    # the demo county was written with gaps a clerk would leave
    assert {"no_liaison_leader", "visit_without_investor", "undeclared_construction"} <= rules
    assert not any(f.level is Level.ERROR for f in findings)


def test_gate_for_export(ledger):
    from zsdesk.store.checks_query import ReturnBlocked, gate_for_export

    break_everything(ledger)
    june = YearMonth(2026, 6)
    with ledger.read() as s:
        with pytest.raises(ReturnBlocked) as blocked:
            gate_for_export(s, "甲镇", june, today=TODAY)
        assert blocked.value.exit_status == 1
        assert blocked.value.errors and blocked.value.warnings
        assert f"{len(blocked.value.errors)}个错误" in blocked.value.message and "未导出" in blocked.value.message
        with pytest.raises(ReturnBlocked, match="错误必须修改后才能导出"):
            gate_for_export(s, "甲镇", june, force=True, today=TODAY)
        # 乙乡 has only a warning (no targets): forced out, the sheet says it was not explained
        rows = gate_for_export(s, "乙乡", june, force=True, today=TODAY)
        assert rows == [("没有目标任务", "乙乡", "乙乡没有2026年的目标任务：无法计算完成率和序时进度", "警告：未说明（强制导出）")]
    with ledger.begin() as s:
        acknowledge(s, "no_targets", "targets:2026:乙乡", "县里尚未下达乙乡的年度任务", by="张丽", today=TODAY)
    with ledger.read() as s:
        (row,) = gate_for_export(s, "乙乡", june, today=TODAY)
    assert row[0] == "没有目标任务" and row[3].startswith("县里尚未下达乙乡的年度任务（张丽，")
