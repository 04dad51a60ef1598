"""The incentives panel of a subject's file page: contributed through the registry, it shows the
holder on their own file the offers they qualify for now and their latest redemptions, and shows
staff nothing (no staff role may see a person's incentives)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import client_for, make_user
from rongxin.core.registry import file_panels
from rongxin.incentives.services.credentials import credential_issue
from rongxin.incentives.services.redemptions import redemption_record
from rongxin.incentives.tests.conftest import World
from rongxin.subjects.models import SubjectAccount

pytestmark = pytest.mark.django_db


def zh(msgid: str, **values: Any) -> str:
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return escape(text % values if values else text)


def panel_of(page: str) -> str:
    """The incentives section of a file page ("" when there is none)."""
    found = re.search(r'<section class="card" id="incentives">.*?</section>', page, re.S)
    return found.group(0) if found else ""


def test_the_panel_comes_from_the_incentives_app_through_the_registry() -> None:
    panels = [(p.name, p.template, p.context) for p in file_panels() if p.name == "incentives"]
    assert panels == [
        ("incentives", "incentives/_file_panel.html", "rongxin.incentives.pages.panels.file_panel"),
    ]


def test_the_own_file_shows_the_offers_qualified_for_and_the_latest_redemptions(world: World) -> None:
    # given: two redemptions of the half-price bus offer, the second newer
    half = world.incentive("bus-half-aa").pk
    for reference in ("T-0001", "T-0002"):
        card = credential_issue(actor=world.aa, incentive_id=half, kind="card").token
        redemption_record(actor=world.bus, token=card, reference=reference)

    # when
    page = client_for(world.aa).get("/me/").content.decode()

    # then: 24 offers now (the first five named), and both redemptions, newest first
    panel = panel_of(page)
    with translation.override("zh-hans"):
        count = ngettext("You qualify for %(n)s offer now.", "You qualify for %(n)s offers now.", 24) % {"n": 24}
    assert count in panel
    assert len(re.findall(r"<li>", panel[panel.index('id="incentives-offers"') : panel.index("</ul>")])) == 5
    redemptions = panel[panel.index('id="incentives-redemptions"') :]
    assert re.findall(r"T-000\d", redemptions) == ["T-0002", "T-0001"]
    assert redemptions.count("城乡公交半价乘车") == 2
    subject = SubjectAccount.objects.get(user=world.aa).subject_id
    assert f'href="/incentives/me/?subject={subject}"' in panel


def test_the_own_file_without_consent_says_why_there_are_no_offers(world: World) -> None:
    panel = panel_of(client_for(world.no_consent).get("/me/").content.decode())
    assert zh("Incentives depend on your credit grade, which needs your consent to scoring.") in panel
    assert 'id="incentives-offers"' not in panel
    assert zh("No redemptions yet.") in panel


@pytest.mark.parametrize("role", [Role.VILLAGE_OFFICER, Role.COUNTY_CREDIT_OFFICE])
def test_staff_see_no_incentives_on_a_file(world: World, role: str) -> None:
    # given: the resident has redeemed an offer, and staff may read the resident's file
    card = credential_issue(actor=world.aa, incentive_id=world.incentive("bus-half-aa").pk, kind="card").token
    redemption_record(actor=world.bus, token=card, reference="T-0001")
    staff = make_user(
        f"staff_{role}", role, world.tree.village_a1 if role == Role.VILLAGE_OFFICER else world.tree.county
    )
    subject = SubjectAccount.objects.get(user=world.aa).subject_id

    # when
    response = client_for(staff).get(f"/subjects/{subject}/", {"purpose": "service"})

    # then: the file is shown, without the incentives panel
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="credit"' in page
    assert panel_of(page) == ""
    assert "T-0001" not in page
