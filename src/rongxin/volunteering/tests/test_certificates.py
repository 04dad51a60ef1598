"""Service certificates: issuing over current records, the PDF, public verification, access."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zlib
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import client_for, link, make_id_number, make_person, make_user
from rongxin.core import pii
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import Subject
from rongxin.subjects.selectors import file_views
from rongxin.volunteering.domain.certificates import mask_name, village_committee
from rongxin.volunteering.models import Activity, Certificate, ServiceRecord, Volunteer
from rongxin.volunteering.selectors.certificates import (
    certificate_digest,
    certificate_pdf,
    certificate_verify,
    verify_path,
)
from rongxin.volunteering.services import (
    activity_close,
    attendance_code,
    attendance_scan,
    correction_decide,
    correction_request,
    signup_create,
    volunteer_register,
)
from rongxin.volunteering.services.certificates import certificate_issue
from rongxin.volunteering.tests.conftest import World, at

BASE = "https://rongxin.example.cn"


# --- Helpers ----------------------------------------------------------------------------------
def _attend(world: World, frozen: Any, a: Activity, index: int, start: str, end: str) -> None:
    for kind, when in (("in", start), ("out", end)):
        frozen.move_to(f"{when} +0800")
        code = attendance_code(actor=world.leader, activity_id=a.pk)
        attendance_scan(actor=world.users[index], token=code.token, kind=kind)


def _two_activities(world: World, frozen: Any) -> tuple[Activity, Activity]:
    """v0 serves 3 h at the care home on 2 March and 2 h cleaning on 3 March; v1 serves 1.5 h
    at the care home. Both activities are closed by the leader (records and credit)."""
    care = world.activity()
    clean = world.activity(
        type_code="environment_cleanup",
        title="村道清扫",
        starts_at=at("2026-03-03 08:00"),
        ends_at=at("2026-03-03 10:00"),
    )
    signup_create(actor=world.users[0], activity_id=care.pk)
    signup_create(actor=world.users[1], activity_id=care.pk)
    signup_create(actor=world.users[0], activity_id=clean.pk)
    _attend(world, frozen, care, 0, "2026-03-02 09:00", "2026-03-02 12:00")
    _attend(world, frozen, care, 1, "2026-03-02 09:10", "2026-03-02 10:50")
    frozen.move_to("2026-03-02 13:00 +0800")
    activity_close(actor=world.leader, activity_id=care.pk)
    _attend(world, frozen, clean, 0, "2026-03-03 08:00", "2026-03-03 10:00")
    frozen.move_to("2026-03-04 09:00 +0800")
    activity_close(actor=world.leader, activity_id=clean.pk)
    return care, clean


def _chinese_volunteer(world: World, name: str = "张三丰") -> tuple[Any, Volunteer, str]:
    """A volunteer with a Chinese name in village A1, their account and their ID number."""
    user = make_user("zhang")
    id_number = make_id_number(birth="19850505")
    link(user, make_person(world.tree.village_a1, name=name, id_number=id_number, consent=True).subject)
    return user, volunteer_register(actor=user, agree=True), id_number


def _record(world: World, volunteer: Volunteer, *, minutes: int, day: str = "2026-02-10") -> ServiceRecord:
    """A verified service record written directly (for tests about certificates only)."""
    a = world.activity(title=f"{day} 助老服务")
    return ServiceRecord.objects.create(
        activity=a, volunteer=volunteer, team=world.team, service_date=dt.date.fromisoformat(day), place=a.place,
        content=f"关爱老人：{a.title}", minutes=minutes, rating="good", recorder=world.leader, recorded_at=a.ends_at,
    )  # fmt: skip


def _pdf_text(data: bytes) -> bytes:
    """The page content streams of a ReportLab PDF, decoded (ASCII85 then Flate)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", data, flags=re.S):
        out.append(zlib.decompress(base64.a85decode(b"<~" + raw.strip(), adobe=True)))
    return b"\n".join(out)


# --- Issuing ----------------------------------------------------------------------------------
def test_issue_sums_the_current_records_of_the_period(world: World, frozen: Any) -> None:
    _two_activities(world, frozen)
    # given: v0 had the care-home record corrected from 3 h to 2.5 h (revision 2 is current)
    record = ServiceRecord.objects.get(volunteer=world.volunteers[0], activity__title="敬老院陪伴")
    c = correction_request(actor=world.users[0], record_id=record.pk, minutes=150, reason="提前半小时离开")
    correction_decide(actor=world.leader, correction_id=c.pk, accept=True)
    # when
    cert, _created = certificate_issue(
        actor=world.users[0], period_from=dt.date(2026, 3, 1), period_to=dt.date(2026, 3, 4)
    )
    # then
    assert (cert.minutes, cert.records) == (150 + 120, 2)
    assert cert.issuer == "东山社区居民委员会"
    assert cert.team_id is None
    assert cert.content == "关爱老人（1次，2.5小时）：敬老院陪伴；环境卫生整治（1次，2小时）：村道清扫"
    assert re.fullmatch(r"RXC20260304[0-9A-HJKMNP-TV-Z]{8}", cert.number)
    assert cert.issued_at == dt.datetime(2026, 3, 4, 1, 0, tzinfo=dt.UTC)
    assert cert.digest == certificate_digest(cert)
    assert len(cert.digest) == 64
    event = AuditEvent.objects.get(action="certificate.issue")
    assert (event.object_id, event.subject_id, event.kind) == (cert.number, world.volunteers[0].pk, "write")
    assert event.details == {"from": "2026-03-01", "to": "2026-03-04", "team_id": None, "minutes": 270, "records": 2}
    # A period that leaves out 3 March counts the care home only.
    only_care, _created = certificate_issue(
        actor=world.users[0], period_from=dt.date(2026, 3, 2), period_to=dt.date(2026, 3, 2)
    )
    assert (only_care.minutes, only_care.records) == (150, 1)
    assert only_care.number != cert.number


def test_a_team_certifies_only_the_service_it_organised(world: World, frozen: Any) -> None:
    _two_activities(world, frozen)
    cert, _created = certificate_issue(
        actor=world.users[1], period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 3, 4), team_id=world.team.pk
    )
    assert (cert.issuer, cert.team_id, cert.minutes, cert.records) == ("东山社区志愿服务队", world.team.pk, 90, 1)
    with pytest.raises(InvalidInput) as e:
        certificate_issue(
            actor=world.users[1], period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 3, 4), team_id=999_999
        )
    assert (e.value.code, e.value.errors[0]["field"]) == ("no_records", "team_id")


@pytest.mark.parametrize(
    ("period_from", "period_to", "code", "field"),
    [
        ("2026-02-01", "2026-01-31", "period_reversed", "period_to"),
        ("2026-02-01", "2026-03-02", "period_in_future", "period_to"),  # today is 1 March
        ("2021-02-01", "2026-02-01", "period_too_long", "period_from"),
        ("2026-01-01", "2026-01-31", "no_records", "period_from"),  # the record is on 10 February
    ],
)
def test_bad_periods_are_refused(world: World, period_from: str, period_to: str, code: str, field: str) -> None:
    _record(world, world.volunteers[0], minutes=60)
    with pytest.raises(InvalidInput) as e:
        certificate_issue(
            actor=world.users[0],
            period_from=dt.date.fromisoformat(period_from),
            period_to=dt.date.fromisoformat(period_to),
        )
    assert (e.value.code, e.value.errors[0]["field"]) == (code, field)
    assert Certificate.objects.count() == 0
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 0


def test_five_years_less_a_day_is_allowed_and_only_volunteers_ask(world: World) -> None:
    _record(world, world.volunteers[0], minutes=60)
    cert, _created = certificate_issue(
        actor=world.users[0], period_from=dt.date(2021, 3, 2), period_to=dt.date(2026, 3, 1)
    )
    assert (cert.minutes, cert.records) == (60, 1)
    for actor in (None, make_user("nobody"), world.town_a):
        with pytest.raises(NotFound):
            certificate_issue(actor=actor, period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 3, 1))
    assert Certificate.objects.count() == 1


def test_asking_again_returns_the_certificate_already_issued(world: World, frozen: Any) -> None:
    # given: v0 has a committee certificate and a team certificate over March
    _two_activities(world, frozen)
    march = {"period_from": dt.date(2026, 3, 1), "period_to": dt.date(2026, 3, 4)}
    first, created = certificate_issue(actor=world.users[0], **march)
    assert created
    by_team, created = certificate_issue(actor=world.users[0], team_id=world.team.pk, **march)
    assert created
    # when: both are asked for again
    again, created_again = certificate_issue(actor=world.users[0], **march)
    team_again, team_created_again = certificate_issue(actor=world.users[0], team_id=world.team.pk, **march)
    # then: the same certificates, nothing written
    assert (again.pk, created_again, team_again.pk, team_created_again) == (first.pk, False, by_team.pk, False)
    assert Certificate.objects.count() == 2
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 2
    # Another period, or another volunteer, is another certificate.
    other_period, created = certificate_issue(
        actor=world.users[0], period_from=dt.date(2026, 3, 2), period_to=dt.date(2026, 3, 4)
    )
    assert (created, other_period.pk in (first.pk, by_team.pk)) == (True, False)
    assert certificate_issue(actor=world.users[1], **march)[1] is True
    assert Certificate.objects.count() == 4


def test_a_correction_since_gives_a_new_certificate(world: World, frozen: Any) -> None:
    # given: v0's March certificate, then the care-home record is corrected from 3 h to 2.5 h
    _two_activities(world, frozen)
    march = {"period_from": dt.date(2026, 3, 1), "period_to": dt.date(2026, 3, 4)}
    before, _created = certificate_issue(actor=world.users[0], **march)
    record = ServiceRecord.objects.get(volunteer=world.volunteers[0], activity__title="敬老院陪伴")
    c = correction_request(actor=world.users[0], record_id=record.pk, minutes=150, reason="提前半小时离开")
    correction_decide(actor=world.leader, correction_id=c.pk, accept=True)
    # when
    after, created = certificate_issue(actor=world.users[0], **march)
    # then: a new certificate with the corrected hours; the earlier one stays valid
    assert (created, before.minutes, after.minutes, after.records) == (True, 300, 270, 2)
    assert after.number != before.number
    assert certificate_verify(number=before.number, digest=before.digest).status == "ok"


def test_committee_names_and_masked_names() -> None:
    assert village_committee("东山社区") == "东山社区居民委员会"
    assert village_committee("烟墩角村") == "烟墩角村村民委员会"
    assert village_committee("海湾居委会") == "海湾居民委员会"
    assert (mask_name("张三"), mask_name("欧阳晓明"), mask_name("李")) == ("张*", "欧***", "*")


# --- Verification -----------------------------------------------------------------------------
def test_verify_ok_altered_and_unknown(world: World) -> None:
    user, volunteer, _id = _chinese_volunteer(world)
    _record(world, volunteer, minutes=750)
    cert, _created = certificate_issue(actor=user, period_from=dt.date(2026, 2, 1), period_to=dt.date(2026, 2, 28))
    # genuine
    check = certificate_verify(number=cert.number.lower(), digest=cert.digest.upper())
    assert check.status == "ok"
    assert (check.volunteer_number, check.name, check.issuer) == (volunteer.number, "张**", "东山社区居民委员会")
    assert (check.period_from, check.period_to, check.hours, check.records) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
        "12.5",
        1,
    )
    assert check.issued_on == dt.date(2026, 3, 1)
    # a digest that is not the certificate's (a forged QR code)
    forged = ("0" if cert.digest[0] != "0" else "1") + cert.digest[1:]
    assert certificate_verify(number=cert.number, digest=forged).status == "altered"
    assert certificate_verify(number=cert.number, digest="").status == "altered"
    altered = certificate_verify(number=cert.number, digest=forged)
    assert (altered.ok, altered.name, altered.minutes) == (False, "", 0)
    # unknown numbers
    assert certificate_verify(number="RXC20260301ZZZZZZZZ", digest=cert.digest).status == "unknown"
    assert certificate_verify(number="<script>", digest=cert.digest).status == "unknown"


def test_a_row_edited_behind_the_services_back_fails(world: World) -> None:
    user, volunteer, _id = _chinese_volunteer(world)
    _record(world, volunteer, minutes=120)
    cert, _created = certificate_issue(actor=user, period_from=dt.date(2026, 2, 1), period_to=dt.date(2026, 2, 28))
    Certificate.objects.filter(pk=cert.pk).update(minutes=1200)
    assert certificate_verify(number=cert.number, digest=cert.digest).status == "altered"
    Certificate.objects.filter(pk=cert.pk).update(minutes=120)
    assert certificate_verify(number=cert.number, digest=cert.digest).status == "ok"
    Subject.objects.filter(pk=volunteer.pk).update(name="李四")  # the name on the paper no longer matches
    assert certificate_verify(number=cert.number, digest=cert.digest).status == "altered"


def test_public_verify_page_is_chinese_and_shows_no_id_number(world: World) -> None:
    user, volunteer, id_number = _chinese_volunteer(world)
    _record(world, volunteer, minutes=90)
    cert, _created = certificate_issue(actor=user, period_from=dt.date(2026, 2, 1), period_to=dt.date(2026, 2, 28))
    cache.clear()
    path = verify_path(cert)
    assert path == reverse("volunteering:certificate_verify", args=[cert.number]) + f"?d={cert.digest}"
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    for shown in ("张**", volunteer.number, "东山社区居民委员会", "关爱老人（1次，1.5小时）：2026-02-10 助老服务"):
        assert shown in html
    for hidden in (id_number, pii.mask_id_number(id_number), "张三丰"):
        assert hidden not in html
    assert response["X-Robots-Tag"] == "noindex"
    forged = Client().get(reverse("volunteering:certificate_verify", args=[cert.number]) + "?d=" + "0" * 64)
    assert forged.status_code == 200
    assert "张**" not in forged.content.decode()
    assert Client().get(reverse("volunteering:certificate_verify", args=["RXC20260301ZZZZZZZZ"])).status_code == 404


def test_verification_is_rate_limited_across_page_and_api(world: World, settings: Any) -> None:
    cache.clear()
    settings.RONGXIN_VERIFY_RATE = "3/m"
    client = Client()
    page = reverse("volunteering:certificate_verify", args=["RXC20260301ZZZZZZZZ"])
    api = "/api/v1/certificates/RXC20260301ZZZZZZZZ/verify?d=00"
    statuses = [client.get(page).status_code, client.get(api).status_code, client.get(page).status_code]
    assert statuses == [404, 200, 404]
    assert client.get(page).status_code == 429
    blocked = client.get(api)
    assert (blocked.status_code, blocked["Content-Type"], blocked.json()["code"]) == (
        429,
        "application/problem+json",
        "rate_limited",
    )


# --- The PDF and who may read it --------------------------------------------------------------
def test_pdf_is_chinese_with_number_and_qr_link_and_no_id_number(world: World) -> None:
    user, volunteer, id_number = _chinese_volunteer(world)
    _record(world, volunteer, minutes=750)
    cert, _created = certificate_issue(actor=user, period_from=dt.date(2026, 2, 1), period_to=dt.date(2026, 2, 28))
    data = certificate_pdf(actor=user, number=cert.number, base_url=BASE + "/")
    assert data.startswith(b"%PDF-")
    assert b"/BaseFont /STSong-Light" in data
    assert b"/Encoding /UniGB-UCS2-H" in data
    assert f"/Subject ({cert.number})".encode() in data
    text = _pdf_text(data)
    assert f"({cert.number}) Tj".encode() in text
    assert f"({volunteer.number}) Tj".encode() in text
    assert f"({BASE}/v/cert/{cert.number}/?d={cert.digest}) Tj".encode() in text
    assert id_number.encode() not in data + text
    assert id_number[-4:].encode() + b")" not in text
    # The QR code is vector: one filled rectangle per run of dark modules, no image.
    assert b"/Subtype /Image" not in data
    assert text.count(b" re") > 100
    # The volunteer reading their own certificate leaves no audit row.
    assert AuditEvent.objects.filter(action="certificate.read").count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_resident", 404),
        ("team_leader", 404),
        ("town_b_officer", 404),
        ("village_a1_officer", 200),
        ("owner", 200),
    ],
)
def test_who_may_fetch_the_pdf(world: World, who: str, status: int) -> None:
    user, volunteer, _id = _chinese_volunteer(world)
    _record(world, volunteer, minutes=60)
    cert, _created = certificate_issue(actor=user, period_from=dt.date(2026, 2, 1), period_to=dt.date(2026, 2, 28))
    actors = {
        "anonymous": None,
        "other_resident": world.users[0],
        "team_leader": world.leader,
        "town_b_officer": make_user("town_b", Role.TOWN_OFFICER, world.tree.town_b),
        "village_a1_officer": make_user("va1", Role.VILLAGE_OFFICER, world.tree.village_a1),
        "owner": user,
    }
    response = client_for(actors[who]).get(reverse("volunteering:certificate_pdf", args=[cert.number]))
    assert response.status_code == status
    reads = AuditEvent.objects.filter(action="certificate.read")
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert f"(http://testserver/v/cert/{cert.number}/?d={cert.digest}) Tj".encode() in _pdf_text(response.content)
    if who == "village_a1_officer":
        event = reads.get()
        assert (event.subject_id, event.object_id, event.actor_role, event.kind) == (
            volunteer.pk,
            cert.number,
            Role.VILLAGE_OFFICER,
            "read",
        )
        assert [e.action for e in file_views(subject_id=volunteer.pk)] == ["certificate.read"]
    else:
        assert reads.count() == 0
    api = client_for(actors[who]).get(f"/api/v1/certificates/{cert.number}/pdf")
    assert api.status_code == {302: 401}.get(status, status)


# --- Pages and API ----------------------------------------------------------------------------
def test_pages_ask_show_and_refuse(world: World, frozen: Any) -> None:
    _two_activities(world, frozen)
    client = client_for(world.users[0])
    form = client.get(reverse("volunteering:certificate_new"))
    assert form.status_code == 200
    assert f'<option value="{world.team.pk}">东山社区志愿服务队</option>' in form.content.decode()
    assert 'type="date" name="period_from" value="2026-01-01"' in form.content.decode()
    bad = client.post(reverse("volunteering:certificate_new"), {"period_from": "2026-03-05", "period_to": "2026-03-01"})
    assert bad.status_code == 422
    assert Certificate.objects.count() == 0
    done = client.post(
        reverse("volunteering:certificate_new"), {"period_from": "2026-03-01", "period_to": "2026-03-04", "team_id": ""}
    )
    cert = Certificate.objects.get()
    assert (done.status_code, done["Location"]) == (302, reverse("volunteering:certificate_detail", args=[cert.number]))
    assert (cert.minutes, cert.records, cert.issuer) == (300, 2, "东山社区居民委员会")
    detail = client.get(done["Location"])
    assert detail.status_code == 200
    page = detail.content.decode()
    assert cert.number in page
    assert f"http://testserver/v/cert/{cert.number}/?d={cert.digest}" in page
    assert "<svg" in page
    assert client_for(world.users[1]).get(done["Location"]).status_code == 404
    assert client_for(make_user("nobody")).get(reverse("volunteering:certificate_new")).status_code == 404


def test_a_form_sent_twice_redirects_to_the_same_certificate(world: World, frozen: Any) -> None:
    # given: v0 asked for a March certificate on the page
    _two_activities(world, frozen)
    client = client_for(world.users[0])
    data = {"period_from": "2026-03-01", "period_to": "2026-03-04", "team_id": str(world.team.pk)}
    first = client.post(reverse("volunteering:certificate_new"), data)
    cert = Certificate.objects.get()
    # when: the browser's back button sends the same form again
    second = client.post(reverse("volunteering:certificate_new"), data, follow=True)
    # then: back on the same certificate, told so, and still one certificate
    detail = reverse("volunteering:certificate_detail", args=[cert.number])
    assert (first.status_code, first["Location"]) == (302, detail)
    assert second.redirect_chain == [(detail, 302)]
    assert f"您已有本期间的证明 {cert.number}" in second.content.decode()
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 1


def test_api_asked_twice_answers_200_with_the_same_certificate(world: World, frozen: Any) -> None:
    # given: v0 asked the API for a March certificate
    _two_activities(world, frozen)
    client = client_for(world.users[0])
    body = json.dumps({"period_from": "2026-03-01", "period_to": "2026-03-04"})
    created = client.post("/api/v1/certificates", data=body, content_type="application/json")
    # when: the request is retried
    again = client.post("/api/v1/certificates", data=body, content_type="application/json")
    # then
    assert (created.status_code, again.status_code) == (201, 200)
    assert again.json() == created.json()
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 1


def test_api_issue_list_and_verify(world: World, frozen: Any) -> None:
    _two_activities(world, frozen)
    client = client_for(world.users[0])
    url = "/api/v1/certificates"
    empty = client.post(
        url, data=json.dumps({"period_from": "2026-01-01", "period_to": "2026-01-31"}), content_type="application/json"
    )
    assert (empty.status_code, empty["Content-Type"], empty.json()["code"]) == (
        422,
        "application/problem+json",
        "no_records",
    )
    created = client.post(
        url,
        data=json.dumps({"period_from": "2026-03-01", "period_to": "2026-03-04", "team_id": world.team.pk}),
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    cert = Certificate.objects.get()
    assert body == {
        "number": cert.number,
        "volunteer_number": world.volunteers[0].number,
        "issuer": "东山社区志愿服务队",
        "team_id": world.team.pk,
        "period_from": "2026-03-01",
        "period_to": "2026-03-04",
        "minutes": 300,
        "hours": "5",
        "records": 2,
        "content": "关爱老人（1次，3小时）：敬老院陪伴；环境卫生整治（1次，2小时）：村道清扫",
        "issued_at": "2026-03-04T09:00:00+08:00",
        "verify_url": f"http://testserver/v/cert/{cert.number}/?d={cert.digest}",
    }
    assert [c["number"] for c in client.get(url).json()] == [cert.number]
    assert client_for(world.users[1]).get(url).json() == []
    assert Client().get(url).status_code == 401
    cache.clear()
    ok = Client().get(f"{url}/{cert.number}/verify", {"d": cert.digest}).json()
    assert (ok["status"], ok["ok"], ok["name"], ok["hours"], ok["records"]) == ("ok", True, "v*", "5", 2)
    altered = Client().get(f"{url}/{cert.number}/verify", {"d": "f" * 64}).json()
    assert altered == {
        "status": "altered",
        "ok": False,
        "number": cert.number,
        "volunteer_number": None,
        "name": None,
        "issuer": None,
        "period_from": None,
        "period_to": None,
        "minutes": None,
        "hours": None,
        "records": None,
        "content": None,
        "issued_on": None,
    }
