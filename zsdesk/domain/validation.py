"""Editing rules: what a form may save. Pure functions, no Qt, no SQL.

Each rule raises :class:`~zsdesk.errors.ValidationError` with a Chinese message and the
name of the field at fault, so a form can put the message at that field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

from ..errors import ValidationError
from .enums import PIPELINE, Indicator, Measure, Stage
from .money import MoneyError, parse_wan
from .periods import YearMonth
from .text_limits import LIMITS, Limit, too_long_message

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
EARLIEST = dt.date(1980, 1, 1)


def required_text(value: str | None, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"请填写{label}", field)
    return text


def text_length(value: str | None, field: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(too_long_message(Limit(label, limit), len(text)), field)
    return text


def within_limits(data, table: str, prefix: str = "") -> None:
    """Every text field of ``data`` that :mod:`~zsdesk.domain.text_limits` bounds."""
    for name, limit in LIMITS[table].items():
        value = getattr(data, name, None)
        if isinstance(value, str):
            text_length(value, prefix + name, limit.label, limit.chars)


def amount(value: str | int | Decimal | None, field: str, label: str, *, required: bool = False) -> Decimal | None:
    """An amount in 万元 typed into a field: ≥ 0, at most four decimals; empty is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"请填写{label}", field)
        return None
    try:
        return parse_wan(value)
    except MoneyError as exc:
        raise ValidationError(f"{label}：{exc}", field) from None


def parse_date(value: str | dt.date | None, field: str, label: str, *, required: bool = False) -> dt.date | None:
    """A real calendar date: '2026-06-15', '2026/6/15', '2026年6月15日', '20260615'."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = (value or "").strip()
        if not text:
            if required:
                raise ValidationError(f"请填写{label}", field)
            return None
        match = _DATE.match(text) or _COMPACT_DATE.match(text)
        if not match:
            raise ValidationError(f"{label}“{text}”格式不对，应写作 YYYY-MM-DD，例如 2026-06-15", field)
        try:
            day = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            raise ValidationError(f"{label}“{text}”不是有效的日期", field) from None
    if day < EARLIEST or day.year > 2999:
        raise ValidationError(f"{label}“{day.isoformat()}”不合理", field)
    return day


def not_in_future(day: dt.date | None, field: str, label: str, today: dt.date) -> None:
    if day is not None and day > today:
        raise ValidationError(f"{label}（{day.isoformat()}）晚于今天，不能填写尚未发生的日期", field)


def count(value: str | int | None, field: str, label: str, *, required: bool = False) -> int | None:
    """A whole number ≥ 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"请填写{label}", field)
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{label}必须是整数", field)
    if isinstance(value, int):
        number = value
    else:
        text = value.strip().replace(",", "")
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValidationError(f"{label}“{value}”必须是整数", field)
        number = int(text)
    if number < 0:
        raise ValidationError(f"{label}不能为负数", field)
    return number


def stage_dates(stage: Stage, dates: Mapping[Stage, dt.date | None], today: dt.date) -> None:
    """The current stage has its date; pipeline dates are in order; none is in the future.

    A stage may have been skipped (a project signed without a recorded 在谈 date); the
    checks flag that, the editor allows it.
    """
    for step, day in dates.items():
        not_in_future(day, step.date_field, f"“{step.label}”日期", today)
    if dates.get(stage) is None:
        raise ValidationError(f"项目处于“{stage.label}”阶段，请填写到达该阶段的日期", stage.date_field)
    previous: tuple[Stage, dt.date] | None = None
    for step in PIPELINE:
        day = dates.get(step)
        if day is None:
            continue
        if previous is not None and day < previous[1]:
            raise ValidationError(
                f"“{step.label}”日期（{day.isoformat()}）早于“{previous[0].label}”日期"
                f"（{previous[1].isoformat()}），阶段日期须按先后顺序",
                step.date_field,
            )
        previous = (step, day)
    for off in (Stage.SUSPENDED, Stage.TERMINATED):
        day = dates.get(off)
        if day is not None and previous is not None and day < previous[1]:
            raise ValidationError(
                f"“{off.label}”日期（{day.isoformat()}）早于“{previous[0].label}”日期（{previous[1].isoformat()}）",
                off.date_field,
            )


def fund_month(year: int, month: int, today: dt.date) -> YearMonth:
    """A month funds may be entered for: it has come (this month or earlier)."""
    try:
        period = YearMonth(year, month)
    except ValueError as exc:
        raise ValidationError(str(exc), f"funds:{year}-{month:02d}") from None
    if period.is_future(today):
        raise ValidationError(
            f"{period.chinese}尚未到来，不能填写到位资金", f"funds:{year}-{month:02d}"
        )
    return period


def fund_amount(year: int, month: int, value, today: dt.date) -> Decimal | None:
    """One month's funds arrived: ≥ 0, four decimals, a month that has come; empty/0 is None."""
    field = f"funds:{year}-{month:02d}"
    money = amount(value, field, f"{year}年{month}月到位资金")
    if money is None or money == 0:
        return None
    fund_month(year, month, today)
    return money


def target_value(indicator: Indicator, value: str | int | Decimal | None) -> Decimal | int | None:
    """An annual target as typed: 万元 (four decimals) or a whole count; empty is None."""
    field = f"target:{indicator.value}"
    if indicator.measure is Measure.MONEY:
        return amount(value, field, f"{indicator.label}目标")
    return count(value, field, f"{indicator.label}目标")


# -- whole records -------------------------------------------------------------------

def validate_project(data, today: dt.date) -> None:
    """A :class:`~zsdesk.domain.records.ProjectData` that may be saved, or ValidationError."""
    required_text(data.name, "name", "项目名称")
    within_limits(data, "projects")
    if data.unit_id is None:
        raise ValidationError("请选择项目所属单位", "unit_id")
    if data.planned_investment is None:
        raise ValidationError("请填写计划总投资（万元）", "planned_investment")
    for name, label in (
        ("planned_investment", "计划总投资"),
        ("registered_capital", "注册资金"),
        ("declared_amount", "申报金额"),
        ("retained_amount", "去年留存"),
    ):
        value = getattr(data, name)
        if value is not None:
            amount(value, name, label)
    if data.new_investor_name is not None:
        investor = LIMITS["projects"]["investor"]
        text_length(data.new_investor_name, "investor", investor.label, investor.chars)
    stage_dates(data.stage, {s: d for s, d in data.dates.items() if d is not None}, today)
    if data.declared:
        if data.declared_on is None:
            raise ValidationError("已申报的项目请填写申报日期", "declared_on")
        not_in_future(data.declared_on, "declared_on", "申报日期", today)
    if (
        data.declared_amount is not None
        and data.retained_amount is not None
        and data.retained_amount > data.declared_amount
    ):
        raise ValidationError("去年留存不能大于申报金额", "retained_amount")
    for (year, month), value in (data.funds or {}).items():
        fund_amount(year, month, value, today)
    for index, entry in enumerate(data.follow_ups or []):
        validate_follow_up(entry, today, index)


def validate_follow_up(entry, today: dt.date, index: int = 0) -> None:
    prefix = f"follow_ups:{index}:"
    within_limits(entry, "follow_ups", prefix)
    if entry.date is None:
        raise ValidationError("跟踪记录请填写日期", prefix + "date")
    not_in_future(entry.date, prefix + "date", "跟踪日期", today)
    if not (entry.action or "").strip():
        raise ValidationError("跟踪记录请填写做了什么（跟踪内容）", prefix + "action")
    if entry.due_on is not None and entry.due_on < entry.date:
        raise ValidationError(
            f"下次跟踪期限（{entry.due_on.isoformat()}）早于跟踪日期（{entry.date.isoformat()}）", prefix + "due_on"
        )


def validate_investor(data, today: dt.date) -> None:
    required_text(data.name, "name", "客商名称")
    within_limits(data, "investors")
    not_in_future(data.registered_on, "registered_on", "落户日期", today)
    for index, contact in enumerate(data.contacts or []):
        required_text(contact.name, f"contacts:{index}:name", "联系人姓名")
        within_limits(contact, "contacts", f"contacts:{index}:")
    for index, visit in enumerate(data.visits or []):
        validate_visit(visit, today, index)


def validate_visit(visit, today: dt.date, index: int = 0) -> None:
    prefix = f"visits:{index}:"
    within_limits(visit, "visits", prefix)
    if visit.date is None:
        raise ValidationError("考察记录请填写日期", prefix + "date")
    not_in_future(visit.date, prefix + "date", "考察日期", today)
    if visit.batches is None or visit.batches < 1:
        raise ValidationError("考察批次至少为1", prefix + "batches")
    if visit.headcount is None or visit.headcount < 1:
        raise ValidationError("考察人数至少为1", prefix + "headcount")
    if visit.headcount < visit.batches:
        raise ValidationError("考察人数不能少于批次", prefix + "headcount")


def validate_event(data, today: dt.date) -> None:
    required_text(data.name, "name", "活动名称")
    within_limits(data, "events")
    if data.kind is None:
        raise ValidationError("请选择活动类型", "kind")
    if data.date is None:
        raise ValidationError("请填写活动日期", "date")
    not_in_future(data.date, "date", "活动日期", today)
    for name, label in (("firms", "参会企业数"), ("representatives", "客商代表人数"), ("intention_projects", "达成意向项目数")):
        value = getattr(data, name)
        if value is None:
            raise ValidationError(f"请填写{label}", name)
        if value < 0:
            raise ValidationError(f"{label}不能为负数", name)
