"""Synthetic funds (专项资金 · 信用基金) and quarterly commendations for a generated county.

At scale 1.0 (figures in :mod:`rongxin.synth.funds_shape`): the county special fund, each of the
22 towns' and 910 villages' credit funds, opened on 1 January of the year before last with the
books' chart of accounts (:mod:`rongxin.funds.domain.accounts`); three years of the county fund
(¥10 million appropriated each January; budget lines for institutes and stations, activities,
canteens, lectures and commendations summing to it; allocations to every town (¥20,000 a year)
and village (¥2,000 a year), each with the matching transfer entry in the recipient's fund, and
¥20,000 to each canteen the year it opened, while the canteens line lasts; direct spending
against the other lines); village funds of about ¥30 million in all (merged welfare when they
opened and each January, the county's transfers, money donations: some anonymous, some by a
resident of the place, the rest by outsiders), each keeping at least ¥10,000
(``minimum_balance``); quarterly meetings in every town and village for every quarter since,
with awards drawn from the place's consenting adult residents (:mod:`rongxin.synth.funds_meetings`);
the credit of each award (rule ``P-HON-06``, :mod:`rongxin.synth.funds_credit`); one small PDF
voucher per fund and quarter backing that quarter's entries; and every month before the current
one closed.

Every entry goes through :func:`rongxin.funds.services.bulk.entries_bulk_append`, so numbers,
hash chains and balances are what :func:`~rongxin.funds.services.books.entry_post` would write.
Deterministic for ``(seed, now, scale)`` and the county; one transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from rongxin.canteens.models import Canteen
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.funds.domain import accounts as chart
from rongxin.funds.models import Account, Allocation, BudgetLine, Donation, Fund
from rongxin.funds.services.books import LineIn
from rongxin.funds.services.bulk import BulkEntry, entries_bulk_append, periods_bulk_close, vouchers_bulk_create
from rongxin.regions.models import Region
from rongxin.subjects.models import Person, Subject
from rongxin.synth import funds_shape as shape
from rongxin.synth.canteens_support import years_before
from rongxin.synth.lectures_records import local_at


class FundsRefused(RuntimeError):
    pass


@dataclass
class FundsResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "seconds": round(self.seconds, 2)}


@dataclass
class Move:
    """A journal entry to append (the voucher is the fund's for the quarter)."""

    fund_id: int
    kind: str
    on: dt.date
    memo: str
    lines: list[LineIn]
    budget_line_id: int | None = None
    created_at: dt.datetime | None = None


def money(rng: Any, low: int, high: int) -> Decimal:
    """A random amount of yuan to the fen in [low, high]."""
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def income(code: str, amount: Decimal) -> list[LineIn]:
    return [LineIn(chart.BANK, amount), LineIn(code, -amount)]


def spending(code: str, amount: Decimal) -> list[LineIn]:
    return [LineIn(code, amount), LineIn(chart.BANK, -amount)]


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def fund_voucher_pdf(fund_id: int, year: int, quarter: int) -> bytes:
    """A tiny valid PDF, distinct per fund and quarter: the quarter's bundle of vouchers."""
    title = f"rongxin synthetic vouchers: fund {fund_id}, {year} Q{quarter}"
    return f"%PDF-1.4\n1 0 obj<</Title({title})>>endobj\ntrailer<<>>\n%%EOF\n".encode()


def generate_funds(*, seed: int, now: dt.datetime | None = None, scale: float = 1.0) -> FundsResult:
    """Write the synthetic funds and commendations of the generated county in one transaction
    (see the module docstring). Refuses a database that already has funds or one without
    villages."""
    started = time.perf_counter()
    if Fund.objects.exists():
        raise FundsRefused("the database already has funds; synthetic funds go into none")
    now = (now or clock.now()).astimezone(dt.UTC).replace(microsecond=0)
    with transaction.atomic():
        counts = FundsGenerator(seed=seed, now=now, scale=scale).run()
        audit_record(
            actor=None,
            kind="write",
            action="synth.funds",
            object_type="synth.syntheticload",
            object_id="",
            details={"scale": scale, "seed": seed, "counts": counts},
        )
    return FundsResult(counts=counts, seconds=time.perf_counter() - started)


class FundsGenerator:
    def __init__(self, *, seed: int, now: dt.datetime, scale: float):
        self.seed, self.now, self.scale = seed, now, scale
        self.today = now.astimezone(clock.LOCAL_TZ).date()
        self.first_year = self.today.year - shape.YEARS + 1
        self.opened_on = dt.date(self.first_year, 1, 1)
        self.counts: Counter[str] = Counter()
        self.moves: list[Move] = []
        # Bank income of each fund with a minimum, (day, amount), and what it paid out so far.
        self.incomes: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        self.paid: dict[int, Decimal] = defaultdict(Decimal)
        self.allocations: list[tuple[Allocation, int, int | None]] = []  # (row, out move, in move)
        self.donations: list[tuple[Donation, int]] = []

    def run(self) -> dict[str, int]:
        from rongxin.synth.funds_meetings import plan_meetings, write_meetings

        self._regions()
        self._open_funds()
        self._county()
        self._credit_funds_income()
        meetings = plan_meetings(self)
        ids = self._write_entries()
        self._write_links(ids)
        write_meetings(self, meetings, ids)
        for kind, key in (
            (Fund.Kind.VILLAGE_CREDIT, "village_funds_yuan"),
            (Fund.Kind.COUNTY_SPECIAL, "county_fund_yuan"),
        ):
            held = Account.objects.filter(fund__kind=kind, code=chart.BANK).aggregate(t=Sum("balance"))["t"]
            self.counts[key] = int(held or 0)
        last_closed = self.today.replace(day=1) - dt.timedelta(days=1)
        if last_closed >= self.opened_on:
            self.counts["closed_months"] = periods_bulk_close(
                fund_ids=list(self.funds.values()), through=last_closed, now=self.now
            )
        return dict(sorted(self.counts.items()))

    # Places and their people -----------------------------------------------------------------------
    def _regions(self) -> None:
        county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
        if county is None:
            raise FundsRefused("no county: run generate_county first")
        self.county: Region = county
        self.towns = list(Region.objects.filter(level=Region.Level.TOWN).order_by("code"))
        self.villages = list(Region.objects.filter(level=Region.Level.VILLAGE).order_by("code"))
        if not self.villages:
            raise FundsRefused("no villages: run generate_county first")
        cutoff = years_before(self.today, shape.ADULT_AGE)
        adults = Subject.objects.filter(
            kind=Subject.Kind.PERSON,
            person__consent_given=True,
            person__residency=Person.Residency.RESIDENT,
            person__birth_date__lte=cutoff,
        )
        # Consenting adult residents of each place (a few hundred at most, by id), with names.
        self.people: dict[int, list[tuple[int, str]]] = {}
        for v in self.villages:
            self.people[v.pk] = list(
                adults.filter(village_id=v.pk).order_by("id").values_list("id", "name")[: shape.CANDIDATES]
            )
        for t in self.towns:
            pool = [p for v in self.villages if v.parent_id == t.pk for p in self.people[v.pk][:40]]
            self.people[t.pk] = pool[: shape.CANDIDATES]

    def _open_funds(self) -> None:
        created = local_at(self.opened_on - dt.timedelta(days=3), 9, 0)
        rows = [
            Fund(kind=Fund.Kind.COUNTY_SPECIAL, region=self.county, name=f"{self.county.name}新时代文明实践专项资金")
        ]
        rows += [Fund(kind=Fund.Kind.TOWN_CREDIT, region=t, name=f"{t.name}信用基金") for t in self.towns]
        rows += [
            Fund(
                kind=Fund.Kind.VILLAGE_CREDIT,
                region=v,
                name=f"{v.name}信用基金",
                minimum_balance=Decimal(shape.VILLAGE_MINIMUM),
            )
            for v in self.villages
        ]
        for f in rows:
            f.opened_on, f.created_at = self.opened_on, created
        rows = Fund.objects.bulk_create(rows, batch_size=1000)
        Account.objects.bulk_create(
            [
                Account(fund=f, code=a.code, name=a.name, type=a.type, no_overdraft=a.no_overdraft)
                for f in rows
                for a in chart.chart_for(f.kind)
            ],
            batch_size=2000,
        )
        self.funds = {f.region_id: f.pk for f in rows}  # region id → fund id
        self.minimum = {f.pk: f.minimum_balance for f in rows}
        self.county_fund = rows[0].pk
        self.counts["funds"] = len(rows)
        self.counts["accounts"] = Account.objects.filter(fund_id__in=[f.pk for f in rows]).count()

    # The county special fund -------------------------------------------------------------------------
    def _county(self) -> None:
        county = self.county_fund
        lines: list[BudgetLine] = []
        accounts = dict(Account.objects.filter(fund_id=county).values_list("code", "id"))
        for year in range(self.first_year, self.today.year + 1):
            for line, amount in shape.BUDGET.items():
                lines.append(
                    BudgetLine(
                        fund_id=county,
                        year=year,
                        line=line,
                        amount=Decimal(amount),
                        account_id=accounts[chart.LINE_ACCOUNTS[line]],
                        set_at=local_at(dt.date(year, 1, 2), 10, 0),
                    )
                )
        lines = BudgetLine.objects.bulk_create(lines)
        self.counts["budget_lines"] = len(lines)
        by_year = {(b.year, b.line): b for b in lines}
        canteens = [
            (cid, name, opened)
            for cid, name, opened in Canteen.objects.filter(opened_on__gte=self.opened_on, opened_on__lte=self.today)
            .order_by("opened_on", "id")
            .values_list("id", "name", "opened_on")
            if opened is not None
        ]
        for year in range(self.first_year, self.today.year + 1):
            rng = shape.seeded(self.seed, "county", year)
            appropriated = dt.date(year, 1, 4)
            if appropriated > self.today:
                continue
            self._move(county, "appropriation", appropriated, f"{year}年度县级财政拨款（新时代文明实践专项资金）",
                       income(chart.APPROPRIATION, Decimal(shape.APPROPRIATION)))  # fmt: skip
            commendations = by_year[(year, "commendations")]
            transfers_on = dt.date(year, 3, 15)
            if transfers_on <= self.today:
                for region, amount in [(t, shape.TOWN_TRANSFER) for t in self.towns] + [
                    (v, shape.VILLAGE_TRANSFER) for v in self.villages
                ]:
                    self._allocate(commendations, region, Decimal(amount), transfers_on)
            canteen_line = by_year[(year, "canteens")]
            left = Decimal(canteen_line.amount)
            for canteen_id, name, opened in canteens:
                if opened.year != year or left < shape.CANTEEN_GRANT:
                    continue
                left -= shape.CANTEEN_GRANT
                grant = Decimal(shape.CANTEEN_GRANT)
                self._allocate_canteen(canteen_line, canteen_id, name, grant, max(opened, appropriated))
            for code, memo, times, (low, high) in shape.SPENDING:
                budget = by_year[(year, code)]
                for k in range(times):
                    month = 1 + (12 * k) // times + rng.randint(0, 12 // times - 1)
                    day = dt.date(year, month, rng.randint(5, 25))
                    if day > self.today:
                        continue
                    town = self.towns[rng.randrange(len(self.towns))].name if self.towns else ""
                    text = memo.format(town=town, month=month, quarter=quarter_of(day))
                    self._move(county, "spending", day, text,
                               spending(chart.LINE_ACCOUNTS[code], money(rng, low, high)), budget.pk)  # fmt: skip

    def _allocate(self, line: BudgetLine, region: Region, amount: Decimal, on: dt.date) -> None:
        recipient = self.funds[region.pk]
        purpose = f"{on.year}年度{region.name}季度表彰奖励资金"
        out = self._move(self.county_fund, "allocation", on, f"拨付{purpose}",
                         spending(chart.LINE_ACCOUNTS[line.line], amount), line.pk)  # fmt: skip
        into = self._move(
            recipient, "transfer_in", on, f"收到县级专项资金拨入：{purpose}", income(chart.TRANSFER_IN, amount)
        )
        row = Allocation(budget_line=line, recipient_fund_id=recipient, amount=amount, date=on, purpose=purpose,
                         created_at=self._at(on))  # fmt: skip
        self.allocations.append((row, out, into))

    def _allocate_canteen(self, line: BudgetLine, canteen_id: int, name: str, amount: Decimal, on: dt.date) -> None:
        purpose = f"{name}建设补助（县级承担部分）"
        out = self._move(self.county_fund, "allocation", on, f"拨付{purpose}",
                         spending(chart.LINE_ACCOUNTS["canteens"], amount), line.pk)  # fmt: skip
        row = Allocation(budget_line=line, canteen_id=canteen_id, amount=amount, date=on, purpose=purpose,
                         created_at=self._at(on))  # fmt: skip
        self.allocations.append((row, out, None))

    # Town and village credit funds: welfare, donations -----------------------------------------------
    def _credit_funds_income(self) -> None:
        towns = {t.pk: t for t in self.towns}
        for region in [*self.towns, *self.villages]:
            rng = shape.seeded(self.seed, "income", region.pk)
            fund = self.funds[region.pk]
            is_village = region.level == Region.Level.VILLAGE
            for year in range(self.first_year, self.today.year + 1):
                welfare_on = dt.date(year, 1, 8)
                if welfare_on > self.today:
                    continue
                if is_village:
                    low, high = shape.OPENING_WELFARE if year == self.first_year else shape.YEARLY_WELFARE
                    memo = f"{year}年度福利资金归集（{'建立信用基金' if year == self.first_year else '年度归集'}）"
                    self._move(fund, "welfare", welfare_on, memo, income(chart.WELFARE, money(rng, low, high)))
                low_n, high_n = shape.DONATIONS_A_YEAR if is_village else shape.TOWN_DONATIONS_A_YEAR
                for _ in range(rng.randint(low_n, high_n)):
                    on = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                    if on > self.today or on < welfare_on:
                        continue
                    town = towns.get((region.parent_id or 0) if is_village else region.pk)
                    self._donate(rng, region, fund, on, town.name if town else "")

    def _donate(self, rng: Any, region: Region, fund: int, on: dt.date, town: str) -> None:
        amount = money(rng, *shape.DONATION)
        people = self.people.get(region.pk) or []
        donor: tuple[int, str] | None = None
        anonymous = rng.random() < shape.ANONYMOUS_SHARE
        if people and rng.random() < shape.SUBJECT_DONOR_SHARE:
            donor = people[rng.randrange(len(people))]
        if donor is not None:
            name = donor[1]
        elif anonymous:
            name = "匿名捐赠人"
        else:
            name = rng.choice(shape.OUTSIDE_DONORS).format(s=rng.choice(shape.SURNAMES), town=town)
        shown = "匿名捐赠人" if anonymous else name
        index = self._move(fund, "donation", on, f"收到{shown}捐赠资金", income(chart.DONATIONS_MONEY, amount))
        row = Donation(
            fund_id=fund,
            kind=Donation.Kind.MONEY,
            donor_id=donor[0] if donor else None,
            donor_name=name,
            anonymous=anonymous,
            amount=amount,
            received_on=on,
            recorded_at=self._at(on),
        )
        self.donations.append((row, index))

    # Helpers ------------------------------------------------------------------------------------------
    def _at(self, on: dt.date) -> dt.datetime:
        return min(local_at(on, 16, 30), self.now)

    def _move(
        self, fund: int, kind: str, on: dt.date, memo: str, lines: list[LineIn], budget_line: int | None = None
    ) -> int:
        self.moves.append(Move(fund, kind, on, memo, lines, budget_line, self._at(on)))
        if fund in self.minimum and lines[0].account_code == chart.BANK:
            self.incomes[fund].append((on, lines[0].amount))
        return len(self.moves) - 1

    def can_pay(self, fund: int, on: dt.date, amount: Decimal) -> bool:
        """Whether the fund's bank holds ``amount`` above its minimum on ``on`` (payments are
        planned in date order, after every income)."""
        held = sum((a for d, a in self.incomes[fund] if d <= on), Decimal(0)) - self.paid[fund]
        return held - amount >= self.minimum[fund]

    def pay(self, fund: int, kind: str, on: dt.date, memo: str, lines: list[LineIn]) -> int:
        self.paid[fund] += lines[0].amount
        self.moves.append(Move(fund, kind, on, memo, lines, None, self._at(on)))
        return len(self.moves) - 1

    # Writing ------------------------------------------------------------------------------------------
    def _write_entries(self) -> list[int]:
        quarters = sorted({(m.fund_id, m.on.year, quarter_of(m.on)) for m in self.moves})
        vouchers = vouchers_bulk_create(
            items=[(f, fund_voucher_pdf(f, y, q), f"{y}年第{q}季度记账凭证.pdf") for f, y, q in quarters], now=self.now
        )
        by_quarter = dict(zip(quarters, vouchers, strict=True))
        entries = []
        for m in self.moves:
            v = by_quarter[(m.fund_id, m.on.year, quarter_of(m.on))]
            entries.append(
                BulkEntry(
                    fund_id=m.fund_id, kind=m.kind, on=m.on, memo=m.memo, voucher_id=v.pk, voucher_sha256=v.sha256,
                    lines=m.lines, budget_line_id=m.budget_line_id, created_at=m.created_at,
                )
            )  # fmt: skip
        result = entries_bulk_append(entries=entries, now=self.now)
        self.counts["vouchers"] = len(vouchers)
        self.counts["entries"] = result.entries
        self.counts["lines"] = result.lines
        for kind, n in Counter(m.kind for m in self.moves).items():
            self.counts[f"entries_{kind}"] = n
        return result.ids

    def _write_links(self, ids: list[int]) -> None:
        rows = []
        for row, out, into in self.allocations:
            row.out_entry_id = ids[out]
            row.in_entry_id = ids[into] if into is not None else None
            rows.append(row)
        Allocation.objects.bulk_create(rows, batch_size=1000)
        donations = []
        for d, index in self.donations:
            d.entry_id = ids[index]
            donations.append(d)
        Donation.objects.bulk_create(donations, batch_size=1000)
        self.counts["allocations"] = len(rows)
        self.counts["donations"] = len(donations)
        self.counts["donations_anonymous"] = sum(d.anonymous for d in donations)
        self.counts["donations_by_subjects"] = sum(d.donor_id is not None for d in donations)
