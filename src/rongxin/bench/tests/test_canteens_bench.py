"""``rongxin bench canteens`` end to end on a tiny county: a scratch database of the engine the
suite runs on, the county and its canteens loaded, recording a day of 60 elders and the county's
daily figures timed against bare SQL, the JSON written in the common shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.slow


def test_bench_canteens_reports_each_figure_against_bare_sql(tmp_path: Path) -> None:
    # given a tiny scale
    target = tmp_path / "canteens.json"
    # when the benchmark runs
    call_command("bench", "canteens", "--scale", "0.002", "--json", str(target), stdout=(tmp_path / "out").open("w"))
    out = json.loads(target.read_text())
    # then it reports in the common shape
    assert (out["name"], out["scale"], out["load"]["subjects"]) == ("canteens", 0.002, 1568)
    assert list(out["metrics"]) == ["record_p95_ms", "figures_p95_ms"]
    for name, target_ms in (("record_p95_ms", 100.0), ("figures_p95_ms", 300.0)):
        figure = out["metrics"][name]
        assert figure["unit"] == "ms"
        assert figure["value"] > 0
        assert figure["baseline"] > 0
        assert figure["ratio"] == pytest.approx(figure["value"] / figure["baseline"], rel=0.01)
        assert figure["target_ms"] == target_ms
        assert figure["meets_target"] == (figure["value"] <= target_ms)
    # the figures are the bare GROUP BY's, day by day, over three years of current days
    figures = out["figures"]
    assert figures["same_totals"] is True
    assert figures["days"] == figures["baseline_rows"] > 1000
    assert figures["service_days"] == out["load"]["canteens"]["service_days"]
    # each day was recorded new for 60 elders, then corrected once (revision 2 is current)
    record = out["record"]
    assert record["elders"] == [60, 60]
    assert (record["new_days"], record["corrections"]) == (8, 8)
    assert record["current_revisions"] == {"2": 9}
    assert record["meals_current_first_day"] == 59
