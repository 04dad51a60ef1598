"""The ``rongxin`` console script: Django management with Rongxin's settings preset.

``rongxin generate``, ``rongxin bench generate``, ``rongxin worker``, ``rongxin migrate``, ...
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongxin.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rongxin", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
