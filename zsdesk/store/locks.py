"""Locked months: once a unit's return for a month went out, its figures stay as reported.

A unit's month is locked after its return was exported (or, at the bureau, after it was
consolidated). While it is locked, funds arrived in that month and stage dates falling
in it cannot be added, changed or removed, nor can a project with such figures move to
another unit. Unlocking needs a reason; every lock and unlock is kept in ``LockEvent``.

Enforced in two places no writer can step around:

* hooks on every writable ledger's sessions (:func:`install`, called by
  :class:`~zsdesk.store.db.Ledger`): ``before_flush`` for ORM changes and
  ``do_orm_execute`` for ORM bulk statements (the importer's) refuse with a Chinese
  :class:`MonthLocked` naming the unit, month and project;
* temporary SQLite triggers on every writable connection (:data:`TRIGGER_SQL`) stop plain
  SQL that bypasses the ORM; their error is turned into the same message by
  :func:`zsdesk.store.db.explain_database_error`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import event, select
from sqlalchemy.orm import Session, attributes

from ..domain.enums import STAGE_DATE_FIELDS, Stage
from ..domain.periods import YearMonth
from ..errors import InputError, ValidationError
from .models import FundRecord, LockEvent, MonthLock, Project, Unit
from .settings import CLERK_NAME, get_setting
from .who import current_user

LOCK, UNLOCK = "lock", "unlock"
TRIGGER_MESSAGE = "zsdesk: month locked"
DATE_FIELDS = tuple(STAGE_DATE_FIELDS.values())
DATE_LABELS = {field: f"{stage.label}日期" for stage, field in STAGE_DATE_FIELDS.items()}


class MonthLocked(ValidationError):
    """A change inside a locked month, refused."""

    def __init__(self, message: str, field: str | None = None, unit_id: int | None = None, period: YearMonth | None = None):
        super().__init__(message, field)
        self.unit_id = unit_id
        self.period = period


def _who(session: Session, by: str | None) -> str:
    if by:
        return by
    return current_user(session)


def _unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise InputError(f"没有编号为 {unit_id} 的单位")
    return unit


def is_locked(session: Session, unit_id: int, period: YearMonth) -> bool:
    return (
        session.scalar(
            select(MonthLock.id).where(
                MonthLock.unit_id == unit_id, MonthLock.year == period.year, MonthLock.month == period.month
            )
        )
        is not None
    )


def lock_month(session: Session, unit_id: int, period: YearMonth, *, by: str | None = None, reason: str = "") -> MonthLock:
    """Lock a unit's month (idempotent: an already locked month stays as it was)."""
    unit = _unit(session, unit_id)
    from .concurrency import hold_for_lock

    hold_for_lock(session, unit.id, period)  # on a server: after the unit's writes in flight
    existing = session.scalar(
        select(MonthLock).where(MonthLock.unit_id == unit.id, MonthLock.year == period.year, MonthLock.month == period.month)
    )
    if existing is not None:
        return existing
    who = _who(session, by)
    now = dt.datetime.now().replace(microsecond=0)
    lock = MonthLock(unit_id=unit.id, year=period.year, month=period.month, locked_at=now, locked_by=who)
    session.add(lock)
    session.add(LockEvent(unit_id=unit.id, year=period.year, month=period.month, action=LOCK, at=now, by=who, reason=reason.strip()))
    session.flush()  # later changes in this same action must see the lock
    return lock


def unlock_month(session: Session, unit_id: int, period: YearMonth, reason: str, *, by: str | None = None) -> None:
    """Unlock a unit's month; a reason is required and recorded."""
    unit = _unit(session, unit_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"解锁{unit.name}{period.chinese}必须说明原因", "reason")
    from .concurrency import hold_for_lock

    hold_for_lock(session, unit.id, period)
    lock = session.scalar(
        select(MonthLock).where(MonthLock.unit_id == unit.id, MonthLock.year == period.year, MonthLock.month == period.month)
    )
    if lock is None:
        raise InputError(f"{unit.name}{period.chinese}没有锁定，无需解锁")
    now = dt.datetime.now().replace(microsecond=0)
    session.delete(lock)
    session.add(LockEvent(unit_id=unit.id, year=period.year, month=period.month, action=UNLOCK, at=now, by=_who(session, by), reason=reason))
    session.flush()  # the unlock takes effect for the rest of this action


def locked_months(session: Session, unit_id: int | None = None) -> list[MonthLock]:
    query = select(MonthLock).order_by(MonthLock.year, MonthLock.month, MonthLock.unit_id)
    if unit_id is not None:
        query = query.where(MonthLock.unit_id == unit_id)
    return list(session.scalars(query))


def lock_events(session: Session, unit_id: int | None = None) -> list[LockEvent]:
    query = select(LockEvent).order_by(LockEvent.at, LockEvent.id)
    if unit_id is not None:
        query = query.where(LockEvent.unit_id == unit_id)
    return list(session.scalars(query))


def refuse_if_locked(session: Session, unit_id: int, period: YearMonth, what: str = "导入月报") -> None:
    """For importers and other bulk writers: refuse up front, before touching anything."""
    if is_locked(session, unit_id, period):
        unit = _unit(session, unit_id)
        raise MonthLocked(_message(unit.name, period, what), None, unit_id, period)


def refused_by_trigger() -> MonthLocked:
    """A change a month-lock trigger refused (plain SQL, or a lock taken while it was in
    flight): the words :func:`zsdesk.store.db.explain_database_error` gives on a file."""
    return MonthLocked(
        "该单位该月已锁定（月报已报出），不能修改其中的到位资金或项目阶段日期。"
        "如确需修改，请先说明原因解锁该月。"
    )


def _message(unit_name: str, period: YearMonth, what: str, project: str = "") -> str:
    subject = f"（项目“{project}”）" if project else ""
    return (
        f"{unit_name}{period.chinese}已锁定（月报已报出），不能{what}{subject}。"
        "如确需修改，请先说明原因解锁该月。"
    )


# -- the flush hook -------------------------------------------------------------------------


def _month(value) -> tuple[int, int] | None:
    if isinstance(value, dt.date):
        return value.year, value.month
    return None


def _old_new(obj, key: str):
    """(old, new) of an attribute in this flush; old is the loaded value before the change."""
    history = attributes.get_history(obj, key)
    new = getattr(obj, key)
    if history.deleted:
        return history.deleted[0], new
    if history.unchanged:
        return history.unchanged[0], new
    return new, new


class _Checker:
    def __init__(self, session: Session):
        self.session = session
        self._locked: set[tuple[int, int, int]] | None = None
        self._unit_names: dict[int, str] = {}

    def locked(self) -> set[tuple[int, int, int]]:
        if self._locked is None:
            rows = self.session.execute(select(MonthLock.unit_id, MonthLock.year, MonthLock.month)).all()
            locked = {tuple(r) for r in rows}
            for obj in self.session.new:
                if isinstance(obj, MonthLock):
                    locked.add((obj.unit_id, obj.year, obj.month))
            for obj in self.session.deleted:
                if isinstance(obj, MonthLock):
                    locked.discard((obj.unit_id, obj.year, obj.month))
            self._locked = locked
        return self._locked

    def unit_name(self, unit_id: int) -> str:
        if unit_id not in self._unit_names:
            self._unit_names[unit_id] = self.session.scalar(select(Unit.name).where(Unit.id == unit_id)) or str(unit_id)
        return self._unit_names[unit_id]

    def refuse(self, unit_id: int | None, month: tuple[int, int] | None, what: str, project: str, field: str) -> None:
        if unit_id is None or month is None:
            return
        if (unit_id, *month) in self.locked():
            period = YearMonth(*month)
            if field == "amount":  # the project editor's name for a month's funds cell
                field = f"funds:{period.year}-{period.month:02d}"
            raise MonthLocked(_message(self.unit_name(unit_id), period, what, project), field, unit_id, period)

    # -- per kind of record

    def project_of(self, fund: FundRecord) -> tuple[int | None, str]:
        project = fund.__dict__.get("project")
        if project is not None:
            return _project_unit(project), project.name
        if fund.project_id is None:
            return None, ""
        project = self.session.get(Project, fund.project_id)  # from the identity map when loaded
        return (project.unit_id, project.name) if project is not None else (None, "")

    def fund(self, fund: FundRecord, state: str) -> None:
        unit_id, name = self.project_of(fund)
        if state == "new":
            self.refuse(unit_id, (fund.year, fund.month), "录入到位资金", name, "amount")
            return
        old_year, year = _old_new(fund, "year")
        old_month, month = _old_new(fund, "month")
        if state == "deleted":
            self.refuse(unit_id, (old_year, old_month), "删除到位资金", name, "amount")
            return
        old_amount, amount = _old_new(fund, "amount")
        old_project, project_id = _old_new(fund, "project_id")
        changed = (old_year, old_month, old_amount, old_project) != (year, month, amount, project_id)
        if not changed:
            return
        old_unit = unit_id
        if old_project != project_id and old_project is not None:
            old_unit = self.session.scalar(select(Project.unit_id).where(Project.id == old_project))
        self.refuse(old_unit, (old_year, old_month), "修改到位资金", name, "amount")
        self.refuse(unit_id, (year, month), "修改到位资金", name, "amount")

    def project(self, project: Project, state: str) -> None:
        name = project.name or ""
        unit_id = _project_unit(project)
        if state == "new":
            for field in DATE_FIELDS:
                self.refuse(unit_id, _month(getattr(project, field)), f"填写{DATE_LABELS[field]}", name, field)
            return
        old_unit, unit_id = _old_new(project, "unit_id")
        if state == "deleted":
            for field in DATE_FIELDS:
                self.refuse(old_unit, _month(_old_new(project, field)[0]), "删除项目", name, field)
            self.funds_of(project.id, old_unit, "删除项目", name)
            return
        moved = old_unit != unit_id
        for field in DATE_FIELDS:
            old, new = _old_new(project, field)
            if old != new or moved:
                what = "把项目移到其他单位" if moved else f"修改{DATE_LABELS[field]}"
                self.refuse(old_unit, _month(old), what, name, "unit_id" if moved else field)
                self.refuse(unit_id, _month(new), what, name, "unit_id" if moved else field)
        if moved:
            self.funds_of(project.id, old_unit, "把项目移到其他单位", name)
            self.funds_of(project.id, unit_id, "把项目移到其他单位", name)

    def funds_of(self, project_id: int | None, unit_id: int | None, what: str, name: str) -> None:
        if project_id is None or unit_id is None:
            return
        months = self.session.execute(
            select(FundRecord.year, FundRecord.month).where(FundRecord.project_id == project_id).distinct()
        ).all()
        for year, month in months:
            self.refuse(unit_id, (year, month), what, name, "unit_id")


def _project_unit(project: Project) -> int | None:
    if project.unit_id is not None:
        return project.unit_id
    unit = project.__dict__.get("unit")
    return unit.id if unit is not None else None


def _touched(session: Session) -> Iterable[tuple[object, str]]:
    for obj in session.new:
        yield obj, "new"
    for obj in session.dirty:
        yield obj, "dirty"
    for obj in session.deleted:
        yield obj, "deleted"


def check_flush(session: Session, _flush_context=None, _instances=None) -> None:
    """Refuse a flush that changes figures inside a locked month."""
    relevant = [(obj, state) for obj, state in _touched(session) if isinstance(obj, (FundRecord, Project))]
    if not relevant:
        return
    with session.no_autoflush:
        checker = _Checker(session)
        if not checker.locked():
            return
        for obj, state in relevant:
            if isinstance(obj, FundRecord):
                checker.fund(obj, state)
            else:
                checker.project(obj, state)


def _key_rows(session: Session, model, statement, params, columns) -> list[dict]:
    """The rows a bulk UPDATE or DELETE will touch (selected before it runs)."""
    table = model.__table__
    where = getattr(statement, "whereclause", None)
    query = select(*(table.c[c] for c in ("id", *columns)))
    if isinstance(params, list) and where is None and params and "id" in params[0]:
        ids = [p["id"] for p in params]
        rows = []
        for start in range(0, len(ids), 500):
            rows += [dict(r) for r in session.execute(query.where(table.c.id.in_(ids[start : start + 500]))).mappings()]
        return rows
    if where is not None:
        query = query.where(where)
    return [dict(r) for r in session.execute(query).mappings()]


def _check_bulk(checker: _Checker, state, model) -> None:
    session, statement = checker.session, state.statement
    params = state.parameters
    new_rows = params if isinstance(params, list) else ([params] if params else [])
    by_id = {row.get("id"): row for row in new_rows if isinstance(row, dict) and row.get("id") is not None}
    if model is FundRecord:
        def unit_and_name(project_id):
            project = session.get(Project, project_id) if project_id is not None else None
            return (project.unit_id, project.name) if project is not None else (None, "")

        if state.is_insert:
            for row in new_rows:
                unit_id, name = unit_and_name(row.get("project_id"))
                checker.refuse(unit_id, (row.get("year"), row.get("month")), "录入到位资金", name, "amount")
            return
        what = "删除到位资金" if state.is_delete else "修改到位资金"
        for old in _key_rows(session, FundRecord, statement, params, ("project_id", "year", "month")):
            unit_id, name = unit_and_name(old["project_id"])
            checker.refuse(unit_id, (old["year"], old["month"]), what, name, "amount")
            new = {**old, **by_id.get(old["id"], {})}
            if new != old:
                unit_id, name = unit_and_name(new["project_id"])
                checker.refuse(unit_id, (new["year"], new["month"]), what, name, "amount")
        return
    if state.is_insert:
        for row in new_rows:
            for field in DATE_FIELDS:
                checker.refuse(row.get("unit_id"), _month(row.get(field)), f"填写{DATE_LABELS[field]}", row.get("name", ""), field)
        return
    for old in _key_rows(session, Project, statement, params, ("unit_id", "name", *DATE_FIELDS)):
        if state.is_delete:
            for field in DATE_FIELDS:
                checker.refuse(old["unit_id"], _month(old[field]), "删除项目", old["name"], field)
            checker.funds_of(old["id"], old["unit_id"], "删除项目", old["name"])
            continue
        new = {**old, **by_id.get(old["id"], {})}
        moved = new["unit_id"] != old["unit_id"]
        for field in DATE_FIELDS:
            if new[field] != old[field] or moved:
                what = "把项目移到其他单位" if moved else f"修改{DATE_LABELS[field]}"
                checker.refuse(old["unit_id"], _month(old[field]), what, old["name"], field)
                checker.refuse(new["unit_id"], _month(new[field]), what, old["name"], field)
        if moved:
            checker.funds_of(old["id"], old["unit_id"], "把项目移到其他单位", old["name"])
            checker.funds_of(old["id"], new["unit_id"], "把项目移到其他单位", old["name"])


def check_bulk(state):
    """Refuse an ORM bulk statement (``session.execute(update(FundRecord), rows)``) that
    would change a locked month, with the same message as a flush; the triggers stand
    behind statements this cannot read (a WHERE-bound UPDATE's new values)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    model = {"fund_records": FundRecord, "projects": Project}.get(getattr(table, "name", None))
    session = state.session
    if model is None or session.info.get("locks_busy"):
        return None
    session.info["locks_busy"] = True
    try:
        with session.no_autoflush:
            checker = _Checker(session)
            if checker.locked():
                _check_bulk(checker, state, model)
    finally:
        session.info["locks_busy"] = False
    return None


def install(session_factory) -> None:
    """Check every flush and every ORM bulk statement of sessions made by
    ``session_factory`` (a sessionmaker)."""
    event.listen(session_factory, "before_flush", check_flush)
    event.listen(session_factory, "do_orm_execute", check_bulk)


# -- the triggers: the same rule for plain SQL --------------------------------------------


def _locked_sql(unit: str, year: str, month: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM main.month_locks l WHERE l.unit_id = {unit} "
        f"AND l.year = {year} AND l.month = {month})"
    )


def _date_locked_sql(unit: str, column: str) -> str:
    return (
        f"({column} IS NOT NULL AND "
        + _locked_sql(unit, f"CAST(substr({column}, 1, 4) AS INTEGER)", f"CAST(substr({column}, 6, 2) AS INTEGER)")
        + ")"
    )


def _fund_unit(project_id: str) -> str:
    return f"(SELECT p.unit_id FROM main.projects p WHERE p.id = {project_id})"


def _funds_locked_sql(project_id: str, unit: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM main.fund_records f JOIN main.month_locks l ON l.unit_id = {unit} "
        f"AND l.year = f.year AND l.month = f.month WHERE f.project_id = {project_id})"
    )


def _raise_when(name: str, timing: str, condition: str) -> str:
    return (
        f"CREATE TEMP TRIGGER IF NOT EXISTS {name} {timing} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{TRIGGER_MESSAGE}'); END"
    )


def _trigger_sql() -> list[str]:
    dates = DATE_FIELDS
    changed_dates = " OR ".join(
        f"(OLD.{d} IS NOT NEW.{d} AND ({_date_locked_sql('OLD.unit_id', 'OLD.' + d)} OR {_date_locked_sql('NEW.unit_id', 'NEW.' + d)}))"
        for d in dates
    )
    moved = (
        "(OLD.unit_id IS NOT NEW.unit_id AND ("
        + " OR ".join(
            f"{_date_locked_sql('OLD.unit_id', 'OLD.' + d)} OR {_date_locked_sql('NEW.unit_id', 'NEW.' + d)}" for d in dates
        )
        + f" OR {_funds_locked_sql('OLD.id', 'OLD.unit_id')} OR {_funds_locked_sql('OLD.id', 'NEW.unit_id')}))"
    )
    any_date_new = " OR ".join(_date_locked_sql("NEW.unit_id", "NEW." + d) for d in dates)
    any_date_old = " OR ".join(_date_locked_sql("OLD.unit_id", "OLD." + d) for d in dates)
    return [
        _raise_when(
            "zs_lock_fund_insert",
            "BEFORE INSERT ON main.fund_records",
            _locked_sql(_fund_unit("NEW.project_id"), "NEW.year", "NEW.month"),
        ),
        _raise_when(
            "zs_lock_fund_update",
            "BEFORE UPDATE ON main.fund_records",
            "(OLD.amount IS NOT NEW.amount OR OLD.year IS NOT NEW.year OR OLD.month IS NOT NEW.month "
            "OR OLD.project_id IS NOT NEW.project_id) AND ("
            + _locked_sql(_fund_unit("OLD.project_id"), "OLD.year", "OLD.month")
            + " OR "
            + _locked_sql(_fund_unit("NEW.project_id"), "NEW.year", "NEW.month")
            + ")",
        ),
        _raise_when(
            "zs_lock_fund_delete",
            "BEFORE DELETE ON main.fund_records",
            _locked_sql(_fund_unit("OLD.project_id"), "OLD.year", "OLD.month"),
        ),
        _raise_when("zs_lock_project_insert", "BEFORE INSERT ON main.projects", f"({any_date_new})"),
        _raise_when(
            "zs_lock_project_update",
            f"BEFORE UPDATE OF unit_id, {', '.join(dates)} ON main.projects",
            f"({changed_dates}) OR {moved}",
        ),
        _raise_when("zs_lock_project_delete", "BEFORE DELETE ON main.projects", f"({any_date_old})"),
    ]


TRIGGER_SQL = _trigger_sql()


def install_triggers(dbapi_connection) -> None:
    """Create the temporary triggers on a new SQLite connection (nothing is written to the file)."""
    cursor = dbapi_connection.cursor()
    try:
        for statement in TRIGGER_SQL:
            cursor.execute(statement)
    finally:
        cursor.close()


def stage_label(field: str) -> str:
    for stage in Stage:
        if stage.date_field == field:
            return stage.label
    return field
