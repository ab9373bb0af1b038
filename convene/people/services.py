"""Creating and editing people and organizations."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..audit.services import apply_changes, record
from ..db_types import utcnow
from ..editing import check_version
from ..extensions import db
from .models import Organization, Person

PUBLIC_FIELDS = ("honorific", "name", "email", "position", "sector", "country", "timezone", "expertise", "bio",
                 "preferred_language")
SENSITIVE_FIELDS = ("gender", "gender_self_described", "nationality", "dietary_needs", "access_needs",
                    "listing_consent")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    for key in ("sector", "gender", "country", "nationality", "preferred_language"):
        if key in cleaned:
            cleaned[key] = cleaned[key] or None
    for key in ("country", "nationality"):
        if cleaned.get(key):
            cleaned[key] = cleaned[key].upper()
    if "email" in cleaned:
        cleaned["email"] = (cleaned["email"] or "").lower() or None
    if cleaned.get("gender") != "self_described" and "gender_self_described" in cleaned:
        cleaned["gender_self_described"] = ""
    return cleaned


def find_or_create_organization(name: str | None, actor=None, **extra) -> Organization | None:
    """The organization with this name (case-insensitive), created if new; None for a blank name."""
    name = (name or "").strip()
    if not name:
        return None
    organization = db.session.scalar(
        sa.select(Organization).where(sa.func.lower(Organization.name) == name.lower()))
    if organization is None:
        organization = Organization(name=name, **extra)
        db.session.add(organization)
        record("organization.create", organization, actor=actor, changes={"name": [None, name]})
    return organization


def find_person_by_email(email: str | None) -> Person | None:
    if not email:
        return None
    return db.session.scalar(sa.select(Person).where(Person.email == email.strip().lower()))


def create_person(data: dict[str, Any], actor, with_sensitive: bool = False) -> Person:
    data = _clean(data)
    person = Person(name=data["name"])
    fields = PUBLIC_FIELDS + (SENSITIVE_FIELDS if with_sensitive else ())
    changes = apply_changes(person, data, fields)
    person.organization = find_or_create_organization(data.get("organization_name"), actor)
    db.session.add(person)
    record("person.create", person, actor=actor, changes=changes)
    return person


def create_people(rows: list[dict[str, Any]], actor) -> list[Person]:
    """Many new people at once (an import): organizations looked up in one query, one flush, then the
    audit events. Each row is create_person's data; its sensitive fields are set when it has a gender."""
    organizations = find_or_create_organizations([row.get("organization_name") for row in rows], actor)
    people, changes = [], []
    for row in rows:
        data = _clean(row)
        person = Person(name=data["name"])
        fields = PUBLIC_FIELDS + (SENSITIVE_FIELDS if data.get("gender") else ())
        changes.append(apply_changes(person, data, fields))
        person.organization = organizations.get((data.get("organization_name") or "").lower())
        people.append(person)
    db.session.add_all(people)
    db.session.flush()
    for person, change in zip(people, changes):
        record("person.create", person, actor=actor, changes=change)
    return people


def find_or_create_organizations(names: list[str | None], actor=None) -> dict[str, Organization]:
    """lower-cased name -> organization for every non-blank name, the missing ones created (one query, one flush)."""
    wanted = {}
    for name in names:
        name = (name or "").strip()
        if name:
            wanted.setdefault(name.lower(), name)
    if not wanted:
        return {}
    found = {o.name.lower(): o for o in db.session.scalars(
        sa.select(Organization).where(sa.func.lower(Organization.name).in_(list(wanted))))}
    created = [Organization(name=name) for key, name in wanted.items() if key not in found]
    db.session.add_all(created)
    db.session.flush()
    for organization in created:
        record("organization.create", organization, actor=actor, changes={"name": [None, organization.name]})
        found[organization.name.lower()] = organization
    return found


def update_person(person: Person, data: dict[str, Any], actor, with_sensitive: bool = False) -> Person:
    """Apply an edit; sensitive fields only when the actor may see them; stale saves refused."""
    check_version(person, data.get("version"))
    data = _clean(data)
    fields = PUBLIC_FIELDS + (SENSITIVE_FIELDS if with_sensitive else ())
    changes = apply_changes(person, data, fields)
    if "organization_name" in data:
        changes.update(change_organization(person, data["organization_name"], actor))
    if changes:
        record("person.update", person, actor=actor, changes=changes)
    return person


def change_organization(person: Person, name: str | None, actor=None) -> dict[str, list]:
    """Attach the person to the organization of that name (created if new); the audit entry if it changed."""
    organization = find_or_create_organization(name, actor)
    before = person.organization.name if person.organization else None
    after = organization.name if organization else None
    if before == after:
        return {}
    person.organization = organization
    return {"organization": [before, after]}


def create_organization(data: dict[str, Any], actor) -> Organization:
    data = _clean(data)
    organization = Organization(name=data["name"], sector=data.get("sector"), country=data.get("country"))
    db.session.add(organization)
    record("organization.create", organization, actor=actor, changes={"name": [None, organization.name]})
    return organization


def update_organization(organization: Organization, data: dict[str, Any], actor) -> Organization:
    changes = apply_changes(organization, _clean(data), ("name", "sector", "country"))
    if "sector" in changes:
        # Its people count under the new sector: touching them moves the balance counts' change stamp
        # (diversity.counting.change_stamps), as an edit of each person would.
        db.session.execute(sa.update(Person).where(Person.organization_id == organization.id)
                           .values(updated_at=utcnow()).execution_options(synchronize_session=False))
    if changes:
        record("organization.update", organization, actor=actor, changes=changes)
    return organization
