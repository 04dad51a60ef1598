"""``rongxin funds verify [--json FILE|-]``: re-walk every fund's books (chains, numbering, heads,
balanced lines, cached balances, reversals, vouchers, closed months) and exit 1 on any problem."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rongxin.funds.services.verify import funds_verify


class Command(BaseCommand):
    help = "Funds' books tools: verify (chains, balances, vouchers, closed months); exit 1 on any problem."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ver = sub.add_parser("verify", help="re-walk every fund's books; exit 1 naming each problem")
        ver.add_argument(
            "--json",
            dest="json_path",
            nargs="?",
            const="-",
            default=None,
            help="write the report as JSON ('-': stdout)",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "verify":
            self._verify(options)

    def _verify(self, options: dict[str, Any]) -> None:
        report = funds_verify()
        path = options.get("json_path")
        if path:
            text = json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
            if path == "-":
                self.stdout.write(text)
            else:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
        for p in report.problems:
            where = f"fund {p.fund_id}" + (f" entry {p.number}" if p.number is not None else "")
            self.stderr.write(f"账目异常 / problem: {where}: {p.code}: {p.detail}")
        summary = (
            f"{report.funds} funds, {report.entries} entries, {report.lines} lines, "
            f"{report.accounts} accounts, {report.vouchers} vouchers"
        )
        if not report.ok:
            self.stderr.write(f"{len(report.problems)} problem(s) in {summary}")
            sys.exit(1)
        if path != "-":
            self.stdout.write(f"ok: {summary} verified")
