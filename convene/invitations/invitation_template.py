"""The organizer-edited invitation: placeholders, the default wording, one text per language,
checking, saving, choosing each invitee's text and filling it in."""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Iterable

import sqlalchemy as sa
from flask_babel import gettext

from ..audit.services import apply_changes, record
from ..base.countries import local_country_name
from ..convenings.models import Convening
from ..editing import check_version
from ..errors import StaleEdit
from ..extensions import db
from ..i18n.locale import DEFAULT as DEFAULT_LANGUAGE, LANGUAGES, attendee_language, language, supported
from ..people.models import Person
from ..templating import date_range, long_date
from .lifecycle import InvitationError
from .models import Invitation, InvitationTemplate

PLACEHOLDERS = ("name", "convening", "dates", "venue", "rsvp_link", "reply_by")
DEFAULT_SUBJECT = "Please reply by {reply_by}: invitation to {convening}"
DEFAULT_BODY = """Dear {name},

We would be honoured if you would join us for {convening}, {dates}, at {venue}.

Participation is by invitation only. Please let us know by {reply_by} whether you can attend, using your personal link:

{rsvp_link}

The same page shows the attribution rule of the meeting, lets you confirm the details we hold about you and, if you cannot attend, propose a colleague in your place. The link is personal to you: please do not forward it.

With best regards,
The organizers"""
#: The language of the default wording above.
DEFAULT_WORDING_LANGUAGE = "en"
#: Words (or beginnings of words) one of which a subject must contain so that it reads as needing
#: an answer, per language; {reply_by} counts in every language.
ANSWER_WORDS = {
    "en": ("reply", "respond", "rsvp", "answer"),
    "fr": ("répon", "repon", "rsvp", "confirm"),
    "es": ("respon", "respuesta", "contest", "rsvp", "confirm"),
}
#: What the subject check suggests, per language.
ANSWER_EXAMPLES = {
    "en": "“Please reply by {reply_by}: …”",
    "fr": "“Merci de répondre avant le {reply_by} : …”",
    "es": "“Le rogamos responder antes del {reply_by}: …”",
}


def template_problems(text: str) -> list[str]:
    """What is wrong with the placeholders of a subject or body (empty when it can be used)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return ["A brace is not closed. Write placeholders as {name}; write {{ or }} for a literal brace."]
    problems = []
    for _, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        if field_name not in PLACEHOLDERS:
            shown = "{" + field_name + "}" if field_name else "{}"
            problems.append(f"Unknown placeholder {shown}. Use "
                            + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + ".")
        elif spec or conversion:
            problems.append(f"The placeholder {{{field_name}}} cannot carry a format; write it as {{{field_name}}}.")
    return problems


def default_language(convening: Convening) -> str:
    """The language of the convening's default text: its default language (inherited from its conference
    or series), else English."""
    return supported(convening.language) or DEFAULT_LANGUAGE


def invitee_language(person: Person, convening: Convening) -> str:
    """The language an invitee reads: their own choice, else the convening's, else English."""
    return attendee_language(person, convening)


def saved_templates(convening: Convening) -> dict[str, InvitationTemplate]:
    """The texts the organizers wrote for this convening, by language (one query)."""
    return {t.language: t for t in db.session.scalars(
        sa.select(InvitationTemplate).where(InvitationTemplate.convening_id == convening.id))}


def _default_text(convening: Convening, saved: dict[str, InvitationTemplate]) -> InvitationTemplate:
    """The text of the convening's default language, else the English one, else the default wording (unsaved)."""
    return (saved.get(default_language(convening)) or saved.get(DEFAULT_LANGUAGE)
            or InvitationTemplate(convening_id=convening.id, language=DEFAULT_WORDING_LANGUAGE,
                                  subject=DEFAULT_SUBJECT, body=DEFAULT_BODY))


def texts_by_language(convening: Convening) -> dict[str, InvitationTemplate]:
    """The text each language's readers receive: their language's, else the convening's default text.

    A text's own `language` says which it is: a reader of 'fr' given a text whose language is 'en'
    gets the fallback.
    """
    saved = saved_templates(convening)
    fallback = _default_text(convening, saved)
    return {code: saved.get(code, fallback) for code in LANGUAGES}


def template_for(convening: Convening, language: str | None = None) -> InvitationTemplate:
    """The text saved for `language` (default: the convening's default language), or an unsaved one
    holding the text its readers would get meanwhile (the default text), to start from."""
    language = supported(language) or default_language(convening)
    saved = saved_templates(convening)
    if language in saved:
        return saved[language]
    start = _default_text(convening, saved)
    return InvitationTemplate(convening_id=convening.id, language=language, subject=start.subject, body=start.body)


def save_template(convening: Convening, data: dict[str, Any], actor, language: str | None = None) -> InvitationTemplate:
    """Save one language's subject and body after checking their placeholders and that the subject asks for an answer."""
    language = supported(language) or default_language(convening)
    subject, body = " ".join((data.get("subject") or "").split()), (data.get("body") or "").replace("\r\n", "\n")
    problems = [f"Subject: {p}" for p in template_problems(subject)] + [f"Body: {p}" for p in template_problems(body)]
    if not asks_for_answer(subject, language):
        problems.append(f"Subject: say that an answer is needed, e.g. {ANSWER_EXAMPLES[language]}; "
                        "invitations that read like notices are overlooked.")
    if "{rsvp_link}" not in body:
        problems.append("Body: include {rsvp_link}, the invitee's personal link to answer.")
    if problems:
        raise InvitationError(" ".join(problems))
    template = template_for(convening, language)
    if template.id is not None:
        check_version(template, data.get("version"))
    else:  # a new language's text: everything in it is a change, even if copied from the default text
        template.subject, template.body = "", ""
    changes = apply_changes(template, {"subject": subject, "body": body}, ("subject", "body"))
    if changes:
        if template.id is None:
            _insert_first_text(template, convening, language)
        db.session.flush()
        record("invitation_template.save", template, actor=actor, changes=changes)
    return template


def _insert_first_text(template: InvitationTemplate, convening: Convening, language: str) -> None:
    """Insert a language's first text; when another organizer saved one meanwhile, a StaleEdit (409) with theirs.

    The unique (convening, language) row is the lock: the savepoint keeps the rest of the request's work.
    """
    if template in db.session:  # pending through a relationship: it must not be flushed before the savepoint
        db.session.expunge(template)
    try:
        with db.session.begin_nested():  # (flushes the request's other pending work first, outside the savepoint)
            db.session.add(template)
            db.session.flush()
    except sa.exc.IntegrityError:  # the savepoint's rollback has taken the unsaved row out of the session
        raise StaleEdit(saved_templates(convening).get(language)) from None


def asks_for_answer(subject: str, language: str) -> bool:
    """Whether a subject says an answer is needed, in its language (or English, or with {reply_by})."""
    words = ANSWER_WORDS.get(language, ()) + ANSWER_WORDS[DEFAULT_LANGUAGE] + ("{reply_by}",)
    return any(word in subject.lower() for word in words)


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


def render_invitation(template: InvitationTemplate, invitation: Invitation, rsvp_link: str) -> tuple[str, str]:
    """(subject, body) of the invitation e-mail for one invitee, dates in the text's language."""
    with language(template.language):
        values = placeholder_values(invitation, rsvp_link)
        subject = " ".join(render_template_text(template.subject, values).split())
        return subject, render_template_text(template.body, values)
