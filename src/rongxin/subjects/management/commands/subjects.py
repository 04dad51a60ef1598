"""``rongxin subjects duplicates``: the read-only identifier check to run after an upgrade."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from rongxin.subjects.selectors import BATCH, identifier_check

KIND_WORDS = {
    "duplicate": "重复 / duplicate",
    "not_canonical": "非标准写法 / not canonical",
    "invalid": "无效 / invalid",
    "unreadable": "无法解密 / unreadable",
}
IDENTIFIER_WORDS = {"id_number": "身份证号码 id_number", "uscc": "统一社会信用代码 uscc"}


class Command(BaseCommand):
    help = "Subject files: duplicates (read-only check of ID numbers and USCCs; exit 1 when any problem is found)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        dup = sub.add_parser(
            "duplicates",
            help="report subjects whose normalised identifiers collide or are stored non-canonically; exit 1 if any",
        )
        dup.add_argument("--batch-size", type=int, default=BATCH, help=f"rows read per query (default {BATCH})")
        dup.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "duplicates":
            self._duplicates(options)

    def _duplicates(self, options: dict[str, Any]) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 必须是正整数")
        bar = None if options["no_progress"] else tqdm(unit="行", desc="检查", file=sys.stderr)

        def progress(done: int) -> None:
            if bar is not None:
                bar.n = done
                bar.refresh()

        check = identifier_check(batch_size=options["batch_size"], progress=progress)
        if bar is not None:
            bar.close()
        for p in check.problems:
            ids = ", ".join(str(i) for i in p.subject_ids)
            self.stderr.write(f"{KIND_WORDS[p.kind]}: {IDENTIFIER_WORDS[p.identifier]}: subjects {ids}")
        n, m = check.persons, check.organisations
        counted = f"{n} 个自然人、{m} 个组织 / {n} persons, {m} organisations"
        if check.problems:
            self.stderr.write(f"发现 {len(check.problems)} 个问题 / {len(check.problems)} problem(s) in {counted}")
            sys.exit(1)
        self.stdout.write(f"ok: {counted}, 无重复 / no duplicates")
