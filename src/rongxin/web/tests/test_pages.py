"""Pages: sign-in, navigation by role, search, the purpose prompt, the file, registration, audit."""

import pytest
from django.test import Client

from rongxin.conftest import client_for, link, make_id_number, make_person, make_user
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import Person, Subject

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(tree):
    for url in ["/", "/subjects/", "/me/", "/regions/", "/audit/", "/subjects/new/person/"]:
        response = Client().get(url)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/login/")


def test_sign_in_page_is_chinese_by_default_and_english_on_request(tree):
    assert "<h1>登录</h1>" in Client().get("/login/").content.decode()
    # A browser set to English still gets Chinese pages until the user switches.
    assert "<h1>登录</h1>" in Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/").content.decode()
    client = Client()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert switched.status_code == 302
    assert "<h1>Sign in</h1>" in client.get("/login/").content.decode()


def test_api_follows_accept_language(tree):
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/accounts/me").json()["title"] == "Sign in or send an API key."
    assert Client().get("/api/v1/accounts/me").json()["title"] == "请登录或提供 API 密钥。"


def test_sign_in_and_failed_sign_in_are_audited(tree):
    make_user("alice")
    client = Client()
    bad = client.post("/login/", {"username": "alice", "password": "wrong-password"})
    assert "用户名或密码错误。" in bad.content.decode()
    good = client.post("/login/", {"username": "alice", "password": "pw-for-tests-only"})
    assert (good.status_code, good["Location"]) == (302, "/")
    assert list(AuditEvent.objects.filter(kind="auth").order_by("id").values_list("action", "actor_name")) == [
        ("auth.login_failed", "system"),
        ("auth.login", "alice"),
    ]


def test_sign_in_does_not_redirect_off_site(tree):
    make_user("bob")
    response = Client().post(
        "/login/", {"username": "bob", "password": "pw-for-tests-only", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_navigation_follows_roles(tree, staff):
    resident = make_user("res")
    link(resident, make_person(tree.village_a1).subject)

    def nav(user):
        html = client_for(user).get("/").content.decode()
        return [
            label for label in ["我的信用档案", "查询档案", "登记", "行政区划", "审计日志"] if f">{label}</a>" in html
        ]

    assert nav(resident) == ["我的信用档案"]
    assert nav(staff["village_a1_officer"]) == ["查询档案", "登记", "行政区划"]
    assert nav(staff["recorder"]) == ["查询档案", "行政区划"]
    assert nav(staff["auditor"]) == ["行政区划", "审计日志"]
    assert nav(staff["team_leader"]) == ["行政区划"]


def test_search_page_shows_results_in_scope_with_masked_numbers(tree, staff):
    inside = make_person(tree.village_a1, name="张伟")
    make_person(tree.village_b1, name="张伟民")
    html = (
        client_for(staff["village_a1_officer"]).get("/subjects/", {"q": "张伟", "purpose": "record"}).content.decode()
    )
    assert f'href="/subjects/{inside.pk}/?purpose=record"' in html
    assert inside.id_number_masked in html
    assert "张伟民" not in html


def test_bad_search_shows_a_chinese_error(tree, staff):
    html = (
        client_for(staff["county_office"])
        .get("/subjects/", {"q": "110105194912310021", "purpose": "service"})
        .content.decode()
    )
    assert "身份证号码校验位不正确。" in html


def test_file_page_asks_for_a_purpose_before_showing_anything(tree, staff):
    person = make_person(tree.village_a1, name="李雷")
    client = client_for(staff["village_a1_officer"])
    prompt = client.get(f"/subjects/{person.pk}/").content.decode()
    assert person.id_number_masked not in prompt
    assert AuditEvent.objects.filter(action="subject.view").count() == 0
    page = client.get(f"/subjects/{person.pk}/", {"purpose": "service"}).content.decode()
    assert person.id_number_masked in page
    assert AuditEvent.objects.filter(action="subject.view", subject_id=person.pk).count() == 1


def test_file_page_out_of_scope_is_404(tree, staff):
    person = make_person(tree.village_b1)
    response = client_for(staff["village_a1_officer"]).get(f"/subjects/{person.pk}/", {"purpose": "service"})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="subject.view").count() == 0


def test_my_file_shows_full_id_number_and_who_viewed(tree, staff):
    number = make_id_number()
    person = make_person(tree.village_a1, name="本人", id_number=number)
    user = make_user("me")
    link(user, person.subject)
    client_for(staff["village_a1_officer"]).get(f"/subjects/{person.pk}/", {"purpose": "verification"})
    html = client_for(user).get("/me/").content.decode()
    assert number in html
    assert "<td>village_a1_officer</td>" in html  # the officer's display name (tests use the username)
    assert "核实登记信息" in html


def test_resident_gives_consent_on_their_page(tree):
    person = make_person(tree.village_a1)
    user = make_user("me")
    link(user, person.subject)
    response = client_for(user).post("/me/consent/", {"action": "grant"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.consent_given is True


def test_register_person_page_reports_errors_in_chinese_and_saves_nothing(tree, staff):
    client = client_for(staff["village_a1_officer"])
    response = client.post(
        "/subjects/new/person/",
        {
            "name": "王五",
            "id_number": "110105194912310021",
            "residency": "resident",
            "village_code": tree.village_a1.code,
        },
    )
    assert response.status_code == 422
    assert "身份证号码校验位不正确。" in response.content.decode()
    assert Subject.objects.count() == 0


def test_register_person_page_offers_only_own_villages_and_saves(tree, staff):
    client = client_for(staff["village_a1_officer"])
    form = client.get("/subjects/new/person/").content.decode()
    assert tree.village_a1.code in form
    assert tree.village_a2.code not in form
    number = make_id_number()
    response = client.post(
        "/subjects/new/person/",
        {
            "name": "王五",
            "id_number": number,
            "residency": "resident",
            "village_code": tree.village_a1.code,
            "phone": "",
        },
    )
    person = Person.objects.get()
    assert response["Location"] == f"/subjects/{person.pk}/?purpose=verification"


def test_region_pages_show_counts(tree, staff):
    make_person(tree.village_a1)
    make_person(tree.village_a2)
    html = client_for(staff["team_leader"]).get(f"/regions/{tree.town_a.code}/").content.decode()
    assert tree.village_a1.name in html
    assert tree.village_a2.name in html
    assert client_for(staff["team_leader"]).get("/regions/371082999999/").status_code == 404
    resident = make_user("res")
    assert client_for(resident).get("/regions/").status_code == 404


def test_audit_log_only_for_auditors_and_filters(tree, staff):
    person = make_person(tree.village_a1)
    client_for(staff["town_a_officer"]).get(f"/subjects/{person.pk}/", {"purpose": "service"})
    assert client_for(staff["county_office"]).get("/audit/").status_code == 404
    html = (
        client_for(staff["auditor"])
        .get("/audit/", {"action": "subject.view", "actor": "town_a_officer"})
        .content.decode()
    )
    assert "town_a_officer" in html
    assert "查看档案" in html
    bad = client_for(staff["auditor"]).get("/audit/", {"since": "2026-05-01", "until": "2026-01-01"}).content.decode()
    assert "结束日期早于开始日期。" in bad


def test_audit_api_for_auditors_only(tree, staff):
    person = make_person(tree.village_a1)
    client_for(staff["town_a_officer"]).get(f"/api/v1/subjects/{person.pk}?purpose=review")
    assert client_for(staff["county_office"]).get("/api/v1/audit/events").status_code == 404
    body = client_for(staff["auditor"]).get("/api/v1/audit/events", {"action": "subject.view"}).json()
    assert body["count"] == 1
    assert (body["items"][0]["actor_name"], body["items"][0]["subject_id"], body["items"][0]["purpose"]) == (
        "town_a_officer",
        person.pk,
        "处理异议或信用修复",
    )


def test_sign_in_is_rate_limited_per_username(tree, settings):
    import time_machine

    settings.RONGXIN_LOGIN_RATE = "3/m"
    make_user("carol")
    client = Client()
    # The limit counts attempts per clock minute: stay inside one, so a minute boundary between
    # two attempts cannot reset the count.
    with time_machine.travel("2026-03-01 10:00:05 +0800", tick=False):
        statuses = [client.post("/login/", {"username": "carol", "password": "wrong"}).status_code for _ in range(4)]
        blocked = client.post("/login/", {"username": "carol", "password": "pw-for-tests-only"})
    assert statuses == [200, 200, 200, 429]
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.content.decode()
    assert AuditEvent.objects.filter(action="auth.login").count() == 0
