"""Every page a demo role can reach reads in Chinese: no raw code, no untranslated message.

A crawler signs in as each account of the demo on a small synthetic county, starts from the home
page and follows every same-site link (GET only, bounded), and reads the text a person sees. A
page fails on:

- a code registered in ``code_labels`` (any kind) shown as text instead of its label;
- any lowercase code-looking token (``credit.entry.record``, ``outside_geofence``) outside a tiny
  allow-list (the demo's user names, file names);
- an object shown as ``user:11``;
- a text that is an English msgid of the catalogue with a Chinese translation (the page forgot
  to translate it).

Elements marked ``translate="no"`` (HTML's own marker for identifiers: keys, IP addresses, object
numbers) are skipped, as are scripts and styles.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from pprint import pformat
from typing import Any
from urllib.parse import urldefrag, urlencode, urlsplit

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from rongxin.accounts.models import User
from rongxin.core import registry
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Catalogue
from rongxin.credit.selectors.catalogues import catalogue_export
from rongxin.credit.services.catalogue import catalogue_draft_create
from rongxin.incentives.models import Provider
from rongxin.subjects.models import SubjectAccount

DEMO_ACCOUNTS = [
    "credit_office", "recorder", "town_officer", "village_officer", "team_leader", "resident", "enterprise",
    "provider", "canteen", "lecturer", "publicity", "civil_affairs", "auditor", "admin", "funds",
]  # fmt: skip
LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# Pages of one URL pattern look alike: a few of each are enough to see every template branch
# that data of the small county reaches, and keep the crawl fast.
PER_PATTERN = 3
PER_ROLE = 250
SKIP_PREFIXES = ("/api/", "/static/", "/media/", "/i18n/", "/admin/")
SKIP_WORDS = ("logout", "download", "export", ".pdf", ".csv", ".xlsx", ".yaml")

CODE_TOKEN = re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*(?:[._][a-z0-9]+)+(?![\w/@-])")
OBJECT_REF = re.compile(r"\b[a-z_]+:\d+\b")
# Two English words and no Chinese in one text node: a sentence someone forgot to translate.
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}")
CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH_ALLOWED = {"English"}  # the language switcher names English in English
FILE_NAME = re.compile(r"\.(csv|xlsx|yaml|yml|pdf|json|png|txt)$")
SKIPPED_TAGS = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text nodes a person reads, outside scripts, styles and ``translate="no"``."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.stack: list[bool] = []  # per open element: is its content skipped?
        self.texts: list[str] = []
        self.links: list[str] = []
        # GET forms submitted as they stand (search, filters, the purpose of access, comparing
        # two catalogues): each select takes its first non-empty option, each field its value.
        self.form: tuple[str, list[tuple[str, str]]] | None = None
        self.select: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href") and "download" not in a:
            self.links.append(a["href"] or "")
        self._form_start(tag, a)
        if tag in VOID:
            return
        skipped = (self.stack[-1] if self.stack else False) or tag in SKIPPED_TAGS or a.get("translate") == "no"
        self.stack.append(skipped)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()
        if tag == "select" and self.form is not None and self.select is not None:
            name, values = self.select
            chosen = next((v for v in values if v), None)
            if chosen is not None:
                self.form[1].append((name, chosen))
            self.select = None
        if tag == "form" and self.form is not None:
            action, fields = self.form
            self.links.append(f"{action or urlsplit(self.url).path}?{urlencode(fields)}")
            self.form = None

    def _form_start(self, tag: str, a: dict[str, str | None]) -> None:
        if tag == "form" and (a.get("method") or "get").lower() == "get":
            self.form = (a.get("action") or "", [])
        elif self.form is None or (not a.get("name") and tag != "option"):
            return
        elif tag == "input" and (a.get("type") or "text") not in ("submit", "button", "file", "checkbox", "radio"):
            self.form[1].append((a["name"] or "", a.get("value") or ""))
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a:
            self.form[1].append((a["name"] or "", a.get("value") or "on"))
        elif tag == "select":
            self.select = (a["name"] or "", [])
        elif tag == "option" and self.select is not None:
            self.select[1].append(a.get("value") or "")

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            text = " ".join(data.split())
            if text:
                self.texts.append(text)


def english_msgids() -> set[str]:
    """The msgids whose Chinese differs from the English: shown as they are, they were not
    translated. Messages without a letter or of one word of at most three letters are left out
    (units, abbreviations the translation keeps)."""
    found = set()
    for e in polib.pofile(str(LOCALE)).translated_entries():
        if e.msgid_plural or "%" in e.msgid or "{" in e.msgid:
            continue
        if e.msgstr and e.msgstr != e.msgid and re.search(r"[A-Za-z]{4,}|[A-Za-z]+\s+[A-Za-z]+", e.msgid):
            found.add(" ".join(e.msgid.split()))
    return found


def registered_codes() -> dict[str, str]:
    """Every code of every kind that has a label, code → kind. Codes that are plain English words
    (``draft``, ``team``) count: an English word on a Chinese page is a fault too."""
    codes: dict[str, str] = {}
    for config_kind in registry._code_labels():
        for code in registry.code_labels(config_kind):
            codes.setdefault(code, config_kind)
    return codes


def problems_on(text: str, *, codes: dict[str, str], msgids: set[str], allowed: set[str]) -> list[str]:
    found = []
    if text in msgids and text not in allowed:
        found.append(f"untranslated: {text!r}")
    elif ENGLISH.search(text) and not CJK.search(text) and text not in ENGLISH_ALLOWED:
        found.append(f"English: {text!r}")  # e.g. a message missing from the catalogue
    for token in re.findall(r"[A-Za-z][A-Za-z0-9_.:-]*[A-Za-z0-9]|[A-Za-z]", text):
        if token in codes and token not in allowed:
            found.append(f"code {token!r} ({codes[token]}) in {text!r}")
    for token in CODE_TOKEN.findall(text):
        if token not in allowed and token not in codes and not FILE_NAME.search(token):
            found.append(f"code-like {token!r} in {text!r}")
    for ref in OBJECT_REF.findall(text):
        found.append(f"object reference {ref!r} in {text!r}")
    return found


def crawl(
    client: Client, *, start: list[str], codes: dict[str, str], msgids: set[str], allowed: set[str]
) -> tuple[dict[str, list[str]], set[str]]:
    """Follow links from the home page: ``{url: [problem, ...]}`` of every page with a problem,
    and the names of the views read."""
    queue, seen = list(start), set(start)
    per_pattern: dict[str, int] = defaultdict(int)
    problems: dict[str, list[str]] = {}
    visited = 0
    read: set[str] = set()
    while queue and visited < PER_ROLE:
        url = queue.pop(0)
        response = client.get(url)
        visited += 1
        if response.status_code in (301, 302):
            location = response["Location"]
            if location.startswith("/") and location not in seen:
                seen.add(location)
                queue.append(location)
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        read.add(resolve(urlsplit(url).path).view_name)
        parser = VisibleText(url)
        parser.feed(response.content.decode())
        page = sorted(
            {p for text in parser.texts for p in problems_on(text, codes=codes, msgids=msgids, allowed=allowed)}
        )
        if response.status_code >= 500:
            page.append(f"status {response.status_code}")
        if page:
            problems[url] = page
        for href in parser.links:
            target = urldefrag(href)[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/") or target in seen:
                continue
            if target.startswith(SKIP_PREFIXES) or any(w in target.lower() for w in SKIP_WORDS):
                continue
            try:
                name = resolve(parts.path).view_name
            except Resolver404:
                continue
            seen.add(target)
            if per_pattern[name] >= PER_PATTERN:
                continue
            per_pattern[name] += 1
            queue.append(target)
    return problems, read


@dataclass
class Demo:
    users: list[User]
    diff_url: str  # the new draft catalogue compared with the one it changes


@pytest.fixture
def demo(db: Any) -> Demo:
    """The demo county, a staff member who opened the resident's file (so "who viewed my file"
    has rows) and a draft catalogue that changes a rule (so the diff has fields to name)."""
    # `rongxin demo` itself (web may not import synth): the county, then one account per role.
    call_command("demo", scale=0.001, seed=7, stdout=StringIO())
    users = list(User.objects.filter(username__in=DEMO_ACCOUNTS).order_by("pk"))
    assert sorted(u.username for u in users) == sorted(DEMO_ACCOUNTS)
    by_name = {u.username: u for u in users}
    resident = SubjectAccount.objects.get(user=by_name["resident"]).subject_id
    officer = Client()
    officer.force_login(by_name["village_officer"])
    assert officer.get(f"/subjects/{resident}/", {"purpose": "record"}).status_code == 200
    old = Catalogue.objects.filter(subject_kind="person").order_by("-version").first()
    assert old is not None
    document = catalogue_export(old)
    rule = document["rules"][0]
    points = rule.pop("points", None) or rule.pop("points_min")
    rule.pop("points_max", None)
    rule.update(points_min=points, points_max=points + 5, review_required=not rule["review_required"])
    new = catalogue_draft_create(actor=by_name["credit_office"], document=document)
    return Demo(users=users, diff_url=reverse("credit:catalogue", args=[new.pk]) + f"?compare={old.pk}")


def test_every_page_of_every_demo_role_reads_in_chinese(demo: Demo) -> None:
    # given: the demo county, every label and every translated message
    codes, msgids = registered_codes(), english_msgids()
    # User names and provider codes are identifiers people chose (the demo's have underscores).
    allowed = {u.username for u in User.objects.all()} | set(Provider.objects.values_list("code", flat=True))
    # when: each demo account reads every page it can reach
    found, read = {}, {}
    for user in demo.users:
        client = Client()
        client.force_login(user)
        start = ["/", demo.diff_url] if user.username == "credit_office" else ["/"]
        problems, read[user.username] = crawl(client, start=start, codes=codes, msgids=msgids, allowed=allowed)
        if problems:
            found[user.username] = problems
    # then: nothing is shown raw or in English
    assert found == {}, pformat(found, width=120)
    # and the crawl reached the pages where codes used to show
    reached = {
        "auditor": "accounts:audit_log",
        "resident": "subjects:my_file",
        "credit_office": "credit:catalogue",
        "provider": "incentives:incentives_verify_offline",
        "team_leader": "volunteering:roster",
    }
    assert {who: view for who, view in reached.items() if view not in read[who]} == {}


def test_every_audit_action_and_object_type_in_the_demo_has_words(demo: Demo) -> None:
    # given: the demo county with its history, staff reads and catalogue changes
    # when: the audit log's codes are looked up
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    types = set(AuditEvent.objects.exclude(object_type="").values_list("object_type", flat=True))
    # then: every one has a label
    assert sorted(actions - set(registry.code_labels("audit.action"))) == []
    assert sorted(types - set(registry.code_labels("audit.object_type"))) == []
    assert {"subject.view", "catalogue.draft", "catalogue.publish", "synth.generate"} <= actions
