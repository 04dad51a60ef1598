"""Synthetic canteens loaded twice on their own county: the same seed and moment give the same rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from rongxin.canteens.models import (
    Canteen,
    Donation,
    Elder,
    HealthCertificate,
    Meal,
    ServiceDay,
)
from rongxin.synth.canteens import generate_canteens

SCALE = 0.003
SEED = 5
NOW = dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
TODAY = dt.date(2026, 6, 30)


class _Undo(Exception):
    pass


def _load_then_undo(snapshots: list[Any]) -> None:
    from django.db import transaction

    with transaction.atomic():
        generate_canteens(seed=SEED, now=NOW, scale=SCALE)
        snapshots.append(
            (
                list(Canteen.objects.order_by("id").values_list("name", "status", "opened_on", "elder_count")),
                list(Elder.objects.order_by("id").values_list("subject_id", "enrolled_on", "left_on")),
                list(ServiceDay.objects.order_by("id").values_list("date", "eat_in", "delivered", "walk_ins")),
                list(Meal.objects.order_by("id").values_list("subject_id", "date", "kind")),
                list(Donation.objects.order_by("id").values_list("donor_name", "value", "received_on")),
            )
        )
        raise _Undo


def test_the_same_seed_and_moment_give_the_same_rows(db: Any) -> None:
    # given: a county without volunteering (no cooks)
    from rongxin.synth.generator import generate_county

    snapshots: list[Any] = []
    with time_machine.travel(NOW, tick=False):
        generate_county(scale=SCALE, seed=SEED, as_of=TODAY, workers=0)
        # when: the canteens are loaded twice, each load rolled back
        for _ in range(2):
            with pytest.raises(_Undo):
                _load_then_undo(snapshots)
    # then: both loads wrote the same rows, and nothing is left
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0][2]) > 0
    assert HealthCertificate.objects.count() == 0
    assert not Canteen.objects.exists()
