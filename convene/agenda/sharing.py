"""How the agenda reaches people: the public page switch, the convening's shared calendar feed,
an attendee's own subscription, and the version an attendee has seen. Each change is audited
here; the views only answer."""
from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa

from ..audit.services import record
from ..convenings.models import Convening
from ..extensions import db
from ..invitations import links as invitation_links
from ..people.models import Person
from ..tokens import services as tokens
from . import links
from .models import AgendaSeen, AgendaSettings, AgendaVersion


#: How an attendee's own changes are described in the audit trail.
VIA_LINK = "attendee via personal link"


def set_public(convening: Convening, public: bool, actor) -> AgendaSettings:
    """Switch the public agenda page on or off (audited when it changes)."""
    settings = db.session.get(AgendaSettings, convening.id)
    if settings is None:
        settings = AgendaSettings(convening_id=convening.id)
        db.session.add(settings)
    if settings.public != public:
        record("agenda.settings", convening, actor=actor, changes={"public_agenda": [settings.public, public]})
        settings.public = public
    return settings


def issue_convening_feed(convening: Convening, actor) -> str:
    """A new shared calendar feed link of the convening (the earlier one stops); the raw secret."""
    raw = tokens.issue("feed", convening_id=convening.id, person_id=None)
    record("agenda.feed_issue", convening, actor=actor, changes={"feed": [None, "issued"]})
    return raw


def revoke_convening_feed(convening: Convening, actor) -> int:
    """Switch the convening's shared calendar feed link off; how many links stopped."""
    revoked = tokens.revoke("feed", convening_id=convening.id, person_id=None)
    record("agenda.feed_revoke", convening, actor=actor, changes={"revoked": [None, revoked]})
    return revoked


def subscription(person: Person, invitation, token: str, *, renew: bool) -> dict[str, str]:
    """{'https', 'webcal', 'agenda_url'} of the attendee's calendar subscription.

    Through an invitation's link it is the same address each time (renew replaces it); through a
    person-wide feed link a new address is issued, the only way to show one.
    """
    if invitation is not None:
        urls = (invitation_links.renew_feed if renew else invitation_links.feed_urls)(invitation)
        if renew:
            record("agenda.feed_renew", person, actor_label=VIA_LINK, changes={"feed": [None, "renewed"]})
        return {**urls, "agenda_url": links.my_agenda(token)}
    raw = tokens.issue("feed", person_id=person.id, convening_id=None)
    record("agenda.feed_issue", person, actor_label=VIA_LINK, changes={"feed": [None, "issued"]})
    return {"https": links.feed(raw), "webcal": links.feed(raw, webcal=True), "agenda_url": links.my_agenda(raw)}


def unsubscribe(person: Person) -> int:
    """Revoke every calendar link of the person; how many stopped."""
    revoked = tokens.revoke("feed", person_id=person.id)
    record("agenda.feed_revoke", person, actor_label=VIA_LINK, changes={"revoked": [None, revoked]})
    return revoked


def mark_seen(person: Person, shown: Iterable[tuple[Convening, AgendaVersion]]) -> None:
    """Remember, per convening, the published version the person has now seen."""
    for convening, version in shown:
        seen = db.session.scalar(sa.select(AgendaSeen).where(
            AgendaSeen.person_id == person.id, AgendaSeen.convening_id == convening.id))
        if seen is None:
            db.session.add(AgendaSeen(person_id=person.id, convening_id=convening.id, version_number=version.number))
        else:
            seen.version_number = version.number
