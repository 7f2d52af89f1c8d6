"""The figures the bench reports: what each measures, its floor and its target (issue 9)."""

from __future__ import annotations

from dataclasses import dataclass

from .measure import Figure, Target


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    unit: str
    target: Target
    issue: int
    floor_title: str | None = None

    def blank(self) -> Figure:
        return Figure(self.key, self.title, self.unit, self.target, self.issue, self.floor_title)


SPECS = [
    Spec(
        "cold_start",
        "冷启动到主窗口显示（离屏）/ cold start to the main window shown, offscreen",
        "ms",
        Target("ratio", 1.5),
        3,
        "同样方式启动的空 PySide6 窗口 / a bare PySide6 window started the same way",
    ),
    Spec(
        "ledger_filled",
        "冷启动到台账填入窗口（默认标签页首批行）/ cold start to the ledger filling the window (first rows of the default tab)",
        "ms",
        Target("max", 930),
        18,
        "同样方式启动的空 PySide6 窗口（仅供参考）/ a bare PySide6 window, for reference",
    ),
    Spec(
        "frozen_cold_start",
        "冻结程序冷启动到主窗口显示 / the frozen program's cold start to the main window shown",
        "ms",
        Target("ratio", 1.5),
        18,
        "同样方式冻结的空 PySide6 窗口 / a bare PySide6 window frozen the same way",
    ),
    Spec("projects_first_rows", "项目标签页：显示首批行 / projects tab: first rows shown", "ms", Target("max", 150), 3),
    Spec("projects_search", "项目标签页：搜索框一次按键 / projects tab: one search keystroke", "ms", Target("max", 100), 3),
    Spec("project_editor_open", "打开项目编辑窗口 / a project editor opens", "ms", Target("max", 50), 3),
    Spec(
        "progress",
        "每单位每指标当月进度 load_progress / progress of every unit and indicator for a month",
        "ms",
        Target("ratio", 3),
        1,
        "同样的汇总，一条 sqlite3 GROUP BY 语句 / the same sums as one raw sqlite3 GROUP BY query",
    ),
    Spec("dashboard_redraw", "仪表板重绘（20个单位）/ dashboard redraw, 20 units", "ms", Target("max", 300), 4),
    Spec(
        "return_export",
        "导出一个单位的月报（2,500个项目）/ export one unit's return (2,500 projects)",
        "ms",
        Target("ratio", 2),
        5,
        "openpyxl 写同样的单元格 / openpyxl writing the same cells",
    ),
    Spec(
        "returns_import",
        "导入20份这样的月报 / import 20 such returns",
        "ms",
        Target("ratio", 1.5),  # issue 18 (was 2)
        5,
        "openpyxl 读同样的文件 / openpyxl reading the same files",
    ),
    Spec(
        "ledger_preview",
        "预览已有台账（2,500行）/ preview an existing ledger of 2,500 rows",
        "ms",
        Target("ratio", 3),
        16,
        "openpyxl 读同一文件 / openpyxl reading the same file",
    ),
    Spec(
        "ledger_import",
        "导入已有台账（2,500行）/ import an existing ledger of 2,500 rows",
        "ms",
        Target("ratio", 5),
        16,
        "openpyxl 读同一文件 / openpyxl reading the same file",
    ),
    Spec(
        "peak_memory",
        "打开大县台账的峰值内存 / peak memory with the large county open",
        "MB",
        Target("max", 200),  # issue 18 (was 400)
        9,
        "空 PySide6 窗口 / a bare PySide6 window",
    ),
    Spec(
        "server_progress",
        "服务器上的 load_progress（大县复制到 PostgreSQL）/ load_progress on the county copied to a PostgreSQL server",
        "ms",
        Target("ratio", 1.5),
        15,
        "同样的汇总，一条 psycopg GROUP BY 语句 / the same sums as one raw GROUP BY through psycopg",
    ),
    Spec(
        "server_projects_first_rows",
        "服务器上的项目标签页：显示首批行 / projects tab on the server: first rows shown",
        "ms",
        Target("max", 150),
        15,
    ),
    Spec(
        "server_import_clients",
        "20份月报由4个客户端同时导入服务器 / 20 returns imported into a server by 4 clients at once",
        "ms",
        Target("ratio", 1.0),
        15,
        "同样20份由1个客户端依次导入 / the same 20 returns imported by 1 client",
    ),
]

KEYS = [spec.key for spec in SPECS]
