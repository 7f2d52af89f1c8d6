"""Importing monthly returns at the bureau.

For each file: :func:`preview_return` reads and checks it and compares it with the
county file — unit, month, projects new / changed / unchanged, findings — without
writing anything. :func:`apply_return` then writes it in the caller's transaction (one
per file): importing a unit's month replaces what the county file holds for that unit
and month, i.e. the monthly funds of January to that month of the unit's projects,
and the unit's visits and events of that month. New projects are created; known ones
are matched by their code. What is already equal is not touched, so importing the
same return twice changes nothing the second time.

The database work is a fixed number of SQL statements per file (bulk inserts,
updates and deletes by id), not one per project.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..domain.periods import YearMonth
from ..domain.quoting import quote
from ..store import settings as keys
from ..store.bulk import insert_in_order
from ..store.db import Ledger
from ..store.models import CheckAcknowledgement, Event, FundRecord, ImportRecord, Investor, MonthLock, Project, Unit, Visit
from . import layout as L
from .explanations import ReturnExplanation, read_explanations, read_reported_targets
from .problems import Place, RefusedFile
from .reader import ParsedReturn, ReturnProject, read_return

CHUNK = 5_000
"""Bound parameters per IN list (SQLite allows 32,766)."""

FIELD_LABELS = {
    "name": "项目名称",
    "investor_id": "投资方",
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
    "carried_over": "结转",
    "declared": "已申报",
    "declared_on": "申报日期",
    "declared_amount": "申报金额",
    "retained_amount": "去年留存",
    "planned_investment": "计划总投资",
    "registered_capital": "注册资金",
    "liaison_leader": "联系领导",
    "responsible_unit": "责任单位",
    "cooperating_departments": "配合部门",
    "person_in_charge": "责任人",
    "site": "选址",
    "land_status": "用地指标",
    "progress_note": "进展情况",
    "problems": "存在问题",
    "notes": "备注",
    "funds": "到位资金",
}
PROJECT_COMPARED = (
    *L.PROJECT_TEXT_FIELDS,
    "stage",
    *L.PROJECT_DATE_FIELDS,
    *L.PROJECT_BOOL_FIELDS,
    *L.PROJECT_MONEY_FIELDS,
)
NEW_INVESTOR = {
    "kind": "private",
    "home_region": "",
    "industry": "",
    "chamber": "",
    "registered_on": None,
    "film_production": False,
    "notable": False,
    "notes": "",
}
"""An investor known only by the name typed in Excel."""
INVESTOR_UPDATED = ("kind", "home_region", "industry", "chamber", "registered_on", "film_production", "notable", "notes")


@dataclass
class ProjectPlan:
    code: str
    name: str
    status: str
    """'new', 'changed' or 'unchanged'."""
    changes: list[str] = field(default_factory=list)
    """Chinese labels of the fields that differ from the county file."""
    details: list[tuple[str, object, object]] = field(default_factory=list)
    """(label, before, after) of each field that differs (funds are in fund_changes)."""


@dataclass(frozen=True)
class FundChange:
    """One month of one project's funds that the import adds, changes or clears."""

    code: str
    name: str
    month: int
    before: Decimal | None
    """None: the county file has no amount for the month."""
    after: Decimal | None
    """None: the month's amount is cleared."""
    in_return: bool
    """False for a project the county holds but the return lacks."""


@dataclass
class ReturnPreview:
    """What importing one file would do, computed before anything is written."""

    path: Path
    parsed: ParsedReturn | None = None
    refusal: RefusedFile | None = None
    projects: list[ProjectPlan] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    funds_changed: int = 0
    """Month amounts to be added, changed or removed."""
    visits_added: int = 0
    visits_removed: int = 0
    events_added: int = 0
    events_removed: int = 0
    investors_added: int = 0
    already_imported: bool = False
    """The same file was imported before and nothing would change."""
    explanations: list[ReturnExplanation] = field(default_factory=list)
    """The township's explanations of warnings (its 审核说明 sheet), stored with the import."""
    fund_changes: list[FundChange] = field(default_factory=list)
    """Every month amount of the county's existing projects that changes (new projects' are not listed)."""
    absent: list[tuple[str, str]] = field(default_factory=list)
    """(code, name) of the unit's projects the county holds and the return lacks."""
    reported_targets: dict = field(default_factory=dict)
    """The targets the return prints (Indicator → value, None for none)."""
    target_differences: list[tuple[object, object, object]] = field(default_factory=list)
    """(Indicator, the county's target, the return's) where they differ."""
    totals: list[tuple[object, Decimal, Decimal]] = field(default_factory=list)
    """(Indicator, before, after) of the unit's money indicators, year to the return's month."""
    explanations_stored: int = 0
    """After the import: how many of them matched a warning the county file shows."""
    _work: "_Work | None" = None

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def unit(self) -> str:
        return self.parsed.unit if self.parsed else ""

    @property
    def period(self) -> YearMonth | None:
        return self.parsed.period if self.parsed else None

    def with_status(self, status: str) -> list[ProjectPlan]:
        return [p for p in self.projects if p.status == status]

    @property
    def new(self) -> list[ProjectPlan]:
        return self.with_status("new")

    @property
    def changed(self) -> list[ProjectPlan]:
        return self.with_status("changed")

    @property
    def unchanged(self) -> list[ProjectPlan]:
        return self.with_status("unchanged")

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.new
            or self.changed
            or self.funds_changed
            or self.visits_added
            or self.visits_removed
            or self.events_added
            or self.events_removed
            or self.investors_added
            or (self._work and self._work.investor_updates)
            or (self._work and self._work.explanations_new)
        )

    def summary(self) -> str:
        """One line: what the import does (or why it is refused)."""
        if self.refusal:
            return self.refusal.message
        text = (
            f"{quote(self.unit)} {self.period.chinese}：新增项目{len(self.new)}个、变更{len(self.changed)}个、"
            f"未变{len(self.unchanged)}个，到位资金变动{self.funds_changed}处"
        )
        extras = []
        if self.visits_added or self.visits_removed:
            extras.append(f"考察对接+{self.visits_added}/-{self.visits_removed}")
        if self.events_added or self.events_removed:
            extras.append(f"招商活动+{self.events_added}/-{self.events_removed}")
        if self.investors_added:
            extras.append(f"新增客商{self.investors_added}家")
        if self.explanations:
            extras.append(f"审核说明{len(self.explanations)}条")
        if extras:
            text += "，" + "，".join(extras)
        return text


@dataclass
class FileOutcome:
    path: Path
    status: str
    """'imported', 'unchanged' or 'refused'."""
    preview: ReturnPreview

    @property
    def line(self) -> str:
        word = {"imported": "已导入", "unchanged": "无变化", "refused": "已拒绝"}[self.status]
        if self.status == "refused":
            return f"{word}  {self.preview.refusal.message}"
        if self.status == "unchanged":
            return f"{word}  {quote(self.path.name, 80)}：{quote(self.preview.unit)} {self.preview.period.chinese}与台账中已有的相同，未作改动"
        return f"{word}  {quote(self.path.name, 80)}：{self.preview.summary()}"


# --- preview --------------------------------------------------------------------------

def preview_return(
    session: Session, path: str | Path, *, today: dt.date | None = None, for_writing: bool = False
) -> ReturnPreview:
    """Read, check and compare one file. Never writes; a bad file gives a refused preview.

    ``for_writing``: the plan will be written in this transaction (see :func:`plan_import`).
    """
    path = Path(path)
    try:
        parsed = read_return(path, today=today)
    except RefusedFile as exc:
        return ReturnPreview(path, refusal=exc)
    return plan_import(session, parsed, for_writing=for_writing)


def plan_import(session: Session, parsed: ParsedReturn, *, for_writing: bool = False) -> ReturnPreview:
    """Compare a read return with the ledger.

    ``for_writing``: on a server, first take the unit's month for this transaction
    (:func:`zsdesk.store.concurrency.hold_for_import`), so the plan is made on what
    another import of it, or a lock of the month, committed. Before that, the investors
    the return names that the ledger does not hold are taken by name
    (:func:`zsdesk.store.concurrency.hold_names`): another unit's import creating the same
    investor at the same time is waited for and its investor linked, not created twice.
    (One the plan still creates — a name the ledger holds under another unit — is taken
    after planning, and the plan made again if it appeared meanwhile.)
    """
    from ..store.concurrency import hold_names, is_server

    if not (for_writing and is_server(session)):  # a file has one writer
        return _plan(session, parsed, for_writing)
    # The investors the return names that the ledger has under no unit will be created:
    # take them before planning, so the plan is made once, on what another import of
    # them committed.
    held = _names_in(parsed)
    held -= _existing_names(session, held)
    if held:
        hold_names(session, held)
    preview = _plan(session, parsed, for_writing)
    while preview._work is not None:
        names = {values["name"] for values in preview._work.new_investors.values()} - held
        if not names:
            break
        before = _investors_named(session, names)
        hold_names(session, names)
        held |= names
        if _investors_named(session, names) == before:
            break  # nobody created one of them meanwhile: the plan stands
        preview = _plan(session, parsed, for_writing)
    return preview


def _names_in(parsed: ParsedReturn) -> set[str]:
    names = {inv.values["name"] for inv in parsed.investors.values()}
    names |= {p.investor_name for p in parsed.projects if p.investor_name}
    names |= {v.investor_name for v in parsed.visits if v.investor_name}
    return {n for n in names if n}


def _existing_names(session: Session, names: set[str]) -> set[str]:
    ordered, found = sorted(names), set()
    for i in range(0, len(ordered), CHUNK):
        found.update(session.scalars(select(Investor.name).where(Investor.name.in_(ordered[i : i + CHUNK])).distinct()))
    return found


def _investors_named(session: Session, names: set[str]) -> int:
    ordered = sorted(names)
    return sum(
        session.scalar(select(func.count(Investor.id)).where(Investor.name.in_(ordered[i : i + CHUNK])))
        for i in range(0, len(ordered), CHUNK)
    )


def _plan(session: Session, parsed: ParsedReturn, for_writing: bool) -> ReturnPreview:
    preview = ReturnPreview(parsed.path, parsed)
    try:
        _Planner(session, parsed, preview, for_writing=for_writing).plan()
    except RefusedFile as exc:
        preview.refusal = exc
        preview._work = None
    return preview


@dataclass
class _Work:
    """The writes an import needs, by id: filled by the planner, done by :func:`_write`."""

    unit_id: int
    new_investors: dict[str, dict] = field(default_factory=dict)
    """Placeholder → attributes of an investor to create."""
    investor_updates: list[dict] = field(default_factory=list)
    new_projects: list[tuple[ReturnProject, dict]] = field(default_factory=list)
    project_updates: list[dict] = field(default_factory=list)
    fund_inserts: list[tuple[str | int, int, Decimal]] = field(default_factory=list)
    """(project id or code of a new project, month, amount)."""
    fund_updates: list[dict] = field(default_factory=list)
    fund_deletes: list[int] = field(default_factory=list)
    visit_inserts: list[dict] = field(default_factory=list)
    visit_deletes: list[int] = field(default_factory=list)
    event_inserts: list[dict] = field(default_factory=list)
    event_deletes: list[int] = field(default_factory=list)
    explanations_new: bool = False
    """The return explains a warning differently from what the county file holds."""


class _New(str):
    """A reference to an investor that the import will create."""


class _Planner:
    def __init__(self, session: Session, parsed: ParsedReturn, preview: ReturnPreview, *, for_writing: bool = False):
        self.for_writing = for_writing
        self.session = session
        self.parsed = parsed
        self.preview = preview
        self.place = Place(parsed.path)

    def refuse(self, reason: str) -> RefusedFile:
        return self.place.refuse(reason)

    def plan(self) -> _Work:
        parsed, session = self.parsed, self.session
        unit = session.scalar(select(Unit).where(Unit.name == parsed.unit))
        if unit is None:
            known = "、".join(session.scalars(select(Unit.name).order_by(Unit.sort_order, Unit.id))) or "（无）"
            raise self.refuse(f"填报单位“{quote(parsed.unit)}”不是本台账的单位（本台账的单位有：{known}）")
        county = keys.get_setting(session, keys.COUNTY_NAME)
        if parsed.county and county and parsed.county != county:
            raise self.refuse(f"这是“{quote(parsed.county)}”的月报，而本台账是“{county}”的")
        period = parsed.period
        if self.for_writing:
            from ..store.concurrency import hold_for_import

            hold_for_import(session, unit.id, period)
        locked = session.scalar(
            select(MonthLock.id).where(
                MonthLock.unit_id == unit.id, MonthLock.year == period.year, MonthLock.month == period.month
            )
        )
        if locked:
            raise self.refuse(f"{unit.name}{period.chinese}已锁定（已汇总上报），不能再导入；如需更正，请先解锁该月并说明原因")
        self.unit = unit
        self.work = self.preview._work = _Work(unit.id)
        self.unit_ids = dict(session.execute(select(Unit.name, Unit.id)).all())
        self._findings_before()
        existing = self._existing_projects()
        investor_ids = self._resolve_investors(existing)
        project_ids = self._plan_projects(existing, investor_ids)
        self._plan_funds(existing, project_ids)
        self._plan_totals()
        self._plan_visits(investor_ids, project_ids)
        self._plan_events()
        self._plan_explanations()
        self._plan_targets()
        self._findings_after()
        return self.work

    def _plan_targets(self) -> None:
        """The targets the township's return prints against the county's for the unit:
        both sides must see a difference (the township's file and the bureau's differ)."""
        from ..store.targets import target_grid

        preview = self.preview
        preview.reported_targets = read_reported_targets(self.parsed.path)
        county = target_grid(self.session, self.parsed.period.year)
        for indicator, theirs in preview.reported_targets.items():
            ours = county.get((self.unit.id, indicator))
            if (ours if ours is None else Decimal(ours)) != (theirs if theirs is None else Decimal(theirs)):
                preview.target_differences.append((indicator, ours, theirs))
        if preview.target_differences:
            parts = "；".join(
                f"{i.label}：月报{_quantity_text(i, theirs)}，本台账{_quantity_text(i, ours)}"
                for i, ours, theirs in preview.target_differences
            )
            preview.findings.insert(
                0,
                f"{self.unit.name}月报中的{self.parsed.period.year}年目标任务与本台账下达的不同（{parts}）："
                f"完成率按本台账的目标计算；请核对后重新下发分解表",
            )

    def _plan_explanations(self) -> None:
        preview = self.preview
        preview.explanations = read_explanations(self.parsed.path)
        if not preview.explanations:
            return
        held = {
            (a.explanation, a.by)
            for a in self.session.scalars(select(CheckAcknowledgement).where(CheckAcknowledgement.by.like(f"{self.unit.name}%")))
        }
        self.work.explanations_new = any(
            (e.explanation, township_signature(self.unit.name, e.by)) not in held for e in preview.explanations
        )
        preview.findings.append(
            f"月报带有{self.unit.name}的审核说明{len(preview.explanations)}条：导入后本台账的审核结果显示为{self.unit.name}已说明"
        )

    # -- findings ----------------------------------------------------------------------

    def _findings_before(self) -> None:
        parsed, preview = self.parsed, self.preview
        preview.findings.extend(str(c) for c in parsed.corrections)
        threshold = keys.get_setting(self.session, keys.MAJOR_THRESHOLD)
        if parsed.threshold and threshold and Decimal(parsed.threshold) != Decimal(threshold):
            preview.findings.append(
                f"填报单位的大项目门槛是{quote(parsed.threshold)}万元，本台账是{threshold}万元：大项目按本台账的门槛统计"
            )

    def _findings_after(self) -> None:
        parsed, preview = self.parsed, self.preview
        earlier = self.session.execute(
            select(ImportRecord.at, ImportRecord.file_sha256, ImportRecord.file_name)
            .where(
                ImportRecord.unit_id == self.unit.id,
                ImportRecord.year == parsed.period.year,
                ImportRecord.month == parsed.period.month,
            )
            .order_by(ImportRecord.at.desc(), ImportRecord.id.desc())
        ).first()
        if earlier:
            preview.findings.append(
                f"{earlier.at:%Y-%m-%d %H:%M}已导入过该单位{parsed.period.chinese}的月报（{earlier.file_name}），本次导入将替换它"
            )
            if earlier.file_sha256 == parsed.sha256 and not preview.changes_anything:
                preview.already_imported = True

    # -- projects ----------------------------------------------------------------------

    def _existing_projects(self) -> dict[str, dict]:
        """The county's projects of this unit, and any other project with a code in the return."""
        columns = [Project.id, Project.code, Project.unit_id, Project.investor_id] + [
            getattr(Project, name) for name in PROJECT_COMPARED
        ]
        rows = {r.code: r._asdict() for r in self.session.execute(select(*columns).where(Project.unit_id == self.unit.id))}
        others = [p.code for p in self.parsed.projects if p.code not in rows]
        names = {v: k for k, v in self.unit_ids.items()}
        for start in range(0, len(others), CHUNK):
            for row in self.session.execute(
                select(Project.code, Project.name, Project.unit_id).where(Project.code.in_(others[start : start + CHUNK]))
            ):
                project = next(p for p in self.parsed.projects if p.code == row.code)
                raise RefusedFile(
                    self.parsed.path,
                    f"项目编号“{quote(row.code)}”（{quote(row.name)}）在本台账中属于“{names.get(row.unit_id, '?')}”，"
                    f"不能由“{self.unit.name}”的月报导入",
                    sheet=L.PROJECT_SHEET,
                    row=project.row or None,
                    column=L.PROJECT_COL["code"],
                    header="项目编号",
                )
        return rows

    def _plan_projects(self, existing: dict[str, dict], investor_ids: dict) -> dict[str, int | None]:
        """code → project id (None for a project the import creates)."""
        work, preview = self.work, self.preview
        ids: dict[str, int | None] = {}
        for project in self.parsed.projects:
            investor = self._investor_of(project.investor_key, project.investor_name, investor_ids)
            row = existing.get(project.code)
            attributes = {**project.values, "investor_id": investor}
            if row is None:
                work.new_projects.append((project, attributes))
                ids[project.code] = None
                preview.projects.append(ProjectPlan(project.code, project.values["name"], "new"))
                continue
            ids[project.code] = row["id"]
            changed = {k: v for k, v in attributes.items() if row[k] != v}
            if changed:
                work.project_updates.append({"id": row["id"], **changed})
            labels = [FIELD_LABELS.get(k, k) for k in changed]
            details = [
                (FIELD_LABELS.get(k, k), row[k], v) for k, v in changed.items() if k != "investor_id"
            ] + ([(FIELD_LABELS["investor_id"], "（原投资方）", project.investor_name or "（无）")] if "investor_id" in changed else [])
            preview.projects.append(
                ProjectPlan(project.code, project.values["name"], "changed" if labels else "unchanged", labels, details)
            )
        absent = [row for code, row in existing.items() if code not in ids]
        self.absent_rows = absent
        preview.absent = [(row["code"], row["name"]) for row in absent]
        if absent:
            names = "、".join(f"“{quote(row['name'])}”" for row in absent[:5]) + (f"等{len(absent)}个" if len(absent) > 5 else "")
            preview.findings.append(
                f"本台账中{self.unit.name}的项目{names}不在此月报中：保留项目，但其{self.parsed.period.year}年"
                f"1至{self.parsed.period.month}月的到位资金按月报清除"
            )
        return ids

    def _plan_funds(self, existing: dict[str, dict], project_ids: dict[str, int | None]) -> None:
        period, work = self.parsed.period, self.work
        current: dict[tuple[int, int], tuple[int, Decimal]] = {}
        for record_id, project_id, month, amount in self.session.execute(
            select(FundRecord.id, FundRecord.project_id, FundRecord.month, FundRecord.amount)
            .join(Project, Project.id == FundRecord.project_id)
            .where(Project.unit_id == self.unit.id, FundRecord.year == period.year, FundRecord.month <= period.month)
        ):
            current[(project_id, month)] = (record_id, amount)
        changed_projects: set[str] = set()
        wanted: set[tuple[int, int]] = set()
        for project in self.parsed.projects:
            project_id = project_ids[project.code]
            for month, amount in project.months.items():
                if project_id is None:
                    work.fund_inserts.append((project.code, month, amount))
                    continue
                wanted.add((project_id, month))
                have = current.get((project_id, month))
                name = project.values["name"]
                if have is None:
                    work.fund_inserts.append((project_id, month, amount))
                    changed_projects.add(project.code)
                    self.preview.fund_changes.append(FundChange(project.code, name, month, None, amount, True))
                elif have[1] != amount:
                    work.fund_updates.append({"id": have[0], "amount": amount})
                    changed_projects.add(project.code)
                    self.preview.fund_changes.append(FundChange(project.code, name, month, have[1], amount, True))
        by_id = {row["id"]: code for code, row in existing.items()}
        in_return = {p.code for p in self.parsed.projects}
        for (project_id, _month), (record_id, _amount) in sorted(current.items(), key=lambda kv: kv[0]):
            if (project_id, _month) not in wanted:
                work.fund_deletes.append(record_id)
                code = by_id.get(project_id, "")
                changed_projects.add(code)
                self.preview.fund_changes.append(
                    FundChange(code, existing[code]["name"] if code in existing else "", _month, _amount, None, code in in_return)
                )
        self.preview.funds_changed = len(work.fund_inserts) + len(work.fund_updates) + len(work.fund_deletes)
        for plan in self.preview.projects:
            if plan.code in changed_projects and plan.status != "new":
                plan.status = "changed"
                plan.changes.append(FIELD_LABELS["funds"])

    def _plan_totals(self) -> None:
        """The unit's indicators counted from projects, before and after, under the one set
        of counting rules (zsdesk/domain/counting.py). The import replaces all of the unit's
        funds of January to the month, so funds after are what the return's projects carry;
        counts after are the return's projects plus the unit's projects it lacks (kept)."""
        from ..domain.counting import RULES as COUNTING
        from ..store.progress_query import actuals_by_unit

        period = self.parsed.period
        threshold = keys.major_threshold(self.session)
        first = YearMonth(period.year, 1).first_day

        def counts(rule, values) -> bool:
            if not all(values.get(f) for f in rule.required_flags) or any(values.get(f) for f in rule.excluded_flags):
                return False
            if rule.above_threshold and (values.get("planned_investment") or Decimal(0)) < threshold:
                return False
            if rule.date_field is None:
                return True
            day = values.get(rule.date_field)
            return day is not None and first <= day <= period.last_day

        for indicator, rule in COUNTING.items():
            if rule.subject == "investors":
                continue  # investors are matched by name at import: not foreseeable exactly here
            before = actuals_by_unit(self.session, indicator, period, unit_id=self.unit.id).get(self.unit.id, 0)
            if rule.subject == "funds":
                after = sum(
                    (
                        amount
                        for project in self.parsed.projects
                        if counts(rule, project.values)
                        for month, amount in project.months.items()
                        if month <= period.month
                    ),
                    Decimal(0),
                )
                self.preview.totals.append((indicator, Decimal(before), after))
            else:
                after = sum(1 for p in self.parsed.projects if counts(rule, p.values))
                after += sum(1 for row in getattr(self, "absent_rows", []) if counts(rule, row))
                self.preview.totals.append((indicator, int(before), after))

    # -- investors ---------------------------------------------------------------------

    def _resolve_investors(self, existing: dict[str, dict]) -> dict[str, int | _New]:
        """Return investor key → county investor id, or a placeholder for one to create.

        An investor is the same when name and unit agree (and the registration date,
        where two candidates share a name); an investor a project already links to is
        kept. Details are updated only for investors of the importing unit.
        """
        parsed = self.parsed
        names = {inv.values["name"] for inv in parsed.investors.values()}
        names |= {p.investor_name for p in parsed.projects if p.investor_key is None and p.investor_name}
        names |= {v.investor_name for v in parsed.visits if v.investor_key is None and v.investor_name}
        self.by_name: dict[str, list[dict]] = defaultdict(list)
        ordered = sorted(names)
        for start in range(0, len(ordered), CHUNK):
            for row in self.session.execute(
                select(Investor.id, Investor.name, Investor.unit_id, *[getattr(Investor, k) for k in INVESTOR_UPDATED])
                .where(Investor.name.in_(ordered[start : start + CHUNK]))
                .order_by(Investor.id)
            ):
                self.by_name[row.name].append(row._asdict())
        resolved: dict[str, int | _New] = {}
        used: set[int] = set()
        candidates_of = {}
        unknown_units = set()
        for key, inv in parsed.investors.items():
            unit_id = self.unit_ids.get(inv.unit) if inv.unit else None
            if inv.unit and unit_id is None:
                unknown_units.add(inv.unit)
            candidates_of[key] = (unit_id, [c for c in self.by_name.get(inv.values["name"], []) if c["unit_id"] == unit_id])
        # 0: what the county's projects already link to
        linked = {p.code: p.investor_key for p in parsed.projects if p.investor_key}
        for code, key in linked.items():
            row = existing.get(code)
            if key in resolved or row is None or row["investor_id"] is None or row["investor_id"] in used:
                continue
            if any(c["id"] == row["investor_id"] for c in candidates_of[key][1]):
                resolved[key] = row["investor_id"]
                used.add(row["investor_id"])
        # 1: same name, unit and registration date; 2: same name and unit
        for exact in (True, False):
            for key, inv in parsed.investors.items():
                if key in resolved:
                    continue
                for candidate in candidates_of[key][1]:
                    if candidate["id"] in used:
                        continue
                    if exact and candidate["registered_on"] != inv.values["registered_on"]:
                        continue
                    resolved[key] = candidate["id"]
                    used.add(candidate["id"])
                    break
        for key, inv in parsed.investors.items():
            unit_id = candidates_of[key][0]
            if key not in resolved:
                placeholder = _New(f"key:{key}")
                self.work.new_investors[placeholder] = {**inv.values, "unit_id": unit_id}
                resolved[key] = placeholder
            elif unit_id == self.unit.id:
                row = next(c for c in candidates_of[key][1] if c["id"] == resolved[key])
                changed = {k: inv.values[k] for k in INVESTOR_UPDATED if row[k] != inv.values[k]}
                if changed:
                    self.work.investor_updates.append({"id": row["id"], **changed})
        if unknown_units:
            self.preview.findings.append(
                f"客商所属单位{'、'.join(quote(u) for u in sorted(unknown_units))}不在本台账中：这些客商记为不属于任何单位"
            )
        return resolved

    def _investor_of(self, key: str | None, name: str, resolved: dict) -> int | _New | None:
        """The investor of a project or visit: by key, or (renamed in Excel) by name."""
        if key is not None:
            return resolved[key]
        if not name:
            return None
        rows = self.by_name.get(name, [])
        own = [r for r in rows if r["unit_id"] == self.unit.id]
        if own or rows:
            return (own or rows)[0]["id"]
        placeholder = _New(f"name:{name}")
        if placeholder not in self.work.new_investors:
            self.work.new_investors[placeholder] = {**NEW_INVESTOR, "name": name, "unit_id": self.unit.id}
        return placeholder

    # -- visits and events -------------------------------------------------------------

    def _plan_visits(self, investor_ids: dict, project_ids: dict[str, int | None]) -> None:
        period, work = self.parsed.period, self.work
        fields = ("investor_id", "project_id", "date", "batches", "headcount", "receiving_leader", "seen", "outcome")
        current = defaultdict(list)
        for row in self.session.execute(
            select(Visit.id, *[getattr(Visit, f) for f in fields]).where(
                Visit.unit_id == self.unit.id, Visit.date >= period.first_day, Visit.date <= period.last_day
            ).order_by(Visit.id)
        ):
            current[tuple(getattr(row, f) for f in fields)].append(row.id)
        elsewhere = self._projects_elsewhere(
            {v.project_code for v in self.parsed.visits if v.project_code and v.project_code not in project_ids}
        )
        unlinked = []
        for visit in self.parsed.visits:
            investor = self._investor_of(visit.investor_key, visit.investor_name, investor_ids)
            code = visit.project_code
            if not code:
                project = None
            elif code in project_ids:
                project = project_ids[code] if project_ids[code] is not None else _New(f"code:{code}")
            else:
                project = elsewhere.get(code)
                if project is None:
                    unlinked.append(visit.project_name or code)
            values = {**visit.values, "investor_id": investor, "project_id": project, "unit_id": self.unit.id}
            signature = tuple(values[f] for f in fields)
            if current.get(signature):
                current[signature].pop(0)
            else:
                work.visit_inserts.append(values)
        work.visit_deletes = [i for ids in current.values() for i in ids]
        if unlinked:
            self.preview.findings.append(
                f"考察记录关联的项目{'、'.join(f'“{quote(n)}”' for n in sorted(set(unlinked)))}不在本台账中，导入后不关联项目"
            )
        self.preview.visits_added = len(work.visit_inserts)
        self.preview.visits_removed = len(work.visit_deletes)

    def _projects_elsewhere(self, codes: set[str]) -> dict[str, int]:
        """Projects of other units that this unit's visits link to, by code."""
        ordered = sorted(codes)
        found: dict[str, int] = {}
        for start in range(0, len(ordered), CHUNK):
            found.update(
                self.session.execute(
                    select(Project.code, Project.id).where(Project.code.in_(ordered[start : start + CHUNK]))
                ).all()
            )
        return found

    def _plan_events(self) -> None:
        period, work = self.parsed.period, self.work
        fields = ("kind", "name", "date", "place", "firms", "representatives", "intention_projects", "notes")
        current = defaultdict(list)
        for row in self.session.execute(
            select(Event.id, *[getattr(Event, f) for f in fields]).where(
                Event.unit_id == self.unit.id, Event.date >= period.first_day, Event.date <= period.last_day
            ).order_by(Event.id)
        ):
            current[tuple(getattr(row, f) for f in fields)].append(row.id)
        for event in self.parsed.events:
            signature = tuple(event.values[f] for f in fields)
            if current.get(signature):
                current[signature].pop(0)
            else:
                work.event_inserts.append({**event.values, "unit_id": self.unit.id})
        work.event_deletes = [i for ids in current.values() for i in ids]
        self.preview.events_added = len(work.event_inserts)
        self.preview.events_removed = len(work.event_deletes)
        self.preview.investors_added = len(work.new_investors)


# --- apply ----------------------------------------------------------------------------

def apply_return(session: Session, preview: ReturnPreview, *, by: str | None = None) -> ReturnPreview:
    """Import a previewed file in the caller's transaction.

    The comparison is made again against the file as it is now (another import may
    have run since the preview); a file refused now raises :class:`RefusedFile` and
    writes nothing. Returns the preview of what was written.
    """
    if preview.refusal:
        raise preview.refusal
    fresh = plan_import(session, preview.parsed, for_writing=True)
    if fresh.refusal:
        raise fresh.refusal
    write_import(session, fresh, by=by)
    return fresh


def _with_versions(session: Session, model, rows: list[dict]) -> list[dict]:
    """Rows of a bulk UPDATE by id with each record's current version (store/versions.py):
    the import raises the versions, so an editor open on one of these records is told."""
    ids = [row["id"] for row in rows]
    versions: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        versions.update(session.execute(select(model.id, model.version).where(model.id.in_(ids[start : start + CHUNK]))).all())
    return [{**row, "version": versions[row["id"]]} for row in rows]


def write_import(session: Session, preview: ReturnPreview, *, by: str | None = None, backup: bool = True) -> None:
    """Do the writes of a plan made in this same transaction.

    ``backup=False``: the caller took the copy already, earlier in the same run of imports
    (:func:`import_returns`), before anything of the run was written.
    """
    work = preview._work
    assert work is not None and not preview.refusal
    if preview.already_imported:
        return
    # Data safety (zsdesk/store/backup.py): a copy of the committed state, before the
    # import writes anything; no copy, no import (a Chinese LedgerError).
    if backup:
        from ..store.backup import backup_before

        backup_before(session, "import")
    parsed = preview.parsed
    investors: dict[str, int] = {}
    if work.new_investors:
        placeholders = list(work.new_investors)
        ids = insert_in_order(session, Investor, [work.new_investors[p] for p in placeholders])
        investors = dict(zip(placeholders, ids))
    if work.investor_updates:
        session.execute(update(Investor), _with_versions(session, Investor, work.investor_updates))

    def investor_id(value):
        return investors[value] if isinstance(value, _New) else value

    codes: dict[str, int] = {}
    if work.new_projects:
        rows = [
            {**attributes, "code": project.code, "unit_id": work.unit_id, "investor_id": investor_id(attributes["investor_id"])}
            for project, attributes in work.new_projects
        ]
        codes = dict(zip((row["code"] for row in rows), insert_in_order(session, Project, rows)))
    if work.project_updates:
        rows = [{**row, "investor_id": investor_id(row["investor_id"])} if "investor_id" in row else row
                for row in work.project_updates]
        session.execute(update(Project), _with_versions(session, Project, rows))
    for start in range(0, len(work.fund_deletes), CHUNK):
        session.execute(delete(FundRecord).where(FundRecord.id.in_(work.fund_deletes[start : start + CHUNK])))
    if work.fund_updates:
        session.execute(update(FundRecord), work.fund_updates)
    if work.fund_inserts:
        year = parsed.period.year
        session.execute(
            insert(FundRecord),
            [
                {"project_id": codes[p] if isinstance(p, str) else p, "year": year, "month": m, "amount": a}
                for p, m, a in work.fund_inserts
            ],
        )
    for start in range(0, len(work.visit_deletes), CHUNK):
        session.execute(delete(Visit).where(Visit.id.in_(work.visit_deletes[start : start + CHUNK])))
    if work.visit_inserts:
        rows = []
        for values in work.visit_inserts:
            project = values["project_id"]
            if isinstance(project, _New):
                project = codes[project.removeprefix("code:")]
            rows.append({**values, "investor_id": investor_id(values["investor_id"]), "project_id": project})
        session.execute(insert(Visit).execution_options(render_nulls=True), rows)
    for start in range(0, len(work.event_deletes), CHUNK):
        session.execute(delete(Event).where(Event.id.in_(work.event_deletes[start : start + CHUNK])))
    if work.event_inserts:
        session.execute(insert(Event), work.event_inserts)
    session.flush()
    preview.explanations_stored = store_explanations(session, preview)
    if preview.reported_targets:
        store_reported_targets(session, preview)
    session.add(
        ImportRecord(
            unit_id=work.unit_id,
            year=parsed.period.year,
            month=parsed.period.month,
            file_name=parsed.path.name[:300],
            file_sha256=parsed.sha256,
            by=by if by is not None else keys.get_setting(session, keys.CLERK_NAME),
            summary=preview.summary(),
        )
    )
    session.flush()


def _quantity_text(indicator, value) -> str:
    from ..domain.enums import Measure
    from ..domain.money import format_wan

    if value is None:
        return "无目标"
    return f"{format_wan(Decimal(value))}万元" if indicator.measure is Measure.MONEY else f"{value}个"


def store_reported_targets(session: Session, preview: ReturnPreview) -> None:
    """Keep what the township's return said its targets were, for the county's checks."""
    import json

    parsed = preview.parsed
    key = f"reported_targets:{parsed.unit}:{parsed.period.year}"
    value = json.dumps({i.value: (None if v is None else str(v)) for i, v in preview.reported_targets.items()},
                       ensure_ascii=False, sort_keys=True)
    keys.set_setting(session, key, value)


def township_signature(unit: str, by: str) -> str:
    """Who explained, as the county file keeps it: the unit, then the clerk's name."""
    return f"{unit}·{by}" if by else unit


def store_explanations(session: Session, preview: ReturnPreview) -> int:
    """Keep the township's explanations at the county, against the county's own findings.

    A printed explanation names a rule by its title and a record by its label; it is
    stored under the key of the county's finding for the unit's month with that rule and
    label (the township's file and the county's give the same labels: projects keep their
    names and codes). Returns how many matched; one the county file does not show (the
    data differs) is not stored.
    """
    if not preview.explanations:
        return 0
    from ..domain.checks import RULES
    from ..store.checks_query import run_checks

    parsed = preview.parsed
    by_title: dict[str, set[str]] = defaultdict(set)
    for rule in RULES.values():
        if rule.can_acknowledge:
            by_title[rule.title].add(rule.id)
    findings = run_checks(session, parsed.period, unit=parsed.unit, today=max(dt.date.today(), parsed.period.last_day))
    stored = 0
    now = dt.datetime.now().replace(microsecond=0)
    for item in preview.explanations:
        rules = by_title.get(item.rule_title, set())
        match = next((f for f in findings if f.rule in rules and f.record.label == item.record), None)
        if match is None:
            continue
        row = session.scalar(
            select(CheckAcknowledgement).where(
                CheckAcknowledgement.rule == match.rule, CheckAcknowledgement.record_key == match.record.key
            )
        )
        if row is None:
            row = CheckAcknowledgement(rule=match.rule, record_key=match.record.key)
            session.add(row)
        row.explanation = item.explanation
        row.by = township_signature(parsed.unit, item.by)[:100]
        row.at = item.at or now
        stored += 1
    session.flush()
    return stored


def import_returns(
    ledger: Ledger, paths: Iterable[str | Path], *, today: dt.date | None = None, by: str | None = None
) -> list[FileOutcome]:
    """Import files one transaction each; a refused file changes nothing and the rest go on.

    One backup for the run, taken in the transaction of the first file that writes, before
    its first write: restoring it gives the file as it was before these imports. (A copy
    before each of 20 returns copied the whole county file 20 times — a third of the
    time of the import of the last ones on the large county.)

    On a server each file's transaction is run again when it lost a deadlock or a
    serialization failure to another writer (:func:`zsdesk.store.concurrency.run_action`).
    """
    from ..store.concurrency import run_action

    outcomes = []
    backed_up = False
    for path in paths:
        path = Path(path)

        def one_file(session: Session) -> FileOutcome:
            preview = preview_return(session, path, today=today, for_writing=True)
            if preview.refused:
                return FileOutcome(path, "refused", preview)
            status = "unchanged" if preview.already_imported else "imported"
            write_import(session, preview, by=by, backup=not backed_up)
            return FileOutcome(path, status, preview)

        outcome = run_action(ledger, one_file)
        backed_up = backed_up or outcome.status == "imported"
        outcomes.append(outcome)
    return outcomes


__all__: Sequence[str] = (
    "FileOutcome",
    "FundChange",
    "ProjectPlan",
    "ReturnPreview",
    "apply_return",
    "import_returns",
    "plan_import",
    "preview_return",
    "write_import",
)
