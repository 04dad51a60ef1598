from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rongxin.credit.catalogue import catalogue_load_starters
from rongxin.credit.selectors import chains_root, chains_verify, credit_reconcile


class Command(BaseCommand):
    help = "Credit ledger tools: verify (walk every chain), reconcile (caches vs facts), root, load-starters."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="re-walk every subject's hash chain; exit 1 at the first broken link")
        rec = sub.add_parser("reconcile", help="recompute every subject from the facts; exit 1 on any drift")
        rec.add_argument("--fix", action="store_true", help="rewrite the caches from the facts")
        rec.add_argument("--at", help="ISO time to reconcile at (default now)")
        sub.add_parser("root", help="print the root over all chain heads")
        sub.add_parser("load-starters", help="load and publish the starter catalogues if none exist")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "verify":
            chains, facts, broken = chains_verify()
            if broken is not None:
                self.stderr.write(
                    f"链条断裂 / broken chain: subject {broken.subject_id}, seq {broken.seq} ({broken.fact}): {broken.reason}"
                )
                sys.exit(1)
            self.stdout.write(f"ok: {chains} chains, {facts} facts verified")
        elif action == "reconcile":
            at = dt.datetime.fromisoformat(options["at"]) if options.get("at") else None
            if at is not None and at.tzinfo is None:
                raise CommandError("--at 需要带时区的时间，例如 2027-01-01T00:00+08:00")
            checked, drifts = credit_reconcile(at=at, fix=options["fix"])
            for d in drifts:
                self.stderr.write(f"drift: subject {d.subject_id} {d.what}: cached {d.cached!r} vs facts {d.derived!r}")
            if drifts and not options["fix"]:
                self.stderr.write(f"{len(drifts)} drift(s) in {checked} subjects")
                sys.exit(1)
            self.stdout.write(f"ok: {checked} subjects reconciled, {len(drifts)} drift(s){' fixed' if drifts else ''}")
        elif action == "root":
            root, subjects, facts = chains_root()
            self.stdout.write(f"{root} {subjects} chains {facts} facts")
        elif action == "load-starters":
            loaded = catalogue_load_starters()
            self.stdout.write(f"loaded {len(loaded)} catalogue(s)")
