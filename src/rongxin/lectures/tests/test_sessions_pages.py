"""The session pages: a permission matrix for every route (each role of the lecture world, a
listener of town A, and anonymous), and the journeys: record, check in by scanning, assisted
record, photo, close, cancel, my lectures and the file panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from rongxin.conftest import client_for, make_id_number, make_person
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.lectures.models import Attendance, Session, SessionPhoto
from rongxin.lectures.pages.panels import file_panel
from rongxin.lectures.services.photos import photo_add
from rongxin.lectures.tests.conftest import LectureWorld, at, resident_user
from rongxin.lectures.tests.test_sessions_helpers import image_bytes, new_session, token
from rongxin.subjects.selectors import subject_file

pytestmark = pytest.mark.django_db

ROLES = ["admin", "town_a", "town_b", "village_a1", "village_b1", "auditor", "team_leader", "head_user", "leader_user"]


def _clients(lect: LectureWorld) -> dict[str, Client]:
    clients = {name: client_for(getattr(lect, name)) for name in ROLES}
    listener, _subject = resident_user("listener_a", lect.tree.village_a2)
    clients["listener"] = client_for(listener)
    clients["anonymous"] = Client()
    return clients


def _statuses(clients: dict[str, Client], url: str) -> dict[str, int]:
    return {name: c.get(url).status_code for name, c in clients.items()}


def _expect(ok: set[str], *, anonymous: int = 302) -> dict[str, int]:
    names = [*ROLES, "listener"]
    return {name: 200 if name in ok else 404 for name in names} | {"anonymous": anonymous}


def test_permission_matrix_of_the_pages(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    photo = photo_add(
        actor=lect.admin, session_id=s.pk, upload=SimpleUploadedFile("p.png", image_bytes("PNG")), caption=""
    )
    clients = _clients(lect)
    everyone = {*ROLES, "listener"}
    runners = {"admin", "town_a", "head_user"}
    seers = runners | {"auditor", "village_a1", "team_leader", "listener"}  # auditor; orderer; residents of town A
    assert _statuses(clients, reverse("lectures:session_list")) == _expect(everyone)
    assert _statuses(clients, reverse("lectures:session_new")) == _expect(
        {"admin", "town_a", "town_b", "team_leader", "head_user", "leader_user"}
    )
    assert _statuses(clients, reverse("lectures:session_detail", args=[s.pk])) == _expect(seers)
    assert _statuses(clients, reverse("lectures:session_code", args=[s.pk])) == _expect(runners)
    assert _statuses(clients, reverse("lectures:photo", args=[photo.pk])) == _expect(seers)
    assert _statuses(clients, reverse("lectures:my_lectures")) == _expect(
        {"team_leader", "head_user", "leader_user", "listener"}
    )
    assert _statuses(clients, reverse("lectures:session_detail", args=[s.pk + 999])) == _expect(set())
    for name in ("photo_add", "assist", "close", "cancel"):
        url = reverse(f"lectures:session_{name}", args=[s.pk])
        for who, c in clients.items():
            expected = 302 if who in runners or who == "anonymous" else 404
            assert (who, c.post(url, {"reason": ""}).status_code) == (who, expected)
            if who == "anonymous":
                assert c.post(url).url.startswith("/login/")
    s.refresh_from_db()
    assert s.status == "planned"  # every refused post changed nothing


def test_listener_names_only_for_those_who_run_the_session(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    elder = make_person(lect.tree.village_a1, name="王奶奶", id_number=make_id_number(birth="19400101"), consent=True)
    Attendance.objects.create(session=s, subject=elder.subject, method="assisted", at=s.starts_at)
    clients = _clients(lect)
    url = reverse("lectures:session_detail", args=[s.pk])
    for who in ("admin", "town_a", "head_user"):
        assert "王奶奶" in clients[who].get(url).content.decode()
    for who in ("auditor", "village_a1", "team_leader", "listener"):
        body = clients[who].get(url).content.decode()
        assert "王奶奶" not in body
        assert 'id="cancel"' not in body
        assert 'id="assist"' not in body
    assert AuditEvent.objects.filter(action="session.listeners_read", kind="read").count() == 3


def test_record_a_session_on_the_page(frozen: Any, lect: LectureWorld) -> None:
    c = client_for(lect.town_a)
    form = {
        "title": "文明乡风宣讲", "region_code": lect.tree.village_a2.code, "format": "pre_meal",
        "starts_at": "2026-03-04T11:30", "ends_at": "2026-03-04T11:45", "place_kind": "market",
        "place": "西山大集", "latitude": "37.1", "longitude": "122.4", "speaker_ids": [str(lect.head.pk)],
    }  # fmt: skip
    bad = c.post(reverse("lectures:session_new"), form | {"longitude": ""})
    assert bad.status_code == 422
    assert 'id="id_longitude_error"' in bad.content.decode()
    response = c.post(reverse("lectures:session_new"), form)
    s = Session.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("lectures:session_detail", args=[s.pk])
    assert (s.format, s.starts_at, s.town_id) == ("pre_meal", at("2026-03-04 11:30"), lect.tree.town_a.pk)
    outside = c.post(reverse("lectures:session_new"), form | {"region_code": lect.tree.village_b1.code})
    assert outside.status_code == 422  # not a choice for a town officer of town A
    assert Session.objects.count() == 1


def test_scan_check_in_close_and_my_lectures(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect, audience_count=30)
    listener, subject = resident_user("listener", lect.tree.village_a1)
    frozen.move_to(at("2026-03-02 09:00"))
    c = client_for(listener)
    t = token(s, at("2026-03-02 09:00"))
    landing = c.get(reverse("lectures:scan") + "?t=" + t)
    assert landing.status_code == 200
    assert s.title in landing.content.decode()
    done = c.post(reverse("lectures:scan"), {"t": t})
    assert (done.status_code, done.url) == (302, reverse("lectures:my_lectures"))
    again = c.post(reverse("lectures:scan"), {"t": t})
    assert again.status_code == 409
    assert "已在本场宣讲签到" in again.content.decode()
    assert c.post(reverse("lectures:scan"), {"t": "nonsense"}).status_code == 422
    forged = c.get(reverse("lectures:scan") + "?t=" + t[:-4] + "AAAA")
    assert (forged.status_code, s.title in forged.content.decode()) == (200, False)
    refuser, _ = resident_user("refuser", lect.tree.village_a1, consent=False)
    no_consent = client_for(refuser).post(reverse("lectures:scan"), {"t": t})
    assert no_consent.status_code == 200
    assert 'name="t"' not in no_consent.content.decode()
    assert not Attendance.objects.filter(subject__name="refuser").exists()
    code_page = client_for(lect.head_user).get(reverse("lectures:session_code", args=[s.pk]))
    assert code_page.status_code == 200
    assert "<svg" in code_page.content.decode()
    frozen.move_to(at("2026-03-02 11:00"))
    c = client_for(listener)
    closed = client_for(lect.head_user).post(reverse("lectures:session_close", args=[s.pk]), {"audience_count": "30"})
    assert closed.status_code == 302
    assert Entry.objects.filter(subject_id=subject.pk, source="lecture").values_list("points", flat=True).get() == 1
    mine = c.get(reverse("lectures:my_lectures")).content.decode()
    assert s.title in mine
    assert "1 分" in mine or "1分" in mine or "1 point" in mine


def test_assisted_photo_and_cancel_on_the_page(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    number = make_id_number(birth="19410101")
    make_person(lect.tree.village_a1, name="李爷爷", id_number=number, consent=True)
    frozen.move_to(at("2026-03-02 09:10"))
    c = client_for(lect.town_a)
    c.post(reverse("lectures:session_assist", args=[s.pk]), {"id_numbers": f"{number}\n", "reason": "无手机"})
    assert Attendance.objects.filter(session=s, method="assisted").count() == 1
    c.post(reverse("lectures:session_photo_add", args=[s.pk]), {"upload": SimpleUploadedFile("a.jpg", b"not an image")})
    assert SessionPhoto.objects.count() == 0
    c.post(reverse("lectures:session_photo_add", args=[s.pk]), {"upload": SimpleUploadedFile("a.jpg", image_bytes())})
    (photo,) = SessionPhoto.objects.all()
    served = c.get(reverse("lectures:photo", args=[photo.pk]))
    assert (served.status_code, served["Content-Type"], served["X-Content-Type-Options"]) == (
        200,
        "image/jpeg",
        "nosniff",
    )
    c.post(reverse("lectures:session_cancel", args=[s.pk]), {"reason": "暴雨"})
    s.refresh_from_db()
    assert (s.status, s.cancel_reason) == ("cancelled", "暴雨")


def test_file_panel_lists_lectures(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    elder = make_person(lect.tree.village_a1, name="老人", consent=True)
    Attendance.objects.create(session=s, subject=elder.subject, method="assisted", at=s.starts_at)
    request = client_for(lect.admin).get("/").wsgi_request
    request.user = lect.admin
    ctx = file_panel(request, subject_file(actor=lect.admin, subject_id=elder.pk, purpose="supervision"), own=False)
    assert ctx is not None
    assert [x.session.pk for x in ctx["lectures_attended"]] == [s.pk]
    assert [x.points for x in ctx["lectures_attended"]] == [None]
    nobody = make_person(lect.tree.village_a1, name="无讲座")
    assert (
        file_panel(request, subject_file(actor=lect.admin, subject_id=nobody.pk, purpose="supervision"), own=False)
        is None
    )
