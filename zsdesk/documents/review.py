"""The half-year (or any period's) review: the seed review's chapters, figures filled in.

Every figure is a sentence of :mod:`zsdesk.domain.brief` (gathered by
``gather_brief`` from ``load_progress``, the one computation); what the bureau writes
itself — the opening, its practices, the other problems, the plans — is left as
highlighted placeholders 【请填写：…】 where the seed review has narrative. The 附件 is
the table of every unit's target, actual, rate and rank per indicator.
"""

from __future__ import annotations

import datetime as dt

from ..domain.brief import (
    BriefFigures,
    declared_paragraph,
    imbalance,
    main_data,
    months_phrase,
    practices,
    span_phrase,
    unit_progress,
)
from ..domain.enums import Indicator
from ..domain.money import format_percent
from .model import Attachment, OfficialDocument, body, heading, placeholder
from .progress_tables import LEGEND, attachment_table

TITLE_LINE_CHARS = 20
"""A 2号 title line holds 20 characters in the 156 mm type area (442 pt ÷ 22 pt)."""

PRACTICE_HINTS = (
    "做好专业招商，提高招商引资精准性",
    "做好信息宣传，拓宽招商推介渠道",
    "做好项目谋划，跟踪服务实现创新",
    "做好项目推进，落地进度明显加快",
    "打好回归牌，加快浙商回归进程",
)
"""The seed review's five practices, offered as examples of the headline each one needs."""


def next_phrase(month: int) -> str:
    """What the plans are for: 下半年 after June, 明年 after December, else 下步."""
    return {6: "下半年", 12: "明年"}.get(month, "下步")


def review_title(who: str, fig: BriefFigures) -> str:
    """县招商局上半年招商引资工作回顾及下半年工作思路 (the seed's title), broken into two
    lines at 回顾 when it is longer than a line (GB/T 9704 7.2.3: 回行时词意完整)."""
    first = f"{who}{span_phrase(fig.period)}招商引资工作回顾"
    second = f"及{next_phrase(fig.period.month)}工作思路"
    if len(first) + len(second) <= TITLE_LINE_CHARS:
        return first + second
    return f"{first}\n{second}"


def attachment_title(fig: BriefFigures) -> str:
    return f"{fig.period.year}年{months_phrase(fig.period)}各单位招商引资\n目标任务完成情况"


def compose_review(fig: BriefFigures, *, issuer: str, signed_on: dt.date) -> OfficialDocument:
    """The review of ``fig``'s county (or unit) and period, signed by ``issuer``."""
    who = issuer if fig.unit is None else fig.unit
    title = review_title(who, fig)
    span = span_phrase(fig.period)
    if not fig.has_data:
        sentence = (
            f"台账中没有{fig.period.year}年{months_phrase(fig.period)}的招商数据（到位资金、项目、考察对接），"
            "无法生成工作回顾。请先录入数据或导入各单位月报。"
        )
        return OfficialDocument(title, [body(sentence)], issuer, signed_on, has_data=False)

    blocks = [
        body(placeholder(f"开头段：{span}招商引资工作的总体评价（如“在县委、县政府的正确领导下……取得了一定成效”）")),
        heading(1, 1, f"{span}工作情况"),
        heading(2, 1, "主要数据。"),
        body(main_data(fig)),
        heading(2, 2, "主要做法。"),
        body(practices(fig)),
    ]
    for n, hint in enumerate(PRACTICE_HINTS, start=1):
        blocks.append(heading(3, n, placeholder(f"做法{n}的标题句，如“{hint}。”")))
        blocks.append(body(placeholder(f"做法{n}的具体内容")))

    blocks.append(heading(1, 2, "存在的问题"))
    blocks.append(heading(2, 1, "新引进项目和浙商回归申报。"))
    blocks.append(body(declared_paragraph(fig), placeholder(f"对{next_phrase(fig.period.month)}资金到位的影响")))
    if fig.unit is None:
        blocks += [heading(2, 2, "工作进展不平衡。"), body(imbalance(fig))]
    else:
        blocks += [heading(2, 2, "工作进展。"), body(unit_progress(fig))]
    blocks.append(heading(2, 3, placeholder("其他问题，如“签约项目落地难、推进慢。”“项目前期工作做得不够。”")))
    blocks.append(body(placeholder("问题的表现和原因")))

    plans = next_phrase(fig.period.month)
    blocks.append(heading(1, 3, f"{plans}工作思路"))
    blocks.append(heading(2, 1, placeholder("思路一，如“紧盯项目，狠抓招商进度。”")))
    blocks.append(body(*_follow_up_sentence(fig), placeholder("具体措施")))
    blocks.append(heading(2, 2, placeholder("思路二，如“夯实基础，提升服务水平。”")))
    blocks.append(body(placeholder("具体措施")))
    blocks.append(heading(2, 3, placeholder("思路三，如“注重优势，推进项目优质。”")))
    blocks.append(body(placeholder("具体措施")))

    county_rows = dict(fig.rows) if fig.unit is None else None
    note = (
        f"注：数据截至{fig.period.year}年{fig.period.month}月{fig.period.last_day.day}日，由台账按统计口径生成；"
        f"序时进度{format_percent(fig.rows[Indicator.DOMESTIC_FUNDS].schedule, 2)}；排名按完成率；{LEGEND}。"
    )
    attachment = Attachment(attachment_title(fig), [attachment_table(dict(fig.unit_rows), county_rows, note, fig.threshold)])
    return OfficialDocument(title, blocks, issuer, signed_on, attachments=[attachment])


def _follow_up_sentence(fig: BriefFigures) -> list[str]:
    """The seed's 三、(一) names the projects to follow up: intentions, talks, building."""
    parts = []
    if fig.events.biggest:
        name, _firms, _reps, intention = fig.events.biggest
        parts.append(f"“{name}”达成的{intention}个意向项目")
    parts.append(f"{fig.negotiating}个有一定意向的在谈项目")
    parts.append(f"{fig.building}个已经落地的在建项目")
    return ["认真做好" + "、".join(parts) + "的跟踪对接和服务。"]
