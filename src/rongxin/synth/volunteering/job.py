"""What the row producers read: filled by :func:`~rongxin.synth.volunteering.load.generate_volunteering`
in the parent before it forks the workers (the plan, value adapters, rule sets, conversion
policies, chain heads and the ids to continue from), and only read by them."""

from __future__ import annotations

from typing import Any

job: dict[str, Any] = {}
