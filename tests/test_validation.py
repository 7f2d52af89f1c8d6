"""The editing rules, pure: each refusal names its field and says why in Chinese."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zsdesk.domain import validation as v
from zsdesk.domain.enums import Indicator, Stage
from zsdesk.domain.records import EventData, FollowUpData, InvestorData, ProjectData, VisitData
from zsdesk.domain.enums import EventKind
from zsdesk.errors import ValidationError

TODAY = dt.date(2026, 6, 30)


def refused(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value


@pytest.mark.parametrize(
    "text, expected",
    [("12.5", Decimal("12.5")), (" 1,234.0001 ", Decimal("1234.0001")), ("0", Decimal(0)), ("", None), ("  ", None)],
)
def test_amount_accepts(text, expected):
    assert v.amount(text, "f", "金额") == expected


@pytest.mark.parametrize(
    "text, message",
    [("-1", "不能为负数"), ("1.00001", "小数位太多"), ("abc", "不是数字金额"), ("NaN", "不是数字金额")],
)
def test_amount_refuses(text, message):
    error = refused(v.amount, text, "planned_investment", "计划总投资")
    assert message in error.message and error.message.startswith("计划总投资")
    assert error.field == "planned_investment"


def test_amount_required():
    assert refused(v.amount, "", "x", "计划总投资", required=True).message == "请填写计划总投资"


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_any_four_decimal_amount_round_trips(value):
    assert v.amount(f"{value:f}", "f", "金额") == value


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-06-15", dt.date(2026, 6, 15)),
        ("2026/6/5", dt.date(2026, 6, 5)),
        ("2026年6月5日", dt.date(2026, 6, 5)),
        ("20260605", dt.date(2026, 6, 5)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("", None),
    ],
)
def test_dates_accepted(text, expected):
    assert v.parse_date(text, "d", "日期") == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("2026-02-29", "不是有效的日期"),
        ("2026-13-01", "不是有效的日期"),
        ("2026-06-31", "不是有效的日期"),
        ("6/15", "格式不对"),
        ("昨天", "格式不对"),
        ("1900-01-01", "不合理"),
    ],
)
def test_dates_refused(text, message):
    error = refused(v.parse_date, text, "signed_on", "签约日期")
    assert message in error.message and error.field == "signed_on"


def test_counts():
    assert v.count("12", "n", "人数") == 12
    assert v.count("", "n", "人数") is None
    assert "必须是整数" in refused(v.count, "1.5", "n", "人数").message
    assert "不能为负数" in refused(v.count, "-1", "n", "人数").message


def test_stage_dates_in_order():
    v.stage_dates(Stage.SIGNED, {Stage.PLANNED: dt.date(2026, 1, 1), Stage.SIGNED: dt.date(2026, 3, 1)}, TODAY)
    # a skipped stage is allowed (the checks flag it)
    v.stage_dates(Stage.LANDED, {Stage.LANDED: dt.date(2026, 3, 1)}, TODAY)
    error = refused(
        v.stage_dates, Stage.SIGNED,
        {Stage.NEGOTIATING: dt.date(2026, 4, 1), Stage.SIGNED: dt.date(2026, 3, 1)}, TODAY,
    )
    assert error.field == "signed_on" and "早于“在谈”日期" in error.message
    error = refused(v.stage_dates, Stage.SIGNED, {Stage.PLANNED: dt.date(2026, 1, 1)}, TODAY)
    assert error.field == "signed_on" and "请填写到达该阶段的日期" in error.message
    error = refused(v.stage_dates, Stage.PLANNED, {Stage.PLANNED: dt.date(2026, 7, 1)}, TODAY)
    assert "晚于今天" in error.message
    error = refused(
        v.stage_dates, Stage.TERMINATED,
        {Stage.SIGNED: dt.date(2026, 5, 1), Stage.TERMINATED: dt.date(2026, 4, 1)}, TODAY,
    )
    assert error.field == "terminated_on"


def test_funds_only_for_months_that_have_come():
    assert v.fund_amount(2026, 6, "10", TODAY) == Decimal(10)
    assert v.fund_amount(2026, 7, "", TODAY) is None
    assert v.fund_amount(2026, 7, "0", TODAY) is None
    error = refused(v.fund_amount, 2026, 7, "10", TODAY)
    assert error.message == "2026年7月尚未到来，不能填写到位资金" and error.field == "funds:2026-07"
    assert "不能为负数" in refused(v.fund_amount, 2026, 5, "-1", TODAY).message


def test_target_values():
    assert v.target_value(Indicator.DOMESTIC_FUNDS, "1234.5678") == Decimal("1234.5678")
    assert v.target_value(Indicator.SIGNED_PROJECTS, "12") == 12
    assert v.target_value(Indicator.SIGNED_PROJECTS, "") is None
    assert refused(v.target_value, Indicator.SIGNED_PROJECTS, "1.5").field == "target:signed_projects"
    assert "不能为负数" in refused(v.target_value, Indicator.DOMESTIC_FUNDS, "-1").message


def project(**changes) -> ProjectData:
    data = ProjectData(name="测试项目", unit_id=1, stage=Stage.PLANNED, dates={Stage.PLANNED: dt.date(2026, 1, 5)},
                       planned_investment=Decimal(100))
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_a_valid_project_passes():
    v.validate_project(project(funds={(2026, 6): Decimal(5)}, follow_ups=[FollowUpData(TODAY, action="走访")]), TODAY)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": " "}, "name", "请填写项目名称"),
        ({"name": "长" * 301}, "name", "最多300个字"),
        ({"unit_id": None}, "unit_id", "请选择项目所属单位"),
        ({"planned_investment": None}, "planned_investment", "请填写计划总投资"),
        ({"planned_investment": Decimal(-1)}, "planned_investment", "不能为负数"),
        ({"declared": True}, "declared_on", "申报日期"),
        ({"declared_amount": Decimal(1), "retained_amount": Decimal(2)}, "retained_amount", "去年留存不能大于申报金额"),
        ({"funds": {(2026, 8): Decimal(1)}}, "funds:2026-08", "尚未到来"),
        ({"follow_ups": [FollowUpData(None, action="x")]}, "follow_ups:0:date", "日期"),
        ({"follow_ups": [FollowUpData(TODAY, action="")]}, "follow_ups:0:action", "跟踪内容"),
        ({"follow_ups": [FollowUpData(TODAY, action="x", due_on=dt.date(2026, 6, 1))]}, "follow_ups:0:due_on", "早于"),
    ],
)
def test_project_refusals(changes, field, message):
    error = refused(v.validate_project, project(**changes), TODAY)
    assert error.field == field and message in error.message


def test_investor_visit_and_event_rules():
    v.validate_investor(InvestorData(name="某公司", visits=[VisitData(TODAY, 1, 3)]), TODAY)
    assert refused(v.validate_investor, InvestorData(name=""), TODAY).field == "name"
    error = refused(v.validate_investor, InvestorData(name="某", visits=[VisitData(TODAY, 2, 1)]), TODAY)
    assert error.field == "visits:0:headcount"
    error = refused(v.validate_investor, InvestorData(name="某", visits=[VisitData(dt.date(2026, 7, 1), 1, 1)]), TODAY)
    assert "晚于今天" in error.message
    v.validate_event(EventData("推介会", EventKind.PROMOTION, TODAY, firms=3), TODAY)
    assert refused(v.validate_event, EventData("推介会", EventKind.PROMOTION, None), TODAY).field == "date"
    assert refused(v.validate_event, EventData("推介会", EventKind.PROMOTION, TODAY, firms=-1), TODAY).field == "firms"
