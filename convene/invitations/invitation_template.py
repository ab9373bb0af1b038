"""The organizer-edited invitation: placeholders, the default wording, one text per language,
checking, saving, choosing each invitee's text and filling it in."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import sqlalchemy as sa
from flask_babel import gettext

from ..base.countries import local_country_name
from ..convenings.models import Convening
from ..extensions import db
from ..i18n.locale import DEFAULT as DEFAULT_LANGUAGE, LANGUAGES, attendee_language, language, supported
from ..messages import services as editable
from ..messages.kinds import KINDS
from ..messages.models import MessageText
from ..messages.rules import ANSWER_EXAMPLES, ANSWER_WORDS, asks_for_answer, placeholder_problems  # noqa: F401
from ..people.models import Person
from ..templating import date_range, long_date
from .lifecycle import InvitationError
from .models import Invitation

#: The invitation as one kind of editable message (messages.kinds): its placeholders, checks and storage
#: are that area's; this module adds what only the invitation has (a text per language that falls back
#: to the convening's default text, the fallback notices, filling it in with the invitee's values).
KIND = KINDS["invitation"]
PLACEHOLDERS = tuple(KIND.placeholders)
DEFAULT_SUBJECT = editable.INVITATION_SUBJECT
DEFAULT_BODY = editable.INVITATION_BODY
#: The language of the default wording above.
DEFAULT_WORDING_LANGUAGE = "en"
#: What other modules called the invitation's text (one row of messages.models.MessageText).
InvitationTemplate = MessageText


def template_problems(text: str, placeholders: Iterable[str] = PLACEHOLDERS) -> list[str]:
    """What is wrong with the placeholders of a subject or body (empty when it can be used); the invitation's
    placeholders unless others are given. The rule itself is messages.rules.placeholder_problems."""
    return placeholder_problems(text, placeholders)


def default_language(convening: Convening) -> str:
    """The language of the convening's default text: its default language (inherited from its conference
    or series), else English."""
    return supported(convening.language) or DEFAULT_LANGUAGE


def invitee_language(person: Person, convening: Convening) -> str:
    """The language an invitee reads: their own choice, else the convening's, else English."""
    return attendee_language(person, convening)


def saved_templates(convening: Convening) -> dict[str, MessageText]:
    """The invitation texts its readers may get, by language: the convening's own, else its series' (one query)."""
    scopes = editable.scopes_of(KIND, convening)
    found: dict[str, MessageText] = {}
    for text in sorted(editable.saved_texts(scopes, [KIND.name]), key=lambda t: scopes.index(t.scope), reverse=True):
        found[text.language] = text
    return found


def _default_text(convening: Convening, saved: dict[str, MessageText]) -> MessageText:
    """The text of the convening's default language, else the English one, else the default wording (unsaved)."""
    return (saved.get(default_language(convening)) or saved.get(DEFAULT_LANGUAGE)
            or editable.new_text(KIND, DEFAULT_WORDING_LANGUAGE, convening=convening,
                              subject=DEFAULT_SUBJECT, body=DEFAULT_BODY))


def texts_by_language(convening: Convening) -> dict[str, MessageText]:
    """The text each language's readers receive: their language's, else the convening's default text.

    A text's own `language` says which it is: a reader of 'fr' given a text whose language is 'en'
    gets the fallback.
    """
    saved = saved_templates(convening)
    fallback = _default_text(convening, saved)
    return {code: saved.get(code, fallback) for code in LANGUAGES}


def template_for(convening: Convening, language: str | None = None) -> MessageText:
    """The convening's own text for `language` (default: the convening's default language), or an unsaved one
    holding the text its readers would get meanwhile (the series' or the default text), to start from."""
    language = supported(language) or default_language(convening)
    saved = saved_templates(convening)
    own = saved.get(language)
    if own is not None and own.convening_id == convening.id:
        return own
    start = own or _default_text(convening, saved)
    return editable.new_text(KIND, language, convening=convening, subject=start.subject, body=start.body)


def save_template(convening: Convening, data: dict[str, Any], actor, language: str | None = None) -> MessageText:
    """Save one language's subject and body after checking them (messages.rules: placeholders, one-line subject
    that asks for an answer, {rsvp_link} in the body)."""
    language = supported(language) or default_language(convening)
    return editable.save_text(KIND, data, actor, language, convening=convening,
                              current=template_for(convening, language))


@dataclass
class Fallback:
    """Invitees whose language has no text of its own: they get the text in `given`."""

    language: str
    given: str
    names: list[str] = field(default_factory=list)

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES[self.language]

    @property
    def sentence(self) -> str:
        count, language, given = len(self.names), LANGUAGE_NAMES[self.language], LANGUAGE_NAMES[self.given]
        who = "1 invitee prefers" if count == 1 else f"{count} invitees prefer"
        return f"{who} {language}; there is no {language} text, they will get the {given} one."


#: Languages' English names, for the organizers' (English) screens.
LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish"}


def fallbacks(convening: Convening, statuses: Iterable[str]) -> list[Fallback]:
    """Invitees in `statuses` who would get another language's text, grouped by their language (two queries)."""
    texts = texts_by_language(convening)
    rows = db.session.execute(
        sa.select(Person.name, Person.preferred_language).join(Invitation, Invitation.person_id == Person.id)
        .where(Invitation.convening_id == convening.id, Invitation.status.in_(list(statuses)))
        .order_by(Person.name))
    found: dict[str, Fallback] = {}
    for name, preferred in rows:
        language = supported(preferred) or default_language(convening)
        text = texts[language]
        if text.language != language:
            found.setdefault(language, Fallback(language, text.language)).names.append(name)
    return [found[code] for code in LANGUAGES if code in found]


def venue_text(convening: Convening) -> str:
    parts = [convening.venue, convening.city, local_country_name(convening.country) if convening.country else ""]
    return ", ".join(p for p in parts if p) or gettext("a venue to be confirmed")


def placeholder_values(invitation: Invitation, rsvp_link: str) -> dict[str, str]:
    convening = invitation.convening
    return {
        "name": invitation.person.display_name,
        "convening": convening.title,
        "dates": date_range(convening.starts_on, convening.ends_on),
        "venue": venue_text(convening),
        "rsvp_link": rsvp_link,
        "reply_by": long_date(convening.reply_by) if convening.reply_by else gettext("as soon as possible"),
    }


def render_template_text(text: str, values: dict[str, str]) -> str:
    """Fill the placeholders (the text was checked: only known names, no attribute access)."""
    if template_problems(text):
        raise InvitationError(" ".join(template_problems(text)))
    return text.format_map(values)


def render_invitation(template: MessageText, invitation: Invitation, rsvp_link: str) -> tuple[str, str]:
    """(subject, body) of the invitation e-mail for one invitee, dates in the text's language."""
    with language(template.language):
        values = placeholder_values(invitation, rsvp_link)
        subject = " ".join(render_template_text(template.subject, values).split())
        return subject, render_template_text(template.body, values)
