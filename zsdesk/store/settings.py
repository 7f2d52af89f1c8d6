"""The file's own settings (county name, own unit, filler details, thresholds)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.counting import DEFAULT_MAJOR_THRESHOLD_WAN
from ..domain.money import parse_wan
from .models import Setting

COUNTY_NAME = "county_name"
OWN_UNIT = "own_unit"
"""For a township's file: the name of the unit it belongs to. Empty for the county's file."""
MAJOR_THRESHOLD = "major_threshold_wan"
CLERK_NAME = "clerk_name"
"""填报人: also the name written into the audit trail."""
REVIEWER = "reviewer"
"""审核人."""
PHONE = "phone"
"""联系电话."""

TARGETS_FROM = "targets_from"
"""In a township's file made from the county's: where its targets came from (the county's
file or 分解表, and when). A township does not set its own targets: they are shown read-only."""

LABELS = {
    COUNTY_NAME: "县名",
    OWN_UNIT: "本单位",
    MAJOR_THRESHOLD: "大项目投资规模门槛（万元）",
    CLERK_NAME: "填报人",
    REVIEWER: "审核人",
    PHONE: "联系电话",
}


def get_setting(session: Session, key: str, default: str = "") -> str:
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return default if value is None else value


def own_unit(session: Session) -> str:
    """The unit a township's file belongs to; "" in the county's file. Every reader of
    "whose file is this" asks here, so they agree on what the setting holds."""
    return get_setting(session, OWN_UNIT).strip()


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def all_settings(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Setting.key, Setting.value)).all())


def major_threshold(session: Session) -> Decimal:
    text = get_setting(session, MAJOR_THRESHOLD)
    return parse_wan(text) if text else DEFAULT_MAJOR_THRESHOLD_WAN


def county_name(session: Session) -> str:
    return get_setting(session, COUNTY_NAME, "本县")
