"""Projects: the rows of the projects table, and the services that change projects.

The table is read with one query (funds and follow-ups aggregated in SQL), whatever the
size of the file. Services take the session of the user's action and do not commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """One line of the projects table. Money in whole yuan (exact, cheap to sort)."""

    id: int
    code: str
    name: str
    unit: str
    investor: str
    industry: str
    stage: str
    planned_yuan: int
    funds_year_yuan: int
    zhejiang_return: bool
    mountain_sea: bool
    foreign_capital: bool
    carried_over: bool
    declared: bool
    liaison_leader: str
    responsible_unit: str
    last_follow_up: str | None
    """ISO date of the latest follow-up."""
    next_due: str | None
    """ISO date: the earliest due date of the follow-ups not yet done."""
    first_date: str | None
    """ISO date of the earliest stage reached (when the project entered the ledger)."""
    terminated_on: str | None


_ROWS_SQL = """
SELECT p.id, p.code, p.name, u.name, COALESCE(i.name, ''), p.industry, p.stage,
       p.planned_investment, COALESCE(f.total, 0),
       p.zhejiang_return, p.mountain_sea, p.foreign_capital, p.carried_over, p.declared,
       p.liaison_leader, p.responsible_unit, fu.last_date, fu.next_due,
       COALESCE(p.planned_on, p.negotiating_on, p.signed_on, p.landed_on,
                p.construction_on, p.operation_on, date(p.created_at)),
       p.terminated_on
FROM projects AS p
JOIN units AS u ON u.id = p.unit_id
LEFT JOIN investors AS i ON i.id = p.investor_id
LEFT JOIN (SELECT project_id, SUM(amount) AS total FROM fund_records
           WHERE year = :year GROUP BY project_id) AS f ON f.project_id = p.id
LEFT JOIN (SELECT project_id, MAX(date) AS last_date,
                  MIN(CASE WHEN done = 0 THEN due_on END) AS next_due
           FROM follow_ups GROUP BY project_id) AS fu ON fu.project_id = p.id
{where}
ORDER BY u.sort_order, u.id, p.id
"""


def project_rows(session: Session, year: int, project_id: int | None = None) -> list[ProjectRow]:
    """Every project (or one) as a table row, with the funds arrived in ``year``."""
    where = "WHERE p.id = :project_id" if project_id is not None else ""
    result = session.execute(text(_ROWS_SQL.format(where=where)), {"year": year, "project_id": project_id})
    return [ProjectRow(*row) for row in result]


def project_years(session: Session) -> list[int]:
    """Years the ledger has data for (funds or stage dates), newest first."""
    rows = session.execute(
        text(
            "SELECT DISTINCT year FROM fund_records UNION "
            "SELECT DISTINCT CAST(substr(COALESCE(planned_on, negotiating_on, signed_on), 1, 4) AS INTEGER) "
            "FROM projects WHERE COALESCE(planned_on, negotiating_on, signed_on) IS NOT NULL"
        )
    ).scalars()
    years = {y for y in rows if y}
    years.add(dt.date.today().year)
    return sorted(years, reverse=True)
