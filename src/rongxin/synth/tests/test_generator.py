from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from rongxin.core import pii
from rongxin.core.models import AuditEvent
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.subjects.domain.identifiers import parse_id_number, parse_uscc
from rongxin.subjects.models import ConsentEvent, Organisation, Person, Subject
from rongxin.synth import regions_data
from rongxin.synth.county import plan_county
from rongxin.synth.generator import ChunkSource, SyntheticLoadRefused, generate_county
from rongxin.synth.models import SyntheticLoad

SCALE = 0.002
AS_OF = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 6, 30, 8, 0, tzinfo=dt.UTC)
# The county's real figures (2021), independent of the generator's own constants.
BASE = {"residents": 600_000, "migrants": 143_000, "enterprises": 12_000, "individual_businesses": 29_000}
TOWN_NAMES = [
    "崖头街道",
    "城西街道",
    "宁津街道",
    "港湾街道",
    "桃园街道",
    "王连街道",
    "东山街道",
    "斥山街道",
    "寻山街道",
    "崂山街道",
    "俚岛镇",
    "成山镇",
    "埠柳镇",
    "港西镇",
    "夏庄镇",
    "崖西镇",
    "荫子镇",
    "滕家镇",
    "大疃镇",
    "上庄镇",
    "虎山镇",
    "人和镇",
]
MASK = re.compile(r"^\d{4}\*{10}\d{3}[\dX]$")


def expected(scale: float = SCALE) -> dict[str, int]:
    return {kind: round(base * scale) for kind, base in BASE.items()}


def load(seed: int = 7, scale: float = SCALE):
    return generate_county(scale=scale, seed=seed, as_of=AS_OF, workers=0)


def produced(seed: int, *, chunk_size: int = 20_000, workers: int = 0) -> list:
    plan = plan_county(scale=SCALE, seed=seed, as_of=AS_OF, now=NOW, chunk_size=chunk_size)
    with ChunkSource(plan, workers=workers) as source:
        return list(source)


def identities(chunks: list) -> list[tuple]:
    """Everything but the ciphertexts (random nonces) and registration times."""
    out = []
    for chunk in chunks:
        for subject, detail in zip(chunk.subjects, chunk.details, strict=True):
            if chunk.part in ("resident", "migrant"):
                out.append((subject[:5], pii.decrypt(detail[2]), detail[3], detail[5], detail[6], detail[9]))
            else:
                out.append((subject[:5], detail[1:]))
    return out


@pytest.mark.django_db
def test_load_writes_the_scaled_county():
    result = load()
    want = expected()
    kinds = Counter(Subject.objects.values_list("kind", flat=True))
    assert kinds == {
        "person": want["residents"] + want["migrants"],
        "enterprise": want["enterprises"],
        "individual_business": want["individual_businesses"],
    }
    assert Counter(Person.objects.values_list("residency", flat=True)) == {
        "resident": want["residents"],
        "migrant": want["migrants"],
    }
    assert Organisation.objects.count() == want["enterprises"] + want["individual_businesses"]
    assert ConsentEvent.objects.count() == Person.objects.filter(consent_given=True).count() > 0
    assert set(ConsentEvent.objects.values_list("action", "channel")) == {("grant", "import")}

    county = Region.objects.get(level="county")
    assert (county.code, county.prefix, county.name, county.parent_id) == ("371082000000", "371082", "荣成市", None)
    towns = list(Region.objects.filter(level="town"))
    assert sorted(t.name for t in towns) == sorted(TOWN_NAMES)
    assert all(t.parent_id == county.pk and t.code.startswith("371082") and t.code.endswith("000") for t in towns)
    assert all(t.prefix == t.code[:9] for t in towns)
    villages = list(Region.objects.filter(level="village").select_related("parent"))
    assert len(villages) == max(round(910 * SCALE), 2 * 22) == 44
    for v in villages:
        assert v.prefix == v.code
        assert v.code.startswith(v.parent.prefix)
        assert v.parent.level == "town"
    per_town = Counter(v.parent_id for v in villages)
    assert min(per_town.values()) >= 2
    assert len(per_town) == 22
    assert len({(v.parent_id, v.name) for v in villages}) == len(villages)  # unique within a town

    sites = Counter(PracticeSite.objects.values_list("kind", flat=True))
    assert sites == {"centre": 1, "institute": 22, "station": 44}
    assert PracticeSite.objects.get(kind="centre").name == "荣成市新时代文明实践中心"
    assert {s.name for s in PracticeSite.objects.filter(kind="institute")} == {
        f"{t}新时代文明实践所" for t in TOWN_NAMES
    }
    for site in PracticeSite.objects.all():
        assert abs(float(site.latitude) - 37.16) < 0.35
        assert abs(float(site.longitude) - 122.42) < 0.35
    venue_kinds = set(Venue.objects.values_list("kind", flat=True))
    assert {"lecture_hall", "canteen", "rural_market", "ocean_ranch", "school", "square", "clinic"} <= venue_kinds

    # Every subject lives in a village of its town.
    village_town = {v.pk: v.parent_id for v in villages}
    for village_id, town_id in Subject.objects.values_list("village_id", "town_id"):
        assert village_town[village_id] == town_id

    marker = SyntheticLoad.objects.get()
    assert (marker.scale, marker.seed) == (SCALE, 7)
    assert marker.counts == result.counts
    assert result.counts["rows"] == (
        Region.objects.count()
        + PracticeSite.objects.count()
        + Venue.objects.count()
        + Subject.objects.count()
        + Person.objects.count()
        + Organisation.objects.count()
        + ConsentEvent.objects.count()
    )
    event = AuditEvent.objects.get(action="synth.generate")
    assert (event.kind, event.actor_id, event.details["seed"]) == ("write", None, 7)


@pytest.mark.django_db
def test_persons_have_valid_consistent_identifiers():
    load()
    migrant_codes = {c for c, _ in regions_data.MIGRANT_ADDRESS_CODES}
    hashes = set()
    persons = list(Person.objects.select_related("subject"))
    for p in persons:
        number = pii.decrypt(p.id_number_encrypted)
        parsed = parse_id_number(number, today=AS_OF)
        assert (parsed.sex, parsed.birth_date) == (p.sex, p.birth_date)
        assert p.id_number_hash == pii.lookup_hash(number)
        assert p.id_number_masked == pii.mask_id_number(number)
        assert MASK.match(p.id_number_masked)
        if p.residency == "migrant":
            assert parsed.address_code in migrant_codes
        else:
            assert parsed.address_code.startswith("37")
        hashes.add(p.id_number_hash)
        if p.phone_encrypted is not None:
            phone = pii.decrypt(p.phone_encrypted)
            assert re.fullmatch(r"1[3-9]\d{9}", phone)
            assert p.phone_masked == pii.mask_phone(phone)
            assert parsed.birth_date <= dt.date(AS_OF.year - 18, AS_OF.month, AS_OF.day)
        else:
            assert p.phone_masked == ""
        assert 2 <= len(p.subject.name) <= 3
    assert len(hashes) == len(persons)

    residents = [p for p in persons if p.residency == "resident"]
    assert sum(pii.decrypt(p.id_number_encrypted).startswith("371082") for p in residents) > 0.85 * len(residents)
    assert any(p.id_number_masked.startswith("3710") for p in residents)
    ages = [(AS_OF - p.birth_date).days // 365.25 for p in residents]
    assert min(ages) >= 0
    assert max(ages) <= 100
    assert 0.4 < sum(45 <= a <= 75 for a in ages) / len(ages) < 0.65
    assert 0.45 < sum(p.sex == "M" for p in persons) / len(persons) < 0.6
    adults = [p for p in residents if p.birth_date <= dt.date(AS_OF.year - 18, AS_OF.month, AS_OF.day)]
    assert 0.6 < sum(p.consent_given for p in adults) / len(adults) < 0.8
    assert 0.75 < sum(p.phone_encrypted is not None for p in adults) / len(adults) < 0.95
    assert not any(p.consent_given for p in residents if p not in adults)


@pytest.mark.django_db
def test_organisations_have_valid_unique_usccs():
    load()
    orgs = list(Organisation.objects.select_related("subject"))
    assert len({o.uscc for o in orgs}) == len(orgs)
    for o in orgs:
        assert parse_uscc(o.uscc) == o.uscc
        assert o.uscc[:2] == ("91" if o.subject.kind == "enterprise" else "92")
        assert o.uscc[2:8] == "371082"
        assert o.legal_representative
        assert o.subject.name
    enterprises = [o.subject.name for o in orgs if o.subject.kind == "enterprise"]
    assert all(n.startswith("荣成市") and n.endswith("公司") for n in enterprises)


def test_same_seed_same_rows_other_seed_other_rows():
    first, again, other = produced(11), produced(11), produced(12)
    assert identities(first) == identities(again)
    ids_first = {row[1] for row in identities(first) if len(row) == 6}
    ids_other = {row[1] for row in identities(other) if len(row) == 6}
    assert len(ids_first & ids_other) < 0.05 * len(ids_first)
    assert [c.subjects[0][2] for c in first] != [c.subjects[0][2] for c in other]
    plan_a = plan_county(scale=SCALE, seed=11, as_of=AS_OF, now=NOW)
    plan_b = plan_county(scale=SCALE, seed=11, as_of=AS_OF, now=NOW)
    assert plan_a.region_rows == plan_b.region_rows
    assert plan_a.venue_rows == plan_b.venue_rows


def test_rows_do_not_depend_on_workers_and_ids_stay_unique_across_many_chunks():
    # Small chunks: 40+ interleaved ID sequence streams, produced in a worker process.
    chunks = produced(5, chunk_size=37, workers=1)
    assert len(chunks) > 40
    people = [row for row in identities(chunks) if len(row) == 6]
    numbers = [row[1] for row in people]
    assert len(set(numbers)) == len(numbers) == expected()["residents"] + expected()["migrants"]
    for number, _hash, sex, birth, _consent in (row[1:] for row in people):
        parsed = parse_id_number(number)
        assert (parsed.sex, parsed.birth_date.isoformat()) == (sex, birth)
    inline = produced(5, chunk_size=37, workers=0)
    assert identities(inline) == identities(chunks)


@pytest.mark.django_db
def test_load_writes_exactly_the_produced_rows():
    load(seed=11)
    stored = {s.pk: (s.pk, s.kind, s.name, s.village_id, s.town_id) for s in Subject.objects.all()}
    rows = identities(produced(11))
    assert [stored[row[0][0]] for row in rows] == [row[0] for row in rows]


@pytest.mark.django_db
def test_second_load_is_refused_and_writes_nothing():
    load()
    before = (
        Region.objects.count(),
        Subject.objects.count(),
        SyntheticLoad.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(SyntheticLoadRefused):
        load(seed=8)
    after = (Region.objects.count(), Subject.objects.count(), SyntheticLoad.objects.count(), AuditEvent.objects.count())
    assert after == before
    with pytest.raises(CommandError, match="拒绝重复加载"):
        call_command("generate", scale=SCALE, seed=8, no_progress=True)
    assert SyntheticLoad.objects.count() == 1


@pytest.mark.django_db
def test_a_database_with_regions_is_refused():
    Region.objects.create(code="371082000000", prefix="371082", name="荣成市", level="county")
    with pytest.raises(SyntheticLoadRefused):
        load()
    assert Region.objects.count() == 1
    assert not Subject.objects.exists()
    assert not SyntheticLoad.objects.exists()


@pytest.mark.django_db
def test_generate_command(tmp_path, capsys):
    out = tmp_path / "result.json"
    call_command("generate", scale=SCALE, seed=3, no_progress=True, as_of=AS_OF, json=str(out))
    assert "已生成合成县域" in capsys.readouterr().out
    result = json.loads(out.read_text())
    assert result["counts"]["residents"] == expected()["residents"]
    assert result["rows"] > 0
    assert SyntheticLoad.objects.get().seed == 3
