"""Importing a township's existing ledger: every layout checked field by field against
the generator's truth; the same file twice; locked months; bad cells listed by place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.ledger_messy import (
    FUNDS_YEAR, LAST_MONTH, LAYOUTS, MONTHLY, TODAY, TruthProject, layout_csv, layout_merged_cumulative,
    layout_titled_monthly, layout_with_filler, layout_yuan_dates, make_truth,
)
from tests.libreoffice_edit import SKIP_REASON, SOFFICE, edit_in_libreoffice, soffice_convert
from zsdesk.domain.enums import Stage
from zsdesk.domain.periods import YearMonth
from zsdesk.ledger_import import Mapping, apply_plan, build_plan, read_table
from zsdesk.store.models import AuditEntry, FundRecord, ImportRecord, Investor, Project, Unit

UNIT = "甲镇"
SUFFIX = {"csv_gbk": ".csv"}


def _import(ledger, path, mapping=None, today=TODAY):
    table = read_table(path, (mapping or Mapping()).sheet)
    with ledger.begin() as session:
        plan = build_plan(session, table, mapping or Mapping(unit=UNIT), today=today)
        outcome = apply_plan(session, plan, today=today)
    return plan, outcome


def _stored(ledger) -> dict[str, Project]:
    with ledger.begin() as session:
        projects = session.scalars(select(Project)).all()
        out = {}
        for p in projects:
            out[p.name] = {
                "unit": p.unit.name,
                "investor": p.investor.name if p.investor else "",
                "industry": p.industry,
                "stage": Stage(p.stage),
                "dates": {s: p.stage_date(s) for s in Stage if p.stage_date(s)},
                "planned": p.planned_investment,
                "zhejiang_return": p.zhejiang_return,
                "mountain_sea": p.mountain_sea,
                "declared": p.declared,
                "declared_on": p.declared_on,
                "liaison_leader": p.liaison_leader,
                "responsible_unit": p.responsible_unit,
                "funds": {(r.year, r.month): r.amount for r in p.funds},
                "code": p.code,
            }
        return out


def _check_against_truth(stored: dict, truth: list[TruthProject], *, monthly: bool, cumulative_month: int = LAST_MONTH):
    assert set(stored) == {p.name for p in truth}
    for p in truth:
        got = stored[p.name]
        assert got["unit"] == UNIT
        assert got["investor"] == p.investor, p.name
        assert got["industry"] == p.industry, p.name
        assert got["stage"] is p.stage, p.name
        assert got["dates"] == p.dates, p.name
        assert got["planned"] == p.planned, p.name
        assert (got["zhejiang_return"], got["mountain_sea"], got["declared"]) == (p.zhejiang_return, p.mountain_sea, p.declared), p.name
        assert got["declared_on"] == p.declared_on, p.name
        assert (got["liaison_leader"], got["responsible_unit"]) == (p.liaison_leader, p.responsible_unit)
        if monthly:
            assert got["funds"] == {(FUNDS_YEAR, m): a for m, a in p.funds.items()}, p.name
        else:  # one record: the cumulative amount, at the month stated
            expected = {(FUNDS_YEAR, cumulative_month): p.cumulative} if p.cumulative else {}
            assert got["funds"] == expected, p.name


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_layout_comes_in_field_by_field(ledger, tmp_path, layout):
    truth = make_truth(14, seed=len(layout), yuan_exact=(layout == "yuan_dates"))
    path = tmp_path / f"{layout}{SUFFIX.get(layout, '.xlsx')}"
    LAYOUTS[layout](path, truth, UNIT)
    mapping = Mapping(unit=UNIT, cumulative_month=LAST_MONTH if layout == "merged_cumulative" else None)
    plan, outcome = _import(ledger, path, mapping)
    assert plan.errors == [], [str(p) for p in plan.errors]
    assert outcome.created == len(truth) and outcome.updated == 0
    # month_only_dates leaves the cumulative month at its default: the last month that has come
    cumulative_month = LAST_MONTH if layout == "merged_cumulative" else TODAY.month
    _check_against_truth(_stored(ledger), truth, monthly=layout in MONTHLY, cumulative_month=cumulative_month)


def test_titles_totals_and_notes_are_left_out_and_listed(ledger, tmp_path):
    truth = make_truth(8, seed=3)
    path = tmp_path / "merged.xlsx"
    layout_merged_cumulative(path, truth, UNIT)
    plan, _ = _import(ledger, path, Mapping(unit=UNIT, cumulative_month=10))
    assert plan.header.first_row == 3 and plan.header.rows == 2
    assert "到位资金（万元） / 本年累计" in plan.header.columns
    assert plan.columns[plan.header.columns.index("到位资金（万元） / 本年累计")].field == "funds_cumulative"
    assert plan.columns[plan.header.columns.index("到位资金（万元） / 本月")].field == "ignore"
    assert plan.columns[plan.header.columns.index("总投资额（亿元）")].unit == "亿元"
    skipped = plan.with_status("skipped")
    assert [r.skip_reason[:2] for r in skipped] == ["合计", "合计", "说明"]
    assert any("截至2026年10月的累计" in note for note in plan.notes)


def test_cumulative_month_read_from_the_title_when_not_stated(ledger, tmp_path):
    truth = make_truth(6, seed=12)
    path = tmp_path / "merged.xlsx"
    layout_merged_cumulative(path, truth, UNIT)  # its second title row: （截至2026年10月底）
    plan, _ = _import(ledger, path, Mapping(unit=UNIT))
    assert plan.cumulative_month == LAST_MONTH != TODAY.month
    _check_against_truth(_stored(ledger), truth, monthly=False, cumulative_month=LAST_MONTH)


def test_month_only_date_becomes_the_first_with_a_note(ledger, tmp_path):
    from tests.ledger_messy import layout_month_only_dates

    truth = make_truth(4, seed=1)
    path = tmp_path / "m.xlsx"
    layout_month_only_dates(path, truth, UNIT)
    plan, _ = _import(ledger, path)
    notes = [p for p in plan.problems if p.level == "note" and "只写到月" in p.reason]
    assert notes and notes[0].header == "谋划时间"
    assert notes[0].where.startswith("工作表“Sheet”第3行F列")


@pytest.mark.skipif(SOFFICE is None, reason=SKIP_REASON)
def test_xls_written_by_libreoffice(ledger, tmp_path):
    truth = make_truth(10, seed=5)
    source = tmp_path / "xiangzhen.xlsx"
    layout_titled_monthly(source, truth, UNIT)
    out = tmp_path / "out"
    out.mkdir()
    xls = soffice_convert(source, "xls", out)
    assert xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # BIFF in an OLE file
    table = read_table(xls)
    assert table.kind == "xls" and table.sheet == "项目台账"
    plan, outcome = _import(ledger, xls)
    assert plan.errors == []
    assert outcome.created == len(truth)
    _check_against_truth(_stored(ledger), truth, monthly=True)


@pytest.mark.skipif(SOFFICE is None, reason=SKIP_REASON)
def test_libreoffice_resaved_xlsx_with_filler_rows(ledger, tmp_path):
    truth = make_truth(10, seed=6)
    source = tmp_path / "filler.xlsx"
    layout_with_filler(source, truth, UNIT)
    out = tmp_path / "out"
    out.mkdir()
    resaved = soffice_convert(source, "xlsx:Calc MS Excel 2007 XML", out)
    plan, outcome = _import(ledger, resaved)
    assert plan.errors == []
    assert outcome.created == len(truth)
    _check_against_truth(_stored(ledger), truth, monthly=True)


@pytest.mark.skipif(SOFFICE is None, reason=SKIP_REASON)
def test_rows_deleted_and_cleared_in_libreoffice(ledger, tmp_path):
    truth = make_truth(10, seed=6)
    source = tmp_path / "src.xlsx"
    layout_titled_monthly(source, truth, UNIT)  # title, 填报单位, header: projects from row 4
    edited = tmp_path / "edited.xlsx"
    # a clerk deletes sheet rows 5-6 (projects 2 and 3) and clears project 7 (now row 8; its row stays, empty)
    edit_in_libreoffice(source, edited, "del:5:2;clear:A8:AD8")
    kept = [p for i, p in enumerate(truth) if i not in (1, 2, 6)]
    table = read_table(edited)
    assert table.rows[7] == []  # the cleared row is still there, empty
    plan, outcome = _import(ledger, edited)
    assert plan.errors == [] and outcome.created == len(kept)
    _check_against_truth(_stored(ledger), kept, monthly=True)


def test_gbk_csv_encoding_is_detected_and_stated(ledger, tmp_path):
    truth = make_truth(6, seed=9)
    for encoding, label in (("gbk", "GBK/GB18030"), ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8（带BOM）")):
        path = tmp_path / f"{encoding}.csv"
        layout_csv(path, truth, UNIT, encoding=encoding)
        table = read_table(path)
        assert table.encoding == label
        assert table.rows[1][1] == truth[0].name
        with ledger.begin() as session:
            plan = build_plan(session, table, Mapping(unit=UNIT), today=TODAY)
        assert plan.notes[0] == f"CSV文件的编码：{label}"


def test_same_file_twice_changes_nothing(ledger, tmp_path):
    truth = make_truth(12, seed=2)
    path = tmp_path / "twice.xlsx"
    layout_titled_monthly(path, truth, UNIT)
    _, first = _import(ledger, path)
    assert first.wrote and first.backup is not None and first.backup.exists()
    from zsdesk.store.backup import list_backups

    (backup,) = [b for b in list_backups(ledger.path) if b.path == first.backup]
    assert backup.reason_label == "导入已有台账前" and backup.projects == 0  # the state before the import
    with ledger.begin() as session:
        audit_before = session.scalar(select(func.count()).select_from(AuditEntry))
        funds_before = session.scalar(select(func.count()).select_from(FundRecord))
        imports_before = session.scalar(select(func.count()).select_from(ImportRecord))
    backups_before = sorted(first.backup.parent.iterdir())
    plan, second = _import(ledger, path)
    assert not second.wrote and second.backup is None
    assert [r.status for r in plan.rows if r.status != "skipped"] == ["unchanged"] * len(truth)
    with ledger.begin() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
        assert session.scalar(select(func.count()).select_from(FundRecord)) == funds_before
        assert session.scalar(select(func.count()).select_from(ImportRecord)) == imports_before
    assert sorted(first.backup.parent.iterdir()) == backups_before


def test_import_is_in_the_audit_trail_with_the_file_name(ledger, tmp_path):
    truth = make_truth(3, seed=4)
    path = tmp_path / "甲镇项目台账2026.xlsx"
    layout_titled_monthly(path, truth, UNIT)
    _import(ledger, path)
    with ledger.begin() as session:
        record = session.scalars(select(ImportRecord)).one()
        assert record.file_name == "甲镇项目台账2026.xlsx"
        assert record.summary.startswith("导入已有台账：新增3个项目")
        entry = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "imports")).one()
        assert "甲镇项目台账2026.xlsx" in entry.record_label
        project_entries = session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "projects", AuditEntry.action == "insert")
        ).all()
        labels = {e.record_label for e in project_entries}
        assert all(any(label.endswith(p.name) for label in labels) for p in truth)


def test_existing_project_is_updated_with_before_and_after(ledger, tmp_path):
    truth = make_truth(6, seed=7)
    path = tmp_path / "v1.xlsx"
    layout_titled_monthly(path, truth, UNIT)
    _import(ledger, path)
    with ledger.begin() as session:
        ids_before = dict(session.execute(select(Project.name, Project.id)).all())
    truth[1].planned = Decimal(12_345)
    truth[1].funds[3] = Decimal(77)
    path2 = tmp_path / "v2.xlsx"
    layout_titled_monthly(path2, truth, UNIT)
    plan, outcome = _import(ledger, path2)
    assert outcome.updated == 1 and outcome.created == 0
    row = plan.with_status("update")[0]
    assert row.name == truth[1].name
    changes = {label: (before, after) for label, before, after in row.changes}
    assert changes["计划总投资"][1] == "12,345"
    assert changes[f"{FUNDS_YEAR}年3月到位资金"][1] == "77"
    with ledger.begin() as session:
        assert dict(session.execute(select(Project.name, Project.id)).all()) == ids_before  # no duplicates
    _check_against_truth(_stored(ledger), truth, monthly=True)


def test_investors_are_matched_or_created(ledger, tmp_path):
    truth = make_truth(10, seed=8)
    with ledger.begin() as session:
        session.add(Investor(name=truth[0].investor, kind="state_owned"))
    path = tmp_path / "inv.xlsx"
    layout_titled_monthly(path, truth, UNIT)
    _import(ledger, path)
    with ledger.begin() as session:
        names = session.scalars(select(Investor.name)).all()
        assert sorted(names) == sorted({p.investor for p in truth})  # one each, none twice
        kept = session.scalar(select(Investor.kind).where(Investor.name == truth[0].investor))
        assert kept == "state_owned"


def test_locked_month_row_refused_rest_imported(ledger, tmp_path):
    from zsdesk.store.locks import lock_month

    truth = make_truth(12, seed=10)
    path = tmp_path / "a.xlsx"
    layout_titled_monthly(path, truth, UNIT)
    _import(ledger, path)
    with ledger.begin() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.name == UNIT))
        lock_month(session, unit_id, YearMonth(FUNDS_YEAR, 9))
    target = next(p for p in truth if p.funds)
    target.funds[9] = target.funds.get(9, Decimal(0)) + 5
    other = next(p for p in truth if p is not target)
    other.liaison_leader = "赵副县长"
    path2 = tmp_path / "b.xlsx"
    layout_titled_monthly(path2, truth, UNIT)
    before = _stored(ledger)
    plan, outcome = _import(ledger, path2)
    refused = plan.with_status("refused")
    assert [r.name for r in refused] == [target.name]
    problem = refused[0].errors[0]
    assert "甲镇2026年9月已锁定" in problem.reason and problem.header == "9月"
    assert outcome.updated == 1
    after = _stored(ledger)
    assert after[target.name] == before[target.name]
    assert after[other.name]["liaison_leader"] == "赵副县长"


def test_bad_cells_are_listed_by_sheet_row_column_and_reason(ledger, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["项目名称", "投资方", "项目阶段", "计划总投资（万元）", "签约时间", "浙商回归"])
    ws.append(["好项目", "某公司", "签约", 100, "2026-3-5", "是"])
    ws.append(["坏金额", "某公司", "签约", "一百万", "2026-3-5", "是"])
    ws.append(["坏日期", "某公司", "签约", 100, "2026-13-45", "是"])
    ws.append(["坏阶段", "某公司", "搁置中", 100, "2026-3-5", "是"])
    ws.append(["坏标志", "某公司", "签约", 100, "2026-3-5", "也许"])
    ws.append(["缺日期", "某公司", "签约", 100, None, "否"])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    plan, outcome = _import(ledger, path)
    assert outcome.created == 1
    where = {r.name: str(r.errors[0]) for r in plan.with_status("refused")}
    assert where["坏金额"] == "工作表“台账”第3行D列（计划总投资（万元））：“一百万”不是金额"
    assert where["坏日期"].startswith("工作表“台账”第4行E列（签约时间）：") and "不是有效的日期" in where["坏日期"]
    assert where["坏阶段"].startswith("工作表“台账”第5行C列（项目阶段）：项目阶段“搁置中”对应不上")
    assert where["坏标志"].startswith("工作表“台账”第6行F列（浙商回归）：“也许”不是是/否")
    assert "请填写到达该阶段的日期" in where["缺日期"]
    assert set(_stored(ledger)) == {"好项目"}


def test_value_mapping_maps_an_unknown_stage_word(ledger, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "项目阶段", "计划总投资", "谋划时间", "签约时间"])
    ws.append(["搁置的项目", "搁置中", 100, "2026-1-5", "2026-3-5"])
    path = tmp_path / "s.xlsx"
    wb.save(path)
    plan, outcome = _import(ledger, path, Mapping(unit=UNIT, stages={"搁置中": "signed"}))
    assert outcome.created == 1
    assert _stored(ledger)["搁置的项目"]["stage"] is Stage.SIGNED


def test_saved_mapping_is_reused_next_month(ledger, tmp_path):
    from openpyxl import Workbook

    def write(path, amount):
        wb = Workbook()
        ws = wb.active
        ws.append(["工程", "甲方", "金额（亿元）", "定下来的日子", "阶段"])
        ws.append(["云山康养小镇", "颐高集团", amount, "2026年4月8日", "签约"])
        wb.save(path)

    write(tmp_path / "2026-10.xlsx", 1.5)
    mapping = Mapping(unit=UNIT, columns={"工程": "name", "甲方": "investor", "金额（亿元）": "planned_investment",
                                          "定下来的日子": "signed_on"})
    saved = tmp_path / "map.json"
    mapping.save(saved)
    reloaded = Mapping.load(saved)
    assert reloaded == mapping
    _import(ledger, tmp_path / "2026-10.xlsx", reloaded)
    write(tmp_path / "2026-11.xlsx", 2)
    plan, outcome = _import(ledger, tmp_path / "2026-11.xlsx", Mapping.load(saved))
    assert outcome.updated == 1
    got = _stored(ledger)["云山康养小镇"]
    assert got["planned"] == Decimal(20_000) and got["investor"] == "颐高集团"
    assert got["dates"] == {Stage.SIGNED: dt.date(2026, 4, 8)}


def test_bad_mapping_file_gets_a_chinese_message(tmp_path):
    from zsdesk.errors import InputError

    path = tmp_path / "m.json"
    path.write_text('{"format": "zsdesk-ledger-mapping", "columns": {"A": "nonsense"}}', encoding="utf-8")
    with pytest.raises(InputError, match="列“A”对应的字段“nonsense”不存在"):
        Mapping.load(path)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="JSON格式有误"):
        Mapping.load(path)


def test_ledger_database_unchanged_when_the_whole_file_is_refused(ledger, tmp_path):
    from zsdesk.errors import InputError

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["甲", "乙", "丙"])
    wb.active.append(["1", "2", "3"])
    path = tmp_path / "nothing.xlsx"
    wb.save(path)
    table = read_table(path)
    with ledger.begin() as session:
        with pytest.raises(InputError, match="找不到“项目名称”列"):
            build_plan(session, table, Mapping(unit=UNIT), today=TODAY)
    assert _stored(ledger) == {}


def test_imported_projects_get_the_same_checks_as_typed_ones(ledger, tmp_path):
    """The same projects typed through the editor's service into another file: the same findings."""
    from zsdesk.domain.records import ProjectData
    from zsdesk.store.checks_query import run_checks
    from zsdesk.store.ledger_setup import create_ledger
    from zsdesk.store.projects import save_project

    truth = make_truth(18, seed=11)
    path = tmp_path / "c.xlsx"
    layout_titled_monthly(path, truth, UNIT)
    _import(ledger, path)
    typed = create_ledger(tmp_path / "typed.sqlite", "测试县", ["甲镇", "乙乡", "丙街道", "丁园区"])
    try:
        with typed.begin() as session:
            unit_id = session.scalar(select(Unit.id).where(Unit.name == UNIT))
            for p in truth:
                save_project(session, None, ProjectData(
                    name=p.name, unit_id=unit_id, stage=p.stage, dates=dict(p.dates), new_investor_name=p.investor,
                    industry=p.industry, planned_investment=p.planned, zhejiang_return=p.zhejiang_return,
                    mountain_sea=p.mountain_sea, declared=p.declared, declared_on=p.declared_on,
                    liaison_leader=p.liaison_leader, responsible_unit=p.responsible_unit,
                    funds={(FUNDS_YEAR, m): a for m, a in p.funds.items()},
                ), TODAY)

        def findings(led):
            with led.begin() as session:
                return sorted((f.rule, f.record.label) for f in run_checks(session, today=TODAY))

        imported = findings(ledger)
        assert imported == findings(typed)
        assert imported  # the generator makes projects the checks flag (e.g. missing earlier-stage dates are not among them)
    finally:
        typed.close()
