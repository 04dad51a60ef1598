"""The OpenAPI document as a contract: ``python -m rongxin.config.openapi docs/openapi.json``
writes it; a test fails when the API changes without the snapshot being updated."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def document() -> dict[str, Any]:
    from rongxin.config.api import api

    return api.get_openapi_schema(path_prefix="/api/v1")


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongxin.config.settings")
    import django

    django.setup()
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SNAPSHOT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
