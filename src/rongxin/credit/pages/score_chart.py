"""The score history as a small chart drawn on the server (inline SVG, no script, no library):
coordinates for a line through the monthly scores (broken where there was no score), the axis
labels, and the summary a screen reader reads instead."""

from __future__ import annotations

from dataclasses import dataclass

from rongxin.credit.selectors.score_history import HistoryPoint

WIDTH, HEIGHT = 320, 120
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 8, 20  # room for the score labels (left) and the years (below)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    point: HistoryPoint


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[str]  # SVG polyline "points" attributes, one per run of months with a score
    dots: list[Dot]
    y_ticks: list[tuple[float, int]]  # (y, score)
    x_ticks: list[tuple[float, str]]  # (x, year) at each January
    left: int
    right: int
    top: int
    bottom: int
    points: list[HistoryPoint]
    lowest: HistoryPoint | None
    highest: HistoryPoint | None
    latest: HistoryPoint | None
    first: HistoryPoint | None  # the first month with a score


def score_chart(points: list[HistoryPoint]) -> Chart:
    """The chart of ``points`` (oldest first)."""
    scored = [p for p in points if p.score is not None]
    scores = [p.score for p in scored if p.score is not None]
    low, high = (min(scores), max(scores)) if scores else (0, 0)
    if high - low < 20:  # a flat history still gets a readable band around it
        mid = (high + low) // 2
        low, high = mid - 10, mid + 10
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM
    step = span_x / max(len(points) - 1, 1)

    def y_of(score: int) -> float:
        return round(TOP + (high - score) * span_y / (high - low), 1)

    lines: list[str] = []
    run: list[str] = []
    dots: list[Dot] = []
    for i, p in enumerate(points):
        x = round(LEFT + i * step, 1)
        if p.score is None:
            if run:
                lines.append(" ".join(run))
            run = []
            continue
        y = y_of(p.score)
        run.append(f"{x},{y}")
        dots.append(Dot(x=x, y=y, point=p))
    if run:
        lines.append(" ".join(run))
    x_ticks = [(round(LEFT + i * step, 1), str(p.month.year)) for i, p in enumerate(points) if p.month.month == 1]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        lines=lines,
        dots=dots,
        y_ticks=[(y_of(high), high), (y_of(low), low)],
        x_ticks=x_ticks,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        points=points,
        lowest=min(scored, key=lambda p: (p.score, p.month)) if scored else None,
        highest=max(scored, key=lambda p: (p.score, -p.month.toordinal())) if scored else None,
        latest=scored[-1] if scored else None,
        first=scored[0] if scored else None,
    )
