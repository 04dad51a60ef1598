"""``rongxin bench search`` end to end on a tiny county: a scratch database of the engine the
suite runs on, the county loaded, every query run by every searcher, the JSON written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from rongxin.bench.search import QUERIES, ROUNDS

pytestmark = pytest.mark.slow

SEARCHERS = ["county", "large_town", "small_town", "village"]


def test_bench_search_reports_each_query_against_the_bare_lookup(tmp_path: Path) -> None:
    # given a tiny scale
    target = tmp_path / "search.json"
    # when the benchmark runs
    call_command("bench", "search", "--scale", "0.002", "--json", str(target), stdout=(tmp_path / "out").open("w"))
    out = json.loads(target.read_text())
    # then it reports the substring searches against the baseline, in the common shape
    assert (out["name"], out["scale"], out["load"]["subjects"]) == ("search", 0.002, 1568)
    searches = out["metrics"]["search_p95_ms"]
    substring_queries = [q for q, _what in QUERIES if len(q) >= 2]
    assert searches["searches"] == len(substring_queries) * len(SEARCHERS) * ROUNDS
    assert searches["unit"] == "ms"
    assert out["baseline"]["n"] == len(QUERIES) * len(SEARCHERS) * ROUNDS
    assert list(out["by_length"]) == ["1", "2", "3", "4+"]
    assert list(out["by_searcher"]) == SEARCHERS
    # and each query by each searcher, the misses finding nothing
    assert [q["query"] for q in out["queries"]] == [q for q, _what in QUERIES]
    misses = {q["query"]: [q[s]["results"] for s in SEARCHERS] for q in out["queries"] if "miss" in q["what"]}
    assert misses == {"麦当": [0, 0, 0, 0], "星巴克": [0, 0, 0, 0], "量子计算": [0, 0, 0, 0]}
    assert all(q[s]["n"] == ROUNDS for q in out["queries"] for s in SEARCHERS)
