"""The month's cycle between the bureau and a township, without the window: starter files,
explanations carried by the return, the import preview's data, targets that differ."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from zsdesk.domain.enums import Indicator, Stage
from zsdesk.domain.periods import YearMonth
from zsdesk.domain.records import ProjectData
from zsdesk.returns.export import export_return
from zsdesk.returns.importer import import_returns, preview_return
from zsdesk.store.checks_query import acknowledge, explanations_for, run_checks
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_from, create_ledger
from zsdesk.store.models import CountyTarget, Target, Unit, target_to_base
from zsdesk.store.projects import save_project

TODAY = dt.date(2026, 11, 27)
JUNE = YearMonth(2026, 6)
UNITS = ["尚湖镇", "冷水镇", "安文街道"]


def unit_id(session, name: str) -> int:
    return session.query(Unit.id).filter(Unit.name == name).scalar()


def county_file(tmp_path: Path) -> Path:
    """The bureau's file: three units, 尚湖镇's targets and the county's."""
    path = tmp_path / "county.sqlite"
    ledger = create_ledger(path, "磐安县", UNITS)
    with ledger.begin() as s:
        s.add(Target(unit_id=unit_id(s, "尚湖镇"), year=2026, indicator="domestic_funds",
                     value=target_to_base(Indicator.DOMESTIC_FUNDS, Decimal(3000))))
        s.add(Target(unit_id=unit_id(s, "尚湖镇"), year=2026, indicator="signed_projects", value=4))
        s.add(CountyTarget(year=2026, indicator="domestic_funds", value=target_to_base(Indicator.DOMESTIC_FUNDS, Decimal(20000))))
    ledger.close()
    return path


def signed_project(session, name: str, funds: dict[int, str], **extra) -> int:
    data = ProjectData(
        name=name,
        unit_id=unit_id(session, "尚湖镇"),
        stage=Stage.SIGNED,
        dates={Stage.NEGOTIATING: dt.date(2026, 2, 1), Stage.SIGNED: dt.date(2026, 3, 15)},
        industry="健康",
        planned_investment=Decimal(8000),
        new_investor_name=f"{name}投资方",
        liaison_leader=extra.pop("liaison_leader", "县长"),
        responsible_unit="尚湖镇人民政府",
        funds={(2026, m): Decimal(v) for m, v in funds.items()},
        **extra,
    )
    return save_project(session, None, data, TODAY).id


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


def resaved_by_libreoffice(path: Path, tmp_path: Path) -> Path:
    """The same workbook opened and saved by LibreOffice Calc (headless)."""
    out_dir = tmp_path / "lo"
    out_dir.mkdir(exist_ok=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    return out_dir / path.name


# --- item 7: the township's explanations reach the county ------------------------------

@pytest.mark.parametrize("libreoffice", [False, True], ids=["as-exported", "saved-by-libreoffice"])
def test_the_townships_explanation_arrives_with_the_return(tmp_path, libreoffice):
    if libreoffice and shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    county = county_file(tmp_path)
    workbook = township_return(tmp_path, county)
    if libreoffice:
        workbook = resaved_by_libreoffice(workbook, tmp_path)
    ledger = open_ledger(county)
    with ledger.read() as s:
        before = [f for f in run_checks(s, JUNE, unit="尚湖镇", today=TODAY)]
        preview = preview_return(s, workbook, today=TODAY)
    assert not preview.refused, preview.refusal
    assert [e.explanation for e in preview.explanations] == ["联系领导待县政府常务会议确定"]
    assert any("审核说明1条" in line for line in preview.findings)
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
    assert finding.acknowledgement.by == "尚湖镇（张三）"
    assert finding.acknowledgement.at.date() == dt.date.today()  # the day the clerk explained it (today, in this test)


def test_a_return_forced_out_unexplained_stores_no_explanation(tmp_path):
    county = county_file(tmp_path)
    path = tmp_path / "尚湖镇.sqlite"
    ledger = create_from(path, county, own_unit="尚湖镇")
    with ledger.begin() as s:
        signed_project(s, "尚湖康养小镇项目", {6: "10"}, liaison_leader="")
    out = tmp_path / "forced.xlsx"
    with ledger.read() as s:
        forced = [f for f in run_checks(s, JUNE, unit="尚湖镇", today=TODAY) if f.blocks]
        export_return(s, "尚湖镇", JUNE, out, explanations=__import__("zsdesk.domain.checks", fromlist=["x"]).explanation_rows(forced), today=TODAY)
    ledger.close()
    county_ledger = open_ledger(county)
    [outcome] = import_returns(county_ledger, [out], today=TODAY)
    with county_ledger.read() as s:
        finding = next(f for f in run_checks(s, JUNE, unit="尚湖镇", today=TODAY) if f.rule == "no_liaison_leader")
    county_ledger.close()
    assert outcome.status == "imported"
    assert outcome.preview.explanations == [] and not finding.explained
