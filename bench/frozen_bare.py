"""The floor of the frozen cold start: a bare PySide6 main window, frozen like zsdesk.

Built once by bench/frozen_bare.spec into bench/cache/frozen/bare/ and started by
bench/figures_gui.py beside dist/zsdesk/zsdesk. It prints what ``ZSDESK_REPORT_START=1
zsdesk`` prints (zsdesk/ui/startup_report.py) when its window is first painted, then ends:

    SHOWN <unix time> <CPU seconds> {}
"""

import sys
import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow


class PaintWatch(QObject):
    def __init__(self, widget):
        super().__init__(widget)
        self.when = None
        self.cpu = None
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if self.when is None and event.type() == QEvent.Type.Paint:
            self.when, self.cpu = time.time(), time.process_time()
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setObjectName("MainWindow")
    window.resize(1440, 900)
    watch = PaintWatch(window)
    window.show()
    deadline = time.perf_counter() + 60
    while watch.when is None and time.perf_counter() < deadline:
        app.processEvents()
    sys.stdout.write(f"SHOWN {watch.when or time.time():.6f} {watch.cpu or time.process_time():.6f} {{}}\n")
    sys.stdout.flush()
    return 0 if watch.when is not None else 1


if __name__ == "__main__":
    sys.exit(main())
