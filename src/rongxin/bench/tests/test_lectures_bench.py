"""``rongxin bench lectures`` end to end on a tiny county: a scratch database of the engine the
suite runs on, the county and its lectures loaded, the quota board, the coverage and closing a
session timed against bare SELECTs, the JSON written in the common shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.slow


def test_bench_lectures_reports_each_figure_against_a_bare_select(tmp_path: Path) -> None:
    # given a tiny scale
    target = tmp_path / "lectures.json"
    # when the benchmark runs
    call_command("bench", "lectures", "--scale", "0.002", "--json", str(target), stdout=(tmp_path / "out").open("w"))
    out = json.loads(target.read_text())
    # then it reports in the common shape
    assert (out["name"], out["scale"], out["load"]["subjects"]) == ("lectures", 0.002, 1568)
    assert list(out["metrics"]) == ["quota_board_p95_ms", "coverage_p95_ms", "session_close_seconds"]
    for name in ("quota_board_p95_ms", "coverage_p95_ms"):
        figure = out["metrics"][name]
        assert figure["unit"] == "ms"
        assert figure["value"] > 0
        assert figure["baseline"] > 0
        assert figure["ratio"] == round(figure["value"] / figure["baseline"], 3) or figure["ratio"] > 0
        assert figure["target_ms"] == 200.0
    # the quota board covers every head, the coverage every village
    assert out["quota_board"]["heads"] == out["load"]["lectures"]["heads"] == 4
    assert sum(out["quota_board"]["cells"].values()) > 0
    assert out["coverage"]["villages"] == out["coverage"]["baseline_rows"] == 44
    assert out["quota_board"]["heads_on_board"] == 4
    assert out["load"]["lectures"]["sessions_closed"] > 0
    # closing is timed
    close = out["metrics"]["session_close_seconds"]
    assert close["unit"] == "s"
    assert close["target_s"] == 2.0
    assert 0 < out["session_close"]["listeners"] <= 500
    assert out["session_close"]["baseline_rows"] == out["session_close"]["listeners"]
    assert out["session_close"]["credit_entries"] > 0


def test_the_board_and_the_coverage_agree_with_the_generated_lectures(db: object) -> None:
    # The synthetic overdue heads and uncovered villages are what the product's own board and
    # coverage find: a head with no lecture in a past period is overdue, every village is listed.
    import datetime as dt

    import time_machine

    from rongxin.lectures.selectors.figures import coverage
    from rongxin.lectures.selectors.quota import quota_board
    from rongxin.synth.generator import generate_county
    from rongxin.synth.lectures import generate_lectures

    now = dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        generate_county(scale=0.003, seed=3, as_of=now.date(), workers=0)
        result = generate_lectures(seed=3, now=now, scale=0.003)
        from rongxin.bench.lectures import _admin

        admin = _admin()
        board = quota_board(actor=admin, first=dt.date(2023, 5, 1), last=dt.date(2026, 6, 30))
        cover = coverage(actor=admin, on=dt.date(2026, 6, 30), months=6)
    assert len(board.rows) == result.counts["heads"]
    assert board.totals["overdue"] == result.counts["head_periods_overdue"]
    assert cover.villages == 44
    assert cover.villages - cover.covered == result.counts["villages_uncovered_recently"]
