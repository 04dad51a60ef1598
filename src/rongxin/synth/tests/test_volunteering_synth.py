"""The synthetic volunteering load: what it writes matches its own plan, the closing service's
rules and the credit ledger's checks, and the same seed gives the same rows."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.credit.models import Entry, SubjectCredit, Transition
from rongxin.credit.selectors.chains import chains_verify
from rongxin.credit.services.awards import award_supersede
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.credit.services.reconcile import credit_reconcile_fast
from rongxin.regions.models import Region
from rongxin.subjects.models import Person, SubjectAccount
from rongxin.synth.demo import demo_accounts_ensure
from rongxin.synth.generator import generate_county
from rongxin.synth.history import generate_history
from rongxin.synth.volunteering.load import generate_volunteering
from rongxin.synth.volunteering.planning import plan_volunteering
from rongxin.volunteering.domain.volunteers import age_on
from rongxin.volunteering.models import (
    Activity,
    CallOut,
    Correction,
    HoursAward,
    Membership,
    Scan,
    ServiceRecord,
    Signup,
    Team,
    Volunteer,
)
from rongxin.volunteering.selectors.roster import policy_for, roster
from rongxin.volunteering.services import attendance_code, attendance_scan
from rongxin.volunteering.services.closing import close_activities

SCALE = 0.003
SEED = 5
NOW = dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
HOUR_RULES = {"P-VOL-01", "P-VOL-04", "P-PRA-03", "P-PRA-04", "P-PRA-05", "P-PRA-10"}


@pytest.fixture
def county(db: Any) -> Any:
    """A small county with its credit history, at a frozen ``NOW``."""
    with time_machine.travel(NOW, tick=False) as traveller:
        generate_county(scale=SCALE, seed=SEED, as_of=NOW.date(), workers=0)
        catalogue_load_starters()
        generate_history(seed=SEED, now=NOW, workers=0)
        yield traveller


def local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.LOCAL_TZ).date()


def _indexes() -> dict[str, list[tuple[str, bool, tuple[str, ...]]]]:
    out = {}
    with connection.cursor() as cur:
        for model in (Signup, Scan, ServiceRecord, HoursAward):
            table = model._meta.db_table
            found = connection.introspection.get_constraints(cur, table)
            out[table] = sorted(
                (name, bool(c["unique"]), tuple(c["columns"])) for name, c in found.items() if c["index"]
            )
    return out


def test_the_load_writes_exactly_its_plan(county: Any) -> None:
    # given a county with history
    indexes = _indexes()
    # when
    result = generate_volunteering(scale=SCALE, seed=SEED, now=NOW, workers=0)
    # then the indexes dropped for the load are back as they were
    assert _indexes() == indexes
    assert result.counts["indexes_rebuilt"] >= 8
    # then every count the plan promises is in the database
    plan = result.plan_counts
    assert Volunteer.objects.count() == plan["volunteers"] == result.counts["volunteers"]
    assert Volunteer.objects.filter(guardian_consent_at__isnull=False).count() == plan["minors"]
    assert dict(Counter(Team.objects.values_list("tier", flat=True))) == {
        tier: plan[f"teams_{tier}"] for tier in Team.Tier.values if plan.get(f"teams_{tier}")
    }
    assert Counter(Membership.objects.values_list("status", flat=True)) == {
        "accepted": plan["memberships_accepted"],
        "applied": plan["memberships_applied"],
    }
    assert Membership.objects.filter(role="leader").count() == plan["leaders"]
    assert Counter(Activity.objects.values_list("status", flat=True)) == {
        s: plan[f"activities_{s}"] for s in ("closed", "cancelled", "published") if plan.get(f"activities_{s}")
    }
    assert Activity.objects.filter(starts_at__lt=NOW).count() == plan["activities_past"]
    assert Counter(Signup.objects.values_list("status", flat=True)) == {
        s: plan[f"signups_{s}"] for s in ("confirmed", "waitlisted", "cancelled", "dropped") if plan.get(f"signups_{s}")
    }
    assert Signup.objects.count() == plan["participations"]
    assert Scan.objects.filter(activity__ends_at__lte=NOW - dt.timedelta(hours=1)).count() == plan["scans_finished"]
    assert ServiceRecord.objects.filter(revision=1).count() == plan["records_r1"]
    assert ServiceRecord.objects.filter(revision=2).count() == plan["records_r2"]
    assert ServiceRecord.objects.filter(current=True).count() == plan["records_r1"]
    assert Correction.objects.count() == plan["corrections"]
    assert Correction.objects.filter(status="accepted").count() == plan["records_r2"]
    assert HoursAward.objects.count() == plan["awards"]
    assert HoursAward.objects.filter(superseded_at__isnull=False).count() == plan["records_r2"]
    # The load is what a county of this scale looks like.
    assert plan["volunteers"] == round(170_000 * SCALE)
    assert plan["activities_past"] >= round(3_000 * SCALE) * 36
    assert 0 < plan["activities_cancelled"] < plan["activities"] // 10
    assert 0 < plan["records_r2"] < plan["corrections"]
    for c in ("signups_waitlisted", "signups_cancelled", "signups_dropped", "memberships_applied", "minors"):
        assert plan[c] > 0, c


def test_the_rows_follow_the_platform_rules(county: Any) -> None:
    generate_volunteering(scale=SCALE, seed=SEED, now=NOW, workers=0)
    today = local_day(NOW)
    # Volunteers: persons of sensible age; a guardian exactly for those under 18 at registration.
    for v in Volunteer.objects.select_related("subject__person"):
        born = v.subject.person.birth_date
        assert 10 <= age_on(born, today) < 86
        minor = age_on(born, local_day(v.registered_at)) < 18
        assert (v.guardian_consent_at is not None, bool(v.guardian_name), bool(v.guardian_relation)) == (minor,) * 3
        assert v.registered_at < NOW
    residents = Volunteer.objects.filter(subject__person__residency="resident").count()
    assert residents > 0.75 * Volunteer.objects.count()
    # Teams: county-level expert and professional teams; town-village teams in a town or village.
    levels: dict[str, set[str]] = {t.tier: set() for t in Team.objects.all()}
    for t in Team.objects.select_related("region"):
        levels[t.tier].add(t.region.level)
    assert levels == {
        "department_expert": {"county"},
        "urban_professional": {"county"},
        "town_village": {"town", "village"},
    }
    for t in Team.objects.all():
        accepted = Membership.objects.filter(team=t, status="accepted").select_related("volunteer__subject__person")
        adults = [m for m in accepted if age_on(m.volunteer.subject.person.birth_date, today) >= 18]
        assert (
            sum(m.role == "leader" for m in accepted) == sum(m.role == "leader" for m in adults) == min(2, len(adults))
        )
    # Activities: the cached counts are the sign-ups; nobody attends two activities at once.
    for a in Activity.objects.exclude(status="cancelled").annotate(
        c=Count("signups", filter=Q(signups__status="confirmed")),
        w=Count("signups", filter=Q(signups__status="waitlisted")),
    ):
        assert (a.confirmed_count, a.waitlist_count) == (a.c, a.w)
        assert a.c <= a.capacity
        assert a.insured == a.type.risky
    spans: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for vid, s, e in ServiceRecord.objects.filter(current=True).values_list("volunteer_id", "started_at", "ended_at"):
        assert s is not None
        assert e is not None
        spans[vid].append((s, e))
    for items in spans.values():
        items.sort()
        assert all(items[i][0] >= items[i - 1][1] for i in range(1, len(items)))
    # The closing service's own roster gives every revision-1 record's minutes and flags.
    closed = list(Activity.objects.filter(status="closed").select_related("type", "team"))
    att = roster(closed)
    first = {(r.activity_id, r.volunteer_id): r for r in ServiceRecord.objects.filter(revision=1)}
    computed = {(aid, vid): line for aid, lines in att.items() for vid, line in lines.items() if line.minutes > 0}
    assert set(computed) == set(first)
    for key, line in computed.items():
        assert (first[key].minutes, first[key].flags) == (line.minutes, line.flags)
    flags = Counter(f for r in first.values() for f in r.flags)
    assert {"duplicate_scans", "beyond_window"} <= set(flags)
    assert sum(1 for lines in att.values() for line in lines.values() if "missing_checkout" in line.flags) > 0
    # Volunteers' totals are their current records.
    totals = dict(
        ServiceRecord.objects.filter(current=True)
        .values("volunteer_id")
        .annotate(m=Sum("minutes"))
        .values_list("volunteer_id", "m")
    )
    for vid, minutes in Volunteer.objects.values_list("subject_id", "total_minutes"):
        assert minutes == totals.get(vid, 0)


def test_hours_become_credit_as_the_conversion_policy_says(county: Any) -> None:
    generate_volunteering(scale=SCALE, seed=SEED, now=NOW, workers=0)
    awards = list(HoursAward.objects.select_related("record").order_by("volunteer_id", "created_at", "record_id"))
    by_year: dict[tuple[int, int], list[HoursAward]] = defaultdict(list)
    for h in awards:
        by_year[(h.volunteer_id, h.year)].append(h)
    checked = 0
    for (_vid, year), items in by_year.items():
        if any(h.superseded_at or h.record.revision > 1 for h in items):
            continue
        # each award starts where the volunteer's earlier awards of the year ended
        assert [h.minutes_before for h in items] == [sum(x.minutes for x in items[:i]) for i in range(len(items))]
        if {h.rule_code for h in items} == {"P-VOL-01"}:  # no rule cap below the policy's
            policy = policy_for(year)
            total = sum(h.minutes for h in items)
            assert sum(h.points for h in items) == min(policy.yearly_cap, math.floor(policy.curve(total)))
            checked += 1
    assert checked > 0
    # Credit entries: one per award with points, under the key the closing service uses.
    entries = {e.source_key: e for e in Entry.objects.filter(source="volunteering").select_related("rule")}
    keyed = {h.entry_key: h for h in awards if h.entry_key}
    assert set(entries) == set(keyed)
    for key, h in keyed.items():
        e = entries[key]
        assert key == f"volunteering:{h.activity_id}:{h.volunteer_id}:r{h.record.revision}"
        assert (e.subject_id, e.points, e.rule.code) == (h.volunteer_id, h.points, h.rule_code)
    assert {e.rule.code for e in entries.values()} <= HOUR_RULES
    assert len({e.rule.code for e in entries.values()}) >= 4
    assert not Entry.objects.exclude(source="volunteering").filter(rule__code__in=HOUR_RULES).exists()
    superseded = HoursAward.objects.filter(superseded_at__isnull=False).exclude(entry_key="")
    assert Transition.objects.filter(kind="superseded").count() == superseded.count() > 0
    assert set(Entry.objects.filter(transitions__kind="superseded").values_list("status", flat=True)) == {"revoked"}
    # The ledger's own checks pass: chains continue after the history, scores are the facts.
    _chains, facts, broken = chains_verify()
    assert broken is None
    assert facts == Entry.objects.count() + Transition.objects.count()
    checked_subjects, drifts = credit_reconcile_fast()
    assert drifts == []
    assert checked_subjects == SubjectCredit.objects.count()
    call_command("credit", "verify")
    call_command("credit", "reconcile")


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "volunteers": list(Volunteer.objects.order_by("pk").values_list()),
        "teams": list(Team.objects.order_by("pk").values_list()),
        "memberships": list(Membership.objects.order_by("team_id", "volunteer_id").values_list(
            "team_id", "volunteer_id", "role", "status", "applied_at", "decided_at"
        )),
        "activities": list(Activity.objects.order_by("pk").values_list()),
        "signups": list(Signup.objects.order_by("activity_id", "volunteer_id").values_list(
            "activity_id", "volunteer_id", "status", "created_at", "queued_at", "changed_at"
        )),
        "scans": sorted(Scan.objects.values_list(
            "activity_id", "volunteer_id", "kind", "method", "at", "accepted", "problem", "latitude", "longitude",
            "distance_m", "token_step", "reason",
        )),
        "records": list(ServiceRecord.objects.order_by("pk").values_list()),
        "awards": sorted(HoursAward.objects.values_list(
            "record_id", "points", "minutes_before", "entry_key", "note", "created_at", "superseded_at"
        )),
        "entries": list(Entry.objects.filter(source="volunteering").order_by("pk").values_list()),
        "transitions": list(Transition.objects.filter(kind="superseded").order_by("pk").values_list()),
        "credit": list(SubjectCredit.objects.order_by("pk").values_list("subject_id", "chain_seq", "chain_head", "score")),
    }  # fmt: skip


def test_same_seed_same_rows_whatever_the_workers(county: Any) -> None:
    with transaction.atomic():
        generate_volunteering(scale=SCALE, seed=SEED, now=NOW, workers=0)
        first = _snapshot()
        transaction.set_rollback(True)
    assert not Volunteer.objects.exists()
    generate_volunteering(scale=SCALE, seed=SEED, now=NOW, workers=1)
    again = _snapshot()
    for table, rows in first.items():
        assert rows == again[table], table
    assert len(first["entries"]) > 0
    # another seed: other volunteers
    other = plan_volunteering(scale=SCALE, seed=SEED + 1, now=NOW)
    same = plan_volunteering(scale=SCALE, seed=SEED, now=NOW)
    assert set(other.subject_ids) != set(same.subject_ids)
    assert same.participations == plan_volunteering(scale=SCALE, seed=SEED, now=NOW).participations


def test_a_known_seed_gives_the_known_load(county: Any) -> None:
    # given the county of seed 5 at this scale
    # when its volunteering is generated
    result = generate_volunteering(scale=SCALE, seed=SEED, now=NOW, workers=0)
    # then it is exactly what the generator wrote when the activities' start times were made
    # realistic (issue 12): a change that moves one participation, one minute or one point
    # shows here
    assert {k: v for k, v in result.counts.items() if k != "indexes_rebuilt"} == {
        "activities": 328, "awards": 4104, "corrections": 27, "entries": 4041, "grade_changes": 47,
        "memberships": 701, "minutes": 403890, "points": 6388, "records": 4104, "scans": 8294, "signups": 4531,
        "teams": 59, "transitions": 14, "volunteers": 510,
    }  # fmt: skip
    assert result.plan_counts == {
        "activities": 328, "activities_cancelled": 4, "activities_closed": 320, "activities_past": 324,
        "activities_published": 4, "awards": 4104, "corrections": 27, "leaders": 113, "memberships": 701,
        "memberships_accepted": 700, "memberships_applied": 1, "minors": 18, "participations": 4531,
        "records": 4104, "records_r1": 4089, "records_r2": 15, "scans_finished": 8294, "signups": 4531,
        "signups_cancelled": 113, "signups_confirmed": 4326, "signups_dropped": 83, "signups_waitlisted": 9,
        "teams": 59, "teams_department_expert": 2, "teams_town_village": 55, "teams_urban_professional": 2,
        "volunteers": 510,
    }  # fmt: skip


def test_synthetic_records_work_with_the_closing_and_correction_services(county: Any) -> None:
    # given activities of the last two weeks left awaiting verification
    generate_volunteering(scale=SCALE, seed=SEED, now=NOW, workers=0, open_days=14)
    waiting = list(
        Activity.objects.filter(status="published", ends_at__lte=NOW, ends_at__gt=NOW - dt.timedelta(days=14))
        .select_related("type", "team")
        .order_by("ends_at", "pk")
    )
    assert waiting
    assert not ServiceRecord.objects.filter(activity__in=waiting).exists()
    before = {
        (vid, year): m
        for vid, year, m in HoursAward.objects.filter(superseded_at__isnull=True)
        .values("volunteer_id", "year")
        .annotate(m=Sum("minutes"))
        .values_list("volunteer_id", "year", "m")
    }
    # when the month-end close runs over them
    with transaction.atomic():
        result = close_activities(activities=waiting, actor=None, notify=False)
    # then each new award starts where the synthetic awards of its volunteer's year ended
    assert result.records > 0
    new = HoursAward.objects.filter(activity__in=waiting).order_by("volunteer_id", "record_id")
    seen: dict[tuple[int, int], int] = {}
    for h in new:
        key = (h.volunteer_id, h.year)
        assert h.minutes_before == before.get(key, 0) + seen.get(key, 0)
        seen[key] = seen.get(key, 0) + h.minutes
    # and a synthetic award is found by the key the correction service supersedes
    award = (
        HoursAward.objects.filter(superseded_at__isnull=True)
        .exclude(entry_key="")
        .exclude(activity__in=waiting)
        .first()
    )
    assert award is not None
    points = award_supersede(
        subject_id=award.volunteer_id, source="volunteering", source_key=award.entry_key, actor=None, reason="测试"
    )
    assert points == award.points
    assert chains_verify()[2] is None
    assert credit_reconcile_fast()[1] == []


def test_generate_command_with_and_without_volunteering(db: Any, capsys: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        call_command("generate", scale=0.002, seed=3, no_progress=True, no_history=True, workers=0)
    out = capsys.readouterr().out
    assert "已生成志愿服务数据" in out
    assert Volunteer.objects.count() == round(170_000 * 0.002)
    assert Entry.objects.exclude(source__in=["volunteering", "lecture", "funds", "projects"]).count() == 0
    assert Entry.objects.filter(source="volunteering").count() > 0
    assert chains_verify()[2] is None


def test_generate_command_no_volunteering(db: Any, capsys: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        call_command("generate", scale=0.002, seed=3, no_progress=True, no_history=True, no_volunteering=True)
    assert "已生成志愿服务数据" not in capsys.readouterr().out
    assert Region.objects.exists()
    assert Person.objects.exists()
    assert not Volunteer.objects.exists()
    assert not Team.objects.exists()
    assert not Entry.objects.exists()


def _demo_state() -> dict[str, Any]:
    leader = SubjectAccount.objects.select_related("subject").get(user__username="team_leader", relation="self")
    resident = SubjectAccount.objects.select_related("subject").get(user__username="resident", relation="self")
    return {
        "leader": leader.subject_id,
        "resident": resident.subject_id,
        "demo_activities": list(
            Activity.objects.filter(title__endswith="（演示）").order_by("starts_at").values_list("pk", "title")
        ),
        "callouts": list(CallOut.objects.values_list("pk", "title", "status")),
        "users": User.objects.count(),
    }


@pytest.mark.parametrize("volunteering", [True, False])
def test_demo_accounts_for_volunteering(db: Any, volunteering: bool) -> None:
    # given a small county, with or without synthetic volunteering
    with time_machine.travel(NOW, tick=False):
        generate_county(scale=SCALE, seed=SEED, as_of=NOW.date(), workers=0)
        catalogue_load_starters()
        if volunteering:
            generate_volunteering(scale=SCALE, seed=SEED, now=NOW, workers=0)
        # when the demo is prepared twice
        accounts = {a.username: a for a in demo_accounts_ensure()}
        first = _demo_state()
        demo_accounts_ensure()
        # then nothing is added the second time
        assert _demo_state() == first
        leader_user = User.objects.get(username="team_leader")
        resident_user = User.objects.get(username="resident")
        town = Region.objects.filter(level="town").order_by("code").first()
        assert town is not None
        # the team leader is a volunteer leading a town-village team of their town, under a grant over it
        assert list(leader_user.grants.values_list("role", "region_id")) == [("team_leader", town.pk)]
        lead = Membership.objects.select_related("team").get(
            volunteer_id=first["leader"], role="leader", status="accepted", team__region=town
        )
        assert lead.team.tier == "town_village"
        leader_number = Volunteer.objects.get(pk=first["leader"]).number
        assert leader_number in accounts["team_leader"].note
        assert lead.team.name in accounts["team_leader"].note
        # the resident is a volunteer (with records when the county has volunteering)
        resident = Volunteer.objects.get(pk=first["resident"], status="active")
        records = ServiceRecord.objects.filter(volunteer=resident, current=True).count()
        assert (records >= 3) is volunteering
        assert resident.number in accounts["resident"].note
        # three upcoming activities of the leader's team; the first starts within the hour, the
        # resident is signed up for it and checks in with the organiser's current code
        demo = Activity.objects.filter(title__endswith="（演示）").order_by("starts_at")
        assert [(a.team_id, a.status) for a in demo] == [(lead.team.pk, "published")] * 3
        soon = demo[0]
        assert NOW < soon.starts_at <= NOW + dt.timedelta(hours=1)
        assert all(a.starts_at > NOW and a.signup_opens_at <= NOW < a.signup_closes_at for a in demo)
        assert Signup.objects.get(activity=soon, volunteer=resident).status == "confirmed"
        code = attendance_code(actor=leader_user, activity_id=soon.pk)
        scan = attendance_scan(actor=resident_user, token=code.token, kind="in")
        assert (scan.scan.accepted, scan.scan.volunteer_id) == (True, resident.pk)
        # an open call-out in the town with shifts to take
        callout = CallOut.objects.get(status="open", region=town)
        assert callout.shifts.count() == 2
