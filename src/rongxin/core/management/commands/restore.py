"""``rongxin restore SRC``: replace the database with a backup, then check it.

Stop the web server and the worker first. After the restore: the row counts are compared with the
backup's manifest, migrations are brought up to date, every hash chain is verified and every
score reconciled; the command exits non-zero if any check fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from rongxin.core.backup import BackupError, manifest_now, read_manifest, restore


class Command(BaseCommand):
    help = "Restore the database from SRC (made by `rongxin backup`), then verify chains and reconcile."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("src", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--no-check", action="store_true", help="skip verify and reconcile (not advised)")

    def handle(self, *args: Any, **options: Any) -> None:
        src: Path = options["src"]
        if not options["yes"]:
            answer = input(f"Replace the current database with {src}? Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("not restored")
        try:
            restore(src)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored from {src}")
        expected = read_manifest(src)
        if expected is not None:
            got = manifest_now().counts
            wrong = {k: (v, got.get(k)) for k, v in expected["counts"].items() if got.get(k) != v}
            if wrong:
                self.stderr.write(f"row counts differ from the backup's manifest: {wrong}")
                sys.exit(1)
            self.stdout.write("row counts match the manifest")
        call_command("migrate", verbosity=0)
        if options["no_check"]:
            return
        call_command("credit", "verify", stdout=self.stdout, stderr=self.stderr)
        call_command("credit", "reconcile", stdout=self.stdout, stderr=self.stderr)
