"""``rongxin incentives verify-token|keys|status|rotate-key|load-starters|export``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rongxin.core import clock


class Command(BaseCommand):
    help = "Incentive credentials: verify a token offline, publish or rotate keys, load starters, export."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify-token", help="exit 0 only for a valid, unexpired token that the provider's status list allows"
        )
        verify.add_argument("token")
        verify.add_argument("--keys", type=Path, help="a published key document (default: this platform's keys)")
        verify.add_argument(
            "--status",
            type=Path,
            help="the provider's status list (GET /api/v1/incentives/status or `status CODE --out`); needed with "
            "--keys; default: made now from this platform's data",
        )
        status = sub.add_parser("status", help="write a provider's signed status list for offline verifiers")
        status.add_argument("provider")
        status.add_argument("--out", type=Path)
        keys = sub.add_parser("keys", help="print the public key document")
        keys.add_argument("--out", type=Path)
        sub.add_parser("rotate-key", help="retire the signing key and create a new one")
        sub.add_parser("load-starters", help="load the starter providers and incentives")
        export = sub.add_parser("export", help="write the signed eligibility export of an incentive")
        export.add_argument("code")
        export.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify-token":
            self._verify(options["token"], options.get("keys"), options.get("status"))
        elif action == "status":
            self._status(options["provider"], options.get("out"))
        elif action == "keys":
            from rongxin.incentives.services.keys import keys_document

            text = json.dumps(keys_document(), ensure_ascii=False, indent=2)
            if options.get("out"):
                options["out"].write_text(text + "\n", encoding="utf-8")
            else:
                self.stdout.write(text)
        elif action == "rotate-key":
            from rongxin.incentives.services.keys import key_rotate

            self.stdout.write(f"new signing key {key_rotate(actor=None).kid}")
        elif action == "load-starters":
            from rongxin.incentives.services.offers import incentives_load_starters

            self.stdout.write(f"loaded {incentives_load_starters()} incentives")
        elif action == "export":
            self._export(options["code"], options["out"])

    def _verify(self, token: str, keys_file: Path | None, status_file: Path | None) -> None:
        from rongxin.incentives.domain import signing

        if keys_file is not None:
            try:
                keys = signing.public_keys_from_document(json.loads(keys_file.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the key document: {exc}") from None
        else:
            from rongxin.incentives.selectors import public_keys

            keys = public_keys()
        status: signing.StatusList | None = None
        if status_file is not None:
            try:
                text = status_file.read_text(encoding="utf-8").strip()
                document = json.loads(text) if text.startswith("{") else {"status": text}
                status = signing.read_status(str(document.get("status", "")), keys)
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the status list: {exc}") from None
        elif keys_file is None:
            status = self._platform_status(token, keys)
        result = signing.verify_offline(token, keys, status, now=clock.now())
        out: dict[str, Any] = {"status": result.status}
        if result.claims is not None:
            c = result.claims
            out.update(
                holder=c.holder, incentive=c.incentive, issued_at=c.issued_at, expires_at=c.expires_at, kid=c.kid
            )
        self.stdout.write(json.dumps(out, ensure_ascii=False))
        if result.status != "ok":
            sys.exit(1)

    @staticmethod
    def _platform_status(token: str, keys: Any) -> Any:
        """The current status list of the provider whose offer the token names (None if none)."""
        from rongxin.incentives.domain import signing
        from rongxin.incentives.models import Incentive
        from rongxin.incentives.services.status import status_list_build

        claims = signing.verify_token(token, keys, now=clock.now()).claims
        incentive = (
            Incentive.objects.select_related("provider").filter(code=claims.incentive).first() if claims else None
        )
        return status_list_build(provider=incentive.provider).status if incentive else None

    def _status(self, code: str, out: Path | None) -> None:
        from rongxin.incentives.models import Provider
        from rongxin.incentives.services.status import status_list_build

        provider = Provider.objects.filter(code=code).first()
        if provider is None:
            raise CommandError(f"no provider {code}")
        built = status_list_build(provider=provider)
        s = built.status
        document = {
            "format": "rongxin-incentive-status/1",
            "provider": s.provider,
            "generated_at": s.generated_at,
            "valid_until": s.valid_until,
            "incentives": sorted(s.incentives),
            "revoked": sorted(s.revoked),
            "status": built.text,
        }
        text = json.dumps(document, ensure_ascii=False, indent=2)
        if out is not None:
            out.write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"{len(s.revoked)} refused credentials of {len(s.incentives)} offers → {out}")
        else:
            self.stdout.write(text)

    def _export(self, code: str, out: Path) -> None:
        from rongxin.incentives.models import Incentive
        from rongxin.incentives.services.status import export_build

        incentive = Incentive.objects.filter(code=code).first()
        if incentive is None:
            raise CommandError(f"no incentive {code}")
        export = export_build(incentive_id=incentive.pk)
        out.write_bytes(bytes(export.content))
        meta = {
            "incentive": incentive.code,
            "generated_at": export.generated_at.isoformat(),
            "holders": export.holders,
            "kid": export.kid,
            "sha256": export.digest,
            "signature": export.signature,
        }
        out.with_suffix(out.suffix + ".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"{export.holders} holders → {out}")
