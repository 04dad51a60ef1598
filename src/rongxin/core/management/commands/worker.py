from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rongxin.core.worker import Loop


class Command(BaseCommand):
    help = "Run the background worker: periodic jobs (sessions now; publicity, expiry, closes later)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between checks for due jobs")
        parser.add_argument("--once", action="store_true", help="run the due jobs once and exit")

    def handle(self, *args: Any, tick: float, once: bool, **options: Any) -> None:
        Loop(tick=tick).run(once=once)
