"""Crash safety, as an operator would meet it: real processes killed with SIGKILL part-way.

1. A bulk credit import of 100,000 rows is killed after its checks, while it writes: nothing of
   it is saved, every chain verifies, reconcile finds no drift; the worker queues the interrupted
   import again and finishes it; a second import of the same file adds nothing.
2. The worker is killed during its time-driven run (entries expiring): afterwards the run
   completes and nothing drifts.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="runs its own SQLite county in a scratch directory (SQLite run only)"
    ),
]
RONGXIN = [sys.executable, "-m", "rongxin.cli"]
ROWS = 100_000  # enough that the write phase lasts seconds after the checks end

MAKE_FILE = """
import csv, datetime as dt, random
from rongxin.core import clock, pii
from rongxin.credit.selectors.catalogues import catalogue_in_force
from rongxin.subjects.models import Person
rng = random.Random(7)
cat = catalogue_in_force(subject_kind="person", on=clock.today_local())
rules = [r for r in cat.rules.prefetch_related("departments")
         if "traffic_police" in {d.code for d in r.departments.all()} and r.yearly_cap_count is None
         and r.yearly_cap_points is None and not r.review_required]
ids = [pii.decrypt(b) for b in Person.objects.order_by("pk").values_list("id_number_encrypted", flat=True)]
today = clock.today_local()
with open(OUT, "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh)
    w.writerow(["证件号码", "规则编码", "分值", "发生时间", "证据", "记录编号"])
    for n in range(ROWS):
        rule = rules[n % len(rules)]
        day = today - dt.timedelta(days=1 + n % 20)
        w.writerow([ids[n % len(ids)], rule.code, rng.randint(rule.points_min, rule.points_max), day.isoformat(),
                    "电子警察", f"CRASH-{n:07d}"])
"""


def run(args: list[str], env: dict[str, str], *, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command line
        [*RONGXIN, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def ok(args: list[str], env: dict[str, str]) -> str:
    done = run(args, env)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def scalar(db: Path, sql: str) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def checks_pass(env: dict[str, str]) -> None:
    assert "ok:" in ok(["credit", "verify"], env)
    assert ", 0 drift(s)" in ok(["credit", "reconcile"], env)


def test_a_killed_import_saves_nothing_and_is_finished_after_the_restart(
    county: dict[str, str], tmp_path: Path
) -> None:
    db = tmp_path / "rongxin.sqlite3"
    path = tmp_path / "traffic.csv"
    ok(["shell", "-c", f"OUT = {str(path)!r}; ROWS = {ROWS}\n" + MAKE_FILE], county)
    before = scalar(db, "SELECT COUNT(*) FROM credit_entry")
    # given an import that has checked every row and is writing
    proc = subprocess.Popen(  # noqa: S603
        [*RONGXIN, "credit", "import", str(path), "--department", "traffic_police", "--no-progress"],
        env=county, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    progress = tmp_path / "progress" / "import-1.json"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            state = json.loads(progress.read_text())
            if state["done"] == state["total"] == ROWS:
                break
        except (OSError, ValueError):
            pass
        assert proc.poll() is None, "the import ended before it could be killed"
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the write phase
    # when it is killed
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # then nothing of it was saved and the ledger is intact
    assert scalar(db, "SELECT COUNT(*) FROM credit_entry") == before
    assert scalar(db, "SELECT COUNT(*) FROM credit_entry WHERE source = 'import'") == 0
    assert scalar(db, "SELECT COUNT(*) FROM credit_importbatch WHERE status = 'running'") == 1
    checks_pass(county)
    # when the worker restarts, it queues the interrupted import again and finishes it
    restarted = dict(county, RONGXIN_IMPORT_STALE_MINUTES="0")
    ok(["worker", "--once"], restarted)
    statuses = sqlite3.connect(db).execute("SELECT status, created FROM credit_importbatch").fetchall()
    assert statuses == [("done", ROWS)]
    assert scalar(db, "SELECT COUNT(*) FROM credit_entry WHERE source = 'import'") == ROWS
    checks_pass(county)
    # and the same file again adds nothing
    again = run(["credit", "import", str(path), "--department", "traffic_police", "--no-progress"], county)
    assert scalar(db, "SELECT COUNT(*) FROM credit_entry WHERE source = 'import'") == ROWS
    assert sqlite3.connect(db).execute(
        "SELECT status, created, existing FROM credit_importbatch WHERE id = 2"
    ).fetchone() == ("done", 0, ROWS), again.stdout


def test_a_killed_time_run_completes_after_the_restart(county: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "rongxin.sqlite3"
    # given a year later many entries have ended (the worker's time job has work)
    later = "2027-12-31T00:00:00+08:00"
    due = scalar(db, "SELECT COUNT(*) FROM credit_subjectcredit WHERE next_change_at IS NOT NULL")
    assert due > 100
    script = (
        "import datetime as dt\n"
        "from rongxin.credit.services.scores import credit_apply_time_changes\n"
        f"credit_apply_time_changes(now=dt.datetime.fromisoformat({later!r}), batch=50)\n"
    )
    proc = subprocess.Popen([*RONGXIN, "shell", "-c", script], env=county)  # noqa: S603
    deadline = time.monotonic() + 120
    changed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        changed = scalar(db, "SELECT COUNT(*) FROM credit_gradechange WHERE cause = 'time'")
        if changed >= 20:
            break
        time.sleep(0.02)
    # when it is killed part-way
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # then the chains are intact, part of the work is done and part is left
    assert "ok:" in ok(["credit", "verify"], county)
    done_before_restart = scalar(db, "SELECT COUNT(*) FROM credit_gradechange WHERE cause = 'time'")
    left = "SELECT COUNT(*) FROM credit_subjectcredit WHERE next_change_at <= '2027-12-30 16:00:00'"
    assert done_before_restart >= 1
    assert scalar(db, left) >= 1
    # when the job runs again it finishes, and the caches agree with the facts
    ok(["shell", "-c", script], county)
    assert scalar(db, left) == 0
    assert ", 0 drift(s)" in ok(["credit", "reconcile", "--at", later], county)


MAKE_MONTH = """
import datetime as dt, secrets
from django.db import transaction
from rongxin.accounts.models import User
from rongxin.accounts.domain.roles import Role
from rongxin.accounts.services import GrantSpec, user_create
from rongxin.core import clock
from rongxin.regions.models import Region
from rongxin.subjects.models import Person
from rongxin.volunteering.models import Activity, ActivityType, Scan, Signup, Team, Volunteer
from rongxin.volunteering.domain.volunteers import volunteer_number
now = clock.now()
town = Region.objects.filter(level="town").order_by("code").first()
user = user_create(actor=None, username="closer", display_name="closer", password="closer-password-1",
                   grants=[GrantSpec(role=Role.TOWN_OFFICER, region=town, department=None)], check_password=False)
people = list(Person.objects.filter(subject__volunteer__isnull=True).order_by("pk").values_list("pk", flat=True)[:PEOPLE])
with transaction.atomic():
    Volunteer.objects.bulk_create([Volunteer(subject_id=p, number=volunteer_number(p), registered_at=now,
                                             consent_at=now) for p in people], batch_size=2000)
    team = Team.objects.create(name="崩溃测试队", tier="town_village", kind="service", region=town, created_at=now)
    kind = ActivityType.objects.get(code="community_service")
    village = Region.objects.filter(parent=town).order_by("code").first()
    acts = []
    for i in range(ACTIVITIES):
        start = now - dt.timedelta(days=3, hours=i % 48)
        acts.append(Activity(team=team, type=kind, title=f"活动{i}", region=village, place="村委会",
                             starts_at=start, ends_at=start + dt.timedelta(hours=3), capacity=PER, status="published",
                             signup_opens_at=start - dt.timedelta(days=7), signup_closes_at=start,
                             qr_secret=secrets.token_bytes(32), created_at=start - dt.timedelta(days=7),
                             confirmed_count=PER))
    Activity.objects.bulk_create(acts, batch_size=1000)
    signups, scans = [], []
    for n, a in enumerate(acts):
        for k in range(PER):
            v = people[(n * PER + k) % len(people)]
            signups.append(Signup(activity=a, volunteer_id=v, status="confirmed", created_at=a.signup_opens_at,
                                  changed_at=a.signup_opens_at))
            scans.append(Scan(activity=a, volunteer_id=v, kind="in", method="qr", at=a.starts_at, accepted=True))
            scans.append(Scan(activity=a, volunteer_id=v, kind="out", method="qr",
                              at=a.starts_at + dt.timedelta(minutes=60 + k % 120), accepted=True))
    Signup.objects.bulk_create(signups, batch_size=5000)
    Scan.objects.bulk_create(scans, batch_size=5000)
print(len(acts), len(signups))
"""

CLOSE = """
from rongxin.accounts.models import User
from rongxin.volunteering.models import Activity
from rongxin.volunteering.services.closing import close_activities
from django.db import transaction
with transaction.atomic():
    acts = list(Activity.objects.select_for_update().filter(status="published", title__startswith="活动")
                .select_related("type", "team"))
    close_activities(activities=acts, actor=User.objects.get(username="closer"))
"""


def test_a_killed_month_end_close_saves_nothing_and_runs_again(county: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "rongxin.sqlite3"
    # given a month of finished activities with 30,000 participations to close
    made = ok(["shell", "-c", "PEOPLE = 1500; ACTIVITIES = 300; PER = 100\n" + MAKE_MONTH], county)
    assert made.strip().splitlines()[-1].split() == ["300", "30000"]
    records_before = scalar(db, "SELECT COUNT(*) FROM volunteering_servicerecord")
    entries_before = scalar(db, "SELECT COUNT(*) FROM credit_entry")
    # when the close is killed part-way
    proc = subprocess.Popen([*RONGXIN, "shell", "-c", CLOSE], env=county)  # noqa: S603
    time.sleep(2.5)
    assert proc.poll() is None, "the close finished before it could be killed: make the month bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # then nothing of it was saved
    assert scalar(db, "SELECT COUNT(*) FROM volunteering_servicerecord") == records_before
    assert scalar(db, "SELECT COUNT(*) FROM volunteering_hoursaward WHERE activity_id IN "
                      "(SELECT id FROM volunteering_activity WHERE title LIKE '活动%')") == 0  # fmt: skip
    assert scalar(db, "SELECT COUNT(*) FROM credit_entry") == entries_before
    assert (
        scalar(db, "SELECT COUNT(*) FROM volunteering_activity WHERE status = 'published' AND title LIKE '活动%'")
        == 300
    )
    checks_pass(county)
    # when it runs again it closes everything, once
    ok(["shell", "-c", CLOSE], county)
    assert scalar(db, "SELECT COUNT(*) FROM volunteering_servicerecord") == records_before + 30000
    assert (
        scalar(db, "SELECT COUNT(*) FROM volunteering_activity WHERE status = 'closed' AND title LIKE '活动%'") == 300
    )
    awarded = scalar(db, "SELECT COUNT(*) FROM credit_entry") - entries_before
    assert awarded == scalar(db, "SELECT COUNT(*) FROM volunteering_hoursaward WHERE points > 0 AND entry_key LIKE "
                                 "'volunteering:%' AND created_at > (SELECT MAX(created_at) FROM volunteering_activity)")  # fmt: skip
    checks_pass(county)
