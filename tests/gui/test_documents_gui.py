"""工具 → 月度通报 and 简报's 另存为Word, driven from an empty ledger with keys and clicks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import docx
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QMenu
from sqlalchemy import select

from zsdesk.domain.enums import Indicator, Stage
from zsdesk.domain.records import ProjectData
from zsdesk.store import projects as proj
from zsdesk.store.models import Unit
from zsdesk.store.targets import set_target
from zsdesk.ui import document_dialog


def enter_year(session) -> None:
    """What the bureau keys in over the half year: targets, two projects with funds."""
    ids = dict(session.execute(select(Unit.name, Unit.id)).all())
    for unit, target in [("甲镇", "1000"), ("乙乡", "2000"), (None, "4000")]:
        set_target(session, ids[unit] if unit else None, 2026, Indicator.DOMESTIC_FUNDS, target)
    for unit, name, funds in [("甲镇", "云山康养项目", {(2026, 2): Decimal("1200.5")}),
                              ("乙乡", "花溪蔬菜基地", {(2026, 3): Decimal("600")})]:
        data = ProjectData(name=name, unit_id=ids[unit], stage=Stage.SIGNED,
                           dates={Stage.PLANNED: dt.date(2026, 1, 5), Stage.SIGNED: dt.date(2026, 2, 1)},
                           planned_investment=Decimal("6000"), funds=funds)
        proj.save_project(session, None, data, dt.date(2026, 6, 30))


def choose_from_tools_menu(qtbot, window, key) -> None:
    """A click on 工具 opens the menu, the mnemonic letter picks the entry."""
    window.show()
    qtbot.waitExposed(window)
    bar = window.menuBar()
    spot = bar.actionGeometry(window.menu("tools").menuAction()).center()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=spot)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    assert menu is window.menu("tools")
    qtbot.keyClicks(menu, key)


@pytest.fixture
def save_to(monkeypatch):
    """Answer the 另存为 dialog with ``target[0]`` (a clerk typing a name and pressing 保存)."""
    target = [None]
    monkeypatch.setattr(
        document_dialog.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target[0]), ""))
    )
    return target


def test_bulletin_from_an_empty_ledger(empty_window, qtbot, tmp_path, save_to):
    window = empty_window
    choose_from_tools_menu(qtbot, window, "r")
    qtbot.waitUntil(lambda: getattr(window, "bulletin_dialog", None) is not None)
    dialog = window.bulletin_dialog
    year = dialog.period().year
    assert dialog.text.toPlainText().startswith(f"台账中没有{year}年的目标任务，无法生成通报")
    assert not dialog.save_button.isEnabled()

    window.context.write(enter_year)  # the data arrive; the dialog follows them
    dialog.month_combo.setCurrentIndex(dialog.month_combo.findData("2026-06"))
    dialog.date_edit.setDate(QDate(2026, 7, 1))
    preview = dialog.text.toPlainText()
    assert preview.splitlines()[0].strip() == "全县招商引资工作通报（2026年第6期）"
    assert "全县引进内资到位资金0.18亿元，完成年度目标任务0.40亿元的45.01%，慢于序时进度4.99个百分点" in preview
    assert "排名前三位的是甲镇（120.05%）、乙乡（30.00%）" in preview
    assert preview.rstrip().endswith("测试县招商局\n" + "2026年7月1日".rjust(30, "　"))
    assert dialog.save_button.isEnabled()

    qtbot.mouseClick(dialog.chart_box, Qt.MouseButton.LeftButton)
    assert dialog.chart_box.isChecked()
    save_to[0] = tmp_path / "六月通报"  # no suffix typed: .docx is added
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = tmp_path / "六月通报.docx"
    assert saved.is_file() and dialog.status.text() == f"已保存：{saved}"
    document = docx.Document(saved)
    assert document.paragraphs[0].text == "全县招商引资工作通报（2026年第6期）"
    assert len(document.inline_shapes) == 1  # the ranking chart, as asked
    assert [c.text for c in document.tables[0].rows[1].cells][:3] == ["1", "甲镇", "1,000.00"]

    save_to[0] = tmp_path / "没有的文件夹" / "通报.docx"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    box = window.last_message_box
    assert box is not None and "无法保存Word文件（文件夹不存在）" in box.text()
    assert not (tmp_path / "没有的文件夹").exists()
    box.close()

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.bulletin_dialog is None)


def test_brief_window_saves_the_review_as_word(empty_window, qtbot, tmp_path, save_to):
    window = empty_window
    window.context.write(enter_year)
    choose_from_tools_menu(qtbot, window, "b")
    qtbot.waitUntil(lambda: getattr(window, "brief_window", None) is not None)
    brief = window.brief_window
    brief.set_scope(None, "2026-06")
    assert brief.word_button.isEnabled()
    save_to[0] = tmp_path / "回顾.docx"
    qtbot.mouseClick(brief.word_button, Qt.MouseButton.LeftButton)
    assert brief.status.text() == f"已保存：{tmp_path / '回顾.docx'}"
    texts = [p.text for p in docx.Document(tmp_path / "回顾.docx").paragraphs]
    assert texts[0] == "测试县招商局上半年招商引资工作回顾\n及下半年工作思路"
    assert any(t.startswith("据统计，1-6月，全县共引进内资0.18亿元，完成年度目标任务0.4亿元的45.01%") for t in texts)
