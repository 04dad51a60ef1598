from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rongxin.bench import canteens, credit, funds, generate, incentives, lectures, load, projects, search, volunteering

# Benchmark name → its ``run(*, scale, seed, json_path, engine_url, workers, stdout)``.
# Add new benchmarks here.
BENCHMARKS: dict[str, Callable[..., Any]] = {
    "generate": generate.run,
    "credit": credit.run,
    "volunteering": volunteering.run,
    "load": load.run,
    "incentives": incentives.run,
    "search": search.run,
    "lectures": lectures.run,
    "canteens": canteens.run,
    "funds": funds.run,
    "projects": projects.run,
}


class Command(BaseCommand):
    help = "Run a benchmark against a baseline measured in the same run; print (and optionally write) JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(BENCHMARKS), help="which benchmark")
        parser.add_argument("--scale", type=float, default=1.0, help="synthetic county scale (default 1.0)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", dest="json_path", default=None, help="write the result to this file")
        parser.add_argument(
            "--engine-url",
            default=None,
            help="database server for the scratch databases (default: DATABASE_URL; SQLite files otherwise)",
        )
        parser.add_argument("--workers", type=int, default=None, help="producer processes (default: spare cores)")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        if options["scale"] <= 0:
            raise CommandError("--scale 必须大于 0。")
        BENCHMARKS[name](
            scale=options["scale"],
            seed=options["seed"],
            json_path=options["json_path"],
            engine_url=options["engine_url"],
            workers=options["workers"],
            stdout=self.stdout,
        )
