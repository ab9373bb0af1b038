"""Telling people what a published agenda version changed for them.

One message per person per publication (the outbox dedupe key carries version and person),
written around the person's own roles ("your session as rapporteur moved to 14:00"), with their
personal agenda attached as a METHOD:PUBLISH .ics.

Why PUBLISH and not REQUEST: sessions are not meetings people accept one by one. A REQUEST
would need an ATTENDEE per event, would put Accept/Decline buttons in the mail client and send
replies to an organizer mailbox Convene does not read; the web RSVP stays the one source of
truth. PUBLISH with the same UIDs and a higher SEQUENCE lets Outlook and Apple update the
copy they hold. (Google adds a duplicate instead; the e-mail points to the subscription feed.)
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from ..db_types import utcnow
from ..extensions import db
from ..ics.builders import sessions_calendar
from ..invitations.models import Invitation
from ..mail.services import MailError, queue_message
from ..people.models import Person
from ..tokens import services as tokens
from . import links
from .models import AgendaVersion, SessionRoleKind
from .versions import load_people, views_of

#: Who hears about sessions open to everyone: people who said they are coming.
ATTENDING = ("accepted", "tentative")
MAIL_KIND = "agenda_change"


def _role_label(role: str) -> str:
    try:
        return SessionRoleKind(role).label.lower()
    except ValueError:
        return role


def _when(iso: str, tz: ZoneInfo, all_day: bool) -> str:
    moment = datetime.fromisoformat(iso).astimezone(tz)
    return f"{moment:%A} {moment.day} {moment:%B}" + ("" if all_day else f" at {moment:%H:%M}")


def line_for(entry: dict[str, Any], person_id: int, tz: ZoneInfo) -> str:
    """One sentence about one changed session, as seen by this person."""
    roles = entry["roles"].get(str(person_id), [])
    mine = [r for r in roles if r != "participant"]
    subject = (f"Your session as {' and '.join(_role_label(r) for r in mine)}, “{entry['title']}”," if mine
               else f"“{entry['title']}”")
    when = _when(entry["starts_at"], tz, entry["all_day"])
    change = entry["change"]
    if change == "added":
        return f"{subject} has been added: {when}" + (f", {entry['room']}" if entry["room"] else "") + "."
    if change == "cancelled":
        return f"{subject} has been cancelled (it was on {_when(entry['old_starts_at'], tz, entry['all_day'])})."
    if change == "restored":
        return f"{subject} is back on the agenda: {when}."
    if change == "removed":
        return f"{subject} has been removed from the agenda."
    parts = []
    if entry["starts_at"] != entry["old_starts_at"]:
        parts.append(f"moved to {when} (was {_when(entry['old_starts_at'], tz, entry['all_day'])})")
    if entry["room"] != entry["old_room"]:
        parts.append(f"is now in {entry['room'] or 'a room to be announced'}")
    if not parts:
        parts.append("has changed (" + "; ".join(entry["details"]) + ")")
    return f"{subject} {' and '.join(parts)}."


def recipients(convening, version: AgendaVersion) -> dict[int, list[dict[str, Any]]]:
    """person_id → the changelog entries that concern them."""
    ids = [convening.id] + ([convening.parent_id] if convening.parent_id else [])
    attending = set(db.session.scalars(sa.select(Invitation.person_id).where(
        Invitation.convening_id.in_(ids), Invitation.status.in_(ATTENDING))))
    wanted: dict[int, list[dict[str, Any]]] = {}
    for entry in version.changes:
        named = {int(pid) for pid in entry["roles"]}
        for pid in named | (attending if entry["open_to_all"] else set()):
            wanted.setdefault(pid, []).append(entry)
    return wanted


def notify_publication(convening, version: AgendaVersion) -> int:
    """Queue one role-aware message per affected person; returns how many were queued."""
    tz = convening.zone
    wanted = recipients(convening, version)
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(wanted)))} if wanted else {}
    named = load_people([version.snapshot])
    sessions = views_of(version.snapshot, convening.id, named)
    queued = 0
    for person_id, entries in wanted.items():
        person = people.get(person_id)
        if person is None or not person.email or person.erased_at is not None:
            continue
        token = tokens.issue("feed", person_id=person.id, revoke_previous=False)
        mine = [s for s in sessions if s.open_to_all or any(r.person_id == person.id for r in s.roles)]
        calendar = sessions_calendar(
            [(convening, mine)], name=f"{convening.title} — my agenda", stamp=utcnow(),
            link_for=lambda s, t=token: links.my_agenda(t, s.uid), **links.organizer())
        try:
            queue_message(to_address=person.email, to_name=person.name, subject=_subject(convening, version),
                          text=_text(convening, version, person, entries, token, tz), calendar=calendar,
                          calendar_method="PUBLISH", kind=MAIL_KIND, convening_id=convening.id,
                          person_id=person.id, dedupe_key=f"agenda:{convening.id}:v{version.number}:p{person.id}")
            queued += 1
        except MailError as error:
            current_app.logger.warning("agenda change for person %s not queued: %s", person.id, error)
    return queued


def _subject(convening, version: AgendaVersion) -> str:
    if version.number == 1:
        return f"Agenda published: {convening.title}"
    return f"Agenda updated (version {version.number}): {convening.title}"


def _text(convening, version: AgendaVersion, person: Person, entries: list[dict], token: str, tz: ZoneInfo) -> str:
    lines = [f"Dear {person.display_name},", ""]
    if version.number == 1:
        lines.append(f"The agenda of {convening.title} is published.")
    else:
        lines.append(f"The agenda of {convening.title} has changed (version {version.number}).")
    if version.note:
        lines += ["", version.note]
    lines += ["", *[f"- {line_for(entry, person.id, tz)}" for entry in entries], "",
              f"Times are in {tz.key} time.", "",
              f"Your agenda: {links.my_agenda(token)}",
              f"Subscribe in your calendar app (updates arrive by themselves): {links.feed(token, webcal=True)}",
              "", "The attached calendar file holds your sessions. Calendar apps such as Outlook and Apple "
              "Calendar update the copy you imported; Google Calendar adds a second copy instead, so "
              "Google users should subscribe with the link above rather than import the file.", "",
              convening.attribution_text]
    return "\n".join(lines)
