"""Row producers: one chunk of subjects (persons or organisations) from a plan and a task.

A chunk's rows depend only on the plan and the task (its random stream is seeded from
``(seed, part, chunk index)``), so chunks can be produced in any order, in worker processes,
and the same seed gives the same names, ID numbers, villages and codes. Only the ciphertexts
differ between runs (AES-GCM uses a random nonce).

The per-row loop is the hot path of ``rongxin generate`` (743k persons at full scale), so it
avoids per-row function calls where it can: weighted choices are drawn for the whole chunk at
once, the ID check digit is summed from cached partial sums, and the lookup hash is HMAC-SHA256
from precomputed pad states (the same value as :func:`rongxin.core.pii.lookup_hash`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import os
from collections.abc import Callable
from typing import NamedTuple

from rongxin.core import pii
from rongxin.subjects.domain.identifiers import (
    ID_CHECK,
    ID_WEIGHTS,
    USCC_CHARSET,
    organisation_code_check,
    uscc_check_char,
)
from rongxin.synth import names, regions_data
from rongxin.synth.county import CREATED_WINDOW_SECONDS, CountyPlan, Task, seeded_rng

SUBJECT_FIELDS = ("id", "kind", "name", "village", "town", "created_at")
PERSON_FIELDS = (
    "subject",
    "residency",
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
    "sex",
    "birth_date",
    "phone_encrypted",
    "phone_masked",
    "consent_given",
    "consent_changed_at",
)
ORGANISATION_FIELDS = ("subject", "uscc", "legal_representative")
CONSENT_FIELDS = ("subject", "action", "channel", "at")

PERSON_PARTS = ("resident", "migrant")
ORGANISATION_PARTS = ("enterprise", "individual_business")

# Age bands (from, to years, weight): an ageing rural county, a third aged 60 or more.
RESIDENT_AGE_BANDS = (
    (0, 5, 3.2),
    (5, 10, 4.0),
    (10, 15, 4.3),
    (15, 20, 4.0),
    (20, 25, 3.6),
    (25, 30, 4.0),
    (30, 35, 5.6),
    (35, 40, 5.8),
    (40, 45, 5.6),
    (45, 50, 7.2),
    (50, 55, 9.0),
    (55, 60, 9.6),
    (60, 65, 8.4),
    (65, 70, 8.2),
    (70, 75, 6.8),
    (75, 80, 4.4),
    (80, 85, 2.8),
    (85, 90, 1.4),
    (90, 95, 0.5),
    (95, 101, 0.1),
)
# Migrants: working age, some children.
MIGRANT_AGE_BANDS = (
    (0, 5, 2.0),
    (5, 10, 2.0),
    (10, 15, 1.5),
    (15, 20, 3.0),
    (20, 25, 9.0),
    (25, 30, 11.0),
    (30, 35, 12.0),
    (35, 40, 12.0),
    (40, 45, 12.0),
    (45, 50, 12.0),
    (50, 55, 10.0),
    (55, 60, 7.0),
    (60, 65, 4.0),
    (65, 70, 2.0),
    (70, 75, 0.5),
)
MALE_SHARE = {"resident": 0.51, "migrant": 0.58}
RESIDENT_CONSENT_SHARE = 0.70  # of adult residents
# Share of adults with a mobile phone: under 65, 65–79, 80 and over (about 85% overall).
PHONE_SHARE = (0.92, 0.78, 0.50)
SEQ_SLOTS = 500  # 3-digit sequence: odd for men, even for women


class Chunk(NamedTuple):
    part: str
    subjects: list[tuple]
    details: list[tuple]  # person rows or organisation rows
    consents: list[tuple]


def produce_chunk(plan: CountyPlan, task: Task) -> Chunk:
    if task.part in PERSON_PARTS:
        return person_chunk(plan, task)
    return organisation_chunk(plan, task)


# --- Fast PII --------------------------------------------------------------------------
class _FastPii:
    """Encryption and lookup hash with the configured keys, minus per-call overhead."""

    def __init__(self) -> None:
        keys = pii.keys()
        self.encrypt = keys.aead.encrypt
        self.version = bytes([pii.KEY_VERSION])
        key = keys.hmac_key
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(key.translate(bytes(x ^ 0x36 for x in range(256))))
        self.outer = hashlib.sha256(key.translate(bytes(x ^ 0x5C for x in range(256))))

    def lookup_hash(self, value: bytes) -> str:
        h = self.inner.copy()
        h.update(value)
        o = self.outer.copy()
        o.update(h.digest())
        return o.hexdigest()


# --- Cached pieces ----------------------------------------------------------------------
_SEQ_STR = [f"{i:03d}" for i in range(1000)]
_SEQ_SUM = [sum(int(c) * w for c, w in zip(s, ID_WEIGHTS[14:17], strict=True)) for s in _SEQ_STR]
_DATE_CACHE: dict[int, tuple[str, str, int, int]] = {}


def _date_parts(ordinal: int) -> tuple[str, str, int, int]:
    """(YYYYMMDD, YYYY-MM-DD, weighted digit sum for the ID check digit, year) of a day."""
    parts = _DATE_CACHE.get(ordinal)
    if parts is None:
        d = dt.date.fromordinal(ordinal)
        ymd = f"{d.year:04d}{d.month:02d}{d.day:02d}"
        parts = (ymd, d.isoformat(), sum(int(c) * w for c, w in zip(ymd, ID_WEIGHTS[6:14], strict=True)), d.year)
        _DATE_CACHE[ordinal] = parts
    return parts


def _years_before(day: dt.date, years: int) -> int:
    try:
        return day.replace(year=day.year - years).toordinal()
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28).toordinal()


def _cum(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _expand(pairs: tuple[tuple[str, float], ...], per_unit: int = 1) -> list[str]:
    """A list in which each item appears in proportion to its weight (for O(1) draws)."""
    out: list[str] = []
    for item, weight in pairs:
        out.extend([item] * max(1, round(weight * per_unit)))
    return out


_LOCAL_SURNAMES = [s for s, _ in names.LOCAL_SURNAMES]
_LOCAL_SURNAME_CUM = _cum([w for _, w in names.LOCAL_SURNAMES])
_NATIONAL_SURNAMES = [s for s, _ in names.NATIONAL_SURNAMES]
_NATIONAL_SURNAME_CUM = _cum([w for _, w in names.NATIONAL_SURNAMES])
_MOBILE_PREFIXES = _expand(regions_data.MOBILE_PREFIXES)


def _given_name(rand: Callable[[], float], cohort: int, male: bool) -> str:
    first, second = (names.GIVEN_MALE if male else names.GIVEN_FEMALE)[cohort]
    if rand() < names.GIVEN_ONE_CHAR_SHARE[cohort]:
        return second[int(rand() * len(second))]
    return first[int(rand() * len(first))] + second[int(rand() * len(second))]


# --- Persons ----------------------------------------------------------------------------
def person_chunk(plan: CountyPlan, task: Task) -> Chunk:
    """Subject, person and consent-event rows for ``task.count`` residents or migrants."""
    rng = seeded_rng(plan.seed, task.part, task.index)
    rand = rng.random
    n = task.count
    resident = task.part == "resident"
    fast = _FastPii()
    encrypt, version, lookup_hash = fast.encrypt, fast.version, fast.lookup_hash
    mask_id, mask_phone = pii.mask_id_number, pii.mask_phone
    suffix = plan.datetime_suffix
    now_ts = int(plan.now.timestamp())
    epoch = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - naive UTC, formatted as text (+ suffix)
    seconds = dt.timedelta(seconds=1)

    bands = RESIDENT_AGE_BANDS if resident else MIGRANT_AGE_BANDS
    band_lo = [int(lo * 365.25) for lo, _, _ in bands]
    band_len = [int((hi - lo) * 365.25) for lo, hi, _ in bands]
    band_of = rng.choices(range(len(bands)), cum_weights=_cum([w for _, _, w in bands]), k=n)
    codes = regions_data.RESIDENT_ADDRESS_CODES if resident else regions_data.MIGRANT_ADDRESS_CODES
    code_list = [c for c, _ in codes]
    code_sum = [sum(int(ch) * w for ch, w in zip(c, ID_WEIGHTS[:6], strict=True)) for c in code_list]
    code_of = rng.choices(range(len(code_list)), cum_weights=_cum([w for _, w in codes]), k=n)
    if resident:
        surname_of = rng.choices(_LOCAL_SURNAMES, cum_weights=_LOCAL_SURNAME_CUM, k=n)
    else:
        surname_of = rng.choices(_NATIONAL_SURNAMES, cum_weights=_NATIONAL_SURNAME_CUM, k=n)
    male_share = MALE_SHARE[task.part]
    streams, stream = plan.person_streams, task.stream
    as_of_ord = plan.as_of.toordinal()
    adult_ord = _years_before(plan.as_of, 18)
    senior_ord = _years_before(plan.as_of, 65)
    old_ord = _years_before(plan.as_of, 80)
    consent_share = RESIDENT_CONSENT_SHARE if resident else 0.0
    phone_low, phone_mid, phone_old = PHONE_SHARE
    prefixes = _MOBILE_PREFIXES
    n_prefixes = len(prefixes)
    residency = "resident" if resident else "migrant"
    villages = plan.villages
    bounds = plan.resident_bounds if resident else plan.migrant_bounds
    nonces = os.urandom(24 * n)
    cohort_low, cohort_high = names.GIVEN_COHORT_YEARS

    subjects: list[tuple] = []
    persons: list[tuple] = []
    consents: list[tuple] = []
    counters: dict[int, int] = {}
    vi = bisect.bisect_right(bounds, task.start) - 1
    next_bound = bounds[vi + 1]
    village = villages[vi]
    sid = task.first_subject_id
    for j in range(n):
        while task.start + j >= next_bound:
            vi += 1
            next_bound = bounds[vi + 1]
            village = villages[vi]
        male = rand() < male_share
        b = band_of[j]
        birth = as_of_ord - band_lo[b] - int(rand() * band_len[b])
        ai = code_of[j]
        # The 3-digit sequence: a counter per (address code, birth date, sex) in this chunk,
        # interleaved with the other chunks so that sequences never collide across chunks.
        while True:
            key = ((birth << 6) | ai) << 1 | male
            c = counters.get(key, 0)
            slot = c * streams + stream
            if slot < SEQ_SLOTS:
                counters[key] = c + 1
                break
            birth -= 1  # this day is full: one day older
        # Start each (address code, day) at its own scattered slot, as real sequences do.
        slot = (slot + ((birth * 2654435761) >> 9) + ai * 97) % SEQ_SLOTS
        seq = 2 * slot + 1 if male else 2 * slot
        ymd, iso, dsum, year = _date_parts(birth)
        addr = code_list[ai]
        id_number = addr + ymd + _SEQ_STR[seq] + ID_CHECK[(code_sum[ai] + dsum + _SEQ_SUM[seq]) % 11]
        id_bytes = id_number.encode()
        nonce = nonces[24 * j : 24 * j + 12]
        id_enc = version + nonce + encrypt(nonce, id_bytes, None)

        surname = surname_of[j]
        if resident and village.clan_surname and rand() < 0.35:
            surname = village.clan_surname
        cohort = 0 if year < cohort_low else 1 if year < cohort_high else 2
        name = surname + _given_name(rand, cohort, male)

        phone_enc = None
        phone_masked = ""
        if birth <= adult_ord:
            share = phone_low if birth > senior_ord else phone_mid if birth > old_ord else phone_old
            if rand() < share:
                phone = f"{prefixes[int(rand() * n_prefixes)]}{int(rand() * 100_000_000):08d}"
                nonce = nonces[24 * j + 12 : 24 * j + 24]
                phone_enc = version + nonce + encrypt(nonce, phone.encode(), None)
                phone_masked = mask_phone(phone)

        age_seconds = (as_of_ord - birth) * 86400 + 43200
        created_ts = now_ts - int(rand() * min(CREATED_WINDOW_SECONDS, age_seconds))
        created = str(epoch + created_ts * seconds) + suffix
        consent_at = None
        consent = False
        if birth <= adult_ord and rand() < consent_share:
            consent = True
            consent_at = str(epoch + (created_ts + int(rand() * (now_ts - created_ts))) * seconds) + suffix
            consents.append((sid, "grant", "import", consent_at))
        subjects.append((sid, "person", name, village.region_id, village.town_id, created))
        persons.append(
            (
                sid,
                residency,
                id_enc,
                lookup_hash(id_bytes),
                mask_id(id_number),
                "M" if male else "F",
                iso,
                phone_enc,
                phone_masked,
                consent,
                consent_at,
            )
        )
        sid += 1
    return Chunk(task.part, subjects, persons, consents)


# --- Enterprises and individual businesses ----------------------------------------------
def _base31(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, r = divmod(value, 31)
        out.append(USCC_CHARSET[r])
    return "".join(reversed(out))


def organisation_code(plan: CountyPlan, number: int, modern: bool) -> str:
    """The 8-character GB 11714 body of organisation ``number``: unique for each number.

    Modern codes (issued since 2015) are ``MA`` + 6 characters, older ones 8 digits; both are
    affine permutations of the running number, so distinct numbers never share a code.
    """
    a31, b31, a10, b10 = plan.uscc_permutation
    if modern:
        return "MA" + _base31((number * a31 + b31) % 31**6, 6)
    return f"{(number * a10 + b10) % 10**8:08d}"


def make_uscc(kind_digit: str, body8: str) -> str:
    """A GB 32100 code registered by market regulation (9), in Rongcheng (371082)."""
    first17 = "9" + kind_digit + "371082" + body8 + organisation_code_check(body8)
    return first17 + uscc_check_char(first17)


def organisation_chunk(plan: CountyPlan, task: Task) -> Chunk:
    """Subject and organisation rows for ``task.count`` enterprises or individual businesses."""
    rng = seeded_rng(plan.seed, task.part, task.index)
    rand = rng.random
    n = task.count
    enterprise = task.part == "enterprise"
    villages = plan.villages
    cum = plan.enterprise_cum_weights if enterprise else plan.business_cum_weights
    village_of = rng.choices(villages, cum_weights=cum, k=n)
    surname_of = rng.choices(_LOCAL_SURNAMES, cum_weights=_LOCAL_SURNAME_CUM, k=n)
    suffix = plan.datetime_suffix
    now_ts = int(plan.now.timestamp())
    epoch = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - naive UTC, formatted as text (+ suffix)
    seconds = dt.timedelta(seconds=1)
    # Running numbers: enterprises first, then businesses, so codes never repeat across kinds.
    offset = 0 if enterprise else plan.counts["enterprises"]
    kind_digit = "1" if enterprise else "2"
    modern_share = 0.65 if enterprise else 0.85
    words = names.ENTERPRISE_WORDS
    industries = _expand(names.ENTERPRISE_INDUSTRIES)
    suffixes = _expand(names.ENTERPRISE_SUFFIXES)
    shop_words = names.SHOP_WORDS
    shop_kinds = _expand(names.SHOP_KINDS)
    seen: set[str] = set()
    subjects: list[tuple] = []
    details: list[tuple] = []
    sid = task.first_subject_id
    for j in range(n):
        village = village_of[j]
        for attempt in range(8):
            if enterprise:
                word = rng.choice(words)
                if attempt or rand() < 0.25:
                    other = rng.choice(words)
                    word += other if other != word else ""
                name = f"荣成市{word}{rng.choice(industries)}{rng.choice(suffixes)}"
            else:
                shop = (
                    rng.choice(shop_words)
                    if attempt < 4 or rand() < 0.5
                    else rng.choice(shop_words) + rng.choice(shop_words)
                )
                name = f"{village.short_name}{shop}{rng.choice(shop_kinds)}"
            if name not in seen:
                break
        seen.add(name)
        number = offset + task.start + j
        uscc = make_uscc(kind_digit, organisation_code(plan, number, rand() < modern_share))
        male = rand() < 0.72
        cohort = 1 if rand() < 0.7 else 2 if rand() < 0.6 else 0
        representative = surname_of[j] + _given_name(rand, cohort, male)
        created_ts = now_ts - int(rand() * CREATED_WINDOW_SECONDS)
        created = str(epoch + created_ts * seconds) + suffix
        subjects.append((sid, task.part, name, village.region_id, village.town_id, created))
        details.append((sid, uscc, representative))
        sid += 1
    return Chunk(task.part, subjects, details, [])
