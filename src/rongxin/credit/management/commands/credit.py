from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from rongxin.core.errors import ApplicationError
from rongxin.credit.catalogue import catalogue_load_starters
from rongxin.credit.imports import import_create, import_process
from rongxin.credit.models import Catalogue, ImportBatch
from rongxin.credit.reconcile import credit_reconcile_fast
from rongxin.credit.selectors import chains_root, chains_verify
from rongxin.credit.services import credit_apply_time_changes
from rongxin.credit.simulation import credit_simulate, simulation_summary


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
            chains, facts, broken = chains_verify()
            if broken is not None:
                where = f"subject {broken.subject_id}, seq {broken.seq} ({broken.fact})"
                self.stderr.write(f"链条断裂 / broken chain: {where}: {broken.reason}")
                sys.exit(1)
            self.stdout.write(f"ok: {chains} chains, {facts} facts verified")
        elif action == "reconcile":
            at = dt.datetime.fromisoformat(options["at"]) if options.get("at") else None
            if at is not None and at.tzinfo is None:
                raise CommandError("--at 需要带时区的时间，例如 2027-01-01T00:00+08:00")
            # Apply the time-driven changes that are due first, as the worker does every minute,
            # so a worker that is a little behind is not reported as drift.
            credit_apply_time_changes(now=at)
            checked, drifts = credit_reconcile_fast(at=at, fix=options["fix"])
            for d in drifts:
                self.stderr.write(f"drift: subject {d.subject_id} {d.what}: cached {d.cached!r} vs facts {d.derived!r}")
            if drifts and not options["fix"]:
                self.stderr.write(f"{len(drifts)} drift(s) in {checked} subjects")
                sys.exit(1)
            self.stdout.write(f"ok: {checked} subjects reconciled, {len(drifts)} drift(s){' fixed' if drifts else ''}")
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
