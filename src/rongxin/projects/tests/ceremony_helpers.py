"""Rows the ceremony and figures tests make straight into the database: a ceremony, pledges,
payments (with a bare journal entry each: the figures read the payment rows, not the books) and
spendings."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from decimal import Decimal
from typing import Any

from rongxin.core import clock
from rongxin.funds.models import Fund, JournalEntry, Voucher
from rongxin.projects.models import Ceremony, Payment, Pledge, Project, Spending
from rongxin.subjects.models import Subject

STARTS = dt.datetime(2026, 6, 1, 19, 0, tzinfo=clock.LOCAL_TZ)
ENDS = dt.datetime(2026, 6, 1, 22, 0, tzinfo=clock.LOCAL_TZ)
_codes = itertools.count(1)


def ceremony(year: int = 2026, **fields: Any) -> Ceremony:
    values: dict[str, Any] = {
        "title": f"{year}年荣信县公益典礼",
        "venue": "县文化中心",
        "starts_at": STARTS.replace(year=year),
        "ends_at": ENDS.replace(year=year),
        "created_at": clock.now(),
    }
    values.update(fields)
    return Ceremony.objects.create(year=year, **values)


def pledge(project: Project, sponsor: Subject, amount: str, **fields: Any) -> Pledge:
    values: dict[str, Any] = {
        "sponsor_name": sponsor.name,
        "pledged_at": clock.now(),
        "certificate_code": f"T{next(_codes):08d}",
    }
    values.update(fields)
    return Pledge.objects.create(project=project, sponsor=sponsor, amount=Decimal(amount), **values)


def _entry(fund: Fund, kind: str, on: dt.date) -> JournalEntry:
    n = next(_codes)
    data = f"voucher {n}".encode()
    voucher = Voucher.objects.create(
        fund=fund,
        file_name=f"v{n}.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_at=clock.now(),
    )
    last = JournalEntry.objects.filter(fund=fund).order_by("-number").values_list("number", flat=True).first() or 0
    return JournalEntry.objects.create(
        fund=fund,
        number=last + 1,
        kind=kind,
        date=on,
        memo="test",
        voucher=voucher,
        created_at=clock.now(),
        prev_hash="0" * 64,
        hash=f"{n:064d}",
    )


def payment(fund: Fund, p: Pledge, amount: str, on: dt.date) -> Payment:
    return Payment.objects.create(
        pledge=p,
        project=p.project,
        entry=_entry(fund, JournalEntry.Kind.DONATION, on),
        amount=Decimal(amount),
        received_on=on,
        recorded_at=clock.now(),
    )


def spending(fund: Fund, project: Project, amount: str, on: dt.date, *, reversed_: bool = False) -> Spending:
    return Spending.objects.create(
        project=project,
        entry=_entry(fund, JournalEntry.Kind.SPENDING, on),
        reversal=_entry(fund, JournalEntry.Kind.REVERSAL, on) if reversed_ else None,
        amount=Decimal(amount),
        paid_on=on,
        purpose="物资",
        recorded_at=clock.now(),
    )
