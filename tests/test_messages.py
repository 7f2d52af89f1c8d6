"""Issue 14 items 7-9: messages never carry raw bytes; a file named like an option;
openpyxl parses through defusedxml."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from returns_support import TODAY, dump
from zsdesk.domain.periods import YearMonth
from zsdesk.domain.quoting import one_line, quote
from zsdesk.returns import export_return
from zsdesk.store.ledger_setup import create_ledger

ROOT = Path(__file__).resolve().parent.parent
NASTY_UNIT = "恶意\n镇\x1b]0;owned\x07\x1b[2J\u202e\x9b2J"


def _zsdesk(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zsdesk.cli.main", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_quote_escapes_and_shortens():
    assert quote("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert quote("\x1b]0;x\x07") == "\\e]0;x\\x07"
    assert quote("\u202eevil") == "\\u202eevil"
    assert quote("长" * 50) == "长" * 40 + "…"
    assert quote("长" * 40) == "长" * 40
    assert quote(None) == ""
    assert one_line("第一行\n第二行\x85") == "第一行\\n第二行\\x85"


@pytest.mark.parametrize("crafted", [False, True], ids=["as-exported", "crafted-hidden-sheet"])
def test_a_refusal_quoting_a_unit_name_is_one_safe_line(tmp_path, monkeypatch, crafted):
    """As exported, the cell writer already made ESC a visible U+FFFD; a crafted hidden
    sheet (its escapes written by hand, the digest recomputed: it is no signature)
    delivers them escaped; the reader makes ESC and BEL U+FFFD as well. What XML can
    carry — a line break, C1 controls (CSI \\x9b), a bidi override — reaches the
    importer's message, which must escape it."""
    township = create_ledger(tmp_path / "township.sqlite", "测试县", [NASTY_UNIT, "乙乡"])
    if crafted:
        from zsdesk.returns import machine

        monkeypatch.setattr(machine, "cell_text", lambda text: text)
    with township.read() as session:
        path = export_return(session, NASTY_UNIT.strip(), YearMonth(2026, 6), tmp_path / "return.xlsx", today=TODAY).path
    monkeypatch.undo()
    township.close()
    county = tmp_path / "county.sqlite"
    create_ledger(county, "测试县", ["甲镇", "乙乡"]).close()
    before = dump(county)
    done = _zsdesk("import-returns", "--db", str(county), str(path))
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output and "\x9b" not in output
    refused = [line for line in done.stdout.splitlines() if "已拒绝" in line]
    assert len(refused) == 1
    assert "填报单位“恶意\\n镇\ufffd]0;owned\ufffd\ufffd[2J\\u202e\\x9b2J”不是本台账的单位" in refused[0]
    assert dump(county) == before


def test_a_file_name_with_a_line_break_stays_on_one_line(tmp_path):
    county = tmp_path / "county.sqlite"
    create_ledger(county, "测试县", ["甲镇"]).close()
    bad = tmp_path / "月报\n2026\x1b[31m.xlsx"
    bad.write_bytes(b"not a workbook")
    done = _zsdesk("import-returns", "--db", str(county), str(bad))
    assert done.returncode == 1
    assert "\x1b" not in done.stdout
    [line] = [x for x in done.stdout.splitlines() if "已拒绝" in x]
    assert "月报\\n2026\\e[31m.xlsx" in line


def test_a_file_name_starting_with_a_dash_gets_a_hint(tmp_path):
    county = tmp_path / "county.sqlite"
    create_ledger(county, "测试县", ["甲镇"]).close()
    (tmp_path / "-x.xlsx").write_bytes(b"")
    done = _zsdesk("import-returns", "--db", str(county), "-x.xlsx", cwd=tmp_path)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("参数错误：")
    assert "“-x.xlsx”以“-”开头" in line
    assert "-- -x.xlsx" in line and "./-x.xlsx" in line
    # and the hint works: after "--" the file is read as a file (and refused as empty)
    done = _zsdesk("import-returns", "--db", str(county), "--", "-x.xlsx", cwd=tmp_path)
    assert done.returncode == 1
    assert "文件是空的" in done.stdout


def test_openpyxl_parses_with_defusedxml():
    """Not expat's own limits but defusedxml refuses entities: a dependency, and in use.
    (Where lxml is installed — python-docx brings it — openpyxl parses the workbook's
    small parts with lxml, entities unresolved; the sheets and shared strings are still
    streamed through defusedxml, and zsdesk refuses any DOCTYPE before parsing.)"""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert any(d.startswith("defusedxml") for d in deps)
    import openpyxl.reader.strings
    import openpyxl.worksheet._reader
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.reader.strings.iterparse.__module__.startswith("defusedxml")
    assert openpyxl.worksheet._reader.iterparse.__module__.startswith("defusedxml")
    from io import BytesIO

    from defusedxml import EntitiesForbidden

    with pytest.raises(EntitiesForbidden):
        list(openpyxl.reader.strings.iterparse(BytesIO(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')))


def test_a_doctype_is_refused_before_any_parser_sees_it(tmp_path):
    from hostile_corpus import rewrite
    from zsdesk.returns.problems import RefusedFile
    from zsdesk.returns.xlsx import check_workbook_file

    county = tmp_path / "county.sqlite"
    create_ledger(county, "测试县", ["甲镇"]).close()
    from zsdesk.store.db import open_ledger

    ledger = open_ledger(county)
    with ledger.read() as session:
        good = export_return(session, "甲镇", YearMonth(2026, 6), tmp_path / "good.xlsx", today=TODAY).path
    ledger.close()
    check_workbook_file(good)
    bad = rewrite(good, tmp_path / "doctype.xlsx",
                  {"docProps/app.xml": lambda data: [b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">'
                                                     + data.split(b"?>", 1)[-1]]})
    with pytest.raises(RefusedFile, match="XML实体或文档类型声明"):
        check_workbook_file(bad)
