"""The certificate as a one-page PDF (A4 landscape), drawn with ReportLab.

- Chinese is set in ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1, encoding
  ``UniGB-UCS2-H``): no font file is shipped or embedded; every PDF reader supplies the
  standard Song face for it, so the certificate shows the same everywhere and stays small.
  Certificate and volunteer numbers are set in Helvetica, which reads better for Latin letters
  and digits.
- The text is Chinese whatever the page language: the certificate is an official document in
  the national format (志愿服务记录与证明出具办法), like a paper form.
- The QR code (segno) is drawn module by module as filled rectangles (one per horizontal run),
  so it is vector and prints sharp at any size. It encodes the absolute URL of the public
  verification page with the certificate's digest (see
  :mod:`rongxin.volunteering.services.certificates`).
- The person is named by their public volunteer number, never their ID number.

Layout only: :func:`render_certificate` draws the facts it is given; the read (who may have
the PDF, the audit of a staff read) is :func:`rongxin.volunteering.selectors.certificate_pdf`.
"""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

import segno
from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from rongxin.volunteering.domain.certificates import CertificateFacts
from rongxin.volunteering.domain.days import local_date
from rongxin.volunteering.domain.hours import hours_text

CJK = "STSong-Light"
LATIN = "Helvetica"
RED = HexColor("#b3261e")
GOLD = HexColor("#c8a14a")
INK = HexColor("#1f2328")
MUTED = HexColor("#5b6470")


def _fonts() -> None:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def draw_qr(c: Canvas, data: str, *, x: float, y: float, size: float, color: Color = black) -> None:
    """Draw ``data`` as a QR code (error correction M) in the square at (x, y) with side
    ``size``, quiet zone excluded (leave white around it)."""
    qr = segno.make(data, error="m", micro=False)
    rows = [list(r) for r in qr.matrix]
    n = len(rows)
    module = size / n
    c.saveState()
    c.setFillColor(color)
    c.setStrokeColor(color)
    path = c.beginPath()
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(x + start * module, top, (col - start) * module, module)
            else:
                col += 1
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


def _fitting(text: str, font: str, size: float, room: float) -> float:
    """``size``, or smaller (not below 8 pt) so that ``text`` fits in ``room`` points."""
    needed = pdfmetrics.stringWidth(text, font, size)
    return size if needed <= room else max(8.0, size * room / needed)


def _label_value(c: Canvas, *, x: float, y: float, label: str, value: str, size: float, right: bool = False) -> None:
    """``证书编号：RXC…``: a Chinese label followed by a Latin value."""
    lw = pdfmetrics.stringWidth(label, CJK, size)
    vw = pdfmetrics.stringWidth(value, LATIN, size)
    left = x - lw - vw if right else x
    c.setFont(CJK, size)
    c.drawString(left, y, label)
    c.setFont(LATIN, size)
    c.drawString(left + lw, y, value)


def render_certificate(cert: CertificateFacts, *, url: str) -> bytes:
    """The PDF of ``cert``; the QR code encodes ``url`` (the absolute verification link)."""
    _fonts()
    name = cert.name
    issued_on = local_date(cert.issued_at)

    buf = io.BytesIO()
    width, height = landscape(A4)
    c = Canvas(buf, pagesize=(width, height), lang="zh-CN")
    c.setTitle("志愿服务证明")
    c.setSubject(cert.number)
    c.setAuthor(cert.issuer)
    c.setCreator("荣信 Rongxin")

    # Frame: a red rule and a thin gold one inside it.
    c.setStrokeColor(RED)
    c.setLineWidth(3)
    c.rect(22, 22, width - 44, height - 44)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.rect(30, 30, width - 60, height - 60)

    c.setFillColor(INK)
    _label_value(c, x=width - 56, y=height - 62, label="证书编号：", value=cert.number, size=10.5, right=True)

    c.setFillColor(RED)
    c.setFont(CJK, 34)
    c.drawCentredString(width / 2, height - 124, "志愿服务证明", charSpace=10)
    c.setFillColor(INK)

    left, text_width = 84.0, width - 168
    body = ParagraphStyle("body", fontName=CJK, fontSize=17, leading=32, wordWrap="CJK", textColor=INK)
    small = ParagraphStyle("small", fontName=CJK, fontSize=13.5, leading=23, wordWrap="CJK", textColor=INK)
    note = ParagraphStyle("note", fontName=CJK, fontSize=9, leading=13, wordWrap="CJK", textColor=MUTED)

    sentence = (
        f"兹证明 <u>{escape(name)}</u>（志愿者编号：<font name='{LATIN}'>{escape(cert.volunteer_number)}</font>）"
        f"于 {_date(cert.period_from)} 至 {_date(cert.period_to)} 期间参加志愿服务，"
        f"经服务记录核实，共 {cert.records} 次，累计服务时长 {hours_text(cert.minutes)} 小时。"
    )
    y = height - 172
    for text, style, gap in (
        (sentence, body, 14),
        (f"服务内容：{escape(cert.content)}", small, 10),
        ("特此证明。", body, 0),
    ):
        para = Paragraph(text, style)
        _w, h = para.wrap(text_width, y)
        y -= h
        para.drawOn(c, left, y)
        y -= gap

    # Issuer and date, bottom right, where a seal would go.
    issuer = f"出具单位：{cert.issuer}"
    c.setFont(CJK, _fitting(issuer, CJK, 15, 430))
    c.drawRightString(width - 90, 168, issuer)
    c.setFont(CJK, 15)
    c.drawRightString(width - 90, 140, f"出具日期：{_date(issued_on)}")

    # QR code, bottom left, with the line asking to scan it.
    qr_size = 96.0
    draw_qr(c, url, x=64, y=76, size=qr_size, color=INK)
    c.setFont(CJK, 10)
    c.drawCentredString(64 + qr_size / 2, 58, "扫码核验真伪")
    c.setFont(LATIN, 6.5)
    c.setFillColor(MUTED)
    c.drawString(64 + qr_size + 14, 80, url)
    c.setFillColor(INK)

    footnote = Paragraph(
        "本证明依据《志愿服务记录与证明出具办法》出具。服务时长为实际服务时间，不含往返交通时间。"
        "本证明以志愿者编号标识志愿者，不载身份证件号码。",
        note,
    )
    footnote.wrap(width - 2 * (64 + qr_size + 14), 40)
    footnote.drawOn(c, 64 + qr_size + 14, 92)

    c.showPage()
    c.save()
    return buf.getvalue()
