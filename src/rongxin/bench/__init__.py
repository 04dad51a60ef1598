"""Benchmarks behind ``rongxin bench NAME``: each module has ``run(...)`` returning a result dict.

A result is ``{"name", "scale", "engine", "metrics": {metric: {"value", "unit", "baseline",
"ratio"}}, ...}``: every metric that has a baseline measures it in the same run, on the same
machine, so the ratio is comparable between machines while the raw values are not.
"""
