from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rongxin.core.jobs import run_pending, serve


class Command(BaseCommand):
    help = "Run the job queue's worker: one-off jobs as they are queued, and the periodic jobs when due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between checks for new and due jobs")
        parser.add_argument(
            "--once", action="store_true", help="queue the due periodic jobs, run every ready job, then exit"
        )

    def handle(self, *args: Any, tick: float, once: bool, **options: Any) -> None:
        if once:
            ran = run_pending()
            self.stdout.write(f"ran {ran} jobs")
            return
        serve(interval=tick)
