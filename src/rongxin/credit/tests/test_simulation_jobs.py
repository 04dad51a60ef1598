"""The policy simulation as a job: asked for on its page, run by a worker (also after a worker
died mid-run), shown with the figures the direct computation gives, to the credit office only."""

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from rongxin.conftest import client_for, make_person
from rongxin.core import jobs
from rongxin.core.jobs import jobs_recover, run_pending
from rongxin.core.models import AuditEvent, JobWorker
from rongxin.core.progress import progress_read
from rongxin.credit.models import Simulation
from rongxin.credit.selectors.simulation import credit_simulate, simulation_summary
from rongxin.credit.services import simulations
from rongxin.credit.services.catalogue import catalogue_draft_create
from rongxin.credit.services.entries import entry_record
from rongxin.credit.tests.conftest import GRADES, person_document, rule
from rongxin.credit.tests.test_services import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(catalogue, people, tree, settings, tmp_path):
    """Three scored persons (张三 970 after two deductions, 乙 1005, 丙 1000) and a draft that makes
    the deduction 25–30 points and raises grade A to 980: 张三 falls from A to B."""
    settings.DATA_DIR = tmp_path
    b = make_person(tree.village_a1, name="乙", consent=True).subject
    make_person(tree.village_b1, name="丙", consent=True)
    make_person(tree.village_b1, name="丁", consent=False)
    for subject, code, points, key, actor in (
        (people["person"].subject, "T-GEN", 20, "a1", "police"),
        (people["person"].subject, "T-GEN", 10, "a2", "police"),
        (b, "T-AWD", None, "b1", "village"),
    ):
        entry_record(
            actor=people[actor],
            subject_id=subject.pk,
            rule_code=code,
            points=points,
            occurred_at=T0 - dt.timedelta(days=1),
            evidence="记录",
            source_key=key,
        )
    rules = [r if r["code"] != "T-GEN" else rule("T-GEN", "deduction", (25, 30)) for r in person_document()["rules"]]
    grades = [dict(g) for g in GRADES]
    grades[2]["min"] = 980
    return catalogue_draft_create(
        actor=None, document=person_document(rules=rules, grades=grades, effective_from="2027-01-01")
    )


def without_time(summary):
    return {k: v for k, v in summary.items() if k != "seconds"}


def simulation_jobs():
    return DBTaskResult.objects.filter(args_kwargs__kwargs__job="credit.simulate")


def test_the_simulation_runs_as_a_job_and_shows_the_figures_of_the_direct_computation(draft, people, frozen):
    office = client_for(people["reviewer"])
    # given the credit office asks for a simulation of the draft
    response = office.post(f"/credit/catalogues/{draft.pk}/simulate/")
    simulation = Simulation.objects.get()
    assert response["Location"] == f"/credit/simulations/{simulation.pk}/"
    # then it is queued, and its page shows the progress, refreshing itself
    waiting = office.get(f"/credit/simulations/{simulation.pk}/").content.decode()
    assert (simulation.status, simulation_jobs().count()) == ("queued", 1)
    assert 'hx-trigger="every 2s"' in waiting
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in waiting  # without script too
    assert "排队中" in waiting
    # when a worker runs it
    frozen.shift(dt.timedelta(seconds=1))
    run_pending()
    # then its result is what the direct computation gives from the records as of the request
    simulation.refresh_from_db()
    direct = simulation_summary(credit_simulate(draft_id=draft.pk, at=simulation.at))
    assert (simulation.status, simulation.attempts) == ("done", 1)
    assert without_time(simulation.result) == without_time(direct)
    assert (direct["subjects"], direct["changed"], direct["moves"]) == (
        3,
        1,
        [{"from": "A", "to": "B", "subjects": 1}],
    )
    assert progress_read("simulation", simulation.pk) is None
    # and the page shows those figures (and stops refreshing)
    page = office.get(f"/credit/simulations/{simulation.pk}/").content.decode()
    assert "A → B: 1" in page
    assert "<td>970 A</td><td>950 B</td>" in page
    assert ("hx-trigger" in page, 'http-equiv="refresh"' in page) == (False, False)
    # and an htmx poll of the finished run reloads the whole page
    poll = office.get(f"/credit/simulations/{simulation.pk}/", HTTP_HX_REQUEST="true")
    assert (poll.status_code, poll["HX-Refresh"]) == (204, "true")
    assert list(AuditEvent.objects.filter(action="credit.simulation.request").values_list("object_id", flat=True)) == [
        str(draft.pk)
    ]


def test_a_second_request_while_one_runs_follows_the_same_run(draft, people):
    office = client_for(people["reviewer"])
    # when the button is pressed twice (and once more by a colleague)
    first = office.post(f"/credit/catalogues/{draft.pk}/simulate/")
    second = office.post(f"/credit/catalogues/{draft.pk}/simulate/")
    third = client_for(people["reviewer2"]).post(f"/credit/catalogues/{draft.pk}/simulate/")
    # then there is one simulation and one job, and all three follow it
    simulation = Simulation.objects.get()
    assert {first["Location"], second["Location"], third["Location"]} == {f"/credit/simulations/{simulation.pk}/"}
    assert simulation_jobs().count() == 1
    assert "正在模拟这一草案，以下是该次运行。" in office.get(second["Location"]).content.decode()


def test_a_simulation_whose_worker_died_mid_run_is_run_again_and_finishes(draft, people, frozen, monkeypatch):
    class WorkerKilled(BaseException):
        """The process stops where it stands (SIGKILL): no handler of the job runs."""

    # given a simulation claimed by a worker on another machine, which dies after reading entries
    simulation, _ = simulations.simulation_request(actor=people["reviewer"], catalogue_id=draft.pk)
    JobWorker.objects.create(
        worker_id="gone", host="elsewhere", pid=1, started_at=T0, beat_at=T0 - dt.timedelta(hours=1)
    )
    DBTaskResult.objects.get(pk=simulation.job_id).claim("gone")

    def die(kind, key, *, done, total):
        if done > 0:
            raise WorkerKilled

    monkeypatch.setattr(simulations, "progress_write", die)
    with pytest.raises(WorkerKilled):
        simulations.simulation_run(simulation_id=simulation.pk)
    monkeypatch.undo()
    simulation.refresh_from_db()
    assert (simulation.status, simulation.attempts, simulation.result) == ("running", 1, None)
    # when a live worker looks for interrupted jobs and runs what is ready
    frozen.shift(dt.timedelta(seconds=1))
    assert jobs_recover() == 1
    run_pending()
    # then the simulation ran again, to the end, with the figures of the direct computation
    simulation.refresh_from_db()
    job = DBTaskResult.objects.get(pk=simulation.job_id)
    assert (job.status, job.worker_ids[0], len(job.worker_ids)) == ("SUCCESSFUL", "gone", 2)
    assert (simulation.status, simulation.attempts) == ("done", 2)
    direct = simulation_summary(credit_simulate(draft_id=draft.pk, at=simulation.at))
    assert without_time(simulation.result) == without_time(direct)
    assert "A → B: 1" in client_for(people["reviewer"]).get(f"/credit/simulations/{simulation.pk}/").content.decode()


def test_a_simulation_interrupted_on_its_last_attempt_says_so(draft, people, frozen):
    # given a simulation whose every attempt was cut short by a dying worker
    simulation, _ = simulations.simulation_request(actor=people["reviewer"], catalogue_id=draft.pk)
    Simulation.objects.filter(pk=simulation.pk).update(status="running", attempts=simulations.MAX_ATTEMPTS)
    JobWorker.objects.create(
        worker_id="gone", host="elsewhere", pid=1, started_at=T0, beat_at=T0 - dt.timedelta(hours=1)
    )
    job = DBTaskResult.objects.get(pk=simulation.job_id)
    for _attempt in range(simulations.MAX_ATTEMPTS):
        job.claim("gone")
    # when the queue recovers it
    assert jobs_recover() == 1
    # then the job failed and the page says in Chinese that it was interrupted
    assert DBTaskResult.objects.get(pk=simulation.job_id).status == "FAILED"
    page = client_for(people["reviewer"]).get(f"/credit/simulations/{simulation.pk}/").content.decode()
    assert '<p class="alert" role="alert">模拟运行被中断，请重新运行。</p>' in page
    # and asking again queues a new run
    again, created = simulations.simulation_request(actor=people["reviewer"], catalogue_id=draft.pk)
    simulation.refresh_from_db()
    assert (created, again.pk != simulation.pk, again.status) == (True, True, "queued")
    assert (simulation.status, simulation.error) == ("failed", "模拟运行被中断，请重新运行。")


def test_a_simulation_with_nothing_in_force_to_compare_fails_with_a_chinese_message(people, frozen, settings, tmp_path):
    # given an organisation draft while no organisation catalogue is in force
    settings.DATA_DIR = tmp_path
    draft = catalogue_draft_create(actor=None, document=person_document(subject_kind="organisation"))
    simulation, _ = simulations.simulation_request(actor=people["reviewer"], catalogue_id=draft.pk)
    # when the worker runs it
    frozen.shift(dt.timedelta(seconds=1))
    run_pending()
    # then it failed, with the reason on its page
    simulation.refresh_from_db()
    assert (simulation.status, simulation.result) == ("failed", None)
    page = client_for(people["reviewer"]).get(f"/credit/simulations/{simulation.pk}/").content.decode()
    assert '<p class="alert" role="alert">没有正在生效的指标目录可供比较。</p>' in page


@pytest.mark.parametrize(
    "who", [None, "team_leader", "town_a_officer", "village_a1_officer", "recorder", "auditor", "no_role"]
)
def test_only_the_credit_office_asks_for_and_reads_simulations(draft, people, staff, who):
    # given a simulation the credit office ran
    simulation, _ = simulations.simulation_request(actor=people["reviewer"], catalogue_id=draft.pk)
    run_pending()
    client = client_for(staff[who] if who else None)
    # when anybody else asks for one or opens it
    asked = client.post(f"/credit/catalogues/{draft.pk}/simulate/")
    start = client.get(f"/credit/catalogues/{draft.pk}/simulate/")
    shown = client.get(f"/credit/simulations/{simulation.pk}/")
    # then it is not found for them (anonymous: sent to sign in), and nothing was queued
    expected = 302 if who is None else 404
    assert (asked.status_code, start.status_code, shown.status_code) == (expected, expected, expected)
    assert Simulation.objects.count() == 1
    assert simulation_jobs().count() == 1
    # and a missing simulation looks the same to the credit office as to them
    assert client_for(people["reviewer"]).get(f"/credit/simulations/{simulation.pk + 1}/").status_code == 404
    assert jobs.REGISTRY["credit.simulate"].attempts == simulations.MAX_ATTEMPTS
