from __future__ import annotations

import datetime as dt

from ninja import Schema


class PersonIn(Schema):
    name: str
    id_number: str
    residency: str = "resident"
    village_code: str
    phone: str | None = None


class OrganisationIn(Schema):
    kind: str
    name: str
    uscc: str
    legal_representative: str
    village_code: str


class ConsentIn(Schema):
    action: str  # "grant" or "withdraw"
    channel: str


class SubjectOut(Schema):
    id: int
    kind: str
    name: str
    village_code: str
    village_name: str
    town_name: str
    id_number_masked: str | None = None
    uscc: str | None = None
    residency: str | None = None


class PersonDetailOut(Schema):
    residency: str
    id_number_masked: str
    sex: str
    birth_date: dt.date
    age: int
    phone_masked: str
    consent_given: bool
    consent_changed_at: dt.datetime | None


class OrganisationDetailOut(Schema):
    uscc: str
    legal_representative: str


class ConsentEventOut(Schema):
    action: str
    channel: str
    at: dt.datetime


class SubjectFileOut(Schema):
    subject: SubjectOut
    person: PersonDetailOut | None = None
    organisation: OrganisationDetailOut | None = None
    consent_events: list[ConsentEventOut]


class FileViewOut(Schema):
    at: dt.datetime
    actor_name: str
    actor_role: str
    kind: str
    action: str
    purpose: str


class RegionCountOut(Schema):
    code: str
    name: str
    level: str
    persons: int
    organisations: int


class ConsentOut(Schema):
    subject_id: int
    consent_given: bool
    at: dt.datetime
