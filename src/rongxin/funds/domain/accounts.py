"""Accounts: the chart every fund starts with, and which way each type of account grows.

A line's amount is signed: a debit is positive, a credit negative, and an entry's amounts sum to
zero. An account's balance is shown in its normal direction: assets and expenses grow with
debits, net assets, income and liabilities with credits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DEBIT_NORMAL = frozenset({"asset", "expense"})


def signed_for_balance(account_type: str, amount: Decimal) -> Decimal:
    """What a line of ``amount`` (debit > 0) adds to the balance of an account of ``account_type``."""
    return amount if account_type in DEBIT_NORMAL else -amount


@dataclass(frozen=True)
class ChartAccount:
    code: str
    name: str  # Chinese; the books are kept in Chinese
    type: str
    no_overdraft: bool = False


# Account codes the services use by name.
BANK = "1001"
GOODS = "1002"
NET_ASSETS = "3001"
APPROPRIATION = "4001"
TRANSFER_IN = "4002"
WELFARE = "4003"
DONATIONS_MONEY = "4004"
DONATIONS_GOODS = "4005"
OTHER_INCOME = "4009"
ALLOCATIONS_OUT = "5001"
AWARDS_MONEY = "5101"
AWARDS_GOODS = "5102"
CREDIT_REWARDS = "5103"
OTHER_SPENDING = "5109"
# The county special fund's expense account for each budget line.
LINE_ACCOUNTS = {
    "building": "5201",
    "activities": "5202",
    "canteens": "5203",
    "lectures": "5204",
    "commendations": "5205",
}

_COMMON = (
    ChartAccount(BANK, "银行存款", "asset", no_overdraft=True),
    ChartAccount(GOODS, "库存物资", "asset", no_overdraft=True),
    ChartAccount(NET_ASSETS, "基金结余", "net_assets"),
    ChartAccount(DONATIONS_MONEY, "捐赠收入（资金）", "income"),
    ChartAccount(DONATIONS_GOODS, "捐赠收入（物资）", "income"),
    ChartAccount(OTHER_INCOME, "其他收入", "income"),
    ChartAccount(OTHER_SPENDING, "其他支出", "expense"),
)

COUNTY_CHART = (
    *_COMMON,
    ChartAccount(APPROPRIATION, "财政拨款收入", "income"),
    # No 5001 here: the county fund's allocations are spending of a budget line and post against
    # that line's account (52xx), so what a line has spent includes what it allocated.
    ChartAccount(LINE_ACCOUNTS["building"], "实践所站建设支出", "expense"),
    ChartAccount(LINE_ACCOUNTS["activities"], "文明实践活动支出", "expense"),
    ChartAccount(LINE_ACCOUNTS["canteens"], "暖心食堂支出", "expense"),
    ChartAccount(LINE_ACCOUNTS["lectures"], "宣讲支出", "expense"),
    ChartAccount(LINE_ACCOUNTS["commendations"], "表彰奖励支出", "expense"),
)

CREDIT_FUND_CHART = (
    *_COMMON,
    ChartAccount(TRANSFER_IN, "上级拨入资金", "income"),
    ChartAccount(WELFARE, "福利资金归集", "income"),
    ChartAccount(ALLOCATIONS_OUT, "拨付村居资金", "expense"),
    ChartAccount(AWARDS_MONEY, "表彰奖金支出", "expense"),
    ChartAccount(AWARDS_GOODS, "表彰奖品支出", "expense"),
    ChartAccount(CREDIT_REWARDS, "信用积分兑换支出", "expense"),
)


# The project marketplace fund starts with the common chart; each project adds its own three
# accounts when it is published (:func:`project_codes`).
PROJECTS_CHART = (*_COMMON, ChartAccount(TRANSFER_IN, "上级拨入资金", "income"))


@dataclass(frozen=True)
class ProjectCodes:
    """A project's own accounts in the project marketplace fund: what sponsors paid in (and what
    other projects' left-overs moved in), what was spent on the project, and what of its left-over
    was returned or moved out. Left = income − spending − settled."""

    income: str
    spending: str
    settled: str


def project_codes(project_id: int) -> ProjectCodes:
    if not 0 < project_id < 1_000_000:
        raise ValueError("project id out of the account code range")
    return ProjectCodes(income=f"41{project_id:06d}", spending=f"53{project_id:06d}", settled=f"54{project_id:06d}")


def project_chart(project_id: int, number: str) -> tuple[ChartAccount, ...]:
    codes = project_codes(project_id)
    return (
        ChartAccount(codes.income, f"项目资金收入·{number}"[:60], "income"),
        ChartAccount(codes.spending, f"项目支出·{number}"[:60], "expense"),
        ChartAccount(codes.settled, f"项目结余转出·{number}"[:60], "expense"),
    )


def chart_for(fund_kind: str) -> tuple[ChartAccount, ...]:
    if fund_kind == "projects":
        return PROJECTS_CHART
    return COUNTY_CHART if fund_kind == "county_special" else CREDIT_FUND_CHART
