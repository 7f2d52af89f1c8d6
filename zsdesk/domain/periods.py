"""Year-months: parsing 'YYYY-MM', month ends, and the time-elapsed schedule."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


class PeriodError(ValueError):
    """A month that cannot be read or is not allowed; the message is Chinese."""


@dataclass(frozen=True, order=True)
class YearMonth:
    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise PeriodError(f"月份必须在1到12之间：{self.year}-{self.month:02d}")
        if not 1900 <= self.year <= 2999:
            raise PeriodError(f"年份不合理：{self.year}")

    @classmethod
    def parse(cls, text: str) -> "YearMonth":
        match = _PATTERN.match(text or "")
        if not match:
            raise PeriodError(f"月份“{text}”格式不对，应写作 YYYY-MM，例如 2026-06")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> "YearMonth":
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> "YearMonth":
        return cls.of(dt.date.today())

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def chinese(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def key(self) -> int:
        """YYYYMM as an integer, handy for comparisons in SQL."""
        return self.year * 100 + self.month

    def is_future(self, today: dt.date | None = None) -> bool:
        return self > YearMonth.of(today or dt.date.today())

    def next(self) -> "YearMonth":
        return YearMonth(self.year + (self.month == 12), self.month % 12 + 1)

    def previous(self) -> "YearMonth":
        return YearMonth(self.year - (self.month == 1), (self.month - 2) % 12 + 1)


def schedule(month: int) -> Decimal:
    """序时进度: months elapsed ÷ 12 (June → 0.5), exact."""
    if not 1 <= month <= 12:
        raise PeriodError(f"月份必须在1到12之间：{month}")
    return Decimal(month) / Decimal(12)
