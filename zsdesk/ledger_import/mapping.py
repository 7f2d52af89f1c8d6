"""How a ledger's columns and words map to zsdesk's fields: saved as JSON and reused.

Columns are keyed by their header text, not their position, so next month's file with a
column added or moved still maps. Everything left out is guessed again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..domain.enums import Stage
from ..errors import InputError
from .vocabulary import FIELD_BY_KEY, FUNDS_MONTH_PREFIX, IGNORE

FORMAT = "zsdesk-ledger-mapping"
VERSION = 1


@dataclass
class Mapping:
    sheet: str | None = None
    header_row: int | None = None
    """1-based first header row; None: found automatically."""
    header_rows: int | None = None
    """1 or 2; None: found automatically."""
    columns: dict[str, str] = field(default_factory=dict)
    """Header text → field key (``ignore`` leaves the column out)."""
    units: dict[str, str] = field(default_factory=dict)
    """Header text → '万元', '亿元' or '元' where the header does not say (or says wrong)."""
    stages: dict[str, str] = field(default_factory=dict)
    """A stage word in the file → stage identifier (or ``ignore``)."""
    industries: dict[str, str] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    funds_year: int | None = None
    """Year of monthly columns that name no year ('3月'); None: the year in the title, else this year."""
    cumulative_month: int | None = None
    """A cumulative column holds funds up to this month of ``funds_year``; None: the last month."""
    unit: str | None = None
    """The ledger unit the rows belong to (when the file has no unit column)."""

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "version": VERSION, **asdict(self)}, ensure_ascii=False, indent=2)

    def save(self, path: str | Path) -> None:
        path = Path(path)
        try:
            path.write_text(self.to_json() + "\n", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"无法保存对应关系文件“{path.name}”（{exc.strerror or exc}）") from None

    @classmethod
    def from_json(cls, text: str, name: str = "对应关系") -> "Mapping":
        try:
            data = json.loads(text)
        except ValueError:
            raise InputError(f"“{name}”不是有效的对应关系文件（JSON格式有误）") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InputError(f"“{name}”不是zsdesk的台账对应关系文件")
        if int(data.get("version", 0)) > VERSION:
            raise InputError(f"“{name}”由更新版本的zsdesk保存，请升级后再用")
        mapping = cls()
        for key in ("sheet", "unit"):
            value = data.get(key)
            setattr(mapping, key, str(value) if value not in (None, "") else None)
        for key in ("header_row", "header_rows", "funds_year", "cumulative_month"):
            value = data.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise InputError(f"“{name}”中 {key} 应为正整数")
            setattr(mapping, key, value)
        if mapping.header_rows not in (None, 1, 2):
            raise InputError(f"“{name}”中表头行数只能是1或2")
        if mapping.cumulative_month is not None and mapping.cumulative_month > 12:
            raise InputError(f"“{name}”中累计资金的截止月份应在1到12之间")
        for key in ("columns", "units", "stages", "industries", "flags"):
            value = data.get(key) or {}
            if not isinstance(value, dict):
                raise InputError(f"“{name}”中 {key} 应为对象")
            setattr(mapping, key, {str(k): v for k, v in value.items()})
        for header, target in mapping.columns.items():
            if not (target == IGNORE or target in FIELD_BY_KEY or str(target).startswith(FUNDS_MONTH_PREFIX)):
                raise InputError(f"“{name}”中列“{header}”对应的字段“{target}”不存在")
        for word, stage in mapping.stages.items():
            if stage != IGNORE:
                try:
                    Stage(stage)
                except ValueError:
                    raise InputError(f"“{name}”中阶段“{word}”对应的“{stage}”不是zsdesk的阶段") from None
        for unit in mapping.units.values():
            if unit not in ("万元", "亿元", "元"):
                raise InputError(f"“{name}”中金额单位只能是 万元、亿元 或 元")
        mapping.flags = {k: bool(v) for k, v in mapping.flags.items()}
        return mapping

    @classmethod
    def load(cls, path: str | Path) -> "Mapping":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(f"找不到对应关系文件“{path.name}”") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"无法读取对应关系文件“{path.name}”（{exc}）") from None
        return cls.from_json(text, path.name)
