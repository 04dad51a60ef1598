"""Helpers shared by the session, attendance, closing and photo tests: a published book made
with the ORM (the book area's service is not on this branch), a session, a code of it, an
accepted order and small images."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from PIL import Image

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.rotating import RotatingCode
from rongxin.lectures.models import Book, Order, OrderEvent, Saying, Session
from rongxin.lectures.services.sessions import session_create
from rongxin.lectures.tests.conftest import LectureWorld, at

CODE = RotatingCode("l1")


def published_book(n: int = 3) -> list[Saying]:
    book = Book.objects.create(
        title="荣成金句",
        version=Book.objects.count() + 1,
        status=Book.Status.PUBLISHED,
        created_at=clock.now(),
        published_at=clock.now(),
        content_hash="x" * 64,
    )
    return [
        Saying.objects.create(
            book=book, key=f"S{i:02d}", number=i, text=f"金句{i}", interpretation=f"释义{i}", tags=["诚信"]
        )
        for i in range(1, n + 1)
    ]


def new_session(lect: LectureWorld, actor: User | None = None, **overrides: Any) -> Session:
    """A talk in village A1 on 2026-03-02 from 09:00 to 10:30 by the head of town A."""
    data: dict[str, Any] = {
        "title": "诚信建设宣讲",
        "region_code": lect.tree.village_a1.code,
        "place_kind": Session.PlaceKind.OTHER,
        "place": "东山社区广场",
        "starts_at": at("2026-03-02 09:00"),
        "ends_at": at("2026-03-02 10:30"),
        "format": Session.Format.TALK,
        "speaker_ids": [lect.head.pk],
    }
    data.update(overrides)
    return session_create(actor=actor or lect.admin, **data)


def token(session: Session, when: dt.datetime) -> str:
    return CODE.token_for(secret=bytes(session.qr_secret), object_id=session.pk, at=when)


def accepted_order(lect: LectureWorld, *, speaker: Any = None, team: Any = None, region: Any = None) -> Order:
    now = clock.now()
    order = Order.objects.create(
        region=region or lect.tree.village_a1,
        orderer_kind=Order.Orderer.VILLAGE,
        orderer_name="东山社区",
        ordered_by=lect.village_a1,
        ordered_at=now,
        topic="移风易俗",
        preferred_from=dt.date(2026, 3, 2),
        preferred_to=dt.date(2026, 3, 20),
        audience="村民",
        audience_size=50,
        place="社区礼堂",
        state=Order.State.ACCEPTED,
        dispatch_by=now + dt.timedelta(days=3),
        team=team,
        speaker=speaker,
    )
    OrderEvent.objects.create(order=order, action="accept", from_state="dispatched", to_state="accepted", at=now)
    return order


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), exif: bool = False, color: Any = "red") -> bytes:
    im = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif:
        e = Image.Exif()
        e[0x010F] = "SecretCam"  # Make
        e[0x8825] = {1: "N", 2: (37.0, 9.0, 0.0)}  # GPS
        kwargs["exif"] = e.tobytes()
    im.save(out, fmt, **kwargs)
    return out.getvalue()
