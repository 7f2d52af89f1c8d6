"""The audit trail: who changed which field of which record, when, from what to what.

Recorded centrally by session events (:func:`install`, called by every writable
:class:`~zsdesk.store.db.Ledger`), so no editor has to remember it: each flush writes one
``AuditEntry`` per changed field, in the same transaction as the change (a change that
is rolled back leaves no entry). A new record gets one entry per filled-in field, a
deleted one an entry per field it had; a project deleted with its funds gets entries
for those funds too.

Who: on a file, the clerk's name from the file's settings (``CLERK_NAME``, 填报人), or
if none is set the computer's login name; on a server, the connection's database role by
its staff name (:func:`zsdesk.store.who.current_user`). ORM bulk statements run through the session
(``session.execute(update(Project), rows)``, as the returns importer does) are recorded
too, by reading the rows they touch before and after. Plain SQL text
(``session.execute(text(...))``, the demo writer's inserts) is not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session, attributes, object_mapper

from ..domain.enums import EventKind, Indicator, InvestorType, Stage, UnitKind
from . import models as m
from .settings import LABELS as SETTING_LABELS
from .who import current_user, reason

TABLE_LABELS = {
    "projects": "项目",
    "fund_records": "到位资金",
    "follow_ups": "跟踪服务",
    "targets": "目标任务",
    "county_targets": "全县目标任务",
    "investors": "客商",
    "contacts": "联系人",
    "visits": "考察对接",
    "events": "招商活动",
    "settings": "设置",
    "units": "单位",
    "check_acknowledgements": "审核说明",
    "staff_names": "工作人员姓名",
}
"""The tables whose changes are recorded, with their Chinese names."""

AUDITED = {
    m.Project,
    m.FundRecord,
    m.FollowUp,
    m.Target,
    m.CountyTarget,
    m.Investor,
    m.Contact,
    m.Visit,
    m.Event,
    m.Setting,
    m.Unit,
    m.CheckAcknowledgement,
    m.StaffName,
}
KEYED = {m.Setting: ("key", "value"), m.StaffName: ("role", "name")}
"""Records keyed by text, not by an integer id: (key column, value column). The trail keeps
them under record id 0 with the key as the field (a setting's key, a database role), so
a change reads "who set role wangwu's name from 王五 to 王小五" without a column of its own."""
SKIPPED_FIELDS = {"id", "created_at", "updated_at", "version"}

FIELD_LABELS = {
    "name": "名称",
    "code": "项目编号",
    "unit_id": "单位",
    "investor_id": "投资方",
    "project_id": "项目",
    "industry": "产业类别",
    "stage": "项目阶段",
    "planned_on": "谋划日期",
    "negotiating_on": "在谈日期",
    "signed_on": "签约日期",
    "landed_on": "落地日期",
    "construction_on": "开工日期",
    "operation_on": "投产日期",
    "suspended_on": "中止日期",
    "terminated_on": "终止日期",
    "zhejiang_return": "浙商回归",
    "mountain_sea": "山海协作",
    "foreign_capital": "外资",
    "carried_over": "结转项目",
    "declared": "已申报",
    "declared_on": "申报日期",
    "declared_amount": "申报金额（万元）",
    "retained_amount": "去年留存（万元）",
    "planned_investment": "计划总投资（万元）",
    "registered_capital": "注册资金（万元）",
    "liaison_leader": "联系领导",
    "responsible_unit": "责任单位",
    "cooperating_departments": "配合部门",
    "person_in_charge": "责任人",
    "site": "选址",
    "land_status": "用地情况",
    "progress_note": "进展情况",
    "problems": "存在问题",
    "notes": "备注",
    "year": "年份",
    "month": "月份",
    "amount": "到位资金（万元）",
    "date": "日期",
    "who": "经办人",
    "action": "工作内容",
    "next_step": "下一步",
    "due_on": "期限",
    "done": "已办结",
    "indicator": "指标",
    "value": "目标值",
    "kind": "类型",
    "home_region": "籍贯/来源地",
    "chamber": "商会",
    "registered_on": "注册日期",
    "film_production": "影视制作",
    "notable": "知名企业",
    "title": "职务",
    "phone": "电话",
    "batches": "批次",
    "headcount": "人次",
    "receiving_leader": "接待领导",
    "seen": "考察内容",
    "outcome": "成效",
    "place": "地点",
    "firms": "参会企业数",
    "representatives": "参会代表人数",
    "intention_projects": "达成意向项目数",
    "sort_order": "排序",
    "rule": "审核规则",
    "record_key": "记录",
    "explanation": "说明",
    "at": "时间",
    "by": "说明人",
}
ACTION_LABELS = {"insert": "新增", "update": "修改", "delete": "删除"}
_KIND_ENUMS = {"units": UnitKind, "investors": InvestorType, "events": EventKind}


def stored_text(value) -> str | None:
    """A field's value as kept in the trail."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and hasattr(value, "value"):  # a str enum
        return value.value
    return str(value)


def display_value(table: str, field: str, text: str | None) -> str:
    """A stored value as the clerk reads it (stage and kind names in Chinese)."""
    if text is None or text == "":
        return "" if text is None else "（空）"
    try:
        if field == "stage":
            return Stage(text).label
        if field == "indicator":
            return Indicator(text).label
        if field == "kind" and table in _KIND_ENUMS:
            return _KIND_ENUMS[table](text).label
        if field == "value" and table in ("targets", "county_targets"):
            return text  # base units; the record label names the indicator
    except ValueError:
        pass
    return text


def field_label(table: str, field: str) -> str:
    if table == "settings":
        return SETTING_LABELS.get(field, field)
    if table == "staff_names":  # the field is the role; the record label names it
        return "姓名"
    return FIELD_LABELS.get(field, field)


# -- recording ------------------------------------------------------------------------------


@contextlib.contextmanager
def suspended(session: Session) -> Iterator[None]:
    """Do not record the changes flushed inside (for fabricating demo data, not for edits)."""
    before = session.info.get("audit_suspended", False)
    session.info["audit_suspended"] = True
    try:
        yield
    finally:
        session.info["audit_suspended"] = before


class _Labels:
    """Record labels for the trail, with the lookups cached for one flush."""

    def __init__(self, session: Session):
        self.session = session
        self._projects: dict[int, str] = {}
        self._units: dict[int, str] = {}
        self._investors: dict[int, str] = {}

    def prefetch(self, records) -> None:
        """Look up the projects, units and investors named by ``records`` (dicts of values)."""
        wanted = {"project_id": set(), "unit_id": set(), "investor_id": set()}
        for values in records:
            for key, ids in wanted.items():
                value = values.get(key)
                if isinstance(value, int):
                    ids.add(value)
        tables = (
            ("project_id", self._projects, select(m.Project.id, m.Project.code, m.Project.name), m.Project.id),
            ("unit_id", self._units, select(m.Unit.id, m.Unit.name), m.Unit.id),
            ("investor_id", self._investors, select(m.Investor.id, m.Investor.name), m.Investor.id),
        )
        for key, cache, query, column in tables:
            ids = sorted(wanted[key] - cache.keys())
            for start in range(0, len(ids), 500):
                for row in self.session.execute(query.where(column.in_(ids[start : start + 500]))):
                    cache[row[0]] = " ".join(str(x) for x in row[1:])

    def project(self, project_id: int | None) -> str:
        if project_id is None:
            return ""
        if project_id not in self._projects:
            row = self.session.execute(select(m.Project.code, m.Project.name).where(m.Project.id == project_id)).first()
            self._projects[project_id] = f"{row[0]} {row[1]}" if row else f"项目{project_id}"
        return self._projects[project_id]

    def unit(self, unit_id: int | None) -> str:
        if unit_id is None:
            return ""
        if unit_id not in self._units:
            self._units[unit_id] = self.session.scalar(select(m.Unit.name).where(m.Unit.id == unit_id)) or f"单位{unit_id}"
        return self._units[unit_id]

    def investor(self, investor_id: int | None) -> str:
        if investor_id is None:
            return ""
        if investor_id not in self._investors:
            self._investors[investor_id] = (
                self.session.scalar(select(m.Investor.name).where(m.Investor.id == investor_id)) or f"客商{investor_id}"
            )
        return self._investors[investor_id]

    def of(self, obj) -> str:
        return self.label(type(obj), obj.__dict__)

    def label(self, model, values: dict) -> str:
        """How the trail names a record of ``model`` with these ``values``."""
        v = values.get
        if model is m.Project:
            return f"{v('code') or ''} {v('name') or ''}".strip()
        if model is m.FundRecord:
            return f"{self.project(v('project_id'))} {v('year')}年{v('month')}月"
        if model is m.FollowUp:
            return f"{self.project(v('project_id'))} {stored_text(v('date')) or ''}".strip()
        if model is m.Target:
            return f"{self.unit(v('unit_id'))} {v('year')}年 {_indicator(v('indicator'))}"
        if model is m.CountyTarget:
            return f"全县 {v('year')}年 {_indicator(v('indicator'))}"
        if model in (m.Investor, m.Unit, m.Event):
            return v("name") or ""
        if model is m.Contact:
            return f"{self.investor(v('investor_id'))} {v('name') or ''}".strip()
        if model is m.Visit:
            return f"{stored_text(v('date')) or ''} {self.investor(v('investor_id'))}".strip()
        if model is m.Setting:
            return SETTING_LABELS.get(v("key"), v("key") or "")
        if model is m.CheckAcknowledgement:
            return f"{v('rule')} {v('record_key')}"
        if model is m.StaffName:
            return f"数据库用户 {v('role') or ''}"
        return ""


def _indicator(text: str | None) -> str:
    try:
        return Indicator(text).label
    except ValueError:
        return text or ""


def _record_id(obj) -> int:
    return 0 if type(obj) in KEYED else obj.id


def _columns(obj) -> list[str]:
    return [attr.key for attr in object_mapper(obj).column_attrs if attr.key not in SKIPPED_FIELDS]


def _value_entries(obj, action: str) -> list[tuple[str, str | None, str | None]]:
    """(field, old, new) of a record added or removed: the fields that hold something."""
    if type(obj) in KEYED:
        key, value = KEYED[type(obj)]
        return _fields(type(obj), {key: getattr(obj, key), value: obj.__dict__.get(value)}, action)
    entries = []
    for key in _columns(obj):
        if action == "delete":
            history = attributes.get_history(obj, key)
            raw = (history.deleted or history.unchanged or [None])[0]
        else:
            raw = obj.__dict__.get(key)
        text = stored_text(raw)
        if text in (None, "", "否"):
            continue
        entries.append((key, None, text) if action == "insert" else (key, text, None))
    return entries


def _changed_entries(obj) -> list[tuple[str, str | None, str | None]]:
    entries = []
    for key in _columns(obj):
        history = attributes.get_history(obj, key)
        if not history.added and not history.deleted:
            continue
        old = stored_text(history.deleted[0]) if history.deleted else None
        new = stored_text(history.added[0]) if history.added else None
        if old == new:
            continue
        field = getattr(obj, KEYED[type(obj)][0]) if type(obj) in KEYED else key
        entries.append((field, old, new))
    return entries


def _before_flush(session: Session, _context, _instances) -> None:
    """Deleting a project removes its funds in the database: note them while they are there.
    A staff name about to change: who is changing it is named as they were before it."""
    if session.info.get("audit_suspended"):
        return
    if any(isinstance(obj, m.StaffName) for group in (session.new, session.dirty, session.deleted) for obj in group):
        with session.no_autoflush:
            current_user(session)  # kept for this action (session.info)
    projects = [obj.id for obj in session.deleted if isinstance(obj, m.Project) and obj.id is not None]
    if not projects:
        return
    loaded = {obj.id for obj in session.deleted if isinstance(obj, m.FundRecord)}
    with session.no_autoflush:
        rows = session.execute(
            select(m.FundRecord.id, m.FundRecord.project_id, m.FundRecord.year, m.FundRecord.month, m.FundRecord.amount).where(
                m.FundRecord.project_id.in_(projects)
            )
        ).all()
    session.info.setdefault("audit_cascaded", []).extend(r for r in rows if r.id not in loaded)


def _after_flush(session: Session, _context) -> None:
    if session.info.get("audit_suspended"):
        session.info.pop("audit_cascaded", None)
        return
    cascaded = session.info.pop("audit_cascaded", [])
    labels = _Labels(session)
    rows: list[dict] = []
    now = dt.datetime.now().replace(microsecond=0)
    who = None

    def add(action, table, record_id, label, entries):
        for field, old, new in entries:
            rows.append(
                dict(
                    at=now,
                    action=action,
                    table_name=table,
                    record_id=record_id,
                    record_label=label[:300],
                    field=field[:60],
                    old_value=old,
                    new_value=new,
                )
            )

    touched = [obj for group in (session.new, session.dirty, session.deleted) for obj in group if type(obj) in AUDITED]
    if not touched and not cascaded:
        return
    labels.prefetch(obj.__dict__ for obj in touched)
    for obj in session.new:
        if type(obj) in AUDITED:
            add("insert", obj.__tablename__, _record_id(obj), labels.of(obj), _value_entries(obj, "insert"))
    for obj in session.dirty:
        if type(obj) in AUDITED and session.is_modified(obj, include_collections=False):
            add("update", obj.__tablename__, _record_id(obj), labels.of(obj), _changed_entries(obj))
    for obj in session.deleted:
        if type(obj) in AUDITED:
            add("delete", obj.__tablename__, _record_id(obj), labels.of(obj), _value_entries(obj, "delete"))
    for fund in cascaded:
        label = f"{labels.project(fund.project_id)} {fund.year}年{fund.month}月"
        entries = [
            ("project_id", str(fund.project_id), None),
            ("year", str(fund.year), None),
            ("month", str(fund.month), None),
            ("amount", stored_text(fund.amount), None),
        ]
        add("delete", "fund_records", fund.id, label, entries)
    if not rows:
        return
    who = current_user(session)
    _insert_entries(
        session.connection(),
        [(now, who, r["action"], r["table_name"], r["record_id"], r["record_label"], r["field"], r["old_value"], r["new_value"])
         for r in rows],
    )


_ENTRY_COLUMNS = ("at", "who", "action", "table_name", "record_id", "record_label", "field", "old_value", "new_value")


def _insert_entries(connection, rows: list[tuple]) -> None:
    """Append entries, tuples in the order of :data:`_ENTRY_COLUMNS`, with one executemany
    on the driver's cursor.

    An import of one unit's return writes some 60,000 entries (one per filled-in field
    of 2,500 new projects and their months); through SQLAlchemy's ``insert()`` each row
    dict had its parameters processed one by one, which cost more than the import's own
    writes. Here only the time needs converting (the same value for every row, by the
    column type's own bind processor, so the stored text is what ``insert()`` stores).
    """
    if not rows:
        return
    dialect = connection.dialect
    table = m.AuditEntry.__table__
    at_type = table.c.at.type.dialect_impl(dialect)
    convert = at_type.bind_processor(dialect)
    if convert is not None:
        converted: dict = {}
        rows = [
            (converted[r[0]] if r[0] in converted else converted.setdefault(r[0], convert(r[0])), *r[1:])
            for r in rows
        ]
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in _ENTRY_COLUMNS)}) "
        f"VALUES ({', '.join([mark] * len(_ENTRY_COLUMNS))})"
    )
    connection.exec_driver_sql(sql, rows)


# -- bulk statements: insert(Model), update(Model), delete(Model) through session.execute ------

_MODELS = {model.__tablename__: model for model in AUDITED}
_CHUNK = 500


def _model_of(statement):
    table = getattr(statement, "table", None)
    return _MODELS.get(getattr(table, "name", None))


def _rows(connection, table, where, ids=None, *, lock: bool = False) -> dict:
    """The rows (by primary key) that ``where`` or ``ids`` select, as dicts of Python values;
    ``lock``: locked for this transaction as they are read (SELECT … FOR UPDATE)."""
    key = _primary_key(table)
    found = {}
    if ids is not None:
        ids = sorted(set(ids))
        for start in range(0, len(ids), _CHUNK):
            query = select(*table.c).where(key.in_(ids[start : start + _CHUNK])).order_by(key)
            for row in connection.execute(query.with_for_update() if lock else query).mappings():
                found[row[key.key]] = dict(row)
        return found
    query = select(*table.c)
    if where is not None:
        query = query.where(where)
    if lock:
        query = query.order_by(key).with_for_update()
    result = connection.execute(query)
    names = list(result.keys())
    position = names.index(key.key)
    for row in result:
        found[row[position]] = dict(zip(names, row))
    return found


def _inserted_ids(state, statement, key):
    """Run an INSERT so that it returns its new keys: (the caller's result, the keys)."""
    returning = list(getattr(statement, "_returning", ()) or ())
    names = [getattr(column, "key", None) for column in returning]
    if not returning:
        frozen = state.invoke_statement(statement=statement.returning(key)).freeze()
        return frozen(), [row[0] for row in frozen().all()]
    frozen = state.invoke_statement().freeze()
    if key.key in names:
        at = names.index(key.key)
        return frozen(), [row[at] for row in frozen().all()]
    raise AssertionError(f"{key.table.name}: an INSERT … RETURNING without its key cannot be audited")


def _primary_key(table):
    return list(table.primary_key.columns)[0]


def _fields(model, values: dict, action: str) -> list[tuple[str, str | None, str | None]]:
    if model in KEYED:
        key, value = KEYED[model]
        text = stored_text(values.get(value))
        return [(values[key], None, text) if action == "insert" else (values[key], text, None)]
    entries = []
    insert = action == "insert"
    for key, raw in values.items():
        if raw is None or key in SKIPPED_FIELDS:
            continue
        # Text, the commonest value, needs no conversion (a str enum does).
        text = raw if type(raw) is str else stored_text(raw)
        if text in ("", "否"):
            continue
        entries.append((key, None, text) if insert else (key, text, None))
    return entries


def _diff(model, old: dict, new: dict) -> list[tuple[str, str | None, str | None]]:
    entries = []
    keyed = KEYED.get(model, (None,))[0]
    for key in new:
        if key in SKIPPED_FIELDS or key == keyed:
            continue
        before, after = stored_text(old.get(key)), stored_text(new.get(key))
        if before != after:
            entries.append((old[keyed] if keyed else key, before, after))
    return entries


def _on_orm_execute(state):
    """Record ORM bulk statements (``session.execute(update(Project), rows)`` and the like)
    the way flushes are recorded: they bypass the flush, not the trail."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    session = state.session
    if session.info.get("audit_suspended") or session.info.get("audit_busy"):
        return None
    model = _model_of(state.statement)
    if model is None:
        return None
    session.info["audit_busy"] = True
    try:
        return _audited_bulk(state, session, model)
    finally:
        session.info["audit_busy"] = False


def _audited_bulk(state, session: Session, model):
    table = model.__table__
    key = _primary_key(table)
    connection = session.connection()
    statement = state.statement
    where = getattr(statement, "whereclause", None)
    params = state.parameters
    by_key = isinstance(params, list) and where is None and params and key.key in params[0]
    changes: list[tuple[str, dict | None, dict | None]] = []
    server = connection.dialect.name == "postgresql"
    if state.is_insert:
        integer_key = key.key == "id"
        if integer_key and server:
            # Other connections insert at the same time: "ids above the largest" would
            # take their rows for ours. The ids come back from this INSERT itself.
            result, ids = _inserted_ids(state, statement, key)
            after = _rows(connection, table, None, ids)
            changes = [("insert", None, row) for row in after.values()]
        elif integer_key:  # a file has one writer: the new ids are those above the largest
            before_max = connection.execute(select(func.max(key))).scalar() or 0
            result = state.invoke_statement()
            after = _rows(connection, table, key > before_max)
            changes = [("insert", None, row) for row in after.values()]
        else:
            rows = params if isinstance(params, list) else [params or {}]
            changes = [("insert", None, dict(row)) for row in rows]
    elif state.is_delete:
        ids = [p[key.key] for p in params] if by_key else None
        # On a server the rows are locked as they are read: another writer's change
        # cannot come between this reading and the statement and be taken for ours.
        before = _rows(connection, table, where, ids, lock=server)
        result = state.invoke_statement()
        still = _rows(connection, table, None, list(before)) if before else {}
        changes = [("delete", row, None) for k, row in before.items() if k not in still]
    else:
        ids = [p[key.key] for p in params] if by_key else None
        before = _rows(connection, table, where, ids, lock=server)
        result = state.invoke_statement()
        after = _rows(connection, table, None, list(before)) if before else {}
        changes = [("update", before[k], after[k]) for k in before if k in after]
    _record_bulk(session, model, changes)
    return result


def _record_bulk(session: Session, model, changes) -> None:
    if not changes:
        return
    labels = _Labels(session)
    labels.prefetch(new or old for _, old, new in changes)
    now = dt.datetime.now().replace(microsecond=0)
    table_name = model.__tablename__
    who = None
    rows = []
    append = rows.append
    label_of = labels.label
    for action, old, new in changes:
        values = new if new is not None else old
        if action == "update":
            fields = _diff(model, old, new)
        else:
            fields = _fields(model, values, action)
        if not fields:
            continue
        record_id = 0 if model in KEYED else values["id"]
        label = label_of(model, values)[:300]
        if who is None:
            who = current_user(session)
        for field, before, after in fields:
            append((now, who, action, table_name, record_id, label, field[:60], before, after))
    _insert_entries(session.connection(), rows)


def install(session_factory) -> None:
    """Record the changes made by sessions of ``session_factory`` (a sessionmaker): by
    their flushes, and by ORM bulk statements run through ``session.execute``."""
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "do_orm_execute", _on_orm_execute)


# -- reading --------------------------------------------------------------------------------


def _child_ids(session: Session, table: str, model, project_id: int) -> set[int]:
    """Ids of a project's funds (or follow-ups), those it has now and those it once had."""
    ids = set(session.scalars(select(model.id).where(model.project_id == project_id)))
    text = str(project_id)
    ids.update(
        session.scalars(
            select(m.AuditEntry.record_id).where(
                m.AuditEntry.table_name == table,
                m.AuditEntry.field == "project_id",
                or_(m.AuditEntry.new_value == text, m.AuditEntry.old_value == text),
            )
        )
    )
    return ids


def history(session: Session, table: str, record_id: int) -> list[m.AuditEntry]:
    """A record's changes, oldest first; for a project, its funds and follow-ups too."""
    conditions = [(m.AuditEntry.table_name == table) & (m.AuditEntry.record_id == record_id)]
    if table == "projects":
        for child_table, model in (("fund_records", m.FundRecord), ("follow_ups", m.FollowUp)):
            ids = _child_ids(session, child_table, model, record_id)
            if ids:
                conditions.append((m.AuditEntry.table_name == child_table) & (m.AuditEntry.record_id.in_(ids)))
    query = select(m.AuditEntry).where(or_(*conditions)).order_by(m.AuditEntry.at, m.AuditEntry.id)
    return list(session.scalars(query))


def entries_between(session: Session, start: dt.date, end: dt.date) -> list[m.AuditEntry]:
    """Every change from ``start`` to ``end`` (both days included), oldest first."""
    first = dt.datetime.combine(start, dt.time.min)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    query = (
        select(m.AuditEntry)
        .where(m.AuditEntry.at >= first, m.AuditEntry.at < after)
        .order_by(m.AuditEntry.at, m.AuditEntry.id)
    )
    return list(session.scalars(query))


EXPORT_HEADERS = ["时间", "修改人", "操作", "类别", "记录", "字段", "原值", "新值"]


_REFERENCES = {"unit_id": "unit", "investor_id": "investor", "project_id": "project"}


def entry_rows(session: Session, entries: list[m.AuditEntry]) -> list[list[str]]:
    """Entries as the clerk reads them (the columns of :data:`EXPORT_HEADERS`):
    Chinese names of tables, fields, stages, and the names of referenced units,
    investors and projects instead of their numbers."""
    labels = _Labels(session)

    def value(table: str, field: str, text: str | None) -> str:
        kind = _REFERENCES.get(field) if table != "settings" else None
        if kind and text and text.isdigit():
            return getattr(labels, kind)(int(text))
        return display_value(table, field, text)

    rows = []
    for entry in entries:
        table = entry.table_name
        rows.append(
            [
                entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                entry.who,
                ACTION_LABELS.get(entry.action, entry.action),
                TABLE_LABELS.get(table, table),
                entry.record_label,
                field_label(table, entry.field),
                value(table, entry.field, entry.old_value),
                value(table, entry.field, entry.new_value),
            ]
        )
    return rows


def export_audit(session: Session, start: dt.date, end: dt.date, path: str | Path, *, county: str = "") -> int:
    """Write the changes of a period to an .xlsx workbook; returns the number of entries."""
    from ..cellwriter import FormSheet, new_workbook
    from ..errors import InputError, ReadOnlyLocation

    if end < start:
        raise InputError("结束日期早于开始日期")
    entries = entries_between(session, start, end)
    book = new_workbook()
    # Every cell through the one cell writer: a project name "=1+1" or a note with a
    # control character that came in through a return is text here, as everywhere.
    sheet = FormSheet(book, "修改记录", [20, 10, 6, 12, 36, 18, 30, 30])
    sheet.ws.freeze_panes = "A3"
    title = f"{county}招商引资台账修改记录（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）".strip()
    sheet.append(sheet.band({1: sheet.cell(title, "heading")}))
    sheet.merge(1, 1, len(EXPORT_HEADERS))
    sheet.row(EXPORT_HEADERS, "bold")
    for row in entry_rows(session, entries):
        sheet.row([text or "" for text in row], "plain")
    path = Path(path)
    try:
        book.save(path)
    except OSError as exc:
        raise ReadOnlyLocation(f"无法写入文件（{reason(exc)}）：{path}") from None
    return len(entries)

