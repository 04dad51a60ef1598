"""The one-page settlement note (结余处理单) that backs a left-over's journal entry when the
publisher uploads no voucher of their own: what was moved, from which project, to whom, by whom
and when. Chinese in the built-in CID font ``STSong-Light``, whatever the page language, like a
paper note. Drawn with ``invariant`` on, so the same note is the same bytes (a double submit
stores one voucher)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from rongxin.funds.domain.honour_pdf import CJK, fonts
from rongxin.funds.domain.money import yuan


@dataclass(frozen=True)
class SettlementNote:
    fund_name: str
    project_number: str
    project_title: str
    kind_label: str
    target: str
    amount: Decimal
    note: str
    recorded_on: str
    recorded_by: str


def render_settlement_note(note: SettlementNote) -> bytes:
    """The note as a one-page A4 PDF."""
    fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    width, height = A4
    c.setTitle("项目结余处理单")
    c.setFont(CJK, 18)
    c.drawCentredString(width / 2, height - 72, "项目结余处理单")
    c.setFont(CJK, 11)
    rows = [
        ("资金", note.fund_name),
        ("项目", f"{note.project_number} {note.project_title}"),
        ("处理方式", note.kind_label),
        ("去向", note.target),
        ("金额", yuan(note.amount)),
        ("说明", note.note),
        ("经办", note.recorded_by),
        ("日期", note.recorded_on),
    ]
    y = height - 120
    for label, value in rows:
        c.drawString(72, y, f"{label}：")
        text = value or "—"
        while text:
            c.drawString(150, y, text[:34])
            text = text[34:]
            y -= 18
        y -= 6
    c.setFont(CJK, 9)
    c.drawString(72, 72, "本单由荣信平台依据项目账簿生成，作为结余转出分录的凭证。")
    c.showPage()
    c.save()
    return buf.getvalue()
