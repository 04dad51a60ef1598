"""The sponsor pages: the pledge form (a sponsor, the centre), my pledges, withdrawing, the keeper's
desk with a voucher upload, the certificate's PDF and its public check (anonymous stays
anonymous), and who may see what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.projects.models import Payment, Pledge, Project
from rongxin.projects.tests.helpers import TODAY, MarketWorld, pdf
from rongxin.projects.tests.sponsor_helpers import money_state, pay, pledge

pytestmark = pytest.mark.django_db


def test_a_sponsor_pledges_on_the_page(world: MarketWorld) -> None:
    # given
    project = world.project()
    c = client_for(world.firm_rep)
    page = c.get(f"/projects/{project.pk}/pledge/")
    assert page.status_code == 200
    assert "尚需" in page.content.decode()
    assert "¥10,000.00" in page.content.decode()
    # when
    r = c.post(f"/projects/{project.pk}/pledge/", {"sponsor_subject_id": world.firm.pk, "amount": "3000"})
    # then
    assert (r.status_code, r["Location"]) == (302, "/projects/pledges/mine/")
    assert Project.objects.get(pk=project.pk).pledged == Decimal("3000.00")
    mine = c.get("/projects/pledges/mine/").content.decode()
    assert project.number in mine
    assert "¥3,000.00" in mine
    assert "撤回" in mine


def test_the_pledge_form_shows_what_is_still_needed_on_the_amount(world: MarketWorld) -> None:
    project = world.project()
    pledge(world, project, "7000")
    before = money_state(project)
    r = client_for(world.resident).post(
        f"/projects/{project.pk}/pledge/", {"sponsor_subject_id": world.resident_subject.pk, "amount": "3500"}
    )
    assert r.status_code == 422
    assert "该项目还需 ¥3,000.00，认捐金额不能超过此数。" in r.content.decode()
    assert money_state(project) == before


def test_a_sponsor_cannot_pick_a_subject_they_do_not_speak_for(world: MarketWorld) -> None:
    project = world.project()
    r = client_for(world.firm_rep).post(
        f"/projects/{project.pk}/pledge/", {"sponsor_subject_id": world.other_firm.pk, "amount": "100"}
    )
    assert r.status_code == 422  # not one of the form's choices
    assert Pledge.objects.count() == 0


def test_the_centre_records_a_paper_pledge_and_lands_on_the_desk(world: MarketWorld) -> None:
    project = world.project()
    c = client_for(world.centre)
    assert "信用档案号" in c.get(f"/projects/{project.pk}/pledge/").content.decode()
    r = c.post(
        f"/projects/{project.pk}/pledge/", {"sponsor_subject_id": str(world.neighbour_subject.pk), "amount": "800"}
    )
    assert (r.status_code, r["Location"]) == (302, f"/projects/payments/?number={project.number}")
    assert Pledge.objects.get().sponsor_id == world.neighbour_subject.pk


@pytest.mark.parametrize("who", ["nobody", "auditor", "town_a", "village_a1", "leader"])
def test_who_has_no_pledge_form(world: MarketWorld, who: str) -> None:
    project = world.project()
    c = client_for(world.users()[who])
    assert c.get(f"/projects/{project.pk}/pledge/").status_code == 404
    assert c.post(f"/projects/{project.pk}/pledge/", {"sponsor_subject_id": "1", "amount": "1"}).status_code == 404
    assert Pledge.objects.count() == 0


def test_withdrawing_on_the_page(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    c = client_for(world.firm_rep)
    r = c.post(f"/projects/pledges/{p.pk}/withdraw/", {"reason": "预算调整"})
    assert (r.status_code, r["Location"]) == (302, "/projects/pledges/mine/")
    assert Pledge.objects.get(pk=p.pk).state == "withdrawn"
    denied = client_for(world.other_rep).post(f"/projects/pledges/{p.pk}/withdraw/", {"reason": "x"})
    assert denied.status_code == 404


def test_the_keeper_records_a_payment_on_the_desk(world: MarketWorld) -> None:
    # given
    project = world.project()
    p = pledge(world, project, "3000").pledge
    c = client_for(world.centre)
    desk = c.get("/projects/payments/", {"number": project.number.lower()})
    assert desk.status_code == 200
    assert "¥3,000.00" in desk.content.decode()
    form = c.get("/projects/payments/", {"pledge": p.pk})
    assert "登记该笔到账" in form.content.decode()
    # when
    r = c.post(
        f"/projects/payments/?pledge={p.pk}",
        {
            "pledge_id": p.pk, "amount": "3000", "received_on": TODAY.isoformat(),
            "voucher": SimpleUploadedFile("slip.pdf", pdf("desk"), content_type="application/pdf"),
        },
    )  # fmt: skip
    # then
    assert r.status_code == 302, r.content.decode()
    assert r["Location"] == f"/projects/payments/?number={project.number}"
    assert (Payment.objects.get().amount, Project.objects.get(pk=project.pk).raised) == (
        Decimal("3000.00"), Decimal("3000.00"),
    )  # fmt: skip
    after = c.get("/projects/payments/").content.decode()
    assert "没有待到账的认领。" in after


def test_the_desk_shows_an_overpayment_on_the_amount(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    r = client_for(world.centre).post(
        f"/projects/payments/?pledge={p.pk}",
        {
            "pledge_id": p.pk, "amount": "3000.01", "received_on": TODAY.isoformat(),
            "voucher": SimpleUploadedFile("slip.pdf", pdf("over"), content_type="application/pdf"),
        },
    )  # fmt: skip
    assert r.status_code == 422
    assert "该认捐还有 ¥3,000.00 未到账，到账金额不能超过此数。" in r.content.decode()
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("who", ["nobody", "auditor", "town_a", "firm_rep", "resident"])
def test_only_the_keeper_has_the_desk(world: MarketWorld, who: str) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    c = client_for(world.users()[who])
    assert c.get("/projects/payments/").status_code == 404
    r = c.post(f"/projects/payments/?pledge={p.pk}", {"pledge_id": p.pk, "amount": "100"})
    assert r.status_code == 404
    assert Payment.objects.count() == 0


# --- Certificates -----------------------------------------------------------------------------------
def test_the_certificate_pdf_is_chinese_with_the_song_font(world: MarketWorld) -> None:
    # given
    project = world.project()
    p = pledge(world, project, "3000").pledge
    pay(world, p, "1000")
    # when
    r = client_for(world.firm_rep).get(f"/projects/certificates/{p.certificate_code}/pdf/")
    # then
    assert (r.status_code, r["Content-Type"]) == (200, "application/pdf")
    assert r.content.startswith(b"%PDF")
    assert b"STSong-Light" in r.content


def test_no_certificate_before_a_payment(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    assert client_for(world.firm_rep).get(f"/projects/certificates/{p.certificate_code}/pdf/").status_code == 404
    r = client_for(None).get(f"/projects/certificates/{p.certificate_code}/")
    assert r.status_code == 404
    assert "证书编号不存在" in r.content.decode()


CERTIFICATE_READERS = {
    "nobody": False, "auditor": False, "centre": True, "town_a": True, "town_b": False, "village_a1": False,
    "traffic_rec": False, "firm_rep": True, "resident": False, "leader": False,
}  # fmt: skip


@pytest.mark.parametrize(("who", "allowed"), sorted(CERTIFICATE_READERS.items()))
def test_who_may_have_the_certificate_pdf(world: MarketWorld, who: str, allowed: bool) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    pay(world, p, "1000")
    r = client_for(world.users()[who]).get(f"/projects/certificates/{p.certificate_code}/pdf/")
    assert r.status_code == (200 if allowed else 404)
    staff_reads = AuditEvent.objects.filter(action="project.read", object_id=str(p.pk)).count()
    assert staff_reads == (1 if allowed and who != "firm_rep" else 0)


def test_the_public_check_of_an_anonymous_sponsor_never_shows_the_name(world: MarketWorld) -> None:
    # given
    project = world.project()
    p = pledge(world, project, "3000", actor=world.resident, sponsor=world.resident_subject, anonymous=True).pledge
    pay(world, p, "3000")
    # when
    page = client_for(None).get(f"/projects/certificates/{p.certificate_code}/")
    api = client_for(None).get(f"/api/v1/projects/certificates/{p.certificate_code}")
    pdf_bytes = client_for(world.resident).get(f"/projects/certificates/{p.certificate_code}/pdf/").content
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "爱心人士（匿名）" in html
    assert project.number in html
    assert "¥3,000.00" in html
    assert "李四" not in html
    assert "李四" not in api.content.decode()
    assert api.json()["sponsor"] == "爱心人士（匿名）"
    assert page["X-Robots-Tag"] == "noindex"
    assert pdf_bytes.startswith(b"%PDF")


@pytest.mark.parametrize("code", ["../../etc", "a" * 60, "代码１２３４５６７８", "abc\x00defghij"])
def test_odd_certificate_codes_are_not_found(world: MarketWorld, code: str) -> None:
    from urllib.parse import quote

    r = client_for(None).get(f"/projects/certificates/{quote(code)}/")
    assert r.status_code == 404


def test_the_last_payment_sent_twice_is_recorded_once(world: MarketWorld) -> None:
    # given a pledge the first send pays in full
    project = world.project()
    p = pledge(world, project, "3000").pledge
    c = client_for(world.centre)

    def send() -> int:
        r = c.post(
            f"/projects/payments/?pledge={p.pk}",
            {
                "pledge_id": p.pk, "amount": "3000", "received_on": TODAY.isoformat(),
                "voucher": SimpleUploadedFile("slip.pdf", pdf("twice"), content_type="application/pdf"),
            },
        )  # fmt: skip
        return r.status_code

    # when
    codes = [send(), send()]
    # then
    assert codes == [302, 302]
    assert Payment.objects.count() == 1
    assert Project.objects.get(pk=project.pk).raised == Decimal("3000.00")


def test_the_desk_read_is_audited(world: MarketWorld) -> None:
    client_for(world.centre).get("/projects/payments/", {"number": "XM2026-0001"})
    event = AuditEvent.objects.get(action="project.read")
    assert (event.actor_id, event.kind, event.purpose) == (world.centre.pk, "read", "payment_desk")
