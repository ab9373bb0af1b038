"""Telling people what a published agenda version changed for them.

One message per person per publication (the outbox dedupe key carries version and person),
written around the person's own roles ("your session as rapporteur moved to 14:00"), with their
personal agenda attached as a METHOD:PUBLISH .ics.

Why PUBLISH and not REQUEST: sessions are not meetings people accept one by one. A REQUEST
would need an ATTENDEE per event, would put Accept/Decline buttons in the mail client and send
replies to an organizer mailbox Convene does not read; the web RSVP stays the one source of
truth. PUBLISH with the same UIDs and a higher SEQUENCE lets Outlook and Apple update the
copy they hold. (Google adds a duplicate instead; the e-mail points to the subscription feed.)

The one REQUEST is the calendar invitation accepted invitees hold for the whole meeting
(invitations.calendar_mail): at the first publication, and at any that moves its span, it is
updated with a higher SEQUENCE, in the same transaction and under the same "e-mail the people
affected" choice.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, lazy_gettext as _l

from ..db_types import utcnow
from ..extensions import db
from ..i18n.locale import attendee_language, language
from ..ics.builders import meeting_span, sessions_calendar
from ..invitations import calendar_mail
from ..invitations import links as invitation_links
from ..invitations.models import Invitation
from ..mail.services import MailError, queue_message
from ..mail.wording import RenderedMessage
from ..messages.services import compose
from ..people.models import Person
from ..tokens import services as tokens
from . import links
from .models import AgendaVersion, SessionRoleKind
from .versions import load_people, views_of

#: Who hears about sessions open to everyone: people who said they are coming.
ATTENDING = ("accepted", "tentative")
MAIL_KIND = "agenda_change"


#: The stored changelog's words for a changed field, as a message reads them (in its reader's language).
DETAIL_WORDS = {"title changed": _l("title changed"), "description changed": _l("description changed"),
                "kind changed": _l("kind changed"), "open to all changed": _l("open to all changed"),
                "people changed": _l("people changed")}


def _role_label(role: str) -> str:
    try:
        return str(SessionRoleKind(role).display).lower()
    except ValueError:
        return role


def _local(iso: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(iso).astimezone(tz)


def change_view(entry: dict[str, Any], person_id: int, tz: ZoneInfo) -> dict[str, Any]:
    """One changed session as this person sees it: their roles and the moments in the convening's zone.

    Values only; the sentences are in templates/mail/messages/agenda_change/body.txt.
    """
    roles = entry["roles"].get(str(person_id), [])
    old = entry.get("old_starts_at")
    return {"title": entry["title"], "change": entry["change"], "all_day": entry["all_day"], "room": entry["room"],
            "roles": [_role_label(r) for r in roles if r != "participant"],
            "starts": _local(entry["starts_at"], tz), "old_starts": _local(old, tz) if old else None,
            "moved": entry["starts_at"] != old, "room_changed": entry["room"] != entry.get("old_room"),
            "details": [str(DETAIL_WORDS.get(d, d)) for d in entry.get("details") or []]}


def recipients(convening, version: AgendaVersion) -> dict[int, list[dict[str, Any]]]:
    """person_id → the changelog entries that concern them."""
    ids = convening.with_conference_ids
    attending = set(db.session.scalars(sa.select(Invitation.person_id).where(
        Invitation.convening_id.in_(ids), Invitation.status.in_(ATTENDING))))
    wanted: dict[int, list[dict[str, Any]]] = {}
    for entry in version.changes:
        named = {int(pid) for pid in entry["roles"]}
        for pid in named | (attending if entry["open_to_all"] else set()):
            wanted.setdefault(pid, []).append(entry)
    return wanted


def notify_publication(convening, version: AgendaVersion) -> int:
    """Queue one role-aware message per affected person, and the updated calendar invitation to
    accepted invitees when the meeting's span moved (calendar_update); returns how many were queued."""
    tz = convening.zone
    wanted = recipients(convening, version)
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(wanted)))} if wanted else {}
    named = load_people([version.snapshot])
    sessions = views_of(version.snapshot, convening.id, named)
    invitations = _invitations_of(convening, list(people))
    queued = 0
    for person_id, entries in wanted.items():
        person = people.get(person_id)
        if person is None or not person.email or person.erased_at is not None:
            continue
        token, feed = _links_for(person, invitations.get(person_id))
        mine = [s for s in sessions if s.open_to_all or any(r.person_id == person.id for r in s.roles)]
        with language(attendee_language(person, convening)):  # the file's words: the message's language
            calendar = sessions_calendar(
                [(convening, mine)], name=gettext("%(title)s — my agenda", title=convening.title), stamp=utcnow(),
                link_for=lambda s, t=token: links.my_agenda(t, s.uid), **links.organizer())
        try:
            words = _message(convening, version, person, entries, token, feed, tz)
            queue_message(to_address=person.email, to_name=person.name, subject=words.subject, text=words.text,
                          calendar=calendar, calendar_method="PUBLISH", kind=MAIL_KIND, convening_id=convening.id,
                          person_id=person.id, dedupe_key=f"agenda:{convening.id}:v{version.number}:p{person.id}")
            queued += 1
        except MailError as error:
            current_app.logger.warning("agenda change for person %s not queued: %s", person.id, error)
    return queued + calendar_update(convening, version)


def calendar_update(convening, version: AgendaVersion) -> int:
    """The first publication, or one that moves the first or last session, changes what the calendar
    invitation of accepted invitees spans (ics.builders.meeting_span): send them the update."""
    if version.number > 1:
        previous = db.session.scalar(sa.select(AgendaVersion.snapshot).where(
            AgendaVersion.convening_id == convening.id, AgendaVersion.number == version.number - 1))
        if meeting_span(convening, previous) == meeting_span(convening, version.snapshot):
            return 0
    return calendar_mail.notify_agenda_published(convening)


def _invitations_of(convening, person_ids: list[int]) -> dict[int, Invitation]:
    """person_id → their invitation to this convening (or, for a dialogue, to its conference)."""
    ids = convening.with_conference_ids
    found: dict[int, Invitation] = {}
    for invitation in db.session.scalars(sa.select(Invitation).where(
            Invitation.person_id.in_(person_ids), Invitation.convening_id.in_(ids))):
        if invitation.person_id not in found or invitation.convening_id == convening.id:
            found[invitation.person_id] = invitation
    return found


def _links_for(person: Person, invitation: Invitation | None) -> tuple[str, str]:
    """(page token, webcal feed): the invitation's lasting links; a person named without one gets a feed."""
    if invitation is not None:
        return invitation_links.home_token(invitation), invitation_links.feed_urls(invitation)["webcal"]
    token = tokens.lasting("feed", person_id=person.id, convening_id=None)
    return token, links.feed(token, webcal=True)


def _message(convening, version: AgendaVersion, person: Person, entries: list[dict], token: str, feed: str,
             tz: ZoneInfo) -> RenderedMessage:
    """The change notice for one person, in their language: their changed sessions, agenda and feed links."""
    with language(attendee_language(person, convening)):
        return compose("agenda_change", convening, name=person.display_name, title=convening.title,
                       number=version.number, note=version.note, zone=tz.key,
                       changes=[change_view(e, person.id, tz) for e in entries],
                       agenda_link=links.my_agenda(token), feed_link=feed,
                       attribution=convening.attribution_display)
