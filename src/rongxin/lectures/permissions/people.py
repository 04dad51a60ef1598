"""Gates for the people endpoints (speakers, adoption links, the quota, lecture teams): the
caller's right to the object their path names, asked before the request is read. Missing and
forbidden look the same (:class:`NotFound`)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.models import User
from rongxin.core.errors import NotFound
from rongxin.lectures.models import AdoptionLink, Speaker
from rongxin.lectures.permissions.common import (
    covers_region,
    figure_regions,
    own_speaker,
    require_lecture_admin,
    signed_in,
)
from rongxin.volunteering.models import Team


def access_speaker(user: User | AnonymousUser | None, speaker_id: int) -> Speaker:
    """Any signed-in reader, for a speaker that exists."""
    speaker = Speaker.objects.filter(pk=speaker_id).first() if signed_in(user) else None
    if speaker is None:
        raise NotFound()
    return speaker


def access_speaker_for_admin(user: User | AnonymousUser | None, speaker_id: int) -> Speaker:
    require_lecture_admin(user)
    return access_speaker(user, speaker_id)


def access_link_for_admin(user: User | AnonymousUser | None, link_id: int) -> AdoptionLink:
    require_lecture_admin(user)
    link = AdoptionLink.objects.filter(pk=link_id).first()
    if link is None:
        raise NotFound()
    return link


def access_quota_head(user: User | AnonymousUser | None, speaker_id: int) -> Speaker:
    """A head the user reads the quota of: lecture administrators and auditors any, a town
    officer those of their town, a head themself."""
    speaker = Speaker.objects.select_related("area").filter(pk=speaker_id, kind=Speaker.Kind.HEAD).first()
    if speaker is not None:
        if any(region.contains(speaker.area) for region in figure_regions(user)):
            return speaker
        me = own_speaker(user)
        if me is not None and me.pk == speaker.pk:
            return speaker
    raise NotFound()


def access_team_for_brand(user: User | AnonymousUser | None, team_id: int) -> Team:
    """An active lecture team whose brand the user sets: a lecture administrator, or the town
    officer over its home region."""
    team = Team.objects.select_related("region").filter(pk=team_id, kind=Team.Kind.LECTURE, active=True).first()
    if team is None or not covers_region(user, team.region):
        raise NotFound()
    return team


def lecture_admin_only(user: User | AnonymousUser | None, **_path: object) -> None:
    """Gate for the administrators' writes that name no object: an outsider is refused (404)
    before the body is read, so a validation message tells them nothing."""
    require_lecture_admin(user)
