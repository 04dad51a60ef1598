"""The shell's pages: sign-in (audited, rate-limited, never redirecting off site), the language,
and the navigation each role sees."""

import pytest
from django.test import Client

from rongxin.conftest import client_for, link, make_person, make_user
from rongxin.core.models import AuditEvent

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
