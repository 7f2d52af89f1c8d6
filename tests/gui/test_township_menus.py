"""A township's own file shows the township's menus; the county's file shows the bureau's.

Starts from new, empty files (a county's and a township's, as 新建台账 makes them), opens
the 文件 and 工具 menus by clicking their titles as a clerk does, and reads what the open menu shows.
"""

from __future__ import annotations

import pytest

from driving import shown_items
from zsdesk.store.ledger_setup import create_ledger

UNITS = ["甲镇", "乙乡", "丙街道"]
BUREAU_ITEMS = {"生成各单位起始台账…", "导入月报(&I)…", "导出汇总表…", "导出年度目标任务分解表…", "月度通报(&R)…"}
TOWNSHIP_ITEMS = {"导出月报(&M)…", "导入年度目标任务分解表…", "打开台账(&O)…", "审核(&C)"}


@pytest.mark.parametrize("own_unit", ["", "甲镇"])
def test_the_menus_follow_whose_file_it_is(qtbot, window_on, tmp_path, own_unit):
    path = tmp_path / "台账.sqlite"
    create_ledger(path, "测试县", UNITS, own_unit=own_unit or None).close()
    window = window_on(path)
    items = shown_items(qtbot, window, "file") | shown_items(qtbot, window, "tools")
    assert TOWNSHIP_ITEMS <= items, items  # what a township does is there in both
    if own_unit:
        assert not (BUREAU_ITEMS & items), items
    else:
        assert BUREAU_ITEMS <= items, items


def test_a_file_given_an_owner_in_its_settings_hides_the_bureaus_items(qtbot, window_on, tmp_path):
    from zsdesk.store import settings as keys

    path = tmp_path / "台账.sqlite"
    create_ledger(path, "测试县", UNITS).close()
    window = window_on(path)
    assert "生成各单位起始台账…" in shown_items(qtbot, window, "file")
    window.context.write(lambda session: keys.set_setting(session, keys.OWN_UNIT, "乙乡"))
    window.refresh()
    assert "生成各单位起始台账…" not in shown_items(qtbot, window, "file")
