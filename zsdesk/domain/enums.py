"""The vocabulary of the domain guide: stages, indicators, kinds of unit and investor.

Every enum member's value is the English identifier stored in the database; its
``label`` is the Chinese word the user sees.
"""

from __future__ import annotations

import enum


class _Labelled(str, enum.Enum):
    """A str enum whose members carry a Chinese label."""

    def __new__(cls, value: str, label: str):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    @classmethod
    def from_label(cls, label: str):
        for member in cls:
            if member.label == label:
                return member
        raise ValueError(label)

    @classmethod
    def parse(cls, text: str):
        """Accept the identifier or the Chinese label."""
        text = text.strip()
        try:
            return cls(text)
        except ValueError:
            return cls.from_label(text)

    def __str__(self) -> str:  # so f-strings show the identifier, as str() of a str does
        return self.value


class UnitKind(_Labelled):
    TOWNSHIP = ("township", "乡镇")
    SUBDISTRICT = ("subdistrict", "街道")
    ZONE = ("zone", "区块")
    DEPARTMENT = ("department", "部门")


class Stage(_Labelled):
    PLANNED = ("planned", "谋划")
    NEGOTIATING = ("negotiating", "在谈")
    SIGNED = ("signed", "签约")
    LANDED = ("landed", "落地")
    UNDER_CONSTRUCTION = ("under_construction", "开工")
    IN_OPERATION = ("in_operation", "投产")
    SUSPENDED = ("suspended", "中止")
    TERMINATED = ("terminated", "终止")

    @property
    def on_the_line(self) -> bool:
        return self in PIPELINE

    @property
    def date_field(self) -> str:
        """Name of the project attribute holding the date this stage was reached."""
        return STAGE_DATE_FIELDS[self]

    def rank(self) -> int:
        """Position on the pipeline; stages off the line rank after it."""
        return list(Stage).index(self)


PIPELINE: tuple[Stage, ...] = (
    Stage.PLANNED,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.LANDED,
    Stage.UNDER_CONSTRUCTION,
    Stage.IN_OPERATION,
)

STAGE_DATE_FIELDS: dict[Stage, str] = {
    Stage.PLANNED: "planned_on",
    Stage.NEGOTIATING: "negotiating_on",
    Stage.SIGNED: "signed_on",
    Stage.LANDED: "landed_on",
    Stage.UNDER_CONSTRUCTION: "construction_on",
    Stage.IN_OPERATION: "operation_on",
    Stage.SUSPENDED: "suspended_on",
    Stage.TERMINATED: "terminated_on",
}


class InvestorType(_Labelled):
    CENTRAL_SOE = ("central_soe", "央企")
    STATE_OWNED = ("state_owned", "国企")
    LISTED = ("listed", "上市公司")
    PRIVATE = ("private", "民企")
    FOREIGN = ("foreign", "外资")
    NATIVE_ABROAD = ("native_abroad", "在外乡贤/磐商")


class EventKind(_Labelled):
    PROMOTION = ("promotion", "推介会")
    NEGOTIATION = ("negotiation", "洽谈会")
    STATIONED = ("stationed", "蹲点招商")


class Measure(_Labelled):
    MONEY = ("money", "万元")
    COUNT = ("count", "个")


class Indicator(_Labelled):
    """An indicator with an annual target (年度目标任务)."""

    DOMESTIC_FUNDS = ("domestic_funds", "引进内资到位资金")
    ZHEJIANG_RETURN_FUNDS = ("zhejiang_return_funds", "浙商回归到位资金")
    MOUNTAIN_SEA_FUNDS = ("mountain_sea_funds", "山海协作项目实际到位资金")
    MAJOR_PROJECTS = ("major_projects", "新引进大项目")
    FILM_CULTURE_FIRMS = ("film_culture_firms", "新引进影视文化企业")
    PLANNED_PROJECTS = ("planned_projects", "报送谋划项目")
    SIGNED_PROJECTS = ("signed_projects", "签约项目")

    @property
    def measure(self) -> Measure:
        return Measure.MONEY if self.value.endswith("_funds") else Measure.COUNT

    @property
    def short_label(self) -> str:
        return _SHORT_LABELS[self]


_SHORT_LABELS = {
    Indicator.DOMESTIC_FUNDS: "内资到位",
    Indicator.ZHEJIANG_RETURN_FUNDS: "浙商回归",
    Indicator.MOUNTAIN_SEA_FUNDS: "山海协作",
    Indicator.MAJOR_PROJECTS: "大项目",
    Indicator.FILM_CULTURE_FIRMS: "影视文化企业",
    Indicator.PLANNED_PROJECTS: "谋划项目",
    Indicator.SIGNED_PROJECTS: "签约项目",
}

INDUSTRIES: tuple[str, ...] = (
    "旅游/休闲养生",
    "中药材",
    "生态工业",
    "生态农业",
    "文化影视",
    "健康",
    "新能源",
    "其他",
)
FILM_CULTURE_INDUSTRY = "文化影视"


class Status(_Labelled):
    """Where a unit stands on an indicator against the schedule (序时进度)."""

    DONE = ("done", "已完成")
    AHEAD = ("ahead", "快于序时")
    BEHIND = ("behind", "慢于序时")
    NOTHING = ("nothing", "无实绩")
    NO_TARGET = ("no_target", "无任务")
