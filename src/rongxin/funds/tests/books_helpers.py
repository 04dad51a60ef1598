"""A small funds world shared by the funds tests: the county tree of ``rongxin.conftest`` (towns
A and B, two villages each), the county fund keeper (civilization office, county), town and
village officers, an auditor, an account without a role; the county fund and every town's and
village's credit fund opened on 2026-01-01; a tiny valid PDF voucher."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree, make_user
from rongxin.funds.models import Fund, Voucher
from rongxin.funds.services.books import LineIn, fund_open, voucher_store

TODAY = dt.date(2026, 5, 20)
NOW = "2026-05-20 10:00 +0800"
OPENED = dt.date(2026, 1, 1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + b"IEND\xaeB`\x82"


def pdf(tag: str = "") -> bytes:
    """A distinct small PDF (vouchers are stored once per content)."""
    return PDF.replace(b"<<>>endobj", f"<</T({tag})>>endobj".encode())


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class FundsWorld:
    tree: Tree
    keeper: User
    town_a: User
    town_b: User
    village_a1: User
    village_a2: User
    village_b1: User
    auditor: User
    nobody: User
    county_fund: Fund
    funds: dict[str, Fund] = field(default_factory=dict)

    def users(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "nobody": self.nobody,
            "auditor": self.auditor,
            "keeper": self.keeper,
            "town_a": self.town_a,
            "town_b": self.town_b,
            "village_a1": self.village_a1,
            "village_a2": self.village_a2,
            "village_b1": self.village_b1,
        }

    def voucher(self, fund: Fund, tag: str = "v") -> Voucher:
        return voucher_store(actor=None, fund=fund, data=pdf(tag), file_name=f"{tag}.pdf")


def fund_world(tree: Tree) -> FundsWorld:
    office = Department.objects.get(code="civilization_office")
    county = fund_open(
        actor=None,
        kind=Fund.Kind.COUNTY_SPECIAL,
        region=tree.county,
        name="荣成市新时代文明实践专项资金",
        opened_on=OPENED,
    )
    funds: dict[str, Fund] = {}
    for key, region in (("town_a", tree.town_a), ("town_b", tree.town_b)):
        funds[key] = fund_open(
            actor=None, kind=Fund.Kind.TOWN_CREDIT, region=region, name=f"{region.name}信用基金", opened_on=OPENED
        )
    for key, region in (
        ("village_a1", tree.village_a1),
        ("village_a2", tree.village_a2),
        ("village_b1", tree.village_b1),
        ("village_b2", tree.village_b2),
    ):
        funds[key] = fund_open(
            actor=None,
            kind=Fund.Kind.VILLAGE_CREDIT,
            region=region,
            name=f"{region.name}信用基金",
            opened_on=OPENED,
            minimum_balance=Decimal("0.00"),
        )
    return FundsWorld(
        tree=tree,
        keeper=make_user("keeper", Role.DEPARTMENT_RECORDER, tree.county, department=office),
        town_a=make_user("town_a", Role.TOWN_OFFICER, tree.town_a),
        town_b=make_user("town_b", Role.TOWN_OFFICER, tree.town_b),
        village_a1=make_user("village_a1", Role.VILLAGE_OFFICER, tree.village_a1),
        village_a2=make_user("village_a2", Role.VILLAGE_OFFICER, tree.village_a2),
        village_b1=make_user("village_b1", Role.VILLAGE_OFFICER, tree.village_b1),
        auditor=make_user("auditor", Role.AUDITOR, tree.county),
        nobody=make_user("nobody"),
        county_fund=county,
        funds=funds,
    )


@pytest.fixture
def world(tree: Tree, frozen: Any) -> FundsWorld:
    return fund_world(tree)


def income(amount: str, code: str = "4003") -> list[LineIn]:
    """Bank debit, income credit."""
    return [LineIn("1001", Decimal(amount)), LineIn(code, -Decimal(amount))]


def spending(amount: str, code: str = "5101") -> list[LineIn]:
    return [LineIn(code, Decimal(amount)), LineIn("1001", -Decimal(amount))]
