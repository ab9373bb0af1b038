"""Personal-data rights: export everything about a person, erase or anonymize them, purge by retention.

Erasure keeps the Person row (with `erased_at` set) and every invitation, so past
convenings keep their counts of invited, accepted and attended people; only what
identifies or describes the person goes.
"""
from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..audit.models import REDACTION_FLAG, AuditEvent
from ..audit.services import record
from ..convenings.models import Convening, ConveningStatus
from ..db_types import utcnow
from ..errors import DomainError
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person
from ..tokens.models import AccessToken

#: Self-identified data that retention and erasure clear (with their empty value).
SELF_IDENTIFICATION = {
    "gender": None,
    "gender_self_described": "",
    "nationality": None,
    "dietary_needs": "",
    "access_needs": "",
}
#: What anonymizing clears on top of SELF_IDENTIFICATION. Country and sector stay: they are
#: facts about the affiliation that the diversity aggregates of past convenings are built on.
IDENTIFYING = {
    "honorific": "",
    "email": None,
    "position": "",
    "organization_id": None,
    "expertise": "",
    "bio": "",
    "timezone": "",
    "listing_consent": False,
}
#: Columns never put in an export: secrets and hashes mean nothing to the person and help an attacker.
SECRET_COLUMNS = frozenset({"digest", "password_hash", "session_secret"})
#: Tables handled on their own (the audit trail) or holding nothing about the person.
SKIP_TABLES = frozenset({"audit_events"})
ERASED_NOTE = "(erased)"


class PrivacyError(DomainError):
    """A personal-data request that cannot be carried out; the message is safe to show."""


def _json_value(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)


def _row_dict(row: sa.Row) -> dict[str, Any]:
    return {key: _json_value(value) for key, value in row._mapping.items() if key not in SECRET_COLUMNS}


def _referencing(table_name: str) -> list[tuple[sa.Table, sa.Column]]:
    """(table, column) pairs whose foreign key points at table_name.id."""
    pairs = []
    for table in db.metadata.sorted_tables:
        if table.name in SKIP_TABLES or table.name == table_name:
            continue
        for column in table.columns:
            for fk in column.foreign_keys:
                if fk.column.table.name == table_name and fk.column.name == "id":
                    pairs.append((table, column))
    return pairs


def _rows_for(table_name: str, ids: set[int]) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table that references one of `ids` in table_name."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not ids:
        return found
    for table, column in _referencing(table_name):
        rows = db.session.execute(sa.select(table).where(column.in_(sorted(ids)))).all()
        if rows:
            found.setdefault(table.name, []).extend(_row_dict(row) for row in rows)
    return found


def export_person(person: Person) -> dict:
    """Everything Convene holds about a person, as JSON-serialisable data.

    Rows are found through the schema's foreign keys (so a table a later area adds is
    included without changing this function), one level from the person and one more
    from the rows found (e.g. invitation → its status history and mails).
    """
    person_row = db.session.execute(sa.select(Person.__table__).where(Person.__table__.c.id == person.id)).one()
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "person": _row_dict(person_row),
        "organization": person.organization.name if person.organization else None,
        "records": {},
    }
    direct = _rows_for("people", {person.id})
    records: dict[str, list] = {name: list(rows) for name, rows in direct.items()}
    for table_name, rows in direct.items():
        if table_name == "users":
            continue  # an account's work (convenings it organizes, steps it wrote) is not data about the person
        ids = {row["id"] for row in rows if isinstance(row.get("id"), int)}
        for child, child_rows in _rows_for(table_name, ids).items():
            records.setdefault(child, [])
            records[child].extend(row for row in child_rows if row not in records[child])
    data["records"] = records
    data["convenings"] = _convening_titles(records.get("invitations", []))
    data["audit_trail"] = [
        {"at": _json_value(e.at), "action": e.action, "changes": e.changes}
        for e in db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.object_type == "Person", AuditEvent.object_id == person.id).order_by(AuditEvent.id))
    ]
    return data


def _convening_titles(invitations: list[dict]) -> dict[str, str]:
    """{convening id: title} for the convenings the person was invited to, for a readable export."""
    ids = {row["convening_id"] for row in invitations if row.get("convening_id")}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Convening.id, Convening.title).where(Convening.id.in_(ids))).all()
    return {str(cid): title for cid, title in rows}


def _clear(person: Person, values: dict[str, Any]) -> list[str]:
    """Set the fields to their empty values; return the names of those that changed."""
    changed = []
    for field, empty in values.items():
        if getattr(person, field) != empty:
            setattr(person, field, empty)
            changed.append(field)
    return changed


def erase_self_identification(person: Person, *, actor=None, actor_label: str = "") -> None:
    """Clear gender, self-description, nationality, dietary and access needs (audited, values not logged)."""
    changed = _clear(person, SELF_IDENTIFICATION)
    if changed:
        record("person.erase_self_identification", person, actor=actor, actor_label=actor_label,
               changes={field: ["(cleared)", None] for field in changed})


def anonymize_person(person: Person, *, actor=None, actor_label: str = "") -> None:
    """Remove everything that identifies the person; keep the row and invitations for past counts.

    Personal links stop working, and audit events about the person lose the values they
    recorded (names, emails): the erasure itself is recorded as a new event.
    """
    if person.erased_at is not None:
        return
    changed = _clear(person, {**SELF_IDENTIFICATION, **IDENTIFYING})
    person.name = f"Erased person #{person.id}"
    person.erased_at = utcnow()
    now = utcnow()
    for token in db.session.scalars(sa.select(AccessToken).where(
            AccessToken.person_id == person.id, AccessToken.revoked_at.is_(None))):
        token.revoked_at = now
    _scrub_person_audit_values(person.id)
    _scrub_outbox(person)
    _scrub_message_recipients(person)
    record("person.anonymize", person, actor=actor, actor_label=actor_label,
           changes={"name": ["(erased)", person.name], **{f: ["(erased)", None] for f in changed}})


def _scrub_person_audit_values(person_id: int) -> None:
    """Replace the recorded before/after values of events about the person.

    This is the one sanctioned change to audit rows, done in Core so the ORM guard that
    keeps the trail append-only still refuses every other update.
    """
    table = AuditEvent.__table__
    rows = db.session.execute(sa.select(table.c.id, table.c.changes).where(
        table.c.object_type == "Person", table.c.object_id == person_id)).all()
    db.session.info[REDACTION_FLAG] = "personal-data erasure"
    if db.session.get_bind().dialect.name == "postgresql":
        # lets the optional append-only trigger of docs/security.md allow this one rewrite
        db.session.execute(sa.text("SELECT set_config('convene.audit_redaction', 'on', true)"))
    try:
        for event_id, changes in rows:
            if changes:
                scrubbed = {field: [ERASED_NOTE, ERASED_NOTE] for field in changes}
                db.session.execute(sa.update(table).where(table.c.id == event_id).values(changes=scrubbed))
    finally:
        db.session.info.pop(REDACTION_FLAG, None)


def _scrub_outbox(person: Person) -> None:
    """Blank address, name, subject and bodies of the person's mails; unsent ones are never sent.

    Written against the table (not the mail area's model) so it keeps working as that area grows.
    """
    table = db.metadata.tables.get("outbox_messages")
    if table is None:
        return
    mine = []
    if "person_id" in table.c:
        mine.append(table.c.person_id == person.id)
    if "invitation_id" in table.c:
        mine.append(table.c.invitation_id.in_(sa.select(Invitation.id).where(Invitation.person_id == person.id)))
    if not mine:
        return
    values: dict[str, Any] = {}
    for name in ("to_address", "to_name", "subject", "text", "html", "calendar"):
        if name in table.c:
            values[name] = None if table.c[name].nullable else ""
    db.session.execute(sa.update(table).where(sa.or_(*mine)).values(**values))
    if "status" in table.c:
        db.session.execute(sa.update(table).where(sa.or_(*mine), table.c.status.in_(("pending", "sending")))
                           .values(status="failed", **({"last_error": "The recipient's personal data was erased."}
                                                       if "last_error" in table.c else {})))


def _scrub_message_recipients(person: Person) -> None:
    """Blank the person's name in the recipients of messages to participants (the count stays)."""
    table = db.metadata.tables["participant_message_recipients"]
    db.session.execute(sa.update(table).where(table.c.person_id == person.id).values(name=""))


def retention_cutoff(today: date, months: int) -> date:
    """The date `months` before today (clamped to the month's last day)."""
    import calendar

    year, month = divmod(today.year * 12 + (today.month - 1) - months, 12)
    month += 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def people_past_retention(today: date, months: int):
    """SELECT of people with self-identification data whose every convening closed before the cutoff."""
    cutoff = retention_cutoff(today, months)
    still_held = (sa.select(Invitation.person_id).join(Convening, Convening.id == Invitation.convening_id)
                  .where(sa.or_(Convening.status != ConveningStatus.CLOSED.value, Convening.ends_on >= cutoff)))
    has_any = sa.select(Invitation.person_id)
    has_data = sa.or_(Person.gender.is_not(None), Person.gender_self_described != "",
                      Person.nationality.is_not(None), Person.dietary_needs != "", Person.access_needs != "")
    return (sa.select(Person).where(Person.id.in_(has_any), Person.id.not_in(still_held), has_data)
            .order_by(Person.id))


def purge_expired(today: date, months: int | None = None, *, actor=None,
                  actor_label: str = "retention purge") -> list[Person]:
    """Clear self-identification data of people whose convenings all closed more than N months ago."""
    from flask import current_app

    if months is None:
        months = int(current_app.config.get("RETENTION_MONTHS", 24))
    people = db.session.scalars(people_past_retention(today, months)).all()
    for person in people:
        erase_self_identification(person, actor=actor, actor_label=actor_label)
    return people
