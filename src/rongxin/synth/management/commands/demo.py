from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rongxin.core.hosts import demo_urls
from rongxin.regions.models import Region
from rongxin.synth.demo import DEMO_PASSWORD, demo_accounts_ensure
from rongxin.synth.models import SyntheticLoad


class Command(BaseCommand):
    help = "Prepare the demo: a small synthetic county on first run, one account per role; print them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=0.01)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--host", default="127.0.0.1", help="the address the web server binds (make demo: HOST)")
        parser.add_argument("--port", type=int, default=8000, help="the web server's port (make demo: PORT)")

    def handle(self, *args: Any, scale: float, seed: int, host: str, port: int, **options: Any) -> None:
        if not SyntheticLoad.objects.exists() and not Region.objects.exists():
            self.stdout.write(f"首次运行：生成约 {scale:.0%} 规模的合成县域数据（种子 {seed}）…")
            call_command("generate", scale=scale, seed=seed)
        accounts = demo_accounts_ensure()
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）/ Demo accounts (password for all: {DEMO_PASSWORD})")
        width = max(len(a.username) for a in accounts)
        for a in accounts:
            line = f"  {a.username.ljust(width)}  {a.role} · {a.region}"
            if a.note:
                line += f" · {a.note}"
            self.stdout.write(line)
        self.stdout.write("")
        for url in demo_urls(host, port):
            self.stdout.write(f"打开 / Open: {url}")
