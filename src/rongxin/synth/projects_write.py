"""Writing the planned projects (:mod:`rongxin.synth.projects_plan`): the rows, set-based; the
money as journal entries of the project marketplace fund through
:func:`rongxin.funds.services.bulk.entries_bulk_append` (one small PDF voucher per fund and month);
the left-overs of the closed projects; the projects' caches read back from their accounts; the
sponsors' credit; every month before the current one closed."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from rongxin.funds.domain import accounts as chart
from rongxin.funds.domain.accounts import project_chart, project_codes
from rongxin.funds.domain.donation_points import public_donor
from rongxin.funds.models import Account, Fund
from rongxin.funds.services.books import LineIn, accounts_open
from rongxin.funds.services.bulk import BulkEntry, entries_bulk_append, periods_bulk_close, vouchers_bulk_create
from rongxin.projects.models import (
    Milestone,
    Payment,
    Pledge,
    Project,
    ProjectActivity,
    Settlement,
    Spending,
    TeamApplication,
)
from rongxin.projects.services.common import projects_fund
from rongxin.synth import projects_shape as shape
from rongxin.synth.lectures_records import local_at
from rongxin.synth.projects_plan import PlannedPledge, PlannedProject
from rongxin.volunteering.models import Activity

if TYPE_CHECKING:
    from rongxin.synth.projects import ProjectsGenerator

LATE = ("in_progress", "completed", "accepted", "closed")
ORDER = {"donation": 0, "spending": 1, "settlement": 2, "transfer_in": 2}
PUBLISHERS_ZH = {"centre": "县新时代文明实践中心", "institute": "镇新时代文明实践所", "station": "村新时代文明实践站"}


@dataclass
class Move:
    fund_id: int
    kind: str
    on: dt.date
    memo: str
    lines: list[LineIn]
    at: dt.datetime
    link: tuple  # what the entry is for: ("payment", pledge, amount) / ("spending", project, i) / …


def voucher_pdf(fund_id: int, year: int, month: int) -> bytes:
    """A tiny valid PDF, distinct per fund and month: the month's bundle of project vouchers."""
    title = f"rongxin synthetic project vouchers: fund {fund_id}, {year}-{month:02d}"
    return f"%PDF-1.4\n1 0 obj<</Title({title})>>endobj\ntrailer<<>>\n%%EOF\n".encode()


def write_projects(gen: ProjectsGenerator) -> None:
    fund = projects_fund(county=gen.county, opened_on=gen.opened_on)
    plans = gen.plans
    rows = Project.objects.bulk_create([_project_row(gen, p) for p in plans], batch_size=500)
    project_ids = {p.index: row.pk for p, row in zip(plans, rows, strict=True)}
    accounts_open(fund=fund, chart=tuple(a for p in plans for a in project_chart(project_ids[p.index], p.number)))
    pledges: list[tuple[PlannedProject, PlannedPledge, Pledge]] = []
    for p in plans:
        for pl in p.pledges:
            pledges.append((p, pl, _pledge_row(gen, p, pl, project_ids[p.index])))
    created = Pledge.objects.bulk_create([row for _p, _pl, row in pledges], batch_size=1000)
    pledge_ids = {id(pl): row.pk for (_p, pl, _r), row in zip(pledges, created, strict=True)}
    _work_rows(gen, project_ids)
    moves = _moves(gen, fund, project_ids)
    ids = _entries(gen, fund, moves)
    _money_rows(gen, moves, ids, project_ids, pledge_ids)
    _caches(gen, fund, project_ids)
    last_closed = gen.today.replace(day=1) - dt.timedelta(days=1)
    if last_closed >= gen.opened_on:
        gen.counts["projects_closed_months"] = periods_bulk_close(fund_ids=[fund.pk], through=last_closed, now=gen.now)
    c = gen.counts
    c["projects"] = len(plans)
    for state, n in Counter(p.state for p in plans).items():
        c[f"projects_{state}"] = n
    c["projects_claimed_or_beyond"] = sum(p.state in ("claimed", *LATE) and p.timeline.withdrawn is None for p in plans)
    c["projects_withdrawn"] = sum(p.timeline.withdrawn is not None and p.state == "closed" for p in plans)
    c["projects_title_sponsored"] = sum(p.title_pledge is not None for p in plans)
    c["projects_ceremony"] = sum(p.ceremony_year is not None for p in plans)
    c["pledges"] = len(created)
    c["pledges_ceremony"] = sum(pl.ceremony_year is not None for _p, pl, _r in pledges)
    c["pledges_anonymous"] = sum(pl.anonymous for _p, pl, _r in pledges)
    c["pledges_withdrawn"] = sum(pl.withdrawn_at is not None for _p, pl, _r in pledges)


def _at(gen: ProjectsGenerator, day: dt.date | None, hour: int, minute: int = 0) -> dt.datetime | None:
    return None if day is None else min(local_at(day, hour, minute), gen.now)


def _project_row(gen: ProjectsGenerator, p: PlannedProject) -> Project:
    t, state = p.timeline, p.state
    starts_on = t.started or (t.published or t.created) + dt.timedelta(days=30)
    ends_on = max(t.completed or starts_on + dt.timedelta(days=90), starts_on)
    title = p.title_pledge
    rank = ("draft", "published", "claimed", *LATE)
    reached = rank.index(state) if t.withdrawn is None else 1

    def at(day: dt.date | None, hour: int) -> dt.datetime | None:
        return _at(gen, day, hour)

    claimed_at = max((pl.pledged_at for pl in p.pledges if pl.withdrawn_at is None), default=None)
    ceremony = gen.ceremonies.get(p.ceremony_year or 0)
    published_at = at(t.published, 9) if state != "draft" else None
    if ceremony is not None and published_at is not None and t.published == dt.date(ceremony.year, *shape.CEREMONY_DAY):
        published_at = ceremony.starts_at
    publisher_name = PUBLISHERS_ZH.get(p.place.publisher, "县直部门")
    rng = random.Random(f"{gen.seed}:projects:text:{p.index}")
    hours = rng.randint(40, 600)
    return Project(
        number=p.number,
        title=p.title,
        need=f"{shape.NEEDS[p.category]}本项目由{publisher_name}发布，预算{p.budget}元。",
        beneficiaries=shape.BENEFICIARIES[p.category][0],
        beneficiary_count=p.beneficiary_count,
        region_id=p.place.region_id,
        category=p.category,
        budget=p.budget,
        starts_on=starts_on,
        ends_on=ends_on,
        team_kind=shape.TEAM_KINDS[p.category],
        publisher=p.place.publisher,
        publisher_region_id=p.place.publisher_region_id,
        publisher_department_id=p.place.department_id,
        state=state,
        ceremony_id=ceremony.pk if ceremony is not None else None,
        title_sponsor_id=title.sponsor.subject_id if title is not None else None,
        title_name=f"{title.sponsor.name}·{p.title}"[:160] if title is not None else "",
        pledged=p.pledged,
        team_id=p.team_candidates[0] if p.picked and p.team_candidates else None,
        completion_report=shape.COMPLETION.format(n=p.beneficiary_count, h=hours) if reached >= 4 else "",
        acceptance_note=rng.choice(shape.ACCEPTANCES) if reached >= 5 else "",
        beneficiary_feedback=rng.choice(shape.FEEDBACK) if reached >= 5 else "",
        close_reason=(shape.WITHDRAW_REASON if t.withdrawn is not None else shape.CLOSE_REASON)
        if state == "closed"
        else "",
        created_at=min(local_at(t.created, 10, 0), gen.now - dt.timedelta(minutes=30)),
        published_at=published_at,
        claimed_at=claimed_at if reached >= 2 else None,
        started_at=at(t.started, 9) if reached >= 3 else None,
        completed_at=at(t.completed, 16) if reached >= 4 else None,
        accepted_at=at(t.accepted, 16) if reached >= 5 else None,
        closed_at=at(t.withdrawn or t.closed, 16) if state == "closed" else None,
    )


def _pledge_row(gen: ProjectsGenerator, p: PlannedProject, pl: PlannedPledge, project_id: int) -> Pledge:
    paid = pl.paid
    state = (
        Pledge.State.WITHDRAWN
        if pl.withdrawn_at is not None
        else Pledge.State.PAID
        if paid == pl.amount
        else Pledge.State.OPEN
    )
    ceremony = gen.ceremonies.get(pl.ceremony_year or 0)
    return Pledge(
        project_id=project_id,
        sponsor_id=pl.sponsor.subject_id,
        sponsor_name=pl.sponsor.name[:100],
        anonymous=pl.anonymous,
        title=pl.title,
        amount=pl.amount,
        paid=paid,
        state=state,
        ceremony_id=ceremony.pk if ceremony is not None else None,
        certificate_code=pl.code,
        pledged_at=pl.pledged_at,
        withdrawn_at=pl.withdrawn_at,
        withdraw_reason="计划有变，撤回认领" if pl.withdrawn_at is not None else "",
    )


def _work_rows(gen: ProjectsGenerator, project_ids: dict[int, int]) -> None:
    """Team applications, milestones and linked activities."""
    applications, milestones, links = [], [], []
    used: set[int] = set()
    for p in gen.plans:
        pk = project_ids[p.index]
        t = p.timeline
        rng = random.Random(f"{gen.seed}:projects:work:{p.index}")
        for k, team_id in enumerate(p.team_candidates):
            applied = _at(gen, (t.published or t.created) + dt.timedelta(days=rng.randint(1, 5)), 14)
            assert applied is not None
            if p.picked:
                decided = _at(gen, max(p.picked_on or gen.today, applied.date()), 17)
                assert decided is not None
                decided = max(decided, applied)
            state = (
                TeamApplication.State.PICKED
                if p.picked and k == 0
                else TeamApplication.State.DECLINED
                if p.picked
                else TeamApplication.State.APPLIED
            )
            applications.append(
                TeamApplication(
                    project_id=pk,
                    team_id=team_id,
                    plan="组织队员分组入户服务，按里程碑推进并及时报告进展。",
                    state=state,
                    applied_at=applied,
                    decided_at=decided if p.picked else None,
                )
            )
        for k, (title, due, report) in enumerate(p.milestones, start=1):
            milestones.append(
                Milestone(
                    project_id=pk,
                    number=k,
                    title=title,
                    due_on=due,
                    state=Milestone.State.REPORTED if report else Milestone.State.PLANNED,
                    report=report,
                    reported_at=local_at(due, 11, 0) if report else None,
                )
            )
        if p.picked and p.state in LATE and t.started is not None and p.team_candidates:
            until = local_at(t.completed, 16, 0) if t.completed and p.state != "in_progress" else gen.now
            found = list(
                Activity.objects.filter(
                    team_id=p.team_candidates[0], starts_at__gte=local_at(t.started, 0, 0), starts_at__lt=until
                )
                .order_by("starts_at", "id")
                .values_list("id", "starts_at")[:10]
            )
            found = [a for a in found if a[0] not in used]
            for activity_id, starts in found[: rng.randint(*shape.ACTIVITIES_LINKED)]:
                used.add(activity_id)
                links.append(ProjectActivity(project_id=pk, activity_id=activity_id, linked_at=min(starts, gen.now)))
    TeamApplication.objects.bulk_create(applications, batch_size=1000)
    Milestone.objects.bulk_create(milestones, batch_size=1000)
    ProjectActivity.objects.bulk_create(links, batch_size=1000)
    gen.counts["team_applications"] = len(applications)
    gen.counts["milestones"] = len(milestones)
    gen.counts["milestones_reported"] = sum(m.state == Milestone.State.REPORTED for m in milestones)
    gen.counts["project_activities"] = len(links)


def _moves(gen: ProjectsGenerator, fund: Fund, project_ids: dict[int, int]) -> list[Move]:
    moves: list[Move] = []
    for p in gen.plans:
        codes = project_codes(project_ids[p.index])
        for pl in p.pledges:
            for on, amount in pl.payments:
                memo = f"{public_donor(pl.sponsor.name, anonymous=pl.anonymous)}认捐{p.number}到账"[:200]
                lines = [LineIn(chart.BANK, amount), LineIn(codes.income, -amount)]
                link = ("payment", p, pl, amount)
                moves.append(Move(fund.pk, "donation", on, memo, lines, local_at(on, 15, 0), link))
        for k, (on, amount, purpose) in enumerate(p.spendings):
            lines = [LineIn(codes.spending, amount), LineIn(chart.BANK, -amount)]
            memo = f"{p.number}{purpose}"
            moves.append(Move(fund.pk, "spending", on, memo, lines, local_at(on, 16, 0), ("spending", p, k, amount)))
    moves += _settlements(gen, fund, project_ids)
    moves.sort(key=lambda m: (m.on, ORDER[m.kind]))
    return moves


def _settlements(gen: ProjectsGenerator, fund: Fund, project_ids: dict[int, int]) -> list[Move]:
    """The left-overs of the closed projects: moved to another project under way (one that has
    been published by then), to the village's or town's credit fund (when the funds were
    generated and the month is open there), else returned to the sponsors."""
    credit_funds = {
        region: (pk, closed, name)
        for pk, region, closed, name in Fund.objects.filter(
            kind__in=[Fund.Kind.VILLAGE_CREDIT, Fund.Kind.TOWN_CREDIT]
        ).values_list("id", "region_id", "closed_through", "name")
    }
    targets = [
        q for q in gen.plans if q.state in ("published", "claimed", "in_progress") and q.timeline.published is not None
    ]
    moves: list[Move] = []
    for p in gen.plans:
        if p.state != "closed" or p.timeline.withdrawn is not None or p.timeline.closed is None:
            continue
        left = p.paid - sum((a for _d, a, _p in p.spendings), Decimal(0))
        if left <= 0:
            continue
        rng = random.Random(f"{gen.seed}:projects:settle:{p.index}")
        on = p.timeline.closed
        at = local_at(on, 15, 0)
        codes = project_codes(project_ids[p.index])
        near = [q for q in targets if q.place.town_id == p.place.town_id and (q.timeline.published or on) <= on]
        credit = credit_funds.get(p.place.region_id) or credit_funds.get(p.place.town_id)
        r = rng.random()
        to_fund = p.demo == "closed" or rng.random() < shape.SETTLE_TO_FUND
        if near and r < shape.SETTLE_TO_PROJECT and not p.demo:
            q = near[rng.randrange(len(near))]
            to = project_codes(project_ids[q.index])
            memo = f"{p.number}结余转入{q.number}：{shape.SETTLE_NOTES['project']}"[:200]
            lines = [LineIn(codes.settled, left), LineIn(to.income, -left)]
            moves.append(Move(fund.pk, "settlement", on, memo, lines, at, ("project", p, q, left)))
            continue
        if credit is not None and (credit[1] is None or on > credit[1]) and to_fund:
            text = shape.SETTLE_NOTES["fund"]
            memo = f"{p.number}结余转入{credit[2]}：{text}"[:200]
            lines = [LineIn(codes.settled, left), LineIn(chart.BANK, -left)]
            moves.append(Move(fund.pk, "settlement", on, memo, lines, at, ("fund", p, credit[0], left)))
            lines = [LineIn(chart.BANK, left), LineIn(chart.TRANSFER_IN, -left)]
            memo = f"{fund.name}·{p.number}结余转入：{text}"[:200]
            moves.append(Move(credit[0], "transfer_in", on, memo, lines, at, ("fund_in", p, credit[0], left)))
            continue
        paid = sorted((pl for pl in p.pledges if pl.paid > 0), key=lambda pl: (not pl.title, -pl.paid))
        for pl in paid:
            amount = min(left, pl.paid)
            if amount <= 0:
                break
            # (the books name the sponsor as the pledge has them, anonymous or not, as the service does)
            memo = f"{p.number}结余退还{pl.sponsor.name[:100]}：{shape.SETTLE_NOTES['return']}"[:200]
            lines = [LineIn(codes.settled, amount), LineIn(chart.BANK, -amount)]
            moves.append(Move(fund.pk, "settlement", on, memo, lines, at, ("return", p, pl, amount)))
            left -= amount
    return moves


def _entries(gen: ProjectsGenerator, fund: Fund, moves: list[Move]) -> list[int]:
    months = sorted({(m.fund_id, m.on.year, m.on.month) for m in moves})
    vouchers = vouchers_bulk_create(
        items=[(f, voucher_pdf(f, y, mo), f"{y}年{mo}月项目超市记账凭证.pdf") for f, y, mo in months], now=gen.now
    )
    by_month = dict(zip(months, vouchers, strict=True))
    entries = []
    for m in moves:
        v = by_month[(m.fund_id, m.on.year, m.on.month)]
        entries.append(BulkEntry(fund_id=m.fund_id, kind=m.kind, on=m.on, memo=m.memo, voucher_id=v.pk,
                                 voucher_sha256=v.sha256, lines=m.lines, created_at=min(m.at, gen.now)))  # fmt: skip
    result = entries_bulk_append(entries=entries, now=gen.now)
    gen.counts["project_vouchers"] = len(vouchers)
    gen.counts["project_entries"] = result.entries
    return result.ids


def _money_rows(
    gen: ProjectsGenerator,
    moves: list[Move],
    ids: list[int],
    project_ids: dict[int, int],
    pledge_ids: dict[int, int],
) -> None:
    payments, spendings, settlements = [], [], []
    sponsors = []
    fund_in: dict[int, int] = {}
    for m, entry_id in zip(moves, ids, strict=True):
        if m.link[0] == "fund_in":
            fund_in[m.link[1].index] = entry_id
    for m, entry_id in zip(moves, ids, strict=True):
        kind, p = m.link[0], m.link[1]
        pk = project_ids[p.index]
        at = min(m.at, gen.now)
        if kind == "payment":
            pl = m.link[2]
            payments.append(Payment(pledge_id=pledge_ids[id(pl)], project_id=pk, entry_id=entry_id, amount=m.link[3],
                                    received_on=m.on, recorded_at=at))  # fmt: skip
            sponsors.append((pl, p))
        elif kind == "spending":
            spendings.append(Spending(project_id=pk, entry_id=entry_id, amount=m.link[3], paid_on=m.on,
                                      purpose=p.spendings[m.link[2]][2], recorded_at=at))  # fmt: skip
        elif kind == "project":
            settlements.append(Settlement(project_id=pk, kind=Settlement.Kind.PROJECT, amount=m.link[3],
                                          to_project_id=project_ids[m.link[2].index], entry_id=entry_id,
                                          note=shape.SETTLE_NOTES["project"], recorded_at=at))  # fmt: skip
        elif kind == "fund":
            settlements.append(Settlement(project_id=pk, kind=Settlement.Kind.FUND, amount=m.link[3],
                                          to_fund_id=m.link[2], entry_id=entry_id, entry_in_id=fund_in[p.index],
                                          note=shape.SETTLE_NOTES["fund"], recorded_at=at))  # fmt: skip
        elif kind == "return":
            settlements.append(Settlement(project_id=pk, kind=Settlement.Kind.RETURN, amount=m.link[3],
                                          pledge_id=pledge_ids[id(m.link[2])], entry_id=entry_id,
                                          note=shape.SETTLE_NOTES["return"], recorded_at=at))  # fmt: skip
    payments = Payment.objects.bulk_create(payments, batch_size=1000)
    Spending.objects.bulk_create(spendings, batch_size=1000)
    Settlement.objects.bulk_create(settlements, batch_size=1000)
    from rongxin.synth.projects_credit import payment_credit

    gen.counts.update(payment_credit(gen, list(zip(payments, sponsors, strict=True))))
    c = gen.counts
    c["payments"] = len(payments)
    c["spendings"] = len(spendings)
    c["settlements"] = len(settlements)
    for kind, n in Counter(s.kind for s in settlements).items():
        c[f"settlements_{kind}"] = n
    c["raised_yuan"] = int(sum((pay.amount for pay in payments), Decimal(0)))
    c["spent_yuan"] = int(sum((s.amount for s in spendings), Decimal(0)))


def _caches(gen: ProjectsGenerator, fund: Fund, project_ids: dict[int, int]) -> None:
    """Each project's raised, spent and settled from its accounts' balances (what
    ``project_money_refresh`` does), for every project at once."""
    balances = dict(Account.objects.filter(fund=fund).values_list("code", "balance"))
    rows = []
    for p in gen.plans:
        pk = project_ids[p.index]
        codes = project_codes(pk)
        rows.append(
            Project(
                pk=pk,
                raised=balances.get(codes.income, Decimal(0)),
                spent=balances.get(codes.spending, Decimal(0)),
                settled=balances.get(codes.settled, Decimal(0)),
            )
        )
    Project.objects.bulk_update(rows, ["raised", "spent", "settled"], batch_size=500)
