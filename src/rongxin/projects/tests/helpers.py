"""A small marketplace world shared by the projects tests.

The county tree of ``rongxin.conftest`` (towns A and B, two villages each) with the starter
catalogues, and:

- the county centre (``centre``: civilization office recorder over the county, who also keeps the
  project marketplace fund), town officers ``town_a``/``town_b``, village officers
  ``village_a1``/``village_b1``, a department recorder ``traffic_rec`` (traffic police), an
  ``auditor`` and ``nobody`` (no role);
- an enterprise ``firm`` (in village A1) and its representative ``firm_rep``; a second enterprise
  ``other_firm`` with ``other_rep``;
- residents with consent: ``resident`` (李四, village A1, linked account) and ``neighbour``
  (王五, village B1, linked account);
- a volunteer team of town A (``team``) led by ``leader`` and a team of town B (``team_b``) led by
  ``leader_b``;
- the project marketplace fund opened on 2026-01-01.

Time is frozen at 2026-05-20 10:00 in the county (``frozen``). :meth:`MarketWorld.project` makes a
project straight into the database in any state (for tests of one step); the services make them
for tests of the flow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree, link, make_id_number, make_organisation, make_person, make_user
from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.funds.models import Fund
from rongxin.projects.models import Project
from rongxin.projects.services.common import projects_fund
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Team, Volunteer
from rongxin.volunteering.services import membership_apply, membership_decide, team_create, volunteer_register
from rongxin.volunteering.services.people import leader_set

TODAY = dt.date(2026, 5, 20)
NOW = "2026-05-20 10:00 +0800"
OPENED = dt.date(2026, 1, 1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + b"IEND\xaeB`\x82"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16 + b"\xff\xd9"


def pdf(tag: str = "") -> bytes:
    """A distinct small PDF (vouchers are stored once per content)."""
    return PDF.replace(b"<<>>endobj", f"<</T({tag})>>endobj".encode())


def png(tag: str = "") -> bytes:
    """A distinct small PNG (photos are stored once per content)."""
    return PNG.replace(b"\x00" * 16, tag.encode().ljust(16, b"\x00")[:16])


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class MarketWorld:
    tree: Tree
    centre: User
    town_a: User
    town_b: User
    village_a1: User
    village_b1: User
    traffic_rec: User
    auditor: User
    nobody: User
    firm: Subject
    firm_rep: User
    other_firm: Subject
    other_rep: User
    resident: User
    resident_subject: Subject
    neighbour: User
    neighbour_subject: Subject
    leader: User
    team: Team
    leader_b: User
    team_b: Team
    fund: Fund

    def users(self) -> dict[str, User | None]:
        """Every kind of caller, for permission matrices."""
        return {
            "anonymous": None,
            "nobody": self.nobody,
            "auditor": self.auditor,
            "centre": self.centre,
            "town_a": self.town_a,
            "town_b": self.town_b,
            "village_a1": self.village_a1,
            "village_b1": self.village_b1,
            "traffic_rec": self.traffic_rec,
            "firm_rep": self.firm_rep,
            "resident": self.resident,
            "leader": self.leader,
            "leader_b": self.leader_b,
        }

    def project(self, **fields: Any) -> Project:
        """A project of town A's institute in village A1 (budget ¥10,000), straight into the
        database in ``state`` (default published) with its accounts opened."""
        from rongxin.projects.services.common import number_next, project_accounts

        state = fields.pop("state", Project.State.PUBLISHED)
        defaults: dict[str, Any] = {
            "title": "夕阳红助浴",
            "need": "为村里行动不便的老人每月上门助浴一次。",
            "beneficiaries": "行动不便的独居老人",
            "beneficiary_count": 12,
            "region": self.tree.village_a1,
            "category": Project.Category.ELDERLY,
            "budget": Decimal("10000.00"),
            "starts_on": dt.date(2026, 6, 1),
            "ends_on": dt.date(2026, 11, 30),
            "team_kind": Team.Kind.SERVICE,
            "publisher": Project.Publisher.INSTITUTE,
            "publisher_region": self.tree.town_a,
            "created_at": clock.now(),
            "created_by": self.town_a,
        }
        defaults.update(fields)
        if state != Project.State.DRAFT:
            defaults.setdefault("published_at", clock.now())
        project = Project.objects.create(number=number_next(Project, "XM", TODAY.year), state=state, **defaults)
        project_accounts(project, self.fund)
        return project


def lead_team(town_officer: User, town: Any, village: Any, *, name: str, leader_name: str) -> tuple[User, Team]:
    """A town's team with an accepted leader who has a team-leader grant over the town."""
    team = team_create(
        actor=town_officer, name=name, tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.SERVICE, region_code=town.code
    )
    leader = make_user(leader_name, Role.TEAM_LEADER, town)
    person = make_person(village, name=leader_name, id_number=make_id_number(birth="19800101"), consent=True)
    link(leader, person.subject)
    me: Volunteer = volunteer_register(actor=leader, agree=True)
    m = membership_apply(actor=leader, team_id=team.pk)
    membership_decide(actor=town_officer, membership_id=m.pk, accept=True)
    leader_set(actor=town_officer, team_id=team.pk, volunteer_number=me.number)
    return leader, team


def market_world(tree: Tree) -> MarketWorld:
    catalogue_load_starters()
    office = Department.objects.get(code="civilization_office")
    traffic = Department.objects.get(code="traffic_police")
    town_a = make_user("town_a", Role.TOWN_OFFICER, tree.town_a)
    town_b = make_user("town_b", Role.TOWN_OFFICER, tree.town_b)
    firm = make_organisation(tree.village_a1, name="荣信海洋食品有限公司")
    firm_rep = make_user("firm_rep", Role.ENTERPRISE_REP, tree.village_a1)
    link(firm_rep, firm.subject, "representative")
    other = make_organisation(tree.village_b1, name="石岛渔具商行")
    other_rep = make_user("other_rep", Role.ENTERPRISE_REP, tree.village_b1)
    link(other_rep, other.subject, "representative")
    resident = make_user("resident", Role.RESIDENT, tree.village_a1)
    person = make_person(tree.village_a1, name="李四", consent=True)
    link(resident, person.subject)
    neighbour = make_user("neighbour", Role.RESIDENT, tree.village_b1)
    neighbour_person = make_person(tree.village_b1, name="王五", consent=True)
    link(neighbour, neighbour_person.subject)
    leader, team = lead_team(town_a, tree.town_a, tree.village_a1, name="东山助老志愿服务队", leader_name="leader")
    leader_b, team_b = lead_team(town_b, tree.town_b, tree.village_b1, name="石岛志愿服务队", leader_name="leader_b")
    return MarketWorld(
        tree=tree,
        centre=make_user("centre", Role.DEPARTMENT_RECORDER, tree.county, department=office),
        town_a=town_a,
        town_b=town_b,
        village_a1=make_user("village_a1", Role.VILLAGE_OFFICER, tree.village_a1),
        village_b1=make_user("village_b1", Role.VILLAGE_OFFICER, tree.village_b1),
        traffic_rec=make_user("traffic_rec", Role.DEPARTMENT_RECORDER, tree.county, department=traffic),
        auditor=make_user("auditor", Role.AUDITOR, tree.county),
        nobody=make_user("nobody"),
        firm=firm.subject,
        firm_rep=firm_rep,
        other_firm=other.subject,
        other_rep=other_rep,
        resident=resident,
        resident_subject=person.subject,
        neighbour=neighbour,
        neighbour_subject=neighbour_person.subject,
        leader=leader,
        team=team,
        leader_b=leader_b,
        team_b=team_b,
        fund=projects_fund(county=tree.county, opened_on=OPENED),
    )


@pytest.fixture
def world(tree: Tree, frozen: Any) -> MarketWorld:
    return market_world(tree)
