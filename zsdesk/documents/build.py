"""The review and the 通报 of a ledger: the figures read (one computation), then composed.

The review's figures are :func:`~zsdesk.store.brief_query.gather_brief`'s (the brief's,
from ``load_progress``); the 通报's are one :func:`~zsdesk.store.progress_query.load_progress`
table. The services take the session; they never open their own.
"""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.enums import Indicator, UnitKind
from ..domain.periods import YearMonth
from ..errors import KnownError
from ..store.brief_query import gather_brief
from ..store.models import Unit
from ..store.progress_query import load_progress
from ..store.settings import county_name, major_threshold
from . import gbt9704 as gb
from .bulletin import compose_bulletin
from .model import OfficialDocument, Picture
from .review import compose_review

CHART_HEIGHT_MM = 130
"""The ranking chart printed 156 × 130 mm: 18–20 units' bars stay legible at 3号's scale."""


class NothingToReport(KnownError):
    """The month or year has nothing a document could report (exit status 1)."""

    exit_status = 1


def bureau_name(session: Session) -> str:
    """The issuing body of the county's documents: 磐安县招商局."""
    return f"{county_name(session)}招商局"


def build_review(
    session: Session,
    period: YearMonth,
    *,
    unit: str | None = None,
    issuer: str | None = None,
    signed_on: dt.date | None = None,
) -> OfficialDocument:
    """The review of the county (or ``unit``) for January to ``period``.

    The issuer is the bureau (or the unit); the date is today unless given. An unknown
    unit raises InputError; a month with no data gives a document with ``has_data`` False.
    """
    figures = gather_brief(session, period, unit=unit)
    if issuer is None or not issuer.strip():
        issuer = figures.unit or bureau_name(session)
    return compose_review(figures, issuer=issuer.strip(), signed_on=signed_on or dt.date.today())


def build_bulletin(
    session: Session,
    period: YearMonth,
    *,
    issuer: str | None = None,
    signed_on: dt.date | None = None,
    chart: bool = False,
) -> OfficialDocument:
    """The 通报 of ``period``; with ``chart`` the 引进内资 ranking drawn at print size.

    A year with no target at all raises NothingToReport (nothing to rank against).
    """
    table = load_progress(session, period)
    if not any(r.target is not None for r in table.rows):
        raise NothingToReport(f"台账中没有{period.year}年的目标任务，无法生成通报（先录入或导入年度目标任务分解表）")
    kinds = [UnitKind(k) for k in session.scalars(select(Unit.kind).distinct()) if k in UnitKind._value2member_map_]
    picture = None
    if chart and table.ranking(Indicator.DOMESTIC_FUNDS):
        picture = ranking_picture(table, county_name(session))
    if issuer is None or not issuer.strip():
        issuer = bureau_name(session)
    return compose_bulletin(
        table,
        issuer=issuer.strip(),
        signed_on=signed_on or dt.date.today(),
        threshold=major_threshold(session),
        unit_kinds=kinds,
        chart=picture,
    )


def ranking_picture(table, county: str, indicator: Indicator = Indicator.DOMESTIC_FUNDS) -> Picture:
    """The charts' ranking figure, drawn at the size it is printed and 300 dpi."""
    from ..charts.common import new_figure
    from ..charts.ranking import ranking_figure

    inches = lambda mm: float(Fraction(mm) / gb.MM_PER_INCH)  # noqa: E731 — Matplotlib wants float inches
    figure = ranking_figure(
        table, indicator, county, figure=new_figure((inches(gb.PICTURE_WIDTH_MM), inches(CHART_HEIGHT_MM)))
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=gb.PICTURE_DPI, metadata={"Software": "zsdesk"})
    return Picture(buffer.getvalue(), gb.PICTURE_WIDTH_MM, CHART_HEIGHT_MM)
