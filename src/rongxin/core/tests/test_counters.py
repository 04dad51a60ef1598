"""The rate-limit counter store: django-ratelimit's add/incr protocol, expiry, atomic counting
under concurrency (PostgreSQL), and the worker's purge."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection, connections
from django.test import Client
from django_ratelimit.core import get_usage

from rongxin.core.counters import purge_expired
from rongxin.core.models import RateCounter

T0 = "2026-03-01 10:00:00 +0800"


@pytest.fixture
def counters(db: Any) -> Any:
    return caches["ratelimit"]


def test_add_takes_an_absent_key_and_incr_counts_it(counters: Any) -> None:
    with time_machine.travel(T0, tick=False):
        assert counters.add("k", 1, 60) is True
        assert counters.add("k", 1, 60) is False
        assert [counters.incr("k"), counters.incr("k"), counters.incr("k", 5)] == [2, 3, 8]
        assert counters.get("k") == 8
        assert counters.get("other", "none") == "none"
        assert counters.has_key("k") is True


def test_an_expired_counter_counts_from_the_start_again(counters: Any) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        counters.add("k", 1, 60)
        counters.incr("k")
        traveller.shift(60)
        assert counters.get("k") is None
        with pytest.raises(ValueError, match="not found"):
            counters.incr("k")
        assert counters.add("k", 1, 60) is True
        assert counters.incr("k") == 2


def test_incr_of_a_missing_key_is_a_value_error(counters: Any) -> None:
    with pytest.raises(ValueError, match="not found"):
        counters.incr("never-added")
    assert RateCounter.objects.count() == 0


def test_set_touch_delete_and_clear(counters: Any) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        counters.set("a", 5, 10)
        counters.set("a", 7, 10)
        assert counters.get("a") == 7
        assert counters.touch("a", 100) is True
        traveller.shift(50)
        assert counters.get("a") == 7
        assert counters.touch("missing", 100) is False
        counters.set("b", 1, None)  # no expiry
        assert counters.delete("a") is True
        assert counters.delete("a") is False
        assert counters.get("b") == 1
        counters.clear()
        assert RateCounter.objects.count() == 0


def test_only_integers_are_kept(counters: Any) -> None:
    with pytest.raises(TypeError):
        counters.set("k", "text", 10)
    with pytest.raises(TypeError):
        counters.add("k", True, 10)
    assert RateCounter.objects.count() == 0


def test_the_purge_deletes_only_expired_counters(counters: Any) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        counters.add("short", 1, 10)
        counters.add("long", 1, 120)
        traveller.shift(60)
        assert purge_expired() == 1
        assert list(RateCounter.objects.values_list("value", flat=True)) == [1]
        assert counters.get("long") == 1


def test_django_ratelimit_counts_through_the_store(counters: Any) -> None:
    request = Client().get("/login/").wsgi_request
    with time_machine.travel("2026-03-01 10:00:05 +0800", tick=False):
        usages = [get_usage(request, group="g", key="ip", rate="3/m", increment=True) for _ in range(4)]
    assert [(u["count"], u["should_limit"]) for u in usages] == [(1, False), (2, False), (3, False), (4, True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_lose_no_count() -> None:
    counters = caches["ratelimit"]

    start = threading.Event()

    def hit(_: int) -> int:
        start.wait(timeout=30)
        try:
            return 1 if counters.add("shared", 1, 600) else counters.incr("shared")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(hit, i) for i in range(40)]
        start.set()
        results = [f.result(timeout=60) for f in futures]
    assert sorted(results) == list(range(1, 41))
    assert counters.get("shared") == 40
