"""Activity types and the hours conversion policy are configuration of the county office."""

from __future__ import annotations

import pytest

from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.volunteering.models import ActivityType, ConversionPolicy
from rongxin.volunteering.selectors.roster import policy_for
from rongxin.volunteering.services.config import activity_type_save, conversion_policy_set
from rongxin.volunteering.tests.conftest import World


def test_shipped_types_map_to_hour_rules(world: World) -> None:
    types = list(ActivityType.objects.values_list("code", "credit_rule_code"))
    assert len(types) == 26
    assert {rule for _c, rule in types} == {"P-VOL-01", "P-VOL-04", "P-PRA-03", "P-PRA-04", "P-PRA-05", "P-PRA-10"}


def test_only_the_county_office_configures_types(world: World) -> None:
    for actor in (world.town_a, world.leader, world.users[0]):
        with pytest.raises(NotFound):
            activity_type_save(actor=actor, code="x", name_zh="甲", name_en="X", credit_rule_code="P-VOL-01")
    t = activity_type_save(
        actor=world.office, code="sea_rescue", name_zh="海上救援", name_en="Sea rescue", credit_rule_code="p-pra-05",
        risky=True,
    )  # fmt: skip
    assert (t.credit_rule_code, t.risky) == ("P-PRA-05", True)
    assert AuditEvent.objects.filter(action="activity_type.create", object_id="sea_rescue").count() == 1


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("P-TRA-01", "unknown_rule"),
        ("P-PRA-06", "rule_fixed_points"),
        ("P-PRA-01", "rule_department"),
        ("NOPE", "unknown_rule"),
    ],
)
def test_a_type_needs_an_hour_award_rule_of_the_federation(world: World, rule: str, code: str) -> None:
    with pytest.raises(InvalidInput) as e:
        activity_type_save(actor=world.office, code="x", name_zh="甲", name_en="X", credit_rule_code=rule)
    assert e.value.code == code
    assert not ActivityType.objects.filter(code="x").exists()


def test_policies_apply_from_this_year_on(world: World) -> None:
    assert policy_for(2026).yearly_cap == 100
    with pytest.raises(InvalidInput):
        conversion_policy_set(actor=world.office, effective_year=2025, brackets=[[None, 1]], yearly_cap_points=50)
    with pytest.raises(InvalidInput):
        conversion_policy_set(actor=world.office, effective_year=2027, brackets=[[10, 1]], yearly_cap_points=50)
    conversion_policy_set(actor=world.office, effective_year=2027, brackets=[[30, 1], [None, 2]], yearly_cap_points=80)
    assert policy_for(2026).yearly_cap == 100
    p = policy_for(2028)
    assert (p.yearly_cap, list(p.brackets)) == (80, [[30, 1], [None, 2]])
    assert ConversionPolicy.objects.count() == 2
