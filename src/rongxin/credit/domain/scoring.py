"""The score and the grade: the one place of the rule.

A subject's score is the base of the catalogue in force plus the points of its entries that count
at that time, for a subject that is scored (persons only with consent; organisations always); its
grade is the band the score falls in. The one-entry services, the bulk paths, the explanation,
awards, the policy simulation and the synthetic generator all come here. Reconcile derives the
counting points with its own SQL and holds them to this module as an independent cross-check.

Pure: no database access. Callers read the scale (base and bands) and the counting points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

Bands = list[tuple[str, int | None]]  # (grade code, minimum score), highest minimum first


@dataclass(frozen=True)
class Scale:
    """What a catalogue scores with: its base score and grade bands."""

    base: int
    bands: Bands


def grade_for(score: int | None, bands: Bands) -> str:
    """The grade of ``score`` under ``bands`` (highest minimum first; the last band has none)."""
    if score is None:
        return ""
    for code, minimum in bands:
        if minimum is None or score >= minimum:
            return code
    return bands[-1][0] if bands else ""


def standing(scale: Scale | None, counting_points: int, *, scored: bool) -> tuple[int | None, str]:
    """The (score, grade) of a subject whose counting entries add up to ``counting_points``: the
    scale's base plus those points, for a scored subject under a catalogue in force; otherwise no
    score and no grade."""
    if scale is None or not scored:
        return None, ""
    score = scale.base + counting_points
    return score, grade_for(score, scale.bands)


def standing_after(scale: Scale | None, score_before: int | None, added_points: int) -> tuple[int | None, str]:
    """The incremental form of :func:`standing` for a subject whose cached score is current:
    the score plus the points that newly count (no score stays no score)."""
    score = score_before + added_points if score_before is not None else None
    return score, grade_for(score, scale.bands) if scale is not None else ""


# --- Points under another catalogue (the policy simulation) -----------------------------------
@dataclass(frozen=True)
class RuleTerms:
    """What a catalogue's rule says about points and periods."""

    sign: int
    points_min: int
    points_max: int
    counting_days: int


def points_under(terms: RuleTerms | None, points: int, effective: dt.datetime, at: dt.datetime) -> int:
    """What an entry counting now (recorded ``points``, counting from ``effective``) is worth at
    ``at`` under a catalogue's ``terms`` for its rule code: nothing when the catalogue has no such
    rule or its period is over by ``at``; the rule's fixed points, or the recorded points clamped
    into the rule's range, with the rule's direction."""
    if terms is None or effective + dt.timedelta(days=terms.counting_days) <= at:
        return 0
    if terms.points_min == terms.points_max:
        return terms.sign * terms.points_min
    return terms.sign * min(max(abs(points), terms.points_min), terms.points_max)
