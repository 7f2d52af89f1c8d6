"""The month's cycle between the bureau and a township, without the window: starter files,
explanations carried by the return, the import preview's data, targets that differ."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from zsdesk.domain.checks import explanation_rows
from zsdesk.domain.enums import Indicator
from zsdesk.returns.export import export_return
from zsdesk.returns.importer import import_returns, preview_return
from zsdesk.store.checks_query import acknowledge, explanations_for, run_checks
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_from
from zsdesk.store.models import CountyTarget, Target, Unit

from cycle_support import JUNE, TODAY, UNITS, county_file, county_with_projects, signed_project, unit_id
from libreoffice_edit import SKIP_REASON, SOFFICE, soffice_convert


def township_return(tmp_path: Path, county: Path, explain: bool = True) -> Path:
    """尚湖镇 keeps its file from the county's, leaves a warning explained, exports June."""
    path = tmp_path / "尚湖镇.sqlite"
    ledger = create_from(path, county, own_unit="尚湖镇")
    with ledger.begin() as s:
        signed_project(s, "尚湖康养小镇项目", {3: "120.5", 6: "300.25"}, liaison_leader="")
        signed_project(s, "尚湖中药材加工项目", {5: "80"})
        if explain:
            finding = next(f for f in run_checks(s, JUNE, unit="尚湖镇", today=TODAY) if f.rule == "no_liaison_leader")
            acknowledge(s, finding.rule, finding.record.key, "联系领导待县政府常务会议确定", by="张三", today=TODAY)
    out = tmp_path / "尚湖镇-2026年6月月报.xlsx"
    with ledger.read() as s:
        export_return(s, "尚湖镇", JUNE, out, explanations=explanations_for(s, "尚湖镇", JUNE, today=TODAY), today=TODAY)
    ledger.close()
    return out


# --- item 7: the township's explanations reach the county ------------------------------

@pytest.mark.parametrize("libreoffice", [False, True], ids=["as-exported", "saved-by-libreoffice"])
def test_the_townships_explanation_arrives_with_the_return(tmp_path, libreoffice):
    if libreoffice and SOFFICE is None:
        pytest.skip(SKIP_REASON)
    county = county_file(tmp_path)
    workbook = township_return(tmp_path, county)
    if libreoffice:
        workbook = soffice_convert(workbook, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    ledger = open_ledger(county)
    with ledger.read() as s:
        before = [f for f in run_checks(s, JUNE, unit="尚湖镇", today=TODAY)]
        preview = preview_return(s, workbook, today=TODAY)
    assert not preview.refused, preview.refusal
    assert [e.explanation for e in preview.explanations] == ["联系领导待县政府常务会议确定"]
    assert any("审核说明1条" in line for line in preview.findings)
    assert preview.reported_targets[Indicator.DOMESTIC_FUNDS] == Decimal(3000)  # read back from the printed sheet
    assert preview.target_differences == []
    assert before == [] or all(f.rule != "no_liaison_leader" for f in before)  # the county had no such project yet
    [outcome] = import_returns(ledger, [workbook], today=TODAY)
    assert outcome.status == "imported", outcome.line
    assert outcome.preview.explanations_stored == 1
    with ledger.read() as s:
        finding = next(f for f in run_checks(s, JUNE, unit="尚湖镇", today=TODAY) if f.rule == "no_liaison_leader")
    ledger.close()
    assert finding.record.label == "尚湖康养小镇项目"
    assert finding.explained and not finding.blocks
    assert finding.acknowledgement.explanation == "联系领导待县政府常务会议确定"
    assert finding.acknowledgement.by == "尚湖镇·张三"
    assert finding.acknowledgement.at.date() == dt.date.today()  # the day the clerk explained it (today, in this test)
    ledger = open_ledger(county)
    [again] = import_returns(ledger, [workbook], today=TODAY)
    ledger.close()
    assert again.status == "unchanged", again.line  # the same file twice changes nothing the second time


def test_a_return_forced_out_unexplained_stores_no_explanation(tmp_path):
    county = county_file(tmp_path)
    path = tmp_path / "尚湖镇.sqlite"
    ledger = create_from(path, county, own_unit="尚湖镇")
    with ledger.begin() as s:
        signed_project(s, "尚湖康养小镇项目", {6: "10"}, liaison_leader="")
    out = tmp_path / "forced.xlsx"
    with ledger.read() as s:
        forced = [f for f in run_checks(s, JUNE, unit="尚湖镇", today=TODAY) if f.blocks]
        export_return(s, "尚湖镇", JUNE, out, explanations=explanation_rows(forced), today=TODAY)
    ledger.close()
    county_ledger = open_ledger(county)
    [outcome] = import_returns(county_ledger, [out], today=TODAY)
    with county_ledger.read() as s:
        finding = next(f for f in run_checks(s, JUNE, unit="尚湖镇", today=TODAY) if f.rule == "no_liaison_leader")
    county_ledger.close()
    assert outcome.status == "imported"
    assert outcome.preview.explanations == [] and not finding.explained


# --- item 6: starter files ------------------------------------------------------------

def project_funds(ledger) -> dict[str, dict]:
    from zsdesk.store.models import FundRecord, Project

    with ledger.read() as s:
        rows = s.query(Project.code, Project.name, FundRecord.month, FundRecord.amount).join(FundRecord).all()
    result: dict[str, dict] = {}
    for code, name, month, amount in rows:
        result.setdefault((code, name), {})[month] = amount
    return result


def test_a_starter_file_holds_the_county_the_units_the_targets_and_the_units_projects(tmp_path):
    from zsdesk.store import settings as keys
    from zsdesk.store.ledger_setup import create_starters

    county = county_with_projects(tmp_path)
    [path] = create_starters(county, 2026, tmp_path / "out", ["尚湖镇"])
    assert path.name == "尚湖镇-2026年起始台账.sqlite"
    starter, source = open_ledger(path), open_ledger(county)
    with starter.read() as s:
        assert keys.get_setting(s, keys.OWN_UNIT) == "尚湖镇"
        assert keys.county_name(s) == "磐安县"
        assert keys.get_setting(s, keys.TARGETS_FROM).startswith("county.sqlite（")
        assert [u.name for u in s.query(Unit).order_by(Unit.sort_order)] == UNITS
        targets = {(t.unit.name, t.indicator): t.value for t in s.query(Target)}
        assert s.query(CountyTarget).count() == 1
    assert targets == {("尚湖镇", "domestic_funds"): 30_000_000, ("尚湖镇", "signed_projects"): 4}
    ours = {k: v for k, v in project_funds(source).items() if k[1].startswith("尚湖")}
    assert project_funds(starter) == ours and len(ours) == 3  # same codes, names and monthly funds; not 冷水镇's
    starter.close(), source.close()
    with pytest.raises(Exception, match="文件已存在"):
        create_starters(county, 2026, tmp_path / "out", ["尚湖镇"])


def test_the_starter_files_command_and_new_from_with_a_unit(tmp_path, capsys):
    from zsdesk.cli.main import main

    county = county_with_projects(tmp_path)
    assert main(["starter-files", "--db", str(county), "--year", "2026", "--out", str(tmp_path / "all")]) == 0
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(f"{u}-2026年起始台账.sqlite" for u in UNITS)
    assert main(["new", str(tmp_path / "mine.sqlite"), "--from", str(county), "--unit", "尚湖镇"]) == 0
    mine = open_ledger(tmp_path / "mine.sqlite")
    assert len(project_funds(mine)) == 3
    mine.close()
    assert main(["starter-files", "--db", str(county), "--year", "2026", "--out", str(tmp_path / "x"), "--unit", "不存在镇"]) == 2
    assert "没有单位“不存在镇”" in capsys.readouterr().err


# --- item 5: the preview leads with what is cleared ----------------------------------

def test_the_preview_lists_what_is_cleared_by_name_with_money_then_changes_then_new(tmp_path):
    from zsdesk.returns.import_report import clears_anything, report
    from zsdesk.store.ledger_setup import create_starter
    from zsdesk.store.models import Project
    from zsdesk.store.projects import delete_project, set_funds

    county = county_with_projects(tmp_path)
    township = create_starter(tmp_path / "尚湖镇.sqlite", county, "尚湖镇")
    with township.begin() as s:
        ids = {p.name: p.id for p in s.query(Project)}
        delete_project(s, ids["尚湖老茶厂改造项目"])          # the county still holds it, with 50 万元
        set_funds(s, ids["尚湖康养小镇项目"], 2026, 6, Decimal("60.5"), TODAY)   # 50 → 60.5
        set_funds(s, ids["尚湖中药材加工项目"], 2026, 5, None, TODAY)           # 80 cleared
        signed_project(s, "尚湖民宿集群项目", {6: "12"})
    out = tmp_path / "june.xlsx"
    with township.read() as s:
        export_return(s, "尚湖镇", JUNE, out, today=TODAY)
    township.close()
    ledger = open_ledger(county)
    with ledger.read() as s:
        preview = preview_return(s, out, today=TODAY)
    ledger.close()
    sections = report(preview)
    assert [x.key for x in sections] == ["removed", "changed", "new", "notes"]
    removed, changed, new, _ = sections
    assert clears_anything(preview) and removed.warn
    text = "\n".join(removed.lines)
    assert "1个尚湖镇的项目不在此月报中" in text and "共50.00万元将被清除" in text
    assert "“尚湖老茶厂改造项目”" in text and "1–2月，50.00万元" in text
    assert "“尚湖中药材加工项目”：5月，80.00万元" in text
    assert "“冷水高山蔬菜基地”" not in text
    changes = "\n".join(changed.lines)
    assert "“引进内资到位资金”（1至6月）：280.00万元 → 172.50万元" in changes  # 100+60.5+12
    assert "“尚湖康养小镇项目”：6月到位资金 50.00万元 → 60.50万元" in changes
    assert "“签约项目”（1至6月）：3个 → 4个" in changes  # the new one; the one the return lacks still counts
    assert "“新引进大项目”（1至6月）：3个 → 4个" in changes  # 8000 ≥ 5000万元: a major project as well
    assert "“尚湖中药材加工项目”：5月到位资金 80.00万元 → 清除" in changes
    assert new.lines == ["项目“尚湖民宿集群项目”（" + next(p.code for p in preview.new) + "），1至6月到位资金12.00万元",
                         "客商1家"]  # its investor is new to the county too


def test_a_return_that_clears_nothing_does_not_warn(tmp_path):
    from zsdesk.returns.import_report import clears_anything, report
    from zsdesk.store.ledger_setup import create_starter

    county = county_with_projects(tmp_path)
    township = create_starter(tmp_path / "尚湖镇.sqlite", county, "尚湖镇")
    out = tmp_path / "june.xlsx"
    with township.read() as s:
        export_return(s, "尚湖镇", JUNE, out, today=TODAY)
    township.close()
    ledger = open_ledger(county)
    with ledger.read() as s:
        preview = preview_return(s, out, today=TODAY)
    ledger.close()
    assert not clears_anything(preview)
    assert report(preview)[0].lines == ["没有要清除或删除的数据。"] and not report(preview)[0].warn


# --- item 6: targets come from the county; a difference is seen at the county ----------

def test_a_starter_files_targets_are_the_countys_and_refused_for_editing(tmp_path):
    from zsdesk.errors import InputError
    from zsdesk.store.ledger_setup import create_starter
    from zsdesk.store.targets import assigned_by_county, set_target, target_grid

    county = county_file(tmp_path)
    township = create_starter(tmp_path / "尚湖镇.sqlite", county, "尚湖镇")
    with township.read() as s:
        jia = unit_id(s, "尚湖镇")
        assert assigned_by_county(s).startswith("county.sqlite（")
    with pytest.raises(InputError, match="由县招商局下达"):
        with township.begin() as s:
            set_target(s, jia, 2026, Indicator.DOMESTIC_FUNDS, "12000")
    with township.read() as s:
        assert target_grid(s, 2026)[(jia, Indicator.DOMESTIC_FUNDS)] == Decimal(3000)  # unchanged after the refusal
    township.close()


def test_a_newer_breakdown_replaces_a_townships_targets_and_says_where_from(tmp_path):
    from zsdesk.returns.targets import apply_targets, export_targets, preview_targets
    from zsdesk.store import settings as keys
    from zsdesk.store.ledger_setup import create_starter
    from zsdesk.store.targets import set_target, target_grid

    county = county_file(tmp_path)
    township = create_starter(tmp_path / "尚湖镇.sqlite", county, "尚湖镇")
    bureau = open_ledger(county)
    with bureau.begin() as s:
        set_target(s, unit_id(s, "尚湖镇"), 2026, Indicator.DOMESTIC_FUNDS, "3600")
    grid = tmp_path / "2026年度目标任务分解表（调整）.xlsx"
    with bureau.read() as s:
        export_targets(s, 2026, grid)
    bureau.close()
    with township.begin() as s:
        apply_targets(s, preview_targets(s, grid))
    with township.read() as s:
        assert target_grid(s, 2026)[(unit_id(s, "尚湖镇"), Indicator.DOMESTIC_FUNDS)] == Decimal(3600)
        assert keys.get_setting(s, keys.TARGETS_FROM).startswith("2026年度目标任务分解表（调整）.xlsx（")
    township.close()


def test_when_a_townships_targets_differ_the_county_sees_it_at_import_and_in_its_checks(tmp_path):
    from zsdesk.store.targets import set_target

    county = county_file(tmp_path)
    township = create_from(tmp_path / "尚湖镇.sqlite", county, own_unit="尚湖镇")  # an old-style file, its own targets
    with township.begin() as s:
        set_target(s, unit_id(s, "尚湖镇"), 2026, Indicator.DOMESTIC_FUNDS, "12000")
        signed_project(s, "尚湖康养小镇项目", {6: "10"})
    out = tmp_path / "june.xlsx"
    with township.read() as s:
        export_return(s, "尚湖镇", JUNE, out, today=TODAY)
    township.close()
    ledger = open_ledger(county)
    with ledger.read() as s:
        preview = preview_return(s, out, today=TODAY)
    assert preview.target_differences == [(Indicator.DOMESTIC_FUNDS, Decimal(3000), Decimal(12000))]
    assert "引进内资到位资金：月报12,000万元，本台账3,000万元" in preview.findings[0]
    import_returns(ledger, [out], today=TODAY)
    with ledger.read() as s:
        flagged = [f for f in run_checks(s, JUNE, today=TODAY) if f.rule == "reported_targets_differ"]
    ledger.close()
    assert len(flagged) == 1 and flagged[0].record.label == "尚湖镇"
    assert "县里3,000万元，月报12,000万元" in flagged[0].message


def test_the_import_command_names_what_it_cleared(tmp_path, capsys):
    from zsdesk.cli.main import main
    from zsdesk.store.ledger_setup import create_starter
    from zsdesk.store.models import Project
    from zsdesk.store.projects import delete_project

    county = county_with_projects(tmp_path)
    township = create_starter(tmp_path / "尚湖镇.sqlite", county, "尚湖镇")
    with township.begin() as s:
        delete_project(s, next(p.id for p in s.query(Project) if p.name == "尚湖老茶厂改造项目"))
    out = tmp_path / "june.xlsx"
    with township.read() as s:
        export_return(s, "尚湖镇", JUNE, out, today=TODAY)
    township.close()
    assert main(["import-returns", "--db", str(county), str(out)]) == 0
    printed = capsys.readouterr().out
    assert "清除：“尚湖老茶厂改造项目”1月、2月到位资金50.00万元（月报中没有此项目）" in printed
