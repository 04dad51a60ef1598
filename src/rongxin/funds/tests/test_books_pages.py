"""The books' pages: who reads and who keeps a fund, the forms (errors in Chinese beside the
typed values), filters and pages of the journal, an entry and its reversal, a voucher's file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.funds.models import JournalEntry, PeriodClose
from rongxin.funds.tests.books_helpers import PNG, FundsWorld, pdf
from rongxin.funds.tests.books_staff_helpers import READERS_A1, balance, income, snapshot, spend

pytestmark = pytest.mark.django_db

USERS = ["anonymous", "nobody", "auditor", "keeper", "town_a", "town_b", "village_a1", "village_a2", "village_b1"]


def _fund_url(world: FundsWorld, name: str = "fund") -> str:
    return reverse(f"funds:{name}", args=[world.funds["village_a1"].pk])


def _income_form(amount: str = "1200.50", memo: str = "三月福利归集", **kw: Any) -> dict[str, Any]:
    return {
        "income-kind": "welfare",
        "income-on": "2026-03-02",
        "income-amount": amount,
        "income-memo": memo,
        "income-voucher": SimpleUploadedFile("回单.pdf", pdf("page"), content_type="application/pdf"),
    } | kw


def _spending_form(amount: str = "100.00", **kw: Any) -> dict[str, Any]:
    return {
        "spending-kind": "reward",
        "spending-on": "2026-03-05",
        "spending-amount": amount,
        "spending-memo": "兑换积分奖励",
        "spending-voucher": SimpleUploadedFile("签收表.pdf", pdf("sp"), content_type="application/pdf"),
    } | kw


@pytest.mark.parametrize("who", USERS)
def test_who_reads_a_funds_books(world: FundsWorld, who: str) -> None:
    # given
    income(world.village_a1, world.funds["village_a1"], "500.00")
    # when
    r = client_for(world.users()[who]).get(_fund_url(world))
    # then
    if who == "anonymous":
        assert r.status_code == 302
        assert r["Location"].startswith("/login/")
        return
    assert r.status_code == (200 if who in READERS_A1 else 404)
    if r.status_code == 200:
        html = r.content.decode()
        assert "收入in" in html
        assert "¥500.00" in html
        assert ('id="income"' in html) is (who == "village_a1")
        audit = AuditEvent.objects.get(action="fund.read")
        assert (audit.actor_id, audit.details["fund"]) == (world.users()[who].pk, world.funds["village_a1"].pk)  # type: ignore[union-attr]
    else:
        assert not AuditEvent.objects.filter(action="fund.read").exists()


@pytest.mark.parametrize("who", USERS)
def test_who_may_record_income_on_the_page(world: FundsWorld, who: str) -> None:
    before = snapshot()
    r = client_for(world.users()[who]).post(_fund_url(world, "fund_income"), _income_form())
    if who == "village_a1":
        assert (r.status_code, r["Location"]) == (302, _fund_url(world))
        assert balance(world.funds["village_a1"], "1001") == Decimal("1200.50")
    else:
        assert r.status_code == (302 if who == "anonymous" else 404)
        assert snapshot() == before


@pytest.mark.parametrize("who", USERS)
def test_who_may_record_spending_on_the_page(world: FundsWorld, who: str) -> None:
    income(world.village_a1, world.funds["village_a1"], "500.00")
    before = snapshot()
    r = client_for(world.users()[who]).post(_fund_url(world, "fund_spending"), _spending_form("-3"))
    if who == "village_a1":
        assert r.status_code == 422  # the owner learns what was wrong
    else:
        assert r.status_code == (302 if who == "anonymous" else 404)
    assert snapshot() == before


@pytest.mark.parametrize("who", USERS)
def test_who_may_close_a_month_on_the_page(world: FundsWorld, who: str) -> None:
    before = snapshot()
    r = client_for(world.users()[who]).post(_fund_url(world, "fund_close"), {"month": "2026-01"})
    if who == "village_a1":
        assert (r.status_code, r["Location"]) == (302, _fund_url(world))
        assert PeriodClose.objects.get().month == dt.date(2026, 1, 1)
    else:
        assert r.status_code == (302 if who == "anonymous" else 404)
        assert snapshot() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("12.345", "最多两位小数"),
        ("-5", "金额必须大于零"),
        ("abc", "请填写以元为单位的金额，例如 1200.50。"),
    ],
)
def test_a_bad_amount_goes_back_on_the_form_in_chinese_with_what_was_typed(
    world: FundsWorld, amount: str, message: str
) -> None:
    r = client_for(world.village_a1).post(_fund_url(world, "fund_income"), _income_form(amount, memo="三月福利"))
    html = r.content.decode()
    assert r.status_code == 422
    assert message in html
    assert f'value="{amount}"' in html
    assert 'value="三月福利"' in html
    assert JournalEntry.objects.count() == 0


def test_full_width_digits_are_accepted_on_the_page(world: FundsWorld) -> None:
    r = client_for(world.village_a1).post(_fund_url(world, "fund_income"), _income_form("１２.５０"))
    assert r.status_code == 302
    assert balance(world.funds["village_a1"], "1001") == Decimal("12.50")


def test_control_characters_in_the_memo_are_refused_on_the_page(world: FundsWorld) -> None:
    # the platform's text check answers before the view (the service refuses them too)
    r = client_for(world.village_a1).post(_fund_url(world, "fund_income"), _income_form(memo="福利\x1b归集"))
    assert r.status_code == 400
    assert "提交的内容无法接受" in r.content.decode()
    assert JournalEntry.objects.count() == 0


def test_spending_more_than_the_bank_holds_is_said_beside_the_amount(world: FundsWorld) -> None:
    income(world.village_a1, world.funds["village_a1"], "50.00")
    r = client_for(world.village_a1).post(_fund_url(world, "fund_spending"), _spending_form("50.01"))
    assert r.status_code == 422
    html = r.content.decode()
    assert "银行存款" in html
    assert "¥50.00" in html
    assert 'value="50.01"' in html
    assert JournalEntry.objects.count() == 1


def test_a_voucher_of_the_wrong_type_or_too_large_is_refused(world: FundsWorld, settings: Any) -> None:
    client = client_for(world.village_a1)
    fake = SimpleUploadedFile("凭证.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    r = client.post(_fund_url(world, "fund_income"), _income_form(**{"income-voucher": fake}))
    assert r.status_code == 422
    assert "PDF、JPEG 或 PNG" in r.content.decode()
    settings.RONGXIN_FUNDS_VOUCHER_MAX_BYTES = 40
    r = client.post(_fund_url(world, "fund_income"), _income_form())
    assert r.status_code == 422
    assert JournalEntry.objects.count() == 0


def test_a_double_submit_posts_once(world: FundsWorld) -> None:
    client = client_for(world.village_a1)
    first = client.post(_fund_url(world, "fund_income"), _income_form())
    second = client.post(_fund_url(world, "fund_income"), _income_form())
    assert (first.status_code, second.status_code) == (302, 302)
    assert JournalEntry.objects.count() == 1
    assert balance(world.funds["village_a1"], "1001") == Decimal("1200.50")


def test_the_journal_filters_and_pages(world: FundsWorld) -> None:
    # given: 52 incomes in February, a reward in March
    fund = world.funds["village_a1"]
    for i in range(52):
        income(world.village_a1, fund, f"{i + 1}.00", on=dt.date(2026, 2, 1 + i % 28), tag=f"n{i}")
    spend(world.village_a1, fund, "7.00", on=dt.date(2026, 3, 2), kind="reward", tag="r")
    client = client_for(world.auditor)
    # when / then
    page2 = client.get(_fund_url(world), {"page": "2"}).content.decode()
    assert page2.count(f'href="/funds/{fund.pk}/entries/') == 3
    march = client.get(_fund_url(world), {"month": "2026-03"})
    assert march.context["journal"].total == 1
    assert [r.entry.memo for r in march.context["journal"].rows] == ["支出r"]
    assert client.get(_fund_url(world), {"kind": "welfare"}).context["journal"].total == 52
    assert client.get(_fund_url(world), {"account": "5103"}).context["journal"].total == 1
    bad = client.get(_fund_url(world), {"month": "2026-xx"})
    assert bad.status_code == 200
    assert bad.context["journal"].total == 53
    assert "请按 YYYY-MM 格式输入月份。" in bad.content.decode()


def test_the_entry_page_and_its_reversal(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    entry = income(world.village_a1, fund, "88.00")
    url = reverse("funds:entry", args=[fund.pk, entry.pk])
    # a reader sees the lines but no form
    seen = client_for(world.town_a).get(url)
    assert seen.status_code == 200
    assert "借方" in seen.content.decode()
    assert "¥88.00" in seen.content.decode()
    assert seen.context["reverse_form"] is None
    # the keeper reverses with an empty reason: back on the form
    client = client_for(world.village_a1)
    back = client.post(url + "reverse/", {"on": "2026-05-01", "reason": ""})
    assert back.status_code == 422
    assert JournalEntry.objects.count() == 1
    # then with a reason
    done = client.post(url + "reverse/", {"on": "2026-05-01", "reason": "金额录错"})
    reversal = JournalEntry.objects.get(reverses=entry)
    assert done["Location"] == reverse("funds:entry", args=[fund.pk, reversal.pk])
    assert balance(fund, "1001") == Decimal("0.00")
    # an entry of another fund through this fund's path is not found
    other = income(world.village_a2, world.funds["village_a2"], "1.00")
    assert client.get(reverse("funds:entry", args=[fund.pk, other.pk])).status_code == 404


@pytest.mark.parametrize("who", USERS)
def test_who_may_reverse_on_the_page(world: FundsWorld, who: str) -> None:
    fund = world.funds["village_a1"]
    entry = income(world.village_a1, fund, "88.00")
    before = snapshot()
    r = client_for(world.users()[who]).post(
        reverse("funds:entry_reverse", args=[fund.pk, entry.pk]), {"on": "2026-05-01", "reason": "录错"}
    )
    if who == "village_a1":
        assert r.status_code == 302
        assert JournalEntry.objects.filter(reverses=entry).count() == 1
    else:
        assert r.status_code == (302 if who == "anonymous" else 404)
        assert snapshot() == before


def test_a_voucher_downloads_as_an_attachment_of_its_type(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    entry = income(world.village_a1, fund, "9.00", voucher_data=PNG, voucher_name="银行回单.png")
    url = reverse("funds:voucher", args=[fund.pk, entry.voucher_id])
    r = client_for(world.auditor).get(url)
    assert r.status_code == 200
    assert r["Content-Type"] == "image/png"
    assert r["Content-Disposition"] == "attachment; filename*=utf-8''%E9%93%B6%E8%A1%8C%E5%9B%9E%E5%8D%95.png"
    assert r.content == PNG
    audit = AuditEvent.objects.get(action="fund_voucher.read")
    assert (audit.actor_id, audit.actor_role, audit.object_id) == (world.auditor.pk, "auditor", str(entry.voucher_id))
    # not through another fund, not for an outsider
    assert (
        client_for(world.auditor)
        .get(reverse("funds:voucher", args=[world.funds["village_a2"].pk, entry.voucher_id]))
        .status_code
        == 404
    )
    assert client_for(world.village_a2).get(url).status_code == 404
    assert client_for(world.town_b).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="fund_voucher.read").count() == 1


def test_the_hub_links_each_fund_to_its_books(world: FundsWorld) -> None:
    html = client_for(world.town_a).get(reverse("funds:home")).content.decode()
    assert f'href="{_fund_url(world)}"' in html
    assert f'href="{reverse("funds:fund", args=[world.funds["village_b1"].pk])}"' not in html
