"""The jobs page: the job queue as the county administrator watches it (queued, running,
failed and recently finished jobs, the periodic schedules and the workers)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core.jobs import jobs_overview
from rongxin.regions.models import Region
from rongxin.web.responses import not_found


def may_watch_jobs(user: Any, roles: frozenset[str] | set[str] | None = None) -> bool:
    """The county administrator: a platform administrator whose grant is on a county (the queue
    serves the whole county, so a town's administrator does not see it)."""
    return any(g.region.level == Region.Level.COUNTY for g in grants_with_roles(user, [Role.PLATFORM_ADMIN]))


@login_required
@require_safe
def jobs(request: HttpRequest) -> HttpResponse:
    if not may_watch_jobs(request.user):
        return not_found(request)
    return render(request, "web/jobs.html", {"overview": jobs_overview()})
