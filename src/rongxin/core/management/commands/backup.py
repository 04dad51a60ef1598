"""``rongxin backup DEST``: an online backup of the database (and a manifest ``DEST.json``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rongxin.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database to DEST (SQLite backup API or pg_dump); the key is not included."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dest", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["dest"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        counts = ", ".join(f"{k} {v}" for k, v in manifest.counts.items())
        self.stdout.write(f"backup written to {options['dest']} ({manifest.engine}; {counts})")
        self.stdout.write("the ID-number key (RONGXIN_PII_KEY / var/secrets.json) is not in it: keep it apart, safely")
