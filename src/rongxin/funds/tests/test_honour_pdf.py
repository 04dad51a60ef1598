"""The honour roll poster: a valid A3 PDF in STSong-Light with the Chinese names, the title, the
quarter and the meeting date; a long roll flows onto more pages and nothing is drawn off the page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from reportlab.lib.pagesizes import A3
from reportlab.pdfbase import pdfmetrics

from rongxin.funds.domain.honour_pdf import CJK, render_honour_roll
from rongxin.funds.domain.public import HonourGroup, HonourName, HonourRoll, Quarter
from rongxin.funds.tests.books_helpers import FundsWorld
from rongxin.funds.tests.public_helpers import _literal, media_boxes, meeting, nominate, pdf_streams, pdf_text, person

A3_BOX = (0.0, 0.0, 841.8898, 1190.551)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def _roll(names_per_category: int, *, reason: str = "本季度志愿服务 32.5 小时", long_names: bool = False) -> HonourRoll:
    groups = []
    n = 0
    for category, title in (("honest", "诚信者"), ("volunteer", "志愿者"), ("doer", "干事者")):
        names = []
        for _ in range(names_per_category):
            name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)] + GIVEN[n % len(GIVEN)]
            if long_names and n % 7 == 0:
                name = "荣成市海洋食品有限公司爱心志愿服务队第" + str(n) + "分队全体队员代表"
            names.append(
                HonourName(
                    name=name,
                    village="崖头街道东山社区",
                    reason=reason,
                    award_kind=("money", "goods", "certificate")[n % 3],
                    award_amount=Decimal("200.00") if n % 3 == 0 else None,
                    award_goods="大米一袋、食用油一桶" if n % 3 == 1 else "",
                )
            )
            n += 1
        groups.append(HonourGroup(category=category, title=title, names=names))
    return HonourRoll(
        meeting_id=1,
        region_name="东山社区",
        region_level="village",
        town_name="崖头街道",
        period=Quarter(2026, 1),
        title="东山社区2026年第1季度表彰大会",
        held_on=dt.date(2026, 3, 28),
        published_at=None,
        groups=groups,
        shows_amounts=True,
    )


def _drawn(data: bytes) -> list[tuple[float, float, float, str]]:
    """Every string drawn: (x, y, right edge, text)."""
    latin = set(re.findall(rb"/BaseFont /Helvetica[^>]*?/Name /(F\d+)", data))
    out = []
    pattern = rb"BT 1 0 0 1 ([-\d.]+) ([-\d.]+) Tm /(F\d+) ([\d.]+) Tf [\d.]+ TL \(((?:\\.|[^\\)])*)\) Tj"
    for x, y, font, size, body in re.findall(pattern, pdf_streams(data), re.S):
        raw = _literal(body)
        text = raw.decode("latin-1") if font in latin else raw.decode("utf-16-be")
        width = pdfmetrics.stringWidth(text, "Helvetica" if font in latin else CJK, float(size))
        out.append((float(x), float(y), float(x) + width, text))
    return out


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def _assert_on_the_page(data: bytes) -> None:
    width, height = A3
    drawn = _drawn(data)
    assert len(drawn) == len(pdf_text(data))  # every string was measured
    for x, y, right, text in drawn:
        assert x >= 28, text
        assert right <= width - 28 + 10, text  # a hanging comma may pass the column, never the frame
        assert 40 <= y <= height - 60, text


def test_short_roll_is_one_a3_page_with_everything() -> None:
    data = render_honour_roll(_roll(2))
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert media_boxes(data) == [A3_BOX]
    assert b"/BaseFont /STSong-Light" in data
    assert b"/Encoding /UniGB-UCS2-H" in data
    assert b"/Subtype /Type0" in data  # a CID-keyed (composite) font
    text = pdf_text(data)
    assert text[:2] == ["东山社区季度表彰光荣榜", "崖头街道 · 2026年第1季度"]
    assert "表彰大会日期：2026年3月28日" in text
    assert [t for t in text if t.endswith("名）")] == ["诚信者（2名）", "志愿者（2名）", "干事者（2名）"]
    assert [t for t in text if t in ("赵伟伟", "钱伟芳", "孙伟娜", "李伟秀", "周伟英", "吴伟敏")] == [
        "赵伟伟",
        "钱伟芳",
        "孙伟娜",
        "李伟秀",
        "周伟英",
        "吴伟敏",
    ]
    assert "奖金 ¥200.00" in text
    assert "奖品：大米一袋、食用油一桶" in text
    assert "荣誉证书" in text
    _assert_on_the_page(data)


def test_three_hundred_names_flow_onto_more_pages() -> None:
    roll = _roll(100, reason="拾金不昧，主动归还失主现金两千元；常年照顾孤寡老人，带头参加村庄环境整治，" * 3)
    data = render_honour_roll(roll)
    pages = _pages(data)
    assert pages >= 3
    assert media_boxes(data) == [A3_BOX] * pages
    text = pdf_text(data)
    names = [n.name for g in roll.groups for n in g.names]
    assert len(names) == 300
    drawn = set(text)
    assert [n for n in names if n not in drawn] == []
    assert text.count("东山社区季度表彰光荣榜（续）") == pages - 1
    assert [f"第{i}页" for i in range(1, pages + 1)] == [t for t in text if re.fullmatch(r"第\d+页", t)]
    assert len([t for t in text if t.startswith("拾金不昧")]) == 300
    assert any(t.endswith("…") for t in text)  # the long reason is cut at three lines
    _assert_on_the_page(data)


def test_long_names_shrink_or_wrap_but_stay_on_the_page() -> None:
    data = render_honour_roll(_roll(40, long_names=True))
    assert media_boxes(data)[0] == A3_BOX
    _assert_on_the_page(data)


def test_empty_roll_is_a_page_that_says_so() -> None:
    roll = _roll(0)
    data = render_honour_roll(HonourRoll(**{**roll.__dict__, "groups": []}))
    assert "本季度无表彰名单。" in pdf_text(data)
    assert _pages(data) == 1


@pytest.mark.django_db
def test_pdf_of_a_published_meeting_from_the_page(world: FundsWorld) -> None:
    tree = world.tree
    m = meeting(tree.village_a1, world.funds["village_a1"])
    nominate(m, person(tree.village_a1, "王诚信"), "honest", award_kind="money", award_amount="300.00")
    nominate(m, person(tree.village_a1, "钱撤回"), "honest", status="withdrawn")
    response = Client().get(reverse("funds:honour_roll_pdf", args=[m.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="honour-roll-{m.pk}.pdf"'
    data = response.content
    assert media_boxes(data) == [A3_BOX]
    text = pdf_text(data)
    assert "王诚信" in text
    assert "奖金" in text  # the amount is not shown by default
    assert not any("300" in t or "钱撤回" in t for t in text)
