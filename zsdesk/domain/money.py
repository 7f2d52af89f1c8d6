"""Money in 万元, exact.

Amounts are entered and shown in 万元 with at most four decimals, which is exactly one
yuan. The database keeps whole yuan as integers, so sums in SQL are exact and fast;
Python code sees :class:`~decimal.Decimal` 万元. Floats never hold money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

YUAN_PER_WAN = 10_000
WAN_DECIMALS = 4
_QUANTUM = Decimal(1).scaleb(-WAN_DECIMALS)  # 0.0001 万元 = 1 元


class MoneyError(ValueError):
    """A text that is not an acceptable amount; the message is Chinese."""


def parse_wan(text: str | int | Decimal, *, allow_negative: bool = False) -> Decimal:
    """Read an amount in 万元 typed by a person: '12.5', '1,234.0001', ' 3 '.

    Refuses floats, empty text, more than four decimals and (unless allowed) negatives.
    """
    if isinstance(text, float):
        raise TypeError("money must not be a float")
    if isinstance(text, bool):
        raise MoneyError(f"“{text}”不是金额")
    if isinstance(text, (int, Decimal)):
        value = Decimal(text)
    else:
        cleaned = text.strip().replace(",", "").replace("，", "")
        if not cleaned:
            raise MoneyError("金额不能为空")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise MoneyError(f"“{text}”不是数字金额") from None
    if not value.is_finite():
        raise MoneyError(f"“{text}”不是数字金额")
    if value.as_tuple().exponent < -WAN_DECIMALS and value != value.quantize(_QUANTUM):
        raise MoneyError(f"“{text}”小数位太多：金额以万元为单位，最多{WAN_DECIMALS}位小数")
    if value < 0 and not allow_negative:
        raise MoneyError(f"金额不能为负数：{text}")
    return value.quantize(_QUANTUM) if value.as_tuple().exponent < -WAN_DECIMALS else value


def wan_to_yuan(wan: Decimal | int) -> int:
    """万元 → whole yuan, exact (raises if the amount has fractions of a yuan)."""
    if isinstance(wan, float):
        raise TypeError("money must not be a float")
    yuan = Decimal(wan) * YUAN_PER_WAN
    if yuan != yuan.to_integral_value():
        raise MoneyError(f"{wan} 万元不是整元")
    return int(yuan)


def yuan_to_wan(yuan: int | None) -> Decimal | None:
    """Whole yuan → 万元 as a Decimal with four decimals."""
    if yuan is None:
        return None
    return (Decimal(int(yuan)) / YUAN_PER_WAN).quantize(_QUANTUM)


def normalize(wan: Decimal) -> Decimal:
    """Drop trailing zeros but never use an exponent: 12.5000 → 12.5, 100.0000 → 100."""
    text = format(wan.quantize(_QUANTUM), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


def format_wan(wan: Decimal | None, *, places: int | None = None) -> str:
    """万元 for display: '1,234.5' (trailing zeros dropped) or with fixed places."""
    if wan is None:
        return ""
    if places is not None:
        return f"{wan.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"
    text = format(normalize(wan), ",f")
    return text


def format_money(wan: Decimal | int | None) -> str:
    """万元 for people to read — the one rule of every tab, chart and print.

    Thousands separated; a whole amount without decimals ('3,924'); any other with two
    ('3,924.45', '3,924.50'), rounded half up. Typing fields keep the exact amount
    (:func:`format_wan`), so nothing is lost by showing it this way.
    """
    if wan is None:
        return ""
    if isinstance(wan, float):
        raise TypeError("money must not be a float")
    value = Decimal(wan)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"


def format_yi(wan: Decimal, places: int = 2) -> str:
    """万元 → 亿元 text with fixed places, as the review writes it: '3.27'."""
    yi = (Decimal(wan) / YUAN_PER_WAN).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{yi:.{places}f}"


def format_percent(rate: Decimal | None, places: int = 2) -> str:
    """A rate (0.5 = 50%) as '50.00%'; None (no target) as '—'."""
    if rate is None:
        return "—"
    pct = (rate * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{pct:.{places}f}%"
