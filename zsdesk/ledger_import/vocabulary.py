"""The words clerks' ledgers use, and the parsers of their cell values. Pure Python.

Fields are guessed from header text (domain guide: "Words found in existing township
ledgers"); values are read the way clerks type them. A value that cannot be read
raises :class:`ValueProblem` with a Chinese reason; the plan puts it at its cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..domain.enums import INDUSTRIES, Stage
from ..domain.money import MoneyError, parse_wan
from ..domain.validation import EARLIEST


class ValueProblem(ValueError):
    """A cell value that cannot be read; the message is Chinese."""


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str
    """text, name, code, investor, industry, stage, money, date, flag, unit,
    funds_month, funds_cumulative."""
    words: tuple[str, ...] = ()


IGNORE = "ignore"
IGNORE_LABEL = "（忽略）"

FIELDS: tuple[Field, ...] = (
    Field("code", "项目编号", "code", ("项目编号", "项目代码", "编号", "代码")),
    Field("name", "项目名称", "name", ("项目名称", "项目", "注册名称", "名称")),
    Field("unit", "所属单位", "unit", ("填报单位", "所属单位", "乡镇", "单位名称", "所属乡镇", "乡镇（街道）")),
    Field("investor", "投资方", "investor", ("投资方", "投资主体", "企业名称", "合作企业", "投资企业", "外来投资方", "投资单位", "客商")),
    Field("industry", "产业类别", "industry", ("产业类别", "行业类别", "产业类型", "行业", "产业")),
    Field("stage", "项目阶段", "stage", ("项目阶段", "项目进度", "进展阶段", "所处阶段", "当前阶段", "状态", "阶段")),
    Field("planned_investment", "计划总投资", "money", ("计划总投资", "总投资额", "计划投资", "总投资", "投资规模", "投资额")),
    Field("registered_capital", "注册资金", "money", ("注册资金", "注册资本")),
    Field("planned_on", "谋划日期", "date", ("谋划时间", "谋划日期", "储备时间")),
    Field("negotiating_on", "在谈日期", "date", ("洽谈时间", "在谈时间", "在谈日期", "洽谈日期", "意向时间", "对接时间")),
    Field("signed_on", "签约日期", "date", ("签约时间", "签约日期")),
    Field("landed_on", "落地日期", "date", ("落地时间", "落地日期", "注册时间", "注册日期")),
    Field("construction_on", "开工日期", "date", ("开工时间", "开工日期")),
    Field("operation_on", "投产日期", "date", ("投产时间", "投产日期", "竣工投产时间")),
    Field("suspended_on", "中止日期", "date", ("中止时间", "中止日期", "暂停时间")),
    Field("terminated_on", "终止日期", "date", ("终止时间", "终止日期")),
    Field("zhejiang_return", "浙商回归", "flag", ("浙商回归",)),
    Field("mountain_sea", "山海协作", "flag", ("山海协作",)),
    Field("foreign_capital", "外资", "flag", ("是否外资", "外资项目", "外资")),
    Field("carried_over", "结转项目", "flag", ("结转",)),
    Field("declared", "已申报", "flag", ("是否申报", "已申报", "是否已申报", "申报情况")),
    Field("declared_on", "申报日期", "date", ("申报日期", "申报时间")),
    Field("declared_amount", "申报金额", "money", ("申报金额",)),
    Field("retained_amount", "去年留存", "money", ("去年留存", "上年留存")),
    Field("liaison_leader", "联系领导", "text", ("联系领导", "联系县领导", "分管领导")),
    Field("responsible_unit", "责任单位", "text", ("责任单位", "牵头单位")),
    Field("cooperating_departments", "配合部门", "text", ("配合部门", "配合单位")),
    Field("person_in_charge", "责任人", "text", ("责任人", "负责人", "联系人")),
    Field("site", "选址", "text", ("选址", "建设地点", "项目地点", "地址")),
    Field("land_status", "用地情况", "text", ("用地指标", "用地情况", "项目用地", "用地")),
    Field("progress_note", "进展情况", "text", ("进展情况", "项目进展", "进展", "建设内容", "项目内容")),
    Field("problems", "存在问题", "text", ("存在问题", "存在困难", "问题")),
    Field("notes", "备注", "text", ("备注", "说明")),
    Field("funds_cumulative", "累计到位资金", "funds_cumulative",
          ("累计到位资金", "本年累计到位", "累计到位", "到位资金 / 本年累计", "累计到资", "实际到位资金", "到位资金", "累计")),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
FUNDS_MONTH_PREFIX = "funds_month:"
"""A monthly column's field key: funds_month:YYYY-MM (or funds_month:MM, year from the mapping)."""

_IGNORED_WORDS = ("序号", "本月", "当月", "合计", "序")
_MONTH_HEADER = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月(?:份)?(?:到位(?:资金)?)?(?:[（(].*[）)])?$")
_YEAR = re.compile(r"(\d{4})\s*年")


def field_label(key: str) -> str:
    if key == IGNORE:
        return IGNORE_LABEL
    if key.startswith(FUNDS_MONTH_PREFIX):
        rest = key[len(FUNDS_MONTH_PREFIX):]
        if "-" in rest:
            year, month = rest.split("-")
            return f"{int(year)}年{int(month)}月到位资金"
        return f"{int(rest)}月到位资金"
    return FIELD_BY_KEY[key].label


def field_kind(key: str) -> str:
    if key.startswith(FUNDS_MONTH_PREFIX):
        return "funds_month"
    return FIELD_BY_KEY[key].kind if key in FIELD_BY_KEY else IGNORE


def month_of_header(header: str) -> tuple[int | None, int] | None:
    """(year or None, month) when a header names one month of funds: '3月', '2026年3月'."""
    parts = [p.strip() for p in header.split(" / ")]
    last = normal_text(parts[-1]).replace(" ", "")
    match = _MONTH_HEADER.match(last)
    if not match:
        return None
    month = int(match.group(2))
    if not 1 <= month <= 12:
        return None
    year = int(match.group(1)) if match.group(1) else None
    if year is None:
        for part in parts[:-1]:
            found = _YEAR.search(part)
            if found:
                year = int(found.group(1))
    return year, month


def guess_field(header: str) -> str:
    """The field a column's header names, or IGNORE."""
    text = normal_text(header).replace(" ", "").replace("\n", "")
    if not text:
        return IGNORE
    found = month_of_header(header)
    if found is not None:
        year, month = found
        return f"{FUNDS_MONTH_PREFIX}{year}-{month:02d}" if year else f"{FUNDS_MONTH_PREFIX}{month:02d}"
    bare = strip_unit(text)
    last = strip_unit(normal_text(header.split(" / ")[-1]).replace(" ", ""))
    if bare in _IGNORED_WORDS or last.startswith(("本月", "当月")):
        return IGNORE
    best, score = IGNORE, 0
    for f in FIELDS:
        for word in f.words:
            w = word.replace(" ", "")
            if w in bare and len(w) > score:
                best, score = f.key, len(w)
    return best


# -- units of money ------------------------------------------------------------------------

_UNIT_IN_HEADER = re.compile(r"[（(]\s*(?:单位\s*[:：]\s*)?(万元|亿元|元)\s*[)）]|(万元|亿元)$")
_UNIT_SCALE = {"万元": Decimal(1), "亿元": Decimal(10_000), "元": Decimal("0.0001")}


def unit_in_header(header: str) -> str | None:
    """'万元', '亿元' or '元' when the header states its unit."""
    text = normal_text(header).replace(" ", "")
    match = _UNIT_IN_HEADER.search(text)
    if match:
        return match.group(1) or match.group(2)
    return None


def unit_in_title(text: str) -> str | None:
    """The unit a title row states for the whole sheet: '单位：万元'."""
    match = re.search(r"单位\s*[:：]\s*(万元|亿元|元)", normal_text(text))
    return match.group(1) if match else None


def scale_of(unit: str | None) -> Decimal:
    return _UNIT_SCALE.get(unit or "万元", Decimal(1))


def strip_unit(text: str) -> str:
    return re.sub(r"[（(][^）)]*[)）]", "", text).strip()


# -- values -----------------------------------------------------------------------------------

def normal_text(value) -> str:
    """Full-width digits, letters and punctuation as half-width; trimmed."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def cell_text(value) -> str:
    """A cell as the clerk sees it, for text fields."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value).replace("\r\n", "\n").strip()


_BLANKS = {"", "-", "—", "－", "/", "无", "——", "暂无", "--"}
_DATE_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$")
_DATE_TIME = re.compile(r"^(.*?)\s+\d{1,2}:\d{2}(?::\d{2})?$")


def parse_date(value) -> tuple[dt.date | None, str | None]:
    """(date, note): '2026-3-5', '2026.3.5', '2026/3/5', '2026年3月5日', '20260305',
    '2026年3月' (→ the 1st, with a note), an Excel serial number, a datetime."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise ValueProblem("是逻辑值，应填写日期")
    if isinstance(value, dt.datetime):
        return _sane(value.date()), None
    if isinstance(value, dt.date):
        return _sane(value), None
    if isinstance(value, (int, float)):
        if 20_000 <= value <= 80_000 and float(value).is_integer():
            from .reading import excel_serial_date

            return _sane(excel_serial_date(value)), None
        raise ValueProblem(f"“{cell_text(value)}”不是日期（请写作 2026-03-05）")
    text = normal_text(value)
    if text in _BLANKS:
        return None, None
    timed = _DATE_TIME.match(text)
    if timed:
        text = timed.group(1).strip()
    match = _DATE_FULL.match(text) or _DATE_COMPACT.match(text)
    if match:
        try:
            return _sane(dt.date(*(int(g) for g in match.groups()))), None
        except ValueError:
            raise ValueProblem(f"“{text}”不是有效的日期") from None
    match = _DATE_MONTH.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueProblem(f"“{text}”不是有效的月份")
        return _sane(dt.date(year, month, 1)), f"“{text}”只写到月，按该月1日计"
    if re.fullmatch(r"\d{5}", text):
        return parse_date(int(text))
    raise ValueProblem(f"“{text}”无法识别为日期（可写作 2026-3-5、2026.3.5、2026年3月5日）")


def _sane(day: dt.date) -> dt.date:
    if day < EARLIEST or day.year > 2999:
        raise ValueProblem(f"日期“{day.isoformat()}”不合理")
    return day


_MONEY_SUFFIX = re.compile(r"(万元|亿元|万|亿|元)$")


def parse_money(value, unit: str | None = "万元") -> Decimal | None:
    """An amount as 万元, exact: numbers, '1,234.5', full-width digits, '3.5亿', '800万',
    converted from the column's unit ('万元', '亿元', '元'). None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem("是逻辑值，应填写金额")
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueProblem("是日期，应填写金额")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest decimal that is this float: what was typed
    else:
        text = normal_text(value).replace(",", "").replace(" ", "").replace("，", "")
        if text in _BLANKS:
            return None
        suffix = _MONEY_SUFFIX.search(text)
        if suffix:
            word = suffix.group(1)
            unit = {"万": "万元", "亿": "亿元"}.get(word, word)
            text = text[: suffix.start()]
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueProblem(f"“{cell_text(value)}”不是金额") from None
        if not number.is_finite():
            raise ValueProblem(f"“{cell_text(value)}”不是金额")
    wan = number * scale_of(unit)
    try:
        exact = parse_wan(Decimal(format(wan, "f")))
    except MoneyError as exc:
        raise ValueProblem(str(exc)) from None
    if exact != wan:
        raise ValueProblem(f"“{cell_text(value)}”{unit or '万元'}精确到元以下，无法按整元保存")
    if exact >= Decimal(10) ** 11:
        raise ValueProblem(f"金额大得不合理：{cell_text(value)}")
    return exact


FLAG_WORDS: dict[str, bool] = {
    "是": True, "√": True, "✓": True, "✔": True, "Y": True, "YES": True, "1": True, "有": True, "TRUE": True,
    "否": False, "×": False, "✗": False, "✘": False, "X": False, "N": False, "NO": False, "0": False,
    "": False, "无": False, "/": False, "-": False, "—": False, "FALSE": False,
}


def parse_flag(value, extra: dict[str, bool] | None = None) -> bool:
    """是/否, √/×, Y/N, 1/0; blank is no. ``extra``: the clerk's own words."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = normal_text(value)
    if extra and text in extra:
        return bool(extra[text])
    key = text.upper()
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if key in FLAG_WORDS:
        return FLAG_WORDS[key]
    if key.startswith(("是", "已")):
        return True
    if key.startswith(("否", "未", "不")):
        return False
    raise ValueProblem(f"“{text}”不是是/否（可写 是/否、√/×、Y/N、1/0）")


STAGE_WORDS: dict[str, Stage] = {
    "谋划": Stage.PLANNED, "储备": Stage.PLANNED, "谋划中": Stage.PLANNED, "储备项目": Stage.PLANNED,
    "在谈": Stage.NEGOTIATING, "洽谈": Stage.NEGOTIATING, "洽谈中": Stage.NEGOTIATING, "意向": Stage.NEGOTIATING,
    "在谈项目": Stage.NEGOTIATING, "意向项目": Stage.NEGOTIATING, "对接中": Stage.NEGOTIATING,
    "签约": Stage.SIGNED, "已签约": Stage.SIGNED, "签约项目": Stage.SIGNED,
    "落地": Stage.LANDED, "注册": Stage.LANDED, "已落地": Stage.LANDED, "已注册": Stage.LANDED,
    "开工": Stage.UNDER_CONSTRUCTION, "在建": Stage.UNDER_CONSTRUCTION, "已开工": Stage.UNDER_CONSTRUCTION,
    "动工": Stage.UNDER_CONSTRUCTION, "建设中": Stage.UNDER_CONSTRUCTION,
    "投产": Stage.IN_OPERATION, "竣工投产": Stage.IN_OPERATION, "已投产": Stage.IN_OPERATION,
    "运营": Stage.IN_OPERATION, "竣工": Stage.IN_OPERATION,
    "中止": Stage.SUSPENDED, "暂停": Stage.SUSPENDED, "停滞": Stage.SUSPENDED,
    "终止": Stage.TERMINATED, "取消": Stage.TERMINATED, "已终止": Stage.TERMINATED,
}


def guess_stage(word: str) -> Stage | None:
    text = normal_text(word).replace(" ", "")
    if text in STAGE_WORDS:
        return STAGE_WORDS[text]
    for stage in Stage:
        if text in (stage.value, stage.label):
            return stage
    return None


def parse_stage(value, mapping: dict[str, str] | None = None) -> Stage | None:
    text = normal_text(cell_text(value)).replace(" ", "")
    if not text:
        return None
    if mapping and text in mapping:
        chosen = mapping[text]
        if chosen == IGNORE:
            return None
        return Stage(chosen)
    stage = guess_stage(text)
    if stage is None:
        raise ValueProblem(f"项目阶段“{text}”对应不上（谋划、在谈、签约、落地、开工、投产、中止、终止），请在值对应中指定")
    return stage


INDUSTRY_WORDS: dict[str, str] = {
    "旅游": "旅游/休闲养生", "休闲养生": "旅游/休闲养生", "文旅": "旅游/休闲养生", "旅游业": "旅游/休闲养生",
    "中药": "中药材", "中医药": "中药材", "药材": "中药材",
    "工业": "生态工业", "制造业": "生态工业", "先进制造": "生态工业", "生态工业": "生态工业",
    "农业": "生态农业", "现代农业": "生态农业", "生态农业": "生态农业",
    "影视": "文化影视", "文化": "文化影视", "影视文化": "文化影视", "文化影视": "文化影视",
    "康养": "健康", "医疗": "健康", "大健康": "健康",
    "光伏": "新能源", "储能": "新能源", "抽水蓄能": "新能源",
}


def guess_industry(word: str) -> str | None:
    text = normal_text(word).replace(" ", "")
    if text in INDUSTRIES:
        return text
    return INDUSTRY_WORDS.get(text)


def parse_industry(value, mapping: dict[str, str] | None = None) -> tuple[str, str | None]:
    """(industry, note): a standard industry, or the clerk's word kept as typed with a note."""
    text = normal_text(cell_text(value))
    if not text:
        return "", None
    if mapping and text in mapping:
        return mapping[text], None
    found = guess_industry(text)
    if found:
        return found, None
    return text[:50], f"产业“{text}”不是标准产业类别，按原文保存（可在值对应中改为标准类别）"
