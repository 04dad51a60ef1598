"""The bench harness: the figures and the shape of every benchmark's JSON (docs and scripts read
its keys), and the child's command line."""

from __future__ import annotations

import io
import json
import os
import platform
from pathlib import Path

from rongxin.bench.harness import Stopwatch, child_main, emit_result, metric, result


def test_a_metric_is_its_value_against_the_baseline() -> None:
    # a rate: the share of the raw rate
    assert metric(7824.4321, "entries/s", 81800.0) == {
        "value": 7824.432,
        "unit": "entries/s",
        "baseline": 81800.0,
        "ratio": 0.096,
    }
    # a time: how many times the raw operation
    assert metric(2.5, "s", 0.5) == {"value": 2.5, "unit": "s", "baseline": 0.5, "ratio": 5.0}
    # without a baseline (or a zero one) there is no ratio
    assert metric(15.8, "s") == {"value": 15.8, "unit": "s", "baseline": None, "ratio": None}
    assert metric(15.8, "s", 0.0) == {"value": 15.8, "unit": "s", "baseline": 0.0, "ratio": None}


def test_a_result_has_the_common_keys_around_its_own() -> None:
    # given a benchmark's own keys
    body = {"metrics": {"x": metric(1.0, "s", 2.0)}, "load": {"subjects": 5}}
    # when the result is made and printed
    out = io.StringIO()
    made = emit_result(
        result("credit", scale=0.5, engine="sqlite", body=body, server_version="sqlite 3.40.1", whole=Stopwatch()),
        json_path=None,
        stdout=out,
    )
    # then the keys come in the documented order and the printed JSON is the result
    assert list(made) == [
        "name", "scale", "engine", "metrics", "load", "server_version", "python", "platform", "cpu_count",
        "wall_seconds",
    ]  # fmt: skip
    assert (made["name"], made["scale"], made["engine"], made["load"]) == ("credit", 0.5, "sqlite", {"subjects": 5})
    assert (made["python"], made["platform"], made["cpu_count"]) == (
        platform.python_version(),
        platform.platform(),
        os.cpu_count(),
    )
    assert json.loads(out.getvalue()) == made


def test_the_child_reads_its_arguments_and_writes_its_json(tmp_path: Path) -> None:
    # given a child that reports what it was asked
    target = tmp_path / "child.json"

    def child(args: object) -> dict[str, object]:
        return {k: getattr(args, k) for k in ("scale", "seed", "workers", "phase")}

    # when it runs with the parent's command line
    child_main(
        child,
        description="test",
        arguments=lambda p: p.add_argument("--phase", required=True),
        argv=["--phase", "baseline", "--scale", "0.25", "--seed", "7", "--out", str(target)],
    )
    # then its result is in the file the parent reads
    assert json.loads(target.read_text()) == {"scale": 0.25, "seed": 7, "workers": None, "phase": "baseline"}
