"""JSON endpoints for subjects. Thin: authorize and validate shape, call one service or selector."""

from __future__ import annotations

from ninja import Router, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import InvalidInput
from rongxin.core.registry import code_label
from rongxin.subjects import selectors, services
from rongxin.subjects.api.schemas import (
    ConsentEventOut,
    ConsentIn,
    ConsentOut,
    FileViewOut,
    OrganisationDetailOut,
    OrganisationIn,
    PersonDetailOut,
    PersonIn,
    RegionCountOut,
    SubjectFileOut,
    SubjectOut,
)
from rongxin.subjects.models import ConsentEvent, Organisation, Person, Subject
from rongxin.subjects.permissions import access_subject_for_consent, access_subject_for_read

router = Router(tags=["subjects"])


def subject_out(subject: Subject) -> SubjectOut:
    person: Person | None = getattr(subject, "person", None) if subject.kind == Subject.Kind.PERSON else None
    org: Organisation | None = getattr(subject, "organisation", None) if subject.kind != Subject.Kind.PERSON else None
    return SubjectOut(
        id=subject.pk,
        kind=subject.kind,
        name=subject.name,
        village_code=subject.village.code,
        village_name=subject.village.name,
        town_name=subject.town.name,
        id_number_masked=person.id_number_masked if person else None,
        uscc=org.uscc if org else None,
        residency=person.residency if person else None,
    )


@router.get("/search", response=list[SubjectOut], operation_id="subjects_search")
def search(request: SignedInRequest, q: str = "", page: int = 1, purpose: str = "") -> list[SubjectOut]:
    """Find subjects in your regions by full ID number, full USCC or name: any part of the name
    of two characters or more, a name's first character alone. Exact names first, then names
    that start with the query, then the rest; 50 a page (``page`` from 1). The search is
    audited, with ``purpose`` (service, record, review, verification, supervision) if given."""
    found = selectors.subject_search_page(actor=request.user, query=q, page=page, purpose=purpose)
    return [subject_out(s) for s in found.results]


@router.get("/counts", response=list[RegionCountOut], operation_id="subjects_counts")
def counts(request: SignedInRequest, region: str = "") -> list[RegionCountOut]:
    """Persons and organisations under each child of a region (the county when omitted)."""
    return [
        RegionCountOut(
            code=n.region.code,
            name=n.region.name,
            level=n.region.level,
            persons=n.persons,
            organisations=n.organisations,
        )
        for n in selectors.region_tree_counts(actor=request.user, code=region or None).children
    ]


@router.post("/persons", response={201: SubjectOut}, operation_id="persons_register")
def register_person(request: SignedInRequest, payload: PersonIn) -> Status[SubjectOut]:
    """Register a person in a village of your region. 409 when the ID number is already registered."""
    person = services.person_register(actor=request.user, **payload.dict())
    return Status(201, subject_out(person.subject))


@router.post("/organisations", response={201: SubjectOut}, operation_id="organisations_register")
def register_organisation(request: SignedInRequest, payload: OrganisationIn) -> Status[SubjectOut]:
    """Register an enterprise or individual business in a village of your region. 409 when the
    USCC is already registered."""
    org = services.organisation_register(actor=request.user, **payload.dict())
    return Status(201, subject_out(org.subject))


@router.get("/{int:subject_id}", response=SubjectFileOut, operation_id="subjects_file")
def file(request: SignedInRequest, subject_id: int, purpose: str = "") -> SubjectFileOut:
    """A subject's file. Staff must give a ``purpose`` (service, record, review, verification,
    supervision); the read is audited and shown to the person."""
    f = selectors.subject_file(actor=request.user, subject_id=subject_id, purpose=purpose)
    person = f.person
    org = getattr(f.subject, "organisation", None) if f.subject.kind != Subject.Kind.PERSON else None
    return SubjectFileOut(
        subject=subject_out(f.subject),
        person=(
            PersonDetailOut(
                residency=person.residency,
                id_number_masked=person.id_number_masked,
                sex=person.sex,
                birth_date=person.birth_date,
                age=f.age or 0,
                phone_masked=person.phone_masked,
                consent_given=person.consent_given,
                consent_changed_at=person.consent_changed_at,
            )
            if person
            else None
        ),
        organisation=OrganisationDetailOut(uscc=org.uscc, legal_representative=org.legal_representative)
        if org
        else None,
        consent_events=[ConsentEventOut(action=e.action, channel=e.channel, at=e.at) for e in f.consent_events],
    )


@router.get("/{int:subject_id}/views", response=list[FileViewOut], operation_id="subjects_file_views")
def views(request: SignedInRequest, subject_id: int) -> list[FileViewOut]:
    """Who viewed or changed this file (staff), newest first: for the subject itself, or staff in region."""
    access_subject_for_read(actor=request.user, subject_id=subject_id)
    return [
        FileViewOut(
            at=e.at,
            actor_name=e.actor_name,
            actor_role=e.actor_role,
            kind=e.kind,
            action=e.action,
            purpose=code_label("subjects.purpose", e.purpose),
        )
        for e in selectors.file_views(subject_id=subject_id)
    ]


@router.post(
    "/{int:subject_id}/consent",
    response={201: ConsentOut},
    operation_id="subjects_consent",
    auth=gated(access_subject_for_consent),
)
def consent(request: SignedInRequest, subject_id: int, payload: ConsentIn) -> Status[ConsentOut]:
    """Grant or withdraw consent to scoring: the person online, or a keeper from a counter visit
    or paper form."""
    if payload.action == ConsentEvent.Action.GRANT:
        event = services.consent_grant(actor=request.user, subject_id=subject_id, channel=payload.channel)
    elif payload.action == ConsentEvent.Action.WITHDRAW:
        event = services.consent_withdraw(actor=request.user, subject_id=subject_id, channel=payload.channel)
    else:
        raise InvalidInput(errors=[{"field": "action", "message": "grant | withdraw", "code": "action"}])
    return Status(
        201, ConsentOut(subject_id=subject_id, consent_given=event.action == ConsentEvent.Action.GRANT, at=event.at)
    )


# Mounted under /api/v1 by rongxin.config.api, which discovers every app's api.router.
mounts = (("/subjects", router),)
