"""The honour roll (光荣榜) as a printable A3 poster (portrait), drawn with ReportLab.

- Chinese is set in ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1, ``UniGB-UCS2-H``),
  as the certificates are (see :mod:`rongxin.volunteering.domain.certificate_pdf`): no font file is
  shipped; every PDF reader supplies the Song face. Amounts and dates are Chinese text too.
- Layout: the title 「<地区>季度表彰光荣榜」 and the quarter on top; then each category (诚信者,
  志愿者, 干事者) under a red band, its names in a grid of equal columns, row by row, each cell the
  name, the village and a short reason (wrapped, at most three lines) and the award. A row that
  does not fit goes to the next page (headed 「（续）」), so no roll, however long, overflows: more
  names mean more rows and more pages, and long rolls use narrower columns. The meeting date and
  the page number are at the foot of every page.

Layout only: :func:`render_honour_roll` draws the roll it is given
(:class:`~rongxin.funds.domain.public.HonourRoll`); who may have it is the selector's business.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A3
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from rongxin.funds.domain.money import yuan
from rongxin.funds.domain.public import AWARD_TITLES, HonourName, HonourRoll

CJK = "STSong-Light"
RED = HexColor("#b3261e")
GOLD = HexColor("#c8a14a")
INK = HexColor("#1f2328")
MUTED = HexColor("#5b6470")
MARGIN = 48.0
FOOT = 70.0  # room kept at the bottom for the foot line
REASON_LINES = 3
NO_LINE_START = frozenset("，。；、：！？）」』》…")


def fonts() -> None:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def wrap(text: str, size: float, room: float, *, max_lines: int | None = None) -> list[str]:
    """``text`` cut into lines of at most ``room`` points in ``STSong-Light`` at ``size``, character
    by character (Chinese has no spaces to break at; a closing punctuation mark may hang one
    character past ``room``); the last kept line ends in 「…」 when some text is left over."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if ch == "\n":
            lines.append(current)
            current = ""
            continue
        # Closing punctuation hangs at the end of the line rather than starting the next one.
        if current and ch not in NO_LINE_START and pdfmetrics.stringWidth(current + ch, CJK, size) > room:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    if max_lines is not None and len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and pdfmetrics.stringWidth(last + "…", CJK, size) > room:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


def fitting(text: str, size: float, room: float, *, smallest: float = 8.0) -> float:
    """``size``, or smaller (not below ``smallest``) so that ``text`` fits in ``room`` points."""
    needed = pdfmetrics.stringWidth(text, CJK, size)
    return size if needed <= room else max(smallest, size * room / needed)


@dataclass(frozen=True)
class _Scale:
    columns: int
    name: float
    small: float

    @property
    def leading(self) -> float:
        return self.small * 1.35


def _scale(count: int) -> _Scale:
    if count <= 24:
        return _Scale(columns=3, name=22, small=11)
    if count <= 80:
        return _Scale(columns=4, name=18, small=10)
    return _Scale(columns=5, name=15, small=9)


def _award_text(n: HonourName) -> str:
    title = AWARD_TITLES.get(n.award_kind, "")
    if n.award_kind == "money" and n.award_amount is not None:
        return f"{title} {yuan(n.award_amount)}"
    if n.award_kind == "goods" and n.award_goods:
        return f"{title}：{n.award_goods}"
    return title


@dataclass(frozen=True)
class _Cell:
    name_lines: list[str]
    name_size: float
    village: str
    reason: list[str]
    award: str

    def height(self, s: _Scale) -> float:
        lines = 1 + len(self.reason) + (1 if self.award else 0)
        return len(self.name_lines) * self.name_size * 1.2 + lines * s.leading + 14


def _cell(n: HonourName, s: _Scale, room: float) -> _Cell:
    size = fitting(n.name, s.name, room, smallest=s.name * 0.6)
    return _Cell(
        name_lines=wrap(n.name, size, room, max_lines=2),
        name_size=size,
        village=wrap(n.village, s.small, room, max_lines=1)[0] if n.village else "",
        reason=wrap(n.reason, s.small, room, max_lines=REASON_LINES),
        award=wrap(_award_text(n), s.small, room, max_lines=1)[0] if _award_text(n) else "",
    )


class _Poster:
    def __init__(self, roll: HonourRoll) -> None:
        self.roll = roll
        self.buf = io.BytesIO()
        self.width, self.height = A3
        self.c = Canvas(self.buf, pagesize=A3, lang="zh-CN")
        self.c.setTitle(roll.poster_title)
        self.c.setSubject(roll.period.label)
        self.c.setAuthor(roll.region_name)
        self.c.setCreator("荣信 Rongxin")
        self.page = 0
        self.y = 0.0

    def start_page(self) -> None:
        self.page += 1
        c, w, h = self.c, self.width, self.height
        c.setStrokeColor(RED)
        c.setLineWidth(4)
        c.rect(20, 20, w - 40, h - 40)
        c.setStrokeColor(GOLD)
        c.setLineWidth(1)
        c.rect(28, 28, w - 56, h - 56)
        c.setFillColor(RED)
        title = self.roll.poster_title
        if self.page == 1:
            size = fitting(title, 46, w - 2 * MARGIN - 20, smallest=20)
            c.setFont(CJK, size)
            c.drawCentredString(w / 2, h - 110, title)
            c.setFillColor(INK)
            c.setFont(CJK, 20)
            sub = self.roll.period.label
            if self.roll.town_name:
                sub = f"{self.roll.town_name} · {sub}"
            c.drawCentredString(w / 2, h - 148, sub)
            self.y = h - 185
        else:
            head = f"{title}（续）"
            c.setFont(CJK, fitting(head, 24, w - 2 * MARGIN, smallest=12))
            c.drawCentredString(w / 2, h - 76, head)
            self.y = h - 106
        self._foot()

    def _foot(self) -> None:
        c = self.c
        c.setFillColor(MUTED)
        c.setFont(CJK, 11)
        held = self.roll.held_on
        left = f"表彰大会日期：{cn_date(held)}" if held is not None else ""
        c.drawString(MARGIN, 44, left)
        c.drawRightString(self.width - MARGIN, 44, f"第{self.page}页")
        c.setFillColor(INK)

    def band(self, text: str) -> None:
        """A category's red band; starts a page if fewer than a band and one row fit."""
        if self.y - 40 - 90 < FOOT:
            self.c.showPage()
            self.start_page()
        c = self.c
        c.setFillColor(RED)
        c.rect(MARGIN, self.y - 30, self.width - 2 * MARGIN, 30, stroke=0, fill=1)
        c.setFillColor(white)
        c.setFont(CJK, 18)
        c.drawCentredString(self.width / 2, self.y - 22, text)
        c.setFillColor(INK)
        self.y -= 44

    def grid(self, title: str, names: list[HonourName], s: _Scale) -> None:
        gutter = 14.0
        col_w = (self.width - 2 * MARGIN - gutter * (s.columns - 1)) / s.columns
        room = col_w - 8
        cells = [_cell(n, s, room) for n in names]
        for start in range(0, len(cells), s.columns):
            row = cells[start : start + s.columns]
            height = max(cell.height(s) for cell in row)
            if self.y - height < FOOT:
                self.c.showPage()
                self.start_page()
                self.band(f"{title}（续）")
            for i, cell in enumerate(row):
                self._draw_cell(cell, MARGIN + i * (col_w + gutter) + 4, s)
            self.y -= height

    def _draw_cell(self, cell: _Cell, x: float, s: _Scale) -> None:
        c = self.c
        y = self.y
        c.setFillColor(INK)
        c.setFont(CJK, cell.name_size)
        for line in cell.name_lines:
            y -= cell.name_size * 1.2
            c.drawString(x, y + cell.name_size * 0.2, line)
        c.setFont(CJK, s.small)
        c.setFillColor(MUTED)
        if cell.village:
            y -= s.leading
            c.drawString(x, y + 2, cell.village)
        c.setFillColor(INK)
        for line in cell.reason:
            y -= s.leading
            c.drawString(x, y + 2, line)
        if cell.award:
            y -= s.leading
            c.setFillColor(RED)
            c.drawString(x, y + 2, cell.award)
            c.setFillColor(INK)

    def finish(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def render_honour_roll(roll: HonourRoll) -> bytes:
    """The A3 poster of ``roll`` as PDF bytes (one page or more; never drawn past the page)."""
    fonts()
    poster = _Poster(roll)
    poster.start_page()
    scale = _scale(roll.count)
    if not roll.groups:
        poster.c.setFont(CJK, 16)
        poster.c.drawCentredString(poster.width / 2, poster.y - 40, "本季度无表彰名单。")
    for group in roll.groups:
        poster.band(f"{group.title}（{len(group.names)}名）")
        poster.grid(group.title, group.names, scale)
    return poster.finish()
