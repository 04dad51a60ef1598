"""Shared test fixtures: a small region tree, users with grants, persons and organisations.

Factories build exactly what a test needs; nothing is shared through a fixture database.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.utils import translation

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.accounts.services import GrantSpec, user_create
from rongxin.core import clock, pii
from rongxin.regions.models import Region
from rongxin.regions.selectors import town_of
from rongxin.subjects.domain.identifiers import id_check_digit, organisation_code_check, uscc_check_char
from rongxin.subjects.models import ConsentEvent, Organisation, Person, Subject, SubjectAccount

_seq = itertools.count(1)
_TEST_DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ``slow`` tests (processes on their own scratch county, minutes each) go first, each
    followed by one quick test. Under xdist (``make test``: ``--dist load --maxschedchunk 1``)
    each worker is handed two tests at a time, so the long ones start at once on different
    workers while the quick ones fill the gaps, instead of ending the run one after another.

    Runs after pytest-django's ordering (database tests, then transactional ones, then the
    rest) and moves only slow tests that never touch the test database, so that ordering holds.
    """
    slow = [
        item
        for item in items
        if item.get_closest_marker("slow")
        and not item.get_closest_marker("django_db")
        and not _TEST_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    ]
    if not slow:
        return
    moved = {id(item) for item in slow}
    rest = [item for item in items if id(item) not in moved]
    ordered: list[pytest.Item] = []
    for item in slow:
        ordered.append(item)
        if rest:
            ordered.append(rest.pop(0))
    items[:] = ordered + rest


@contextmanager
def module_transaction(django_db_blocker: Any, at: Any = None) -> Iterator[None]:
    """For a module-scoped fixture that loads a big synthetic county once: open an outer
    transaction (database access unblocked; the clock frozen at ``at`` when given), let the
    fixture load and yield, and roll everything back after the module. Each test's ``db`` fixture
    nests its own savepoint inside, so tests still cannot see each other's writes."""
    traveller = time_machine.travel(at, tick=False) if at is not None else nullcontext()
    with traveller, django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def make_id_number(*, birth: str = "19900101", male: bool = True, area: str = "371082") -> str:
    """A valid ID number, unique per call (the sequence digits count up)."""
    n = next(_seq)
    seq = (n * 2 + (1 if male else 0)) % 1000
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + id_check_digit(first17)


def make_uscc(*, kind_digit: str = "1") -> str:
    n = next(_seq)
    org8 = f"{n:08d}"
    first17 = f"9{kind_digit}371082{org8}{organisation_code_check(org8)}"
    return first17 + uscc_check_char(first17)


class Tree:
    """County 371082 with towns A and B, each with two villages."""

    def __init__(self) -> None:
        self.county = Region.objects.create(code="371082000000", prefix="371082", name="荣成市", level="county")
        self.town_a = Region.objects.create(
            code="371082001000", prefix="371082001", name="崖头街道", level="town", parent=self.county
        )
        self.town_b = Region.objects.create(
            code="371082101000", prefix="371082101", name="俚岛镇", level="town", parent=self.county
        )
        self.village_a1 = self._village(self.town_a, "001", "东山社区")
        self.village_a2 = self._village(self.town_a, "002", "西山社区")
        self.village_b1 = self._village(self.town_b, "001", "烟墩角村")
        self.village_b2 = self._village(self.town_b, "002", "马栏湾村")

    def _village(self, town: Region, suffix: str, name: str) -> Region:
        code = town.prefix + suffix
        return Region.objects.create(code=code, prefix=code, name=name, level="village", parent=town)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language (Chinese). A request with ``Accept-Language: en``
    leaves its language active on the thread, and under pytest-xdist any test may follow it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def tree(db: Any) -> Tree:
    return Tree()


def make_user(
    username: str, role: str | None = None, region: Region | None = None, *, department: Department | None = None
) -> User:
    grants = [GrantSpec(role=role, region=region, department=department)] if role and region else []
    return user_create(
        actor=None,
        username=username,
        display_name=username,
        password="pw-for-tests-only",
        grants=grants,
        check_password=False,
    )


def make_person(
    village: Region,
    *,
    name: str = "张三",
    id_number: str | None = None,
    consent: bool = False,
    residency: str = "resident",
) -> Person:
    number = id_number or make_id_number()
    subject = Subject.objects.create(
        kind="person", name=name, village=village, town=town_of(village), created_at=clock.now()
    )
    person = Person.objects.create(
        subject=subject,
        residency=residency,
        id_number_encrypted=pii.encrypt(number),
        id_number_hash=pii.lookup_hash(number),
        id_number_masked=pii.mask_id_number(number),
        sex="M",
        birth_date=f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        consent_given=consent,
        consent_changed_at=clock.now() if consent else None,
    )
    if consent:
        ConsentEvent.objects.create(subject=subject, action="grant", channel="paper", at=clock.now())
    return person


def make_organisation(
    village: Region, *, name: str = "荣成市海洋食品有限公司", kind: str = "enterprise"
) -> Organisation:
    subject = Subject.objects.create(
        kind=kind, name=name, village=village, town=town_of(village), created_at=clock.now()
    )
    return Organisation.objects.create(subject=subject, uscc=make_uscc(), legal_representative="李四")


def link(user: User, subject: Subject, relation: str = "self") -> SubjectAccount:
    return SubjectAccount.objects.create(user=user, subject=subject, relation=relation, created_at=clock.now())


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def traffic(db: Any) -> Department:
    return Department.objects.get(code="traffic_police")


@pytest.fixture
def staff(tree: Tree, traffic: Department) -> dict[str, User]:
    """One user per staff situation used by the permission matrices."""
    return {
        "county_office": make_user("county_office", Role.COUNTY_CREDIT_OFFICE, tree.county),
        "recorder": make_user("recorder", Role.DEPARTMENT_RECORDER, tree.county, department=traffic),
        "town_a_officer": make_user("town_a_officer", Role.TOWN_OFFICER, tree.town_a),
        "town_b_officer": make_user("town_b_officer", Role.TOWN_OFFICER, tree.town_b),
        "village_a1_officer": make_user("village_a1_officer", Role.VILLAGE_OFFICER, tree.village_a1),
        "village_a2_officer": make_user("village_a2_officer", Role.VILLAGE_OFFICER, tree.village_a2),
        "team_leader": make_user("team_leader", Role.TEAM_LEADER, tree.town_a),
        "auditor": make_user("auditor", Role.AUDITOR, tree.county),
        "no_role": make_user("no_role"),
    }


# --- Browser (Playwright driving Debian's Chromium; never a downloaded browser) ----------------
CHROMIUM = "/usr/bin/chromium"


class CheckedBrowser:
    """The Playwright browser, watching every page it opens for script errors and for anything
    the Content-Security-Policy blocked; the fixture fails the test on either."""

    def __init__(self, browser: Any):
        self._browser = browser
        self.problems: list[str] = []

    def _watch(self, page: Any) -> Any:
        def console(msg: Any) -> None:
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text:
                self.problems.append(f"CSP: {msg.text}")

        page.on("console", console)
        page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        return page

    def new_page(self, **kwargs: Any) -> Any:
        return self._watch(self._browser.new_page(**kwargs))

    def new_context(self, **kwargs: Any) -> Any:
        context = self._browser.new_context(**kwargs)
        context.on("page", self._watch)
        return context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("RONGXIN_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (RONGXIN_REQUIRE_BROWSER=1) but /usr/bin/chromium is missing")
        pytest.skip("Debian chromium is not installed (make browser installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are
    # ordinary blocking calls made between browser steps, not from inside the loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        checked = CheckedBrowser(b)
        try:
            yield checked
        finally:
            b.close()
            # Entering Playwright switched this thread's context (contextvars), so the test's
            # database connections live in it, out of reach of pytest-django's clean-up: close
            # them here, or PostgreSQL refuses to drop a test database another session holds.
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        assert checked.problems == [], checked.problems


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pw-for-tests-only")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def follow_nav(page: Any, name: str, *, exact: bool = False) -> None:
    """Follow a link of the main navigation, opening the menu first where it is folded (phones)."""
    button = page.locator(".menu-toggle")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
    page.get_by_role("navigation").get_by_role("link", name=name, exact=exact).click()
