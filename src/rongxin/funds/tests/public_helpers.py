"""Helpers of the transparency and honour roll tests: postings through the books' core, donation
rows on their entries, meetings and nominations in the states the tests need, and reading the
text out of a ReportLab PDF."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib
from decimal import Decimal
from typing import Any

from rongxin.conftest import make_person
from rongxin.core import clock
from rongxin.funds.models import Donation, Fund, JournalEntry, Meeting, Nomination
from rongxin.funds.services.books import LineIn, entry_post
from rongxin.funds.tests.books_helpers import FundsWorld
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject

D = Decimal


def post(world: FundsWorld, fund: Fund, kind: str, day: str, lines: list[LineIn], **extra: Any) -> JournalEntry:
    return entry_post(
        actor=None,
        fund_id=fund.pk,
        kind=kind,
        on=dt.date.fromisoformat(day),
        memo=f"{kind} {day}",
        voucher=world.voucher(fund, f"{fund.pk}-{kind}-{day}-{JournalEntry.objects.count()}"),
        lines=lines,
        **extra,
    )


def donate(
    world: FundsWorld,
    fund: Fund,
    day: str,
    amount: str,
    donor: str,
    *,
    anonymous: bool = False,
    goods: str = "",
) -> Donation:
    """A money (or, with ``goods``, a goods) donation: its entry and its row."""
    code, account = ("4005", "1002") if goods else ("4004", "1001")
    entry = post(world, fund, "donation", day, [LineIn(account, D(amount)), LineIn(code, -D(amount))])
    return Donation.objects.create(
        fund=fund,
        entry=entry,
        kind="goods" if goods else "money",
        donor_name=donor,
        anonymous=anonymous,
        goods=goods,
        amount=D(amount),
        received_on=dt.date.fromisoformat(day),
        recorded_at=clock.now(),
    )


def meeting(
    region: Region,
    fund: Fund,
    *,
    year: int = 2026,
    quarter: int = 1,
    status: str = "published",
    held_on: dt.date | None = dt.date(2026, 3, 28),
) -> Meeting:
    return Meeting.objects.create(
        region=region,
        fund=fund,
        year=year,
        quarter=quarter,
        title=f"{region.name}{year}年第{quarter}季度表彰大会",
        status=status,
        held_on=held_on,
        published_at=clock.now() if status == "published" else None,
        created_at=clock.now(),
    )


def nominate(
    m: Meeting,
    subject: Subject,
    category: str,
    *,
    status: str = "awarded",
    reasons: list[dict[str, str]] | None = None,
    award_kind: str = "certificate",
    award_amount: str | None = None,
    award_goods: str = "",
) -> Nomination:
    return Nomination.objects.create(
        meeting=m,
        subject=subject,
        category=category,
        origin="data",
        reasons=reasons if reasons is not None else [{"code": "volunteer_hours", "text": "本季度志愿服务 32.5 小时"}],
        status=status,
        award_kind=award_kind,
        award_amount=D(award_amount) if award_amount is not None else None,
        award_goods=award_goods,
        changed_at=clock.now(),
    )


def person(village: Region, name: str) -> Subject:
    return make_person(village, name=name, consent=True).subject


# --- PDF text ------------------------------------------------------------------------------------
def pdf_streams(data: bytes) -> bytes:
    """The content streams of a ReportLab PDF, decoded (ASCII85 then Flate)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", data, flags=re.S):
        out.append(zlib.decompress(base64.a85decode(b"<~" + raw.strip(), adobe=True)))
    return b"\n".join(out)


def _literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes with its escapes undone."""
    out = bytearray()
    i = 0
    while i < len(raw):
        b = raw[i]
        if b != 0x5C:
            out.append(b)
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        if nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            assert digits is not None
            out.append(int(digits.group(), 8) & 0xFF)
            i += 1 + len(digits.group())
            continue
        out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
        i += 2
    return bytes(out)


def pdf_text(data: bytes) -> list[str]:
    """Every string the PDF shows, in order: strings in ``STSong-Light`` (UCS-2) decoded as such."""
    latin = set(re.findall(rb"/BaseFont /Helvetica[^>]*?/Name /(F\d+)", data))
    texts = []
    for font, body in re.findall(rb"/(F\d+) [\d.]+ Tf [\d.]+ TL \(((?:\\.|[^\\)])*)\) Tj", pdf_streams(data), re.S):
        raw = _literal(body)
        texts.append(raw.decode("latin-1") if font in latin else raw.decode("utf-16-be"))
    return texts


def text_positions(data: bytes) -> list[tuple[float, float]]:
    """The (x, y) where every string of the PDF starts."""
    return [(float(x), float(y)) for x, y in re.findall(rb"BT 1 0 0 1 ([-\d.]+) ([-\d.]+) Tm", pdf_streams(data))]


def media_boxes(data: bytes) -> list[tuple[float, ...]]:
    return [tuple(float(v) for v in box.split()) for box in re.findall(rb"/MediaBox \[([^\]]*)\]", data)]
