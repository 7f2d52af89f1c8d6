"""`zsdesk chart`: valid PNG, PDF and SVG files, and every refusal in Chinese with 1 or 2."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from zsdesk.cli.main import main
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[1]


def zsdesk(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "zsdesk", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def pdf_pages(path: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    data = path.read_bytes()
    return data.count(b"/Type /Page\n") + data.count(b"/Type /Page ")


def test_chart_writes_png_a4_landscape(demo_path, tmp_path):
    out = tmp_path / "排名.png"
    result = zsdesk("chart", "--db", demo_path, "--month", "2026-06", "--kind", "ranking", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "已保存单位排名图" in result.stdout and "磐安县 引进内资到位资金 完成率排名（截至2026年6月）" in result.stdout
    width, height = png_size(out.read_bytes())
    assert (width, height) == (1753, 1240)  # A4 landscape at 150 dpi
    assert out.stat().st_size > 50_000  # a real drawing, not an empty page


def test_chart_writes_pdf_with_vector_text(demo_path, tmp_path):
    out = tmp_path / "trend.pdf"
    assert main(["chart", "--db", str(demo_path), "--month", "2026-06", "--kind", "trend",
                 "--indicator", "浙商回归到位资金", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert pdf_pages(out) == 1
    assert b"NotoSansSCGBK" in data  # the bundled font is embedded: text, not pixels
    assert b"/Subtype /Image" not in data
    require_tool("pdftotext")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "浙商回归到位资金" in text and "磐安县" in text


def test_chart_writes_svg_that_parses(demo_path, tmp_path):
    out = tmp_path / "card.svg"
    assert main(["chart", "--db", str(demo_path), "--month", "2026-06", "--unit", "安文街道", "--out", str(out)]) == 0
    root = ET.parse(out).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "841.68pt" and root.get("height") == "595.44pt"  # A4 landscape
    assert root.findtext("{http://www.w3.org/2000/svg}title") == "安文街道 招商引资目标任务完成情况（截至2026年6月）"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 50


@pytest.mark.parametrize("by", ["unit", "industry"])
def test_pipeline_chart(demo_path, tmp_path, by):
    out = tmp_path / f"pipeline-{by}.png"
    assert main(["chart", "--db", str(demo_path), "--month", "2026-06", "--kind", "pipeline", "--by", by,
                 "--out", str(out)]) == 0
    assert png_size(out.read_bytes()) == (1753, 1240)


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["--indicator", "gdp"], 2, "未知的指标“gdp”"),
        (["--unit", "火星镇"], 2, "未知的单位“火星镇”"),
        (["--kind", "pie"], 2, "未知的图表类型“pie”"),
        (["--kind", "card"], 2, "单位卡片需要指定单位"),
        (["--month", "2025-06"], 1, "没有2025年的目标任务"),
        (["--month", "2026-13"], 2, "月份必须在1到12之间"),
    ],
)
def test_chart_refusals(demo_path, tmp_path, capsys, args, status, message):
    argv = ["chart", "--db", str(demo_path), "--month", "2026-06", "--out", str(tmp_path / "x.png")] + args
    assert main(argv) == status
    err = capsys.readouterr().err
    assert err.startswith("错误：") and message in err
    assert not (tmp_path / "x.png").exists()


def test_zero_target_unit_exits_1(demo_path, tmp_path, capsys):
    import sqlite3

    with sqlite3.connect(demo_path) as raw:
        raw.execute("UPDATE targets SET value = 0 WHERE unit_id = (SELECT id FROM units WHERE name = '大盘镇')")
    raw.close()
    out = tmp_path / "x.png"
    assert main(["chart", "--db", str(demo_path), "--month", "2026-06", "--kind", "trend", "--unit", "大盘镇",
                 "--out", str(out)]) == 1
    assert "大盘镇2026年“引进内资到位资金”的目标任务为0" in capsys.readouterr().err
    assert main(["chart", "--db", str(demo_path), "--month", "2026-06", "--unit", "大盘镇", "--out", str(out)]) == 1
    assert "目标任务均为0" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("name", ["missing/x.png", "x.docx", "folder.pdf"])
def test_unwritable_output_exits_2(demo_path, tmp_path, name):
    (tmp_path / "folder.pdf").mkdir()
    result = zsdesk("chart", "--db", demo_path, "--month", "2026-06", "--out", tmp_path / name)
    assert result.returncode == 2
    assert result.stderr.startswith("错误：") and "Traceback" not in result.stderr
    assert any(words in result.stderr for words in ("输出文件夹不存在", "不支持的输出格式", "是一个文件夹"))


def test_help_is_bilingual():
    result = zsdesk("chart", "--help")
    assert result.returncode == 0
    for words in ("ranking", "各单位完成率排名", "units ranked by completion rate", "--indicator", "--out"):
        assert words in result.stdout
