"""The sponsor certificate (认领证书) as a one-page PDF (A5 landscape), drawn with ReportLab.

- Chinese is set in ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1, ``UniGB-UCS2-H``),
  as the volunteering certificate is (:mod:`rongxin.volunteering.domain.certificate_pdf`): no
  font file is shipped; every PDF reader supplies the Song face. Codes and URLs are Helvetica.
- The text is Chinese whatever the page language: it is a certificate, like a paper one.
- It names the sponsor as the public sees them: 「爱心人士」 for a sponsor who asked to stay
  anonymous; never an ID number or a credit score.
- The QR code (drawn by :func:`rongxin.volunteering.domain.certificate_pdf.draw_qr`, vector)
  encodes the absolute URL of the public verification page ``/projects/certificates/<code>/``.

Layout only: :func:`render_sponsor_certificate` draws the facts it is given; who may have the PDF
is the selector's business (:mod:`rongxin.projects.selectors.sponsor`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from rongxin.funds.domain.money import yuan
from rongxin.volunteering.domain.certificate_pdf import draw_qr

CJK = "STSong-Light"
LATIN = "Helvetica"
RED = HexColor("#b3261e")
GOLD = HexColor("#c8a14a")
INK = HexColor("#1f2328")
MUTED = HexColor("#5b6470")
ANONYMOUS_SPONSOR = "爱心人士"
ISSUER = "荣信县新时代文明实践中心"


@dataclass(frozen=True)
class SponsorCertificate:
    """What the certificate says (the sponsor's name already as the public sees it)."""

    code: str
    sponsor: str
    title_sponsor: bool
    project_number: str
    project_title: str
    pledged: Decimal
    paid: Decimal
    pledged_on: dt.date
    issued_on: dt.date


def shown_sponsor(name: str, *, anonymous: bool) -> str:
    return ANONYMOUS_SPONSOR if anonymous else name


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _fonts() -> None:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def render_sponsor_certificate(cert: SponsorCertificate, *, url: str) -> bytes:
    """The PDF of ``cert``; the QR code encodes ``url`` (the absolute verification link)."""
    _fonts()
    buf = io.BytesIO()
    width, height = landscape(A5)
    c = Canvas(buf, pagesize=(width, height), lang="zh-CN")
    c.setTitle("公益项目认领证书")
    c.setSubject(cert.code)
    c.setAuthor(ISSUER)
    c.setCreator("荣信 Rongxin")

    c.setStrokeColor(RED)
    c.setLineWidth(2.4)
    c.rect(16, 16, width - 32, height - 32)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.6)
    c.rect(22, 22, width - 44, height - 44)

    c.setFillColor(INK)
    label = "证书编号："
    size = 8.5
    lw = pdfmetrics.stringWidth(label, CJK, size)
    vw = pdfmetrics.stringWidth(cert.code, LATIN, size)
    c.setFont(CJK, size)
    c.drawString(width - 40 - lw - vw, height - 44, label)
    c.setFont(LATIN, size)
    c.drawString(width - 40 - vw, height - 44, cert.code)

    c.setFillColor(RED)
    c.setFont(CJK, 24)
    heading = "冠名认领证书" if cert.title_sponsor else "公益项目认领证书"
    c.drawCentredString(width / 2, height - 84, heading, charSpace=6)

    body = ParagraphStyle("body", fontName=CJK, fontSize=12.5, leading=22, wordWrap="CJK", textColor=INK)
    what = "冠名认领" if cert.title_sponsor else "认领"
    sentence = (
        f"<u>{escape(cert.sponsor)}</u>：<br/>"
        f"感谢您于 {cn_date(cert.pledged_on)} {what}荣信县项目超市公益项目"
        f"「{escape(cert.project_title)}」（项目编号：<font name='{LATIN}'>{escape(cert.project_number)}</font>），"
        f"认捐 {escape(yuan(cert.pledged))}，已到账 {escape(yuan(cert.paid))}。"
        "您的善举将帮助项目服务对象，特发此证，以资感谢。"
    )
    para = Paragraph(sentence, body)
    left = 52.0
    _w, h = para.wrap(width - 2 * left, height - 120)
    para.drawOn(c, left, height - 104 - h)

    c.setFont(CJK, 11.5)
    c.drawRightString(width - 52, 86, ISSUER)
    c.drawRightString(width - 52, 66, cn_date(cert.issued_on))

    qr = 72.0
    draw_qr(c, url, x=44, y=44, size=qr, color=INK)
    c.setFont(CJK, 8)
    c.drawString(44 + qr + 10, 58, "扫码核验证书真伪")
    c.setFont(LATIN, 5.5)
    c.setFillColor(MUTED)
    c.drawString(44 + qr + 10, 47, url[:120])
    c.setFillColor(INK)
    c.showPage()
    c.save()
    return buf.getvalue()
