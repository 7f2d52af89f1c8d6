"""Each item of a menu has its own access key: Alt+F then a letter reaches one item.

With two items on one letter (连接县局服务器(&S) and 台账设置(&S); 导入已有台账(&L) and
导出修改记录(&L); in the county's file also 新建台账(&N) and 工作人员姓名(&N)) the letter
only moves between them and opens neither. Starts from new, empty files (a county's and
a township's) and reads the menus as a click on their titles opens them.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from driving import shown_items
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.ui.main_window import MENU_KEYS


def access_key(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).upper() if found else None


@pytest.mark.parametrize("own_unit", ["", "甲镇"], ids=["county-file", "township-file"])
def test_no_two_items_of_a_menu_share_an_access_key(qtbot, window_on, tmp_path, own_unit):
    path = tmp_path / "台账.sqlite"
    create_ledger(path, "测试县", ["甲镇", "乙乡"], own_unit=own_unit or None).close()
    window = window_on(path)
    for key in MENU_KEYS:
        items = shown_items(qtbot, window, key)
        keys = Counter(k for k in map(access_key, items) if k)
        shared = {letter: sorted(t for t in items if access_key(t) == letter) for letter, n in keys.items() if n > 1}
        assert not shared, (key, shared)
    file_items = shown_items(qtbot, window, "file")
    assert {"连接县局服务器(&C)…", "导出修改记录(&G)…", "导入已有台账(&L)…", "台账设置(&S)…"} <= file_items
