"""A fund's quarterly statement (村务公开) as an A4 PDF, drawn with ReportLab's platypus.

Chinese in the built-in CID font ``STSong-Light`` (see :mod:`rongxin.funds.domain.honour_pdf`);
tables split across pages with their header repeated, so a long donations list flows on. The
statement is Chinese whatever the page language, like the posted paper notice. Layout only:
:func:`render_statement` draws the :class:`~rongxin.funds.domain.public.Statement` it is given.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rongxin.funds.domain.honour_pdf import CJK, fonts
from rongxin.funds.domain.money import yuan
from rongxin.funds.domain.public import Statement

INK = HexColor("#1f2328")
RED = HexColor("#b3261e")
RULE = HexColor("#c9ced6")
SHADE = HexColor("#f3f4f6")


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=CJK, fontSize=18, leading=26, alignment=1, textColor=RED),
        "sub": ParagraphStyle("sub", fontName=CJK, fontSize=11, leading=16, alignment=1, textColor=INK),
        "h": ParagraphStyle("h", fontName=CJK, fontSize=12.5, leading=20, spaceBefore=10, textColor=INK),
        "cell": ParagraphStyle("cell", fontName=CJK, fontSize=9.5, leading=13, wordWrap="CJK", textColor=INK),
        "num": ParagraphStyle("num", fontName=CJK, fontSize=9.5, leading=13, alignment=2, textColor=INK),
        "note": ParagraphStyle("note", fontName=CJK, fontSize=8.5, leading=12, wordWrap="CJK", textColor=INK),
    }


def _table(
    rows: list[list[str]],
    widths: list[float],
    st: dict[str, ParagraphStyle],
    *,
    total: bool = False,
    numeric: bool = True,
) -> Table:
    """A table whose first row is the header; cells after the first are right-aligned amounts
    unless ``numeric`` is False."""
    body: list[list[Any]] = []
    for r, row in enumerate(rows):
        cells: list[Any] = []
        for i, text in enumerate(row):
            style = st["num"] if i > 0 and r > 0 and numeric else st["cell"]
            cells.append(Paragraph(escape(text), style))
        body.append(cells)
    t = Table(body, colWidths=widths, repeatRows=1)
    commands: list[Any] = [
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if total:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), SHADE))
    t.setStyle(TableStyle(commands))
    return t


def render_statement(s: Statement) -> bytes:
    """The A4 PDF of statement ``s``."""
    fonts()
    st = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=48,
        rightMargin=48,
        topMargin=48,
        bottomMargin=48,
        title=f"{s.fund_name} {s.period.label}收支公开",
        author=s.region_name,
        subject=s.period.label,
        creator="荣信 Rongxin",
        lang="zh-CN",
    )
    width = A4[0] - 96
    place = f"{s.town_name} {s.region_name}" if s.town_name else s.region_name
    story: list[Any] = [
        Paragraph(escape(f"{s.fund_name}收支公开"), st["title"]),
        Paragraph(
            escape(f"{place} · {s.period.label}（{s.period.starts_on:%Y-%m-%d} 至 {s.period.ends_on:%Y-%m-%d}）"),
            st["sub"],
        ),
        Spacer(1, 10),
        Paragraph("一、资金结存", st["h"]),
        _table(
            [
                ["项目", "银行存款", "库存物资", "合计"],
                ["期初结存", yuan(s.opening_bank), yuan(s.opening_goods), yuan(s.opening_total)],
                ["期末结存", yuan(s.closing_bank), yuan(s.closing_goods), yuan(s.closing_total)],
            ],
            [width * 0.34, width * 0.22, width * 0.22, width * 0.22],
            st,
        ),
        Paragraph("二、本季度收入", st["h"]),
        _lines_table(s.income, "收入合计", s.income_total, width, st),
        Paragraph("三、本季度支出", st["h"]),
        _lines_table(s.spending, "支出合计", s.spending_total, width, st),
    ]
    if s.other:
        story += [Paragraph("（其他变动）", st["h"]), _lines_table(s.other, "合计", s.other_total, width, st)]
    if s.budget:
        rows = [["预算项目", "年度预算", "本季度支出", "本年累计", "余额"]]
        rows += [[b.name, yuan(b.budget), yuan(b.spent_quarter), yuan(b.spent_year), yuan(b.left)] for b in s.budget]
        story += [
            Paragraph(f"四、预算执行（{s.period.year}年）", st["h"]),
            _table(rows, [width * 0.28] + [width * 0.18] * 4, st),
        ]
    story.append(Paragraph("五、本季度捐赠" if s.budget else "四、本季度捐赠", st["h"]))
    if s.donations:
        rows = [["日期", "捐赠人", "捐赠内容", "金额（价值）"]]
        for d in s.donations:
            what = "资金" if d.kind == "money" else f"物资：{d.goods}"
            if d.reversed:
                what += "（已冲销）"
            rows.append([d.received_on.isoformat(), d.donor, what, yuan(d.amount)])
        story.append(_table(rows, [width * 0.16, width * 0.32, width * 0.30, width * 0.22], st, numeric=False))
    else:
        story.append(Paragraph("本季度无捐赠。", st["cell"]))
    story += [
        Spacer(1, 14),
        Paragraph(
            escape(
                f"本季度共记账{s.entries}笔。数字均来自本基金的记账凭证分录，冲销分录与原分录相抵。"
                "应本人要求匿名的捐赠人列为「爱心人士（匿名）」。"
            ),
            st["note"],
        ),
    ]
    doc.build(story)
    return buf.getvalue()


def _lines_table(
    lines: list[Any], total_label: str, total: Decimal, width: float, st: dict[str, ParagraphStyle]
) -> Table:
    rows = [["科目", "金额"]]
    rows += [[f"{x.code} {x.name}", yuan(x.amount)] for x in lines]
    rows.append([total_label, yuan(total)])
    return _table(rows, [width * 0.7, width * 0.3], st, total=True)
