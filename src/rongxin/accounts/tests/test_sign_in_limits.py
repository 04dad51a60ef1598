"""Sign-in limits: one bucket per account however the name is typed, and one per client address
as seen through the configured proxies (never through a header anyone can send)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from rongxin.accounts.tests.conftest import make_account
from rongxin.core.addresses import parse_networks
from rongxin.core.models import AuditEvent

PROXY = "10.0.0.2"
WRONG = "wrong-password"
RIGHT = "pw-for-tests-only"


@pytest.fixture
def one_minute() -> Iterator[None]:
    # Limits count per clock minute: stay inside one so a boundary cannot reset a count.
    with time_machine.travel("2026-03-01 10:00:05 +0800", tick=False):
        yield


def _post(username: str, password: str = WRONG, *, remote: str = "192.0.2.10", forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post("/login/", {"username": username, "password": password}, **extra)


def test_whitespace_case_and_full_width_spellings_share_one_bucket(db: Any, settings: Any, one_minute: None) -> None:
    # given
    settings.RONGXIN_LOGIN_RATE = "4/m"
    make_account("lecturer")
    spellings = ["lecturer", " lecturer ", "LECTURER", "\u3000Ｌｅｃｔｕｒｅｒ\t"]
    # when: four attempts from four different addresses, then the right password
    statuses = [_post(name, remote=f"192.0.2.{i}").status_code for i, name in enumerate(spellings, start=1)]
    blocked = _post("lecturer", RIGHT, remote="192.0.2.99")
    # then
    assert statuses == [200, 200, 200, 200]
    assert blocked.status_code == 429
    assert AuditEvent.objects.filter(action="auth.login").count() == 0
    failed = AuditEvent.objects.filter(action="auth.login_failed").order_by("id")
    assert list(failed.values_list("details__username", flat=True)) == [
        "lecturer",
        "lecturer",
        "LECTURER",
        "Lecturer",
    ]


def test_sign_in_looks_up_the_normalised_name_exactly(db: Any, settings: Any, one_minute: None) -> None:
    # given
    make_account("lecturer")
    # when
    spaced = _post("  ｌｅｃｔｕｒｅｒ ", RIGHT)
    capital = _post("Lecturer", RIGHT)
    # then: surrounding spaces and full-width letters sign in; another case is another name
    assert spaced.status_code == 302
    assert capital.status_code == 200
    assert list(AuditEvent.objects.filter(kind="auth").values_list("action", "actor_name").order_by("id")) == [
        ("auth.login", "lecturer"),
        ("auth.login_failed", "system"),
    ]


def test_another_account_has_its_own_bucket(db: Any, settings: Any, one_minute: None) -> None:
    # given
    settings.RONGXIN_LOGIN_RATE = "2/m"
    make_account("lecturer")
    make_account("recorder")
    # when
    statuses = [_post(name).status_code for name in ("lecturer", "lecturer", "lecturer", "recorder")]
    # then
    assert statuses == [200, 200, 429, 200]


def test_a_spoofed_forwarded_header_from_an_untrusted_address_is_ignored(
    db: Any, settings: Any, one_minute: None
) -> None:
    # given: a proxy is configured, but the attacker connects directly
    settings.RONGXIN_TRUSTED_PROXIES = parse_networks(PROXY)
    settings.RONGXIN_LOGIN_IP_RATE = "3/m"
    # when: every attempt claims another client address
    statuses = [_post(f"user{i}", remote="203.0.113.5", forwarded=f"198.51.100.{i}").status_code for i in range(1, 5)]
    # then: all four count against the attacker's own address
    assert statuses == [200, 200, 200, 429]
    assert list(AuditEvent.objects.filter(kind="auth").values_list("ip", flat=True)) == ["203.0.113.5"] * 3


def test_without_trusted_proxies_the_header_is_ignored_even_from_the_proxy(
    db: Any, settings: Any, one_minute: None
) -> None:
    # given: the default configuration (no trusted proxies)
    settings.RONGXIN_LOGIN_IP_RATE = "2/m"
    # when
    statuses = [_post(f"user{i}", remote=PROXY, forwarded=f"198.51.100.{i}").status_code for i in range(1, 4)]
    # then
    assert statuses == [200, 200, 429]
    assert list(AuditEvent.objects.filter(kind="auth").values_list("ip", flat=True)) == [PROXY, PROXY]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(
    db: Any, settings: Any, one_minute: None
) -> None:
    # given
    settings.RONGXIN_TRUSTED_PROXIES = parse_networks("10.0.0.0/24, 2001:db8::/32")
    settings.RONGXIN_LOGIN_IP_RATE = "2/m"
    # when: an attacker behind the proxy spends their attempts, spoofing a leftmost entry
    attacker = [
        _post(f"user{i}", remote=PROXY, forwarded=f"192.0.2.{i}, 198.51.100.7").status_code for i in range(1, 4)
    ]
    # and a colleague signs in through the same proxy (and a second trusted hop)
    make_account("colleague")
    colleague = _post("colleague", RIGHT, remote=PROXY, forwarded="198.51.100.8, 10.0.0.9")
    # then
    assert attacker == [200, 200, 429]
    assert colleague.status_code == 302
    assert list(AuditEvent.objects.filter(kind="auth").values_list("ip", flat=True).order_by("id")) == [
        "198.51.100.7",
        "198.51.100.7",
        "198.51.100.8",
    ]


def test_an_ipv4_mapped_proxy_address_is_recognised(db: Any, settings: Any, one_minute: None) -> None:
    # given
    settings.RONGXIN_TRUSTED_PROXIES = parse_networks(PROXY)
    # when
    response = _post("someone", remote=f"::ffff:{PROXY}", forwarded="198.51.100.7")
    # then
    assert response.status_code == 200
    assert list(AuditEvent.objects.filter(kind="auth").values_list("ip", flat=True)) == ["198.51.100.7"]


@pytest.mark.parametrize(
    ("header", "client"),
    [
        ("", PROXY),
        ("not-an-address", PROXY),
        ("198.51.100.7:443", PROXY),
        ("[2001:db8::1]", PROXY),
        ("999.1.1.1", PROXY),
        (",,, ,", PROXY),
        ("198.51.100.7, garbage", PROXY),
        ("garbage, 198.51.100.7", "198.51.100.7"),
        ("x" * 5000, PROXY),
        ("198.51.100.7\x00", PROXY),
        ("2001:db8:1::7", "2001:db8:1::7"),
    ],
)
def test_malformed_forwarded_values_fall_back_to_the_last_trusted_hop(
    db: Any, settings: Any, one_minute: None, header: str, client: str
) -> None:
    # given
    settings.RONGXIN_TRUSTED_PROXIES = parse_networks(PROXY)
    # when
    response = _post("someone", remote=PROXY, forwarded=header)
    # then
    assert response.status_code == 200
    assert list(AuditEvent.objects.filter(kind="auth").values_list("ip", flat=True)) == [client]


def test_public_certificate_checks_count_per_forwarded_client(db: Any, settings: Any, one_minute: None) -> None:
    # given: the other per-address limit of the platform, behind the proxy
    settings.RONGXIN_TRUSTED_PROXIES = parse_networks(PROXY)
    settings.RONGXIN_VERIFY_RATE = "2/m"
    url = "/api/v1/certificates/RXC20260301ABCDEFGH/verify"

    def check(client_ip: str) -> int:
        return Client().get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip).status_code

    # when
    first = [check("198.51.100.7") for _ in range(3)]
    other = check("198.51.100.8")
    # then
    assert first == [200, 200, 429]
    assert other == 200


def test_trusted_proxy_settings_reject_a_bad_entry() -> None:
    # when / then
    assert parse_networks(" 10.0.0.2,172.16.0.0/12  fd00::/8") == parse_networks("10.0.0.2 172.16.0.0/12,fd00::/8")
    with pytest.raises(ValueError, match=r"not an IP address or CIDR block: 'proxy\.example'"):
        parse_networks("10.0.0.2, proxy.example")
