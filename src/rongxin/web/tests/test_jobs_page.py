"""The jobs page (/jobs/): the county administrator sees queued, running, failed and finished
jobs; everybody else gets the page-not-found page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import client_for, make_user
from rongxin.core import jobs
from rongxin.core.jobs import enqueue, run_pending
from rongxin.core.models import JobWorker

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 1, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing


def fine() -> str:
    return "checked 3 files"


def broken(*, batch_id: int) -> str:
    raise ValueError(f"batch {batch_id} is unreadable")


def waiting(*, batch_id: int) -> str:
    return f"done {batch_id}"


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch, db: Any) -> None:
    """One job of each state: finished, failed (after 2 attempts), running, queued."""
    jobs.discover()
    monkeypatch.setattr(jobs, "REGISTRY", {})
    jobs.job(name="test.fine", max_attempts=1)(fine)
    jobs.job(name="test.broken", max_attempts=2, retry_seconds=10)(broken)
    jobs.job(name="test.waiting", max_attempts=3)(waiting)
    with time_machine.travel(T0, tick=False) as clock:
        enqueue("test.fine")
        enqueue("test.broken", key="import:7", batch_id=7)
        run_pending()
        clock.shift(dt.timedelta(seconds=10))
        run_pending()
        running = enqueue("test.waiting", key="import:8", batch_id=8)
        JobWorker.objects.create(worker_id="w-1", host="node-1", pid=4242, started_at=T0, beat_at=T0)
        jobs.DBTaskResult.objects.get(pk=running.id).claim("w-1")
        enqueue("test.waiting", key="import:9", batch_id=9)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(html: str, heading_id: str) -> str:
    start = html.index(f'<h2 id="{heading_id}"')
    end = html.find("</section>", start)
    return text(html[start:end])


@pytest.fixture
def county_admin(tree: Any) -> Any:
    return make_user("county_admin", Role.PLATFORM_ADMIN, tree.county)


def test_the_county_admin_sees_queued_running_failed_and_finished_jobs(queue, county_admin):
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        response = client_for(county_admin).get("/jobs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>后台任务</h1>" in html
    assert section(html, "jobs-queued") == (
        "排队中 (1) 任务 去重键 排队时间 最早运行时间 尝试次数 最近错误 "
        "test.waiting import:9 2026-01-01 10:00:10 立即 0 / 3 —"
    )
    assert section(html, "jobs-running") == (
        "处理中 (1) 任务 去重键 排队时间 开始时间 尝试次数 最近错误 "
        "test.waiting import:8 2026-01-01 10:00:10 2026-01-01 10:00:10 1 / 3 —"
    )
    assert section(html, "jobs-failed").startswith(
        "失败 (1) 任务 去重键 排队时间 结束时间 尝试次数 错误 "
        "test.broken import:7 2026-01-01 10:00:00 2026-01-01 10:00:10 2 / 2 "
        "ValueError: batch 7 is unreadable Traceback (most recent call last):"
    )
    assert section(html, "jobs-finished") == (
        "最近完成 (1) 任务 开始时间 用时（秒） 尝试次数 结果 test.fine 2026-01-01 10:00:00 0.0 1 / 1 checked 3 files"
    )
    assert "1 个任务进程在运行。" in text(html)
    assert "node-1:4242" in html


def test_the_page_says_when_nothing_is_queued_running_or_failed(county_admin):
    html = client_for(county_admin).get("/jobs/").content.decode()
    assert "没有排队的任务。" in html
    assert "没有运行中的任务。" in html
    assert "没有失败的任务。" in html
    assert "还没有完成的任务。" in html
    assert "任务进程尚未启动过。" in html


@pytest.mark.parametrize("who", ["town_admin", "county_office", "auditor", "recorder", "no_role"])
def test_everybody_else_gets_the_missing_page(queue, tree, staff, who):
    user = make_user("town_admin", Role.PLATFORM_ADMIN, tree.town_a) if who == "town_admin" else staff[who]
    client = client_for(user)
    response = client.get("/jobs/")
    missing = client.get("/no-such-page/")
    assert (response.status_code, missing.status_code) == (404, 404)
    assert [t.name for t in response.templates] == [t.name for t in missing.templates]
    assert text(response.content.decode()) == text(missing.content.decode())
    assert "test.waiting" not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(db):
    response = Client().get("/jobs/")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/login/")


def test_only_the_county_admin_has_the_jobs_link(tree, staff, county_admin):
    town_admin = make_user("town_admin", Role.PLATFORM_ADMIN, tree.town_a)
    assert 'href="/jobs/"' in client_for(county_admin).get("/").content.decode()
    for user in [town_admin, staff["county_office"], staff["auditor"], staff["no_role"]]:
        assert 'href="/jobs/"' not in client_for(user).get("/").content.decode()
