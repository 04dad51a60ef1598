"""Certificate rules that need nothing stored: numbers, the digest, the issuer's name, the
masked name and the content summary (see :mod:`rongxin.volunteering.services.certificates` for
the design)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rongxin.volunteering.domain.hours import hours_text

DIGEST_VERSION = 1
KEY_INFO = b"rongxin/volunteering/certificate/v1"
NUMBER_PREFIX = "RXC"
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
NUMBER_RANDOM = 8
NUMBER_PATTERN = re.compile(rf"^{NUMBER_PREFIX}\d{{8}}[{NUMBER_ALPHABET}]{{{NUMBER_RANDOM}}}$")
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{64}$")
MAX_PERIOD_YEARS = 5
CONTENT_MAX = 300
TITLES_PER_TYPE = 3


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate states, as its digest covers it and its page prints it."""

    number: str
    volunteer_number: str
    name: str  # the volunteer's full name
    issuer: str
    team_id: int | None
    period_from: dt.date
    period_to: dt.date
    minutes: int
    records: int
    content: str
    issued_at: dt.datetime

    def canonical(self) -> bytes:
        """A canonical JSON (sorted keys, no spaces, UTF-8) of the facts, with the issue time in
        UTC to the whole second."""
        facts = {
            "v": DIGEST_VERSION,
            "number": self.number,
            "volunteer": self.volunteer_number,
            "name": self.name,
            "issuer": self.issuer,
            "team": self.team_id,
            "from": self.period_from.isoformat(),
            "to": self.period_to.isoformat(),
            "minutes": self.minutes,
            "records": self.records,
            "content": self.content,
            "issued_at": self.issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        return json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@lru_cache(maxsize=4)
def _key(master: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(master)


def certificate_digest(facts: CertificateFacts, *, master_key: bytes) -> str:
    """HMAC-SHA256 (hex) over the canonical facts, under a key derived from ``master_key`` for
    this purpose only."""
    return hmac.new(_key(master_key), facts.canonical(), hashlib.sha256).hexdigest()


def digest_matches(given: str, stored: str, recomputed: str) -> bool:
    """The digest from the QR code is well-formed and equals the stored one, and the stored one
    still equals the digest over the stored facts."""
    given = str(given or "").strip().lower()
    return (
        DIGEST_PATTERN.match(given) is not None
        and hmac.compare_digest(given, stored)
        and hmac.compare_digest(recomputed, stored)
    )


def verify_path(*, number: str, digest: str) -> str:
    """The public verification page of a certificate with its digest (what the QR code
    encodes, relative to the site's base URL)."""
    return f"/v/cert/{number}/?d={digest}"


def verify_url(*, number: str, digest: str, base_url: str) -> str:
    return base_url.rstrip("/") + verify_path(number=number, digest=digest)


def new_number(on: dt.date) -> str:
    """``RXC`` + the issue date + 8 random Crockford base32 characters."""
    tail = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM))
    return f"{NUMBER_PREFIX}{on:%Y%m%d}{tail}"


def normalise_number(number: str) -> str:
    return "".join(str(number or "").split()).upper()


def village_committee(village_name: str) -> str:
    """The committee that speaks for a village or urban community."""
    name = village_name.strip()
    suffix = "居民委员会" if name.endswith(("社区", "居委会")) else "村民委员会"
    if name.endswith("居委会"):
        name = name[: -len("居委会")]
    return (name + suffix)[:100]


def mask_name(name: str) -> str:
    """``张三`` → ``张*``: the family name stays, the given name is masked."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


@dataclass(frozen=True)
class ServiceRow:
    """Records of one activity title within one activity type: how many, how long."""

    type_name: str
    title: str
    records: int
    minutes: int


def content_summary(rows: Iterable[ServiceRow]) -> str:
    """``养老助老（2次，6小时）：敬老院陪伴、重阳节慰问；环境整治（1次，2小时）：海滩清洁``,
    types with the most hours first; only the types when the titles do not fit in 300
    characters, cut with an ellipsis when even those do not fit. ``rows`` come by type name,
    then the titles with the most minutes first."""
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    titles: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_type[row.type_name][0] += row.records
        by_type[row.type_name][1] += row.minutes
        if row.title not in titles[row.type_name]:
            titles[row.type_name].append(row.title)
    order = sorted(by_type, key=lambda name: (-by_type[name][1], name))
    heads = [f"{name}（{by_type[name][0]}次，{hours_text(by_type[name][1])}小时）" for name in order]
    full = []
    for head, name in zip(heads, order, strict=True):
        shown = titles[name][:TITLES_PER_TYPE]
        more = "等" if len(titles[name]) > TITLES_PER_TYPE else ""
        full.append(f"{head}：{'、'.join(shown)}{more}")
    for text in ("；".join(full), "；".join(heads)):
        if len(text) <= CONTENT_MAX:
            return text
    return "；".join(heads)[: CONTENT_MAX - 1] + "…"
