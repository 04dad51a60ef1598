"""``rongxin bench projects`` end to end on a tiny county: a scratch database of the engine the
suite runs on, the county and its marketplace loaded, the catalogue's pages and the ceremony
screen's refresh timed against hand-written SQL that returns the same rows, the JSON written in
the common shape; a figure whose code is not on the branch is reported as unavailable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from rongxin.bench.projects import catalogue_available, synth_available

pytestmark = pytest.mark.slow


def test_bench_projects_reports_each_figure_against_bare_sql(tmp_path: Path) -> None:
    # given a tiny scale
    target = tmp_path / "projects.json"
    # when the benchmark runs
    call_command("bench", "projects", "--scale", "0.002", "--json", str(target), stdout=(tmp_path / "out").open("w"))
    out = json.loads(target.read_text())
    # then it reports in the common shape
    assert (out["name"], out["scale"], out["load"]["subjects"]) == ("projects", 0.002, 1568)
    assert list(out["metrics"]) == ["catalogue_ms", "ceremony_live_ms"]
    catalogue, live = out["metrics"]["catalogue_ms"], out["metrics"]["ceremony_live_ms"]
    if not synth_available():
        assert out["catalogue"]["available"] is False
        assert out["ceremony"] == {"available": False, "why": "rongxin.synth.projects.generate_projects is missing"}
        assert live == {"value": None, "unit": "ms", "available": False}
        assert catalogue == {"value": None, "unit": "ms", "available": False}
        return
    assert out["load"]["projects"]
    # the screen's figures are the bare SQL's rows
    assert out["ceremony"]["available"] is True
    assert out["ceremony"]["same_results"] is True
    assert (live["unit"], live["target_ms"]) == ("ms", 50.0)
    assert live["baseline"] is not None
    if catalogue_available():
        assert out["catalogue"]["same_results"] is True
        assert out["catalogue"]["rounds"] == 200
        assert (catalogue["unit"], catalogue["target_ms"]) == ("ms", 150.0)
        assert catalogue["baseline"] is not None
    else:
        assert out["catalogue"]["available"] is False
        assert catalogue == {"value": None, "unit": "ms", "available": False}
