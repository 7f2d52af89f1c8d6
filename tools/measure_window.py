#!/usr/bin/env python3
"""Measure the main window on the large demo county: first rows, a search keystroke, the editor.

Usage (from a checkout): python -m zsdesk demo /tmp/large.sqlite --size large --month 2026-06
                         PYTHONPATH=. python tools/measure_window.py /tmp/large.sqlite
(The bench in bench/ is the maintained benchmark; this is the window engineer's probe.)

Wall-clock medians, and the GUI thread's own CPU time (thread_time), which other
processes on a loaded machine do not inflate.
"""
import os, sys, time, statistics, tempfile
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import Qt
app = QApplication([sys.argv[0]])
from zsdesk.ui import main_window
path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/large.sqlite"
print("load average:", open("/proc/loadavg").read().split()[:3])

def settle():
    for _ in range(3): app.processEvents()

class Timer:
    def __init__(self, label): self.label, self.wall, self.cpu = label, [], []
    def __enter__(self): self.w, self.c = time.perf_counter(), time.thread_time(); return self
    def __exit__(self, *a):
        self.wall.append(1000*(time.perf_counter()-self.w)); self.cpu.append(1000*(time.thread_time()-self.c))
    def report(self):
        print(f"{self.label}: wall median {statistics.median(self.wall):.0f} ms (min {min(self.wall):.0f}); "
              f"GUI-thread CPU median {statistics.median(self.cpu):.0f} ms (min {min(self.cpu):.0f}); n={len(self.wall)}")

build = Timer("window built and shown")
with build:
    window = main_window(path); window.resize(1440, 900); window.show(); settle()
build.report()
tab, table = window.projects_tab, window.projects_tab.table
first = Timer("projects tab: reload → first rows painted")
for _ in range(7):
    tab.wait_loaded(); settle()
    with first:
        tab.reload(); table.viewport().repaint()
first.report()
w = time.perf_counter(); tab.wait_loaded()
print(f"  the rest ({tab.model.total_count()} rows) taken in after {1000*(time.perf_counter()-w):.0f} ms more (worker thread)")
tab.year_filter.setCurrentIndex(0); tab.wait_loaded(); settle()
rows_all = tab.model.rowCount()
keys = Timer(f"search keystroke over {rows_all} rows (filter + repaint)")
for text in ["基", "项", "云", "张", "山", "花", "园"]:
    tab.search.clear(); settle()
    with keys:
        tab.search.setText(text); table.viewport().repaint()
    assert 0 < tab.model.rowCount() < rows_all, text
keys.report()
tab.search.clear(); settle()
sorts = Timer("sort 50,000 rows by a column")
for col in range(tab.model.columnCount()):
    with sorts:
        table.sortByColumn(col, Qt.SortOrder.AscendingOrder); table.viewport().repaint()
sorts.report()
flt = Timer("unit filter change")
for i in range(1, 8):
    with flt:
        tab.unit_filter.setCurrentIndex(i); table.viewport().repaint()
flt.report()
tab.unit_filter.setCurrentIndex(0); settle()
import sqlite3
c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
pid = c.execute("SELECT project_id FROM fund_records WHERE year = 2026 GROUP BY project_id ORDER BY count(*) DESC, project_id LIMIT 1").fetchone()[0]
opens = Timer("project editor opens (busy project, shown and painted)")
for i in range(8):
    with opens:
        editor = window.open_project(pid); editor.repaint()
    editor.reject(); settle()
opens.report()
saves = Timer("save an edit (transaction, undo snapshot, table refresh, repaint)")
for i in range(5):
    editor = window.open_project(pid)
    editor.fields["notes"].setPlainText(f"bench {i}")
    with saves:
        assert editor.save(); table.viewport().repaint()
    settle()
saves.report()
undo = Timer("undo of a save")
for i in range(5):
    with undo:
        window.context.history.undo(); table.viewport().repaint()
undo.report()
inv = Timer("investors tab full reload (5,000)")
window.select_tab("investors")
for _ in range(3):
    with inv:
        window.investors_tab.reload()
inv.report()
tt = Timer("targets progress view reload (load_progress)")
window.select_tab("targets"); window.targets_tab.set_mode("progress")
for _ in range(3):
    with tt:
        window.targets_tab.reload()
tt.report()
window.close(); settle()
