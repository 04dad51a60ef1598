"""The sponsor API: pledges, withdrawing, the keeper's desk, payments over multipart, the public
certificate check, problem+json, and who may (404 before the body is read, nothing changed)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rongxin.conftest import client_for
from rongxin.projects.models import Payment, Pledge, Project
from rongxin.projects.tests.helpers import TODAY, MarketWorld, pdf
from rongxin.projects.tests.sponsor_helpers import money_state, pay, pledge

pytestmark = pytest.mark.django_db

API = "/api/v1/projects"


def _slip(tag: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{tag}.pdf", pdf(tag), content_type="application/pdf")


def test_a_sponsor_pledges_and_reads_their_pledges(world: MarketWorld) -> None:
    # given
    project = world.project()
    c = client_for(world.firm_rep)
    # when
    r = c.post(
        f"{API}/{project.pk}/pledges",
        {"sponsor_subject_id": world.firm.pk, "amount": "2500.50", "anonymous": True},
        content_type="application/json",
    )
    # then
    assert r.status_code == 201, r.content
    body = r.json()
    assert {k: body[k] for k in ("project_number", "sponsor_name", "amount", "paid", "unpaid", "state", "anonymous",
                                 "title", "certificate_code")} == {
        "project_number": project.number, "sponsor_name": "荣信海洋食品有限公司", "amount": "2500.50",
        "paid": "0.00", "unpaid": "2500.50", "state": "open", "anonymous": True, "title": False,
        "certificate_code": None,
    }  # fmt: skip
    again = c.post(
        f"{API}/{project.pk}/pledges",
        {"sponsor_subject_id": world.firm.pk, "amount": "2500.50", "anonymous": True},
        content_type="application/json",
    )
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    mine = c.get(f"{API}/pledges/mine")
    assert [p["id"] for p in mine.json()] == [body["id"]]


def test_pledging_over_the_need_is_problem_json_with_the_chinese_message(world: MarketWorld) -> None:
    project = world.project()
    pledge(world, project, "7000")
    before = money_state(project)
    r = client_for(world.resident).post(
        f"{API}/{project.pk}/pledges",
        {"sponsor_subject_id": world.resident_subject.pk, "amount": "3001"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "over_need"
    assert r.json()["title"] == "该项目还需 ¥3,000.00，认捐金额不能超过此数。"
    assert money_state(project) == before


def test_the_keeper_records_a_payment_over_multipart_and_the_public_checks_the_certificate(
    world: MarketWorld,
) -> None:
    # given
    project = world.project()
    p = pledge(world, project, "3000").pledge
    keeper = client_for(world.centre)
    desk = keeper.get(f"{API}/pledges", {"number": project.number})
    assert [x["id"] for x in desk.json()["items"]] == [p.pk]
    # when
    r = keeper.post(
        f"{API}/pledges/{p.pk}/payments",
        {"amount": "１０００", "received_on": TODAY.isoformat(), "voucher": _slip("slip")},
    )
    # then
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["amount"], body["pledge_paid"], body["project_raised"], body["credit_status"], body["credit_points"]) == (
        "1000.00", "1000.00", "1000.00", "below", 0,
    )  # fmt: skip
    p.refresh_from_db()
    check = client_for(None).get(f"{API}/certificates/{p.certificate_code}")
    assert check.status_code == 200
    assert {k: check.json()[k] for k in ("sponsor", "project_number", "pledged", "paid")} == {
        "sponsor": "荣信海洋食品有限公司", "project_number": project.number, "pledged": "3000.00", "paid": "1000.00",
    }  # fmt: skip
    assert client_for(None).get(f"{API}/certificates/nosuchcode123").status_code == 404


def test_an_unpaid_pledge_has_no_certificate(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    assert client_for(None).get(f"{API}/certificates/{p.certificate_code}").status_code == 404


def test_the_certificate_check_is_rate_limited(world: MarketWorld, settings: object) -> None:
    settings.RONGXIN_VERIFY_RATE = "2/m"  # type: ignore[attr-defined]
    c = client_for(None)
    codes = [c.get(f"{API}/certificates/nosuchcode{i:03d}").status_code for i in range(3)]
    assert codes == [404, 404, 429]


def test_a_payment_into_a_closed_project_is_409(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    Project.objects.filter(pk=project.pk).update(state="closed")
    r = client_for(world.centre).post(
        f"{API}/pledges/{p.pk}/payments", {"amount": "100", "received_on": TODAY.isoformat(), "voucher": _slip("c")}
    )
    assert r.status_code == 409
    assert r.json()["title"] == "该项目现在不接受到账登记（草稿或已结项的项目）。"
    assert Payment.objects.count() == 0


def test_withdrawing_over_the_api(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    r = client_for(world.firm_rep).post(
        f"{API}/pledges/{p.pk}/withdraw", {"reason": "预算调整"}, content_type="application/json"
    )
    assert (r.status_code, r.json()["state"]) == (200, "withdrawn")
    assert Project.objects.get(pk=project.pk).pledged == Decimal("0.00")


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "town_b", "village_a1", "leader"])
def test_who_may_not_write_over_the_api(world: MarketWorld, who: str) -> None:
    # given
    project = world.project()
    p = pledge(world, project, "3000").pledge
    before = money_state(project)
    c = client_for(world.users()[who])
    # when
    calls = [
        c.post(f"{API}/{project.pk}/pledges", {"garbage": 1}, content_type="application/json"),
        c.post(f"{API}/pledges/{p.pk}/withdraw", {"garbage": 1}, content_type="application/json"),
        c.post(f"{API}/pledges/{p.pk}/payments", {"amount": "x"}),
        c.get(f"{API}/pledges"),
    ]
    # then
    expected = 401 if who == "anonymous" else 404
    assert [r.status_code for r in calls] == [expected] * 4
    assert money_state(project) == before
    assert Pledge.objects.get(pk=p.pk).state == "open"


def test_a_sponsor_may_not_record_payments(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    r = client_for(world.firm_rep).post(
        f"{API}/pledges/{p.pk}/payments", {"amount": "100", "received_on": TODAY.isoformat(), "voucher": _slip("f")}
    )
    assert r.status_code == 404
    assert Payment.objects.count() == 0
    pay(world, p, "100")  # the keeper may
    assert Payment.objects.count() == 1
