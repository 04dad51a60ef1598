from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from rongxin.core.errors import ApplicationError
from rongxin.credit.models import Catalogue, ImportBatch
from rongxin.credit.selectors.chains import chains_check, chains_root
from rongxin.credit.selectors.roots import roots_export, roots_verify
from rongxin.credit.selectors.simulation import credit_simulate, simulation_summary
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.credit.services.imports import import_create, import_process
from rongxin.credit.services.reconcile import credit_reconcile_report
from rongxin.credit.services.roots import chain_root_record
from rongxin.credit.services.scores import credit_apply_time_changes


class Command(BaseCommand):
    help = (
        "Credit ledger tools: verify (chains, heads, exported roots), reconcile (caches vs facts), "
        "root, roots (export, compute), load-starters."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ver = sub.add_parser(
            "verify", help="re-walk every chain against its stored head; exit 1 naming each broken one"
        )
        ver.add_argument(
            "--roots", dest="roots_path", default=None, help="also check an exported copy of the daily roots"
        )
        ver.add_argument(
            "--latest-only",
            action="store_true",
            help="recompute only the latest exported root from the facts (it covers every earlier fact)",
        )
        rec = sub.add_parser(
            "reconcile", help="compare every subject's caches with the facts (writes nothing); exit 1 on any drift"
        )
        rec.add_argument(
            "--fix", action="store_true", help="rewrite drifting caches from the facts and apply due time changes"
        )
        rec.add_argument("--at", help="ISO time to reconcile at (default now)")
        sub.add_parser("root", help="print the root over all stored chain heads now")
        roots = sub.add_parser("roots", help="signed daily roots over all chain heads")
        roots_sub = roots.add_subparsers(dest="roots_action", required=True)
        exp = roots_sub.add_parser("export", help="write every stored root as JSON lines, to keep a copy elsewhere")
        exp.add_argument("file", help="output file ('-' for standard output)")
        comp = roots_sub.add_parser("compute", help="compute and sign a day's root if it has none (default yesterday)")
        comp.add_argument("--day", default=None, help="YYYY-MM-DD (Beijing time)")
        sub.add_parser("load-starters", help="load and publish the starter catalogues if none exist")
        sim = sub.add_parser("simulate", help="grade distribution before and after a draft catalogue")
        sim.add_argument("--draft", type=int, required=True, help="version number of the draft")
        sim.add_argument("--kind", choices=["person", "organisation"], default="person")
        sim.add_argument("--json", dest="json_path", default=None, help="also write the result as JSON")
        imp = sub.add_parser("import", help="import a CSV/XLSX file of credit records for a department")
        imp.add_argument("file")
        imp.add_argument("--department", required=True, help="department code, e.g. traffic_police")
        imp.add_argument("--partial", action="store_true", help="save the valid rows even if some rows fail")
        imp.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "verify":
            self._verify(options)
        elif action == "reconcile":
            self._reconcile(options)
        elif action == "roots":
            self._roots(options)
        elif action == "root":
            root, subjects, facts = chains_root()
            self.stdout.write(f"{root} {subjects} chains {facts} facts")
        elif action == "simulate":
            self._simulate(options)
        elif action == "import":
            self._import(options)
        elif action == "load-starters":
            loaded = catalogue_load_starters()
            self.stdout.write(f"loaded {len(loaded)} catalogue(s)")

    def _verify(self, options: dict[str, Any]) -> None:
        chains, facts, problems = chains_check()
        for p in problems:
            self.stderr.write(f"链条断裂 / broken chain: subject {p.subject_id}, seq {p.seq} ({p.fact}): {p.reason}")
        failed = bool(problems)
        if options["roots_path"]:
            path = Path(options["roots_path"])
            if not path.is_file():
                raise CommandError(f"找不到文件：{path}")
            with path.open(encoding="utf-8") as fh:
                read, root_problems = roots_verify(lines=fh, latest_only=options["latest_only"])
            for r in root_problems:
                self.stderr.write(f"根不符 / root mismatch: {r.day}: {r.reason}")
            failed = failed or bool(root_problems)
            if not root_problems:
                self.stdout.write(f"ok: {read} exported roots verified")
        if failed:
            self.stderr.write(f"{len(problems)} broken chain(s) in {chains} chains, {facts} facts")
            sys.exit(1)
        self.stdout.write(f"ok: {chains} chains, {facts} facts verified")

    def _reconcile(self, options: dict[str, Any]) -> None:
        at = dt.datetime.fromisoformat(options["at"]) if options.get("at") else None
        if at is not None and at.tzinfo is None:
            raise CommandError("--at 需要带时区的时间，例如 2027-01-01T00:00+08:00")
        r = credit_reconcile_report(at=at, fix=options["fix"])
        if options["fix"]:
            # What the worker would do next (with the grade-change events), now.
            credit_apply_time_changes(now=at)
        for d in r.drifts:
            self.stderr.write(f"drift: subject {d.subject_id} {d.what}: cached {d.cached!r} vs facts {d.derived!r}")
        then = " applied" if options["fix"] else " (the worker applies them)"
        due = f"{len(r.due)} subject(s) with due time changes{then}"
        if r.drifts and not options["fix"]:
            self.stderr.write(f"{len(r.drifts)} drift(s) in {r.checked} subjects; {due}")
            sys.exit(1)
        fixed = " fixed" if r.drifts else ""
        self.stdout.write(f"ok: {r.checked} subjects reconciled, {len(r.drifts)} drift(s){fixed}; {due}")

    def _roots(self, options: dict[str, Any]) -> None:
        if options["roots_action"] == "export":
            if options["file"] == "-":
                n = roots_export(out=self.stdout)
            else:
                with Path(options["file"]).open("w", encoding="utf-8") as fh:
                    n = roots_export(out=fh)
            self.stderr.write(f"exported {n} root(s)")
        elif options["roots_action"] == "compute":
            try:
                day = dt.date.fromisoformat(options["day"]) if options["day"] else None
            except ValueError:
                raise CommandError("--day 需要日期，例如 2027-01-01") from None
            root = chain_root_record(day=day)
            if root is None:
                raise CommandError("这一天还没有结束，不能计算它的根。")
            self.stdout.write(f"{root.day} {root.root} {root.subjects} chains {root.facts} facts key {root.key_id}")

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            batch = import_create(
                actor=None,
                department_code=options["department"],
                file_name=path.name,
                content=path.read_bytes(),
                partial=options["partial"],
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from None
        bar = None if options["no_progress"] else tqdm(total=0, unit="行", desc="导入", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()

        batch = import_process(batch_id=batch.pk, progress=progress)
        if bar is not None:
            bar.close()
        for e in batch.errors:
            self.stderr.write(f"第 {e['line']} 行 {e['column']}：{e['message']}")
        summary = (
            f"{batch.get_status_display()}：共 {batch.rows_total} 行，新增 {batch.created} 条，"
            f"已存在 {batch.existing} 条，出错 {batch.failed} 行（导入批次 {batch.pk}）"
        )
        if batch.status == ImportBatch.Status.FAILED:
            self.stderr.write(summary)
            sys.exit(1)
        self.stdout.write(summary)

    def _simulate(self, options: dict[str, Any]) -> None:
        draft = Catalogue.objects.filter(subject_kind=options["kind"], version=options["draft"]).first()
        if draft is None:
            raise CommandError(f"没有版本为 {options['draft']} 的{options['kind']}指标目录。")
        try:
            r = credit_simulate(draft_id=draft.pk)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from None
        grades = r.grades
        self.stdout.write(
            f"模拟：v{r.current.version}（生效中）→ v{r.draft.version}（{r.draft.get_status_display()}），"
            f"{r.subjects} 个信用主体"
        )
        self.stdout.write("等级    " + "".join(f"{g:>9}" for g in grades))
        self.stdout.write("调整前  " + "".join(f"{r.before[g]:>9}" for g in grades))
        self.stdout.write("调整后  " + "".join(f"{r.after[g]:>9}" for g in grades))
        self.stdout.write(f"等级变化的主体：{r.changed} 个；用时 {r.seconds:.1f} 秒")
        for (a, b), n in r.moves.most_common(10):
            self.stdout.write(f"  {a} → {b}: {n}")
        for c in r.sample[:5]:
            drivers = "，".join(f"{code} {x:+d}→{y:+d}" for code, x, y in c.drivers[:3]) or "基础分或等级线变化"
            self.stdout.write(
                f"  例：{c.name}（{c.subject_id}）{c.before[0]} {c.before[1]} → {c.after[0]} {c.after[1]}：{drivers}"
            )
        if options["json_path"]:
            Path(options["json_path"]).write_text(
                json.dumps(simulation_summary(r), ensure_ascii=False, indent=2) + "\n"
            )
