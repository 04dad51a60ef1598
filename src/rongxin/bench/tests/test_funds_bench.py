"""``rongxin bench funds`` end to end on a tiny county: a scratch database of the engine the suite
runs on, the county and its funds loaded, the trial balance of every fund timed against a bare
GROUP BY (the same totals), the nominations figure measured when the nominations selector is
present and reported as unavailable otherwise, the JSON written in the common shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from rongxin.bench.funds import nominations_available

pytestmark = pytest.mark.slow


def test_bench_funds_reports_each_figure_against_bare_sql(tmp_path: Path) -> None:
    # given a tiny scale
    target = tmp_path / "funds.json"
    # when the benchmark runs
    call_command("bench", "funds", "--scale", "0.002", "--json", str(target), stdout=(tmp_path / "out").open("w"))
    out = json.loads(target.read_text())
    # then it reports in the common shape
    assert (out["name"], out["scale"], out["load"]["subjects"]) == ("funds", 0.002, 1568)
    assert list(out["metrics"]) == ["nominations_seconds", "trial_balance_seconds"]
    trial = out["metrics"]["trial_balance_seconds"]
    assert trial["unit"] == "s"
    assert trial["baseline"] is not None
    assert trial["target_s"] == 5.0
    assert trial["meets_target"] is True
    # the trial balance is the bare GROUP BY's, fund by fund, and every fund balances
    info = out["trial_balance"]
    assert info["same_totals"] is True
    assert info["balanced"] is True
    assert info["mismatched_accounts"] == 0
    assert info["funds"] == out["load"]["funds"]["funds"]
    assert info["lines"] == out["load"]["funds"]["lines"] > 0
    nominations = out["metrics"]["nominations_seconds"]
    if nominations_available():
        assert out["nominations"]["available"] is True
        assert nominations["target_s"] == 30.0
        assert out["nominations"]["regions"] > 0
    else:
        assert out["nominations"]["available"] is False
        assert nominations == {"value": None, "unit": "s", "available": False}
