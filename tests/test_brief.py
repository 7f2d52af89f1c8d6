"""The brief (简报): the demo county's figures worked out here with plain SQL on the file,
compared with what the brief writes; its form compared with the bureau's review."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from zsdesk.cli.main import main
from zsdesk.domain.brief import join_names, months_phrase, target_yi
from zsdesk.domain.periods import YearMonth
from zsdesk.store.brief_query import write_brief
from zsdesk.store.db import open_ledger

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"
SEED = next(SEED_DIR.glob("*.txt"), None) if SEED_DIR.is_dir() else None
FIRST, LAST = "2026-01-01", "2026-06-30"


class Raw:
    """Independent figures: sqlite3 on the file, none of zsdesk's queries."""

    def __init__(self, path):
        self.db = sqlite3.connect(path)

    def one(self, sql, *args):
        return self.db.execute(sql, args).fetchone()[0]

    def funds(self, where: str, unit: str | None = None) -> int:
        sql = (
            "SELECT coalesce(sum(f.amount), 0) FROM fund_records f JOIN projects p ON p.id = f.project_id "
            f"JOIN units u ON u.id = p.unit_id WHERE f.year = 2026 AND f.month <= 6 AND {where}"
        )
        if unit:
            return self.one(sql + " AND u.name = ?", unit)
        return self.one(sql)

    def county_target(self, indicator) -> int:
        return self.one("SELECT value FROM county_targets WHERE year = 2026 AND indicator = ?", indicator)

    def unit_targets(self, indicator) -> dict[str, int]:
        return dict(self.db.execute(
            "SELECT u.name, t.value FROM targets t JOIN units u ON u.id = t.unit_id WHERE t.year = 2026 AND t.indicator = ?",
            (indicator,)))

    def close(self):
        self.db.close()


def yi(yuan: int) -> str:
    return str((Decimal(yuan) / 100_000_000).quantize(Decimal("0.01"), ROUND_HALF_UP))


def pct(actual, target) -> str:
    rate = (Decimal(actual) / Decimal(target)).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    return f"{(rate * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


@pytest.fixture
def raw(demo_path):
    r = Raw(demo_path)
    yield r
    r.close()


@pytest.fixture
def brief_text(demo_ledger, period):
    with demo_ledger.read() as s:
        return write_brief(s, period).text()


def test_main_figures_match_plain_sql(raw, brief_text):
    domestic = raw.funds("p.foreign_capital = 0")
    zj = raw.funds("p.zhejiang_return = 1 AND p.declared = 1")
    ms = raw.funds("p.mountain_sea = 1")
    for label, actual, indicator in [
        ("全县共引进内资", domestic, "domestic_funds"),
        ("“浙商回归”到位资金", zj, "zhejiang_return_funds"),
        ("“山海协作”项目实际到位资金", ms, "mountain_sea_funds"),
    ]:
        target = raw.county_target(indicator)
        target_text = format(Decimal(target) / 100_000_000, "f").rstrip("0").rstrip(".")
        expected = f"{label}{yi(actual)}亿元，完成年度目标任务{target_text}亿元的{pct(actual, target)}"
        assert expected in brief_text

    threshold = Decimal(raw.one("SELECT value FROM settings WHERE key = 'major_threshold_wan'"))
    major = raw.one(
        "SELECT count(*) FROM projects WHERE signed_on BETWEEN ? AND ? AND carried_over = 0 AND planned_investment >= ?",
        FIRST, LAST, int(threshold * 10_000))
    assert f"新引进投资规模{threshold.normalize():f}万元以上企业{major}家" in brief_text

    film = raw.one("SELECT count(*) FROM investors WHERE industry = '文化影视' AND registered_on BETWEEN ? AND ?", FIRST, LAST)
    film_made = raw.one(
        "SELECT count(*) FROM investors WHERE industry = '文化影视' AND film_production = 1 AND registered_on BETWEEN ? AND ?",
        FIRST, LAST)
    assert f"新引进影视文化企业{film}家（其中影视制作{film_made}家）" in brief_text

    planned = raw.one("SELECT count(*) FROM projects WHERE planned_on BETWEEN ? AND ?", FIRST, LAST)
    planned_target = raw.county_target("planned_projects")
    assert f"报送谋划项目{planned}个，完成年度目标任务{planned_target}个的{pct(planned, planned_target)}" in brief_text


def test_visits_and_signed_projects_match_plain_sql(raw, brief_text):
    firms, batches, heads = raw.db.execute(
        "SELECT count(DISTINCT investor_id), sum(batches), sum(headcount) FROM visits WHERE date BETWEEN ? AND ?",
        (FIRST, LAST)).fetchone()
    assert f"前来我县考察对接的企业{firms}家、{batches}批、{heads}人次" in brief_text
    notable = [n for (n,) in raw.db.execute(
        "SELECT DISTINCT i.name FROM investors i JOIN visits v ON v.investor_id = i.id "
        "WHERE i.notable = 1 AND v.date BETWEEN ? AND ?", (FIRST, LAST))]
    assert notable
    listed = re.search(r"包括(.+?)等知名企业", brief_text).group(1).split("、")
    assert sorted(listed) == sorted(notable)

    signed = raw.db.execute(
        "SELECT name FROM projects WHERE signed_on BETWEEN ? AND ? ORDER BY planned_investment DESC, id", (FIRST, LAST)
    ).fetchall()
    names = [n for (n,) in signed[:3]]
    assert f"签约了{names[0]}、{names[1]}和{names[2]}等{len(signed)}个项目" in brief_text


def test_imbalance_matches_plain_sql(raw, brief_text):
    targets = raw.unit_targets("zhejiang_return_funds")
    actual = {unit: raw.funds("p.zhejiang_return = 1 AND p.declared = 1", unit) for unit in targets}
    with_target = [u for u in targets if targets[u] > 0]
    done = [u for u in with_target if actual[u] >= targets[u]]
    nothing = [u for u in with_target if actual[u] == 0]
    half = Decimal(1) / 2
    behind = sorted(
        (u for u in with_target if 0 < actual[u] and Decimal(actual[u]) / targets[u] < half),
        key=lambda u: Decimal(actual[u]) / targets[u],
    )
    paragraph = brief_text.split("（二）工作进展不平衡。")[1]
    assert f"今年有浙商回归考核任务的{len(with_target)}家单位" in paragraph
    order = {name: i for i, (name,) in enumerate(raw.db.execute("SELECT name FROM units ORDER BY sort_order, id"))}
    assert f"{'、'.join(sorted(done, key=order.get))}已完成了年度目标任务" in paragraph
    for unit in behind[:2]:
        assert f"{unit}仅完成了{pct(actual[unit], targets[unit])}" in paragraph
    assert nothing == ["冷水镇"]
    assert "冷水镇还无实绩" in paragraph
    undeclared = raw.db.execute(
        "SELECT u.name, p.name FROM projects p JOIN units u ON u.id = p.unit_id WHERE p.zhejiang_return = 1 "
        "AND p.declared = 0 AND p.construction_on <= ?", (LAST,)).fetchall()
    assert undeclared
    for unit, name in undeclared:
        assert f"{unit}的{name}虽已动工在建，但至今没有申报" in paragraph


def wan_text(yuan) -> str:
    text = format(Decimal(yuan) / 10_000, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def test_practices_and_declarations_match_plain_sql(raw, brief_text):
    counts = dict(raw.db.execute(
        "SELECT kind, count(*) FROM events WHERE date BETWEEN ? AND ? GROUP BY kind", (FIRST, LAST)))
    total = sum(counts.values())
    kinds = "、".join(f"{label}{counts[kind]}次" for kind, label in
                     [("promotion", "推介会"), ("negotiation", "洽谈会"), ("stationed", "蹲点招商")] if counts.get(kind))
    assert f"1-6月共开展招商活动{total}次（{kinds}）" in brief_text
    name, firms, reps, intention = raw.db.execute(
        "SELECT name, firms, representatives, intention_projects FROM events WHERE date BETWEEN ? AND ? "
        "AND kind IN ('negotiation', 'promotion') ORDER BY firms DESC, representatives DESC, date, id LIMIT 1",
        (FIRST, LAST)).fetchone()
    assert f"“{name}”有{firms}家企业的{reps}名代表参加，达成意向项目{intention}个" in brief_text

    def standing(stage, later):
        return raw.one(
            f"SELECT count(*) FROM projects WHERE {stage} <= ? AND ({later} IS NULL OR {later} > ?) "
            "AND (suspended_on IS NULL OR suspended_on > ?) AND (terminated_on IS NULL OR terminated_on > ?)",
            LAST, LAST, LAST, LAST)

    talks, building = standing("negotiating_on", "signed_on"), standing("construction_on", "operation_on")
    assert f"截至6月底，有一定意向的在谈项目{talks}个，已经落地的在建项目{building}个" in brief_text

    count, amount, retained, carried = raw.db.execute(
        "SELECT count(*), coalesce(sum(declared_amount), 0), coalesce(sum(retained_amount), 0), sum(carried_over) "
        "FROM projects WHERE zhejiang_return = 1 AND declared = 1 AND declared_on BETWEEN ? AND ?", (FIRST, LAST)).fetchone()
    assert count > 0
    assert (f"今年向省市申报的“浙商回归”项目{count}个、{wan_text(amount)}万元（扣除去年留存的{wan_text(retained)}万元，"
            f"实际到位{wan_text(amount - retained)}万元），其中结转项目{carried}个") in brief_text
    new, with_capital, capital = raw.db.execute(
        "SELECT count(*), count(registered_capital), coalesce(sum(registered_capital), 0) FROM projects "
        "WHERE signed_on BETWEEN ? AND ? AND carried_over = 0", (FIRST, LAST)).fetchone()
    assert (f"今年新引进的{new}个项目中，申报注册资金的{with_capital}个、{wan_text(capital)}万元，"
            f"占新引进项目的{pct(with_capital, new)}") in brief_text


def test_brief_equals_the_progress_table(demo_path, brief_text, capsys):
    assert main(["progress", "--db", str(demo_path), "--month", "2026-06", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    county = {r["indicator"]: r for r in rows if r["unit"] is None}
    for indicator in ("domestic_funds", "zhejiang_return_funds", "mountain_sea_funds"):
        actual = Decimal(county[indicator]["actual"])
        rate = Decimal(county[indicator]["rate"])
        assert f"{yi(int(actual * 10_000))}亿元" in brief_text
        assert f"{(rate * 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}%" in brief_text
    assert f"签约了" in brief_text and f"等{county['signed_projects']['actual']}个项目" in brief_text


def test_brief_reads_like_the_review(brief_text):
    """The phrases of the review's numbered paragraphs, in the review's order."""
    phrases = [
        "一、上半年工作情况", "（一）主要数据。", "据统计，1-6月，", "全县共引进内资", "亿元，完成年度目标任务",
        "“浙商回归”到位资金", "“山海协作”项目实际到位资金", "新引进投资规模", "万元以上企业", "新引进影视文化企业",
        "其中影视制作", "报送谋划项目", "前来我县考察对接的", "签约了", "（二）主要做法。", "家企业的", "名代表参加",
        "达成意向项目", "有一定意向的在谈项目", "已经落地的在建项目", "二、存在的问题",
        "今年向省市申报的“浙商回归”项目", "扣除去年留存的", "万元，实际到位", "今年新引进的", "申报注册资金的",
        "（二）工作进展不平衡。", "今年有浙商回归考核任务的",
        "已完成了年度目标任务", "仅完成了", "还无实绩", "虽已动工在建，但至今没有申报",
    ]
    positions = [brief_text.find(p) for p in phrases]
    assert -1 not in positions, [p for p, i in zip(phrases, positions) if i == -1]
    assert positions == sorted(positions)
    # numbers as the review writes them
    assert re.search(r"引进内资\d+\.\d{2}亿元", brief_text)
    assert re.search(r"的\d+\.\d{2}%", brief_text)
    assert "x" not in brief_text and "None" not in brief_text and "—" not in brief_text


@pytest.mark.skipif(SEED is None, reason="the seed review is not beside this checkout")
def test_the_seed_has_the_same_phrases():
    """Guards the phrase list above against drifting from the bureau's own text."""
    seed = SEED.read_text(encoding="utf-8").replace(",", "，").replace(";", "；").replace("(", "（").replace(")", "）")
    for phrase in ["上半年工作情况", "主要做法", "存在的问题", "家企业的", "名代表参加", "达成意向项目", "在谈项目",
                   "今年向省市申报的“浙商回归”项目", "扣除去年留存的", "万元，实际到位", "今年新引进的", "申报注册资金的",
                   "全县共引进内资", "“浙商回归”到位资金", "“山海协作”项目实际到位资金", "新引进影视文化企业",
                   "报送谋划项目", "签约了", "工作进展不平衡", "已完成了年度目标任务", "仅完成了", "还无实绩",
                   "虽已动工在建，但至今没有申报"]:
        assert phrase in seed, phrase


def test_unit_brief(demo_ledger, period):
    with demo_ledger.read() as s:
        text = write_brief(s, period, unit="冷水镇").text()
    assert text.startswith("冷水镇招商引资工作简报（2026年1-6月）")
    assert "冷水镇共引进内资" in text and "前来冷水镇考察对接" in text
    assert "（二）工作进展。" in text and "浙商回归完成率0.00%（无实绩）" in text


def test_words():
    assert months_phrase(YearMonth(2026, 1)) == "1月" and months_phrase(YearMonth(2026, 6)) == "1-6月"
    assert join_names(["A"]) == "A" and join_names(["A", "B", "C"]) == "A、B和C"
    assert target_yi(Decimal("150000")) == "15" and target_yi(Decimal("3500")) == "0.35"


# ---------------------------------------------------------------- bad input


def test_a_month_with_no_data(ledger, capsys):
    ledger.close()
    assert main(["brief", "--db", ledger.location, "--month", "2026-06"]) == 1
    out = capsys.readouterr().out
    assert "台账中没有2026年1-6月的招商数据" in out and "无法生成简报" in out
    assert "0.00亿元" not in out


def test_a_file_with_no_targets(ledger, capsys):
    from zsdesk.store.models import FundRecord, Project, Unit

    with ledger.begin() as s:
        uid = s.query(Unit.id).filter(Unit.name == "甲镇").scalar()
        p = Project(code="XM-T0000-00001", name="花溪民宿集群项目", unit_id=uid, stage="signed",
                    signed_on=dt.date(2026, 3, 2), planned_investment=Decimal(800))
        s.add(p)
        s.flush()
        s.add(FundRecord(project_id=p.id, year=2026, month=4, amount=Decimal("1234.5")))
    ledger.close()
    assert main(["brief", "--db", ledger.location, "--month", "2026-06"]) == 0
    out = capsys.readouterr().out
    assert "全县共引进内资0.12亿元（未下达年度目标任务）" in out
    assert "签约了花溪民宿集群项目" in out
    assert "台账中没有2026年的目标任务，无法比较各单位的完成进度。" in out


def test_an_unknown_unit(demo_path, capsys):
    assert main(["brief", "--db", str(demo_path), "--month", "2026-06", "--unit", "火星镇"]) == 2
    err = capsys.readouterr().err
    assert "未知的单位“火星镇”" in err and len(err.strip().splitlines()) == 1


def test_save_as_text(demo_path, tmp_path, capsys):
    out = tmp_path / "简报.txt"
    assert main(["brief", "--db", str(demo_path), "--month", "2026-06", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert data.decode("utf-8-sig").replace("\r\n", "\n") == printed
