"""The ledger's tables (SQLAlchemy 2 declarative).

Money columns hold whole yuan as integers (:class:`Money`); Python sees Decimal 万元.
Targets hold base units: yuan for money indicators, a count for the others.
Nothing here is SQLite-specific: the same models serve a PostgreSQL server later.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    CheckConstraint,
    Index,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..domain.enums import Indicator, Measure, Stage
from ..domain.money import wan_to_yuan, yuan_to_wan

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Money(TypeDecorator):
    """Decimal 万元 in Python, whole yuan (BIGINT) in the database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must not be a float")
        return wan_to_yuan(Decimal(value))

    def process_result_value(self, value, dialect):
        return yuan_to_wan(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class Setting(Base):
    """The file's own settings: county name, own unit, filler, thresholds."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    projects: Mapped[list["Project"]] = relationship(back_populates="unit")


class Target(Base):
    """A unit's annual target for one indicator, in base units (yuan or count)."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "indicator"),
        CheckConstraint("value >= 0", name="non_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Raised by one on every change (SQLAlchemy's version counter): a save made from an
    older version is refused with the name of whoever changed it (store/versions.py)."""
    __mapper_args__ = {"version_id_col": version}

    unit: Mapped[Unit] = relationship()


class CountyTarget(Base):
    """The county's own target: not necessarily the sum of the units'."""

    __tablename__ = "county_targets"
    __table_args__ = (
        UniqueConstraint("year", "indicator"),
        CheckConstraint("value >= 0", name="non_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(BigInteger)


def target_to_base(indicator: Indicator, value: Decimal | int) -> int:
    """A target as typed (万元 or count) → the integer stored."""
    if indicator.measure is Measure.MONEY:
        return wan_to_yuan(Decimal(value))
    if Decimal(value) != int(value):
        raise ValueError(f"{indicator.label}的目标必须是整数")
    return int(value)


def target_from_base(indicator: Indicator, base: int | None) -> Decimal | int | None:
    if base is None:
        return None
    return yuan_to_wan(base) if indicator.measure is Measure.MONEY else int(base)


class Investor(Base):
    """客商: a company or a person who invests or might."""

    __tablename__ = "investors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="private")
    home_region: Mapped[str] = mapped_column(String(100), default="")
    industry: Mapped[str] = mapped_column(String(50), default="")
    chamber: Mapped[str] = mapped_column(String(100), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    """The unit that brought the investor in, if any."""
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    """When the firm registered in the county (新引进企业)."""
    film_production: Mapped[bool] = mapped_column(Boolean, default=False)
    notable: Mapped[bool] = mapped_column(Boolean, default=False)
    """A well-known firm (知名企业), named in the review."""
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Raised by one on every change (SQLAlchemy's version counter): a save made from an
    older version is refused with the name of whoever changed it (store/versions.py)."""
    __mapper_args__ = {"version_id_col": version}

    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="investor", cascade="all, delete-orphan", passive_deletes=True
    )
    projects: Mapped[list["Project"]] = relationship(back_populates="investor")
    visits: Mapped[list["Visit"]] = relationship(back_populates="investor")


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int] = mapped_column(ForeignKey("investors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")

    investor: Mapped[Investor] = relationship(back_populates="contacts")


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("planned_investment >= 0", name="planned_non_negative"),
        Index("ix_projects_unit_stage", "unit_id", "stage"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    """Stable code, never changed, carried through export and import."""
    name: Mapped[str] = mapped_column(String(300))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    investor_id: Mapped[int | None] = mapped_column(
        ForeignKey("investors.id", ondelete="SET NULL"), index=True
    )
    industry: Mapped[str] = mapped_column(String(50), default="")
    stage: Mapped[str] = mapped_column(String(20), default=Stage.PLANNED.value)
    planned_on: Mapped[dt.date | None] = mapped_column(Date)
    negotiating_on: Mapped[dt.date | None] = mapped_column(Date)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    landed_on: Mapped[dt.date | None] = mapped_column(Date)
    construction_on: Mapped[dt.date | None] = mapped_column(Date)
    operation_on: Mapped[dt.date | None] = mapped_column(Date)
    suspended_on: Mapped[dt.date | None] = mapped_column(Date)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    zhejiang_return: Mapped[bool] = mapped_column(Boolean, default=False)
    mountain_sea: Mapped[bool] = mapped_column(Boolean, default=False)
    foreign_capital: Mapped[bool] = mapped_column(Boolean, default=False)
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    declared: Mapped[bool] = mapped_column(Boolean, default=False)
    declared_on: Mapped[dt.date | None] = mapped_column(Date)
    declared_amount: Mapped[Decimal | None] = mapped_column(Money)
    """Amount declared to the province/city system this year (申报金额), 万元."""
    retained_amount: Mapped[Decimal | None] = mapped_column(Money)
    """Last year's retained amount (去年留存) deducted from what was declared, 万元."""
    planned_investment: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    registered_capital: Mapped[Decimal | None] = mapped_column(Money)
    liaison_leader: Mapped[str] = mapped_column(String(100), default="")
    responsible_unit: Mapped[str] = mapped_column(String(100), default="")
    cooperating_departments: Mapped[str] = mapped_column(String(300), default="")
    person_in_charge: Mapped[str] = mapped_column(String(100), default="")
    site: Mapped[str] = mapped_column(String(200), default="")
    land_status: Mapped[str] = mapped_column(String(200), default="")
    progress_note: Mapped[str] = mapped_column(Text, default="")
    """进展情况, as the return prints it."""
    problems: Mapped[str] = mapped_column(Text, default="")
    """存在问题."""
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Raised by one on every change (SQLAlchemy's version counter): a save made from an
    older version is refused with the name of whoever changed it (store/versions.py)."""
    __mapper_args__ = {"version_id_col": version}

    unit: Mapped[Unit] = relationship(back_populates="projects")
    investor: Mapped[Investor | None] = relationship(back_populates="projects")
    funds: Mapped[list["FundRecord"]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(FundRecord.year, FundRecord.month)",
    )
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="FollowUp.date",
    )

    def stage_date(self, stage: Stage) -> dt.date | None:
        return getattr(self, stage.date_field)


class FundRecord(Base):
    """Funds arrived (到位资金) for one project in one month."""

    __tablename__ = "fund_records"
    __table_args__ = (
        UniqueConstraint("project_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        Index("ix_fund_records_year_month", "year", "month"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)

    project: Mapped[Project] = relationship(back_populates="funds")


class FollowUp(Base):
    """跟踪服务: one entry of a project's follow-up log."""

    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    who: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)

    project: Mapped[Project] = relationship(back_populates="follow_ups")


class Visit(Base):
    """考察对接: a visit by an investor."""

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("batches >= 0 AND headcount >= 0", name="non_negative"),
        Index("ix_visits_date", "date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int | None] = mapped_column(
        ForeignKey("investors.id", ondelete="SET NULL"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    date: Mapped[dt.date] = mapped_column(Date)
    batches: Mapped[int] = mapped_column(Integer, default=1)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    receiving_leader: Mapped[str] = mapped_column(String(100), default="")
    seen: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")

    investor: Mapped[Investor | None] = relationship(back_populates="visits")
    unit: Mapped[Unit | None] = relationship()
    project: Mapped[Project | None] = relationship()


class Event(Base):
    """招商活动: a promotion or negotiation meeting, or a stationed trip."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(
            "firms >= 0 AND representatives >= 0 AND intention_projects >= 0", name="non_negative"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    date: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    firms: Mapped[int] = mapped_column(Integer, default=0)
    representatives: Mapped[int] = mapped_column(Integer, default=0)
    intention_projects: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Raised by one on every change (SQLAlchemy's version counter): a save made from an
    older version is refused with the name of whoever changed it (store/versions.py)."""
    __mapper_args__ = {"version_id_col": version}

    unit: Mapped[Unit | None] = relationship()


class MonthLock(Base):
    """A unit's month closed for changes once its return went out or was consolidated."""

    __tablename__ = "month_locks"
    __table_args__ = (UniqueConstraint("unit_id", "year", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    locked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    locked_by: Mapped[str] = mapped_column(String(100), default="")


class LockEvent(Base):
    """Every lock and unlock, with the reason given."""

    __tablename__ = "lock_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    by: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class StaffName(Base):
    """A database role on the bureau's server and the staff member who logs in with it:
    the audit trail names the staff member (unmapped roles appear as themselves)."""

    __tablename__ = "staff_names"
    role: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class AuditEntry(Base):
    """One field of one record changed: who, when, old and new value."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record", "table_name", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, index=True)
    who: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(10))
    """insert, update or delete."""
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    record_label: Mapped[str] = mapped_column(String(300), default="")
    field: Mapped[str] = mapped_column(String(60), default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class CheckAcknowledgement(Base):
    """A warning that the clerk explained (审核说明); kept and carried into the return."""

    __tablename__ = "check_acknowledgements"
    __table_args__ = (UniqueConstraint("rule", "record_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(60))
    record_key: Mapped[str] = mapped_column(String(100))
    explanation: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    by: Mapped[str] = mapped_column(String(100), default="")


class ImportRecord(Base):
    """A return imported at the bureau: which unit and month, from which file, when."""

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    by: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
