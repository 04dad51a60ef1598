from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.synth.canteens import generate_canteens
from rongxin.synth.funds import generate_funds
from rongxin.synth.generator import SyntheticLoadRefused, generate_county
from rongxin.synth.grades import grade_distribution, grade_history_rebuild
from rongxin.synth.history import generate_history
from rongxin.synth.lectures import generate_lectures
from rongxin.synth.projects import generate_projects
from rongxin.synth.volunteering.load import generate_volunteering


class Command(BaseCommand):
    help = (
        "Load a synthetic county (荣成市: 22 towns, 910 villages, 784k subjects at scale 1.0) into the "
        "database. Refuses a database that already has regions or a synthetic load."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the real county's size (default)")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same county (default 1)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, default=None, help="day ages are counted to (default: today)"
        )
        parser.add_argument("--workers", type=int, default=None, help="producer processes (default: spare cores)")
        parser.add_argument("--json", default=None, help="also write the result (counts, seconds) to this file")
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="skip the three years of credit history (volunteering still loads the starter catalogues)",
        )
        parser.add_argument(
            "--no-volunteering",
            action="store_true",
            help="skip the volunteers, teams and three years of activities, hours and their credit (and the lectures)",
        )
        parser.add_argument(
            "--no-lectures",
            action="store_true",
            help="skip the lectures: speakers, adoption links, lecture teams, sessions, listeners and orders",
        )

        parser.add_argument(
            "--no-canteens",
            action="store_true",
            help="skip the canteens: sites, elders, three years of daily counts, cooks, donations and clinics",
        )
        parser.add_argument(
            "--no-funds",
            action="store_true",
            help="skip the funds: the county fund, town and village credit funds, quarterly meetings and awards",
        )
        parser.add_argument(
            "--no-projects",
            action="store_true",
            help=(
                "skip the project marketplace: projects, pledges, payments, teams' work, ceremonies and small "
                "wishes (also skipped with --no-funds or --no-volunteering: its money is in the funds' books and "
                "its work is the volunteer teams')"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            raise CommandError("--scale 必须大于 0。")
        try:
            result = generate_county(
                scale=options["scale"],
                seed=options["seed"],
                progress=not options["no_progress"],
                as_of=options["as_of"],
                workers=options["workers"],
            )
        except SyntheticLoadRefused as exc:
            raise CommandError(str(exc.message)) from exc
        c = result.counts
        self.stdout.write(
            f"已生成合成县域（规模 {result.scale}，种子 {result.seed}）：{c['regions']} 个区域、"
            f"{c['residents']} 名常住居民、{c['migrants']} 名流动人口、{c['enterprises']} 家企业、"
            f"{c['individual_businesses']} 家个体工商户、{c['consent_events']} 条授权记录；"
            f"共 {result.rows} 行，用时 {result.seconds:.1f} 秒"
            f"（{result.rows / max(result.seconds, 1e-9):,.0f} 行/秒）。"
        )
        # One moment for the history, the volunteering and the grade history, so the grades the
        # loads leave are exactly where the grade history ends.
        now = clock.now()
        if not options["no_history"]:
            loaded = catalogue_load_starters()
            if loaded:
                self.stdout.write(f"已加载并发布起始评价指标目录 {len(loaded)} 个。")
            history = generate_history(seed=options["seed"], progress=not options["no_progress"], now=now)
            self.stdout.write(
                f"已生成三年信用历史：{history.entries} 条信用记录、{history.transitions} 条状态变更，"
                f"覆盖 {history.subjects} 个信用主体，用时 {history.seconds:.1f} 秒"
                f"（{history.entries / max(history.seconds, 1e-9):,.0f} 条/秒）。"
            )
        out = result.to_dict()
        if not options["no_volunteering"]:
            catalogue_load_starters()  # the hours rules live in the catalogue
            v = generate_volunteering(
                scale=options["scale"],
                seed=options["seed"],
                progress=not options["no_progress"],
                workers=options["workers"],
                now=now,
            )
            c = v.counts
            self.stdout.write(
                f"已生成志愿服务数据：{c['volunteers']} 名志愿者、{c['teams']} 支队伍、{c['activities']} 场活动、"
                f"{c['signups']} 条报名、{c['scans']} 条签到签退、{c['records']} 条服务记录、"
                f"{c['entries']} 条时长积分记录，用时 {v.seconds:.1f} 秒。"
            )
            out["volunteering"] = v.to_dict()
        if not (options["no_volunteering"] or options["no_lectures"]):
            lectures = generate_lectures(seed=options["seed"], now=now, scale=options["scale"])
            c = lectures.counts
            self.stdout.write(
                f"已生成理论宣讲数据：{c['leaders']} 名市级领导（联系点 {c['adoption_links']} 个）、"
                f"{c['heads']} 名有宣讲任务的负责人、{c['teams']} 支宣讲队伍、{c['sessions_closed']} 场已完成宣讲、"
                f"{c['attendances']} 人次听众签到、{c['orders']} 张点单，用时 {lectures.seconds:.1f} 秒。"
            )
            out["lectures"] = lectures.to_dict()
        if not options["no_canteens"]:
            canteens = generate_canteens(seed=options["seed"], now=now, scale=options["scale"])
            c = canteens.counts
            self.stdout.write(
                f"已生成暖心食堂数据：{c['canteens']} 个食堂（开放 {c.get('canteens_open', 0)} 个）、"
                f"{c['elders_current']} 名在册老人、{c['service_days']} 天供餐记录、{c['meals']} 份用餐明细、"
                f"{c['cooks']} 名厨师（健康证 {c['health_certificates']} 张）、{c['donations']} 笔捐赠、"
                f"{c['clinic_visits']} 次义诊，用时 {canteens.seconds:.1f} 秒。"
            )
            out["canteens"] = canteens.to_dict()
        if not options["no_funds"]:
            funds = generate_funds(seed=options["seed"], now=now, scale=options["scale"])
            c = funds.counts
            self.stdout.write(
                f"已生成资金与表彰数据：{c['funds']} 个基金、{c['entries']} 笔记账凭证、{c['donations']} 笔捐赠、"
                f"{c['meetings']} 场季度表彰会、{c['awards']} 人次获表彰（奖金 {c['awards_money']} 笔）、"
                f"{c.get('credit_entries', 0)} 条表彰积分，用时 {funds.seconds:.1f} 秒。"
            )
            out["funds"] = funds.to_dict()
        if not (options["no_projects"] or options["no_funds"] or options["no_volunteering"]):
            projects = generate_projects(seed=options["seed"], now=now, scale=options["scale"])
            c = projects.counts
            self.stdout.write(
                f"已生成项目超市数据：{c['projects']} 个公益项目（已认领 {c['projects_claimed_or_beyond']} 个、"
                f"已结项 {c.get('projects_closed', 0)} 个）、{c.get('pledges', 0)} 笔认领、"
                f"{c.get('payments', 0)} 笔到账"
                f"（共 {c.get('raised_yuan', 0):,} 元）、{c['ceremonies']} 场公益典礼、{c['wishes']} 个微心愿"
                f"（已实现 {c.get('wishes_confirmed', 0)} 个），用时 {projects.seconds:.1f} 秒。"
            )
            out["projects"] = projects.to_dict()
        if not (options["no_history"] and options["no_volunteering"]):
            grades = grade_history_rebuild(now=now)
            self.stdout.write(
                f"已生成三年等级变化：{grades.grade_changes} 条，覆盖 {grades.subjects} 个有等级的信用主体，"
                f"用时 {grades.seconds:.1f} 秒。"
            )
            out["grade_history"] = {"subjects": grades.subjects, "grade_changes": grades.grade_changes}
            shares = grade_distribution()
            graded = sum(shares.values()) or 1
            self.stdout.write(
                "等级分布："
                + "，".join(f"{g} {n}（{100 * n / graded:.2f}%）" for g, n in shares.items())
                + f"；共 {graded} 个有等级的信用主体。"
            )
            out["grades"] = shares
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
