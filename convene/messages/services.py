"""Choosing, filling in, saving and resetting message texts.

A reader of language L gets, for a message about a convening: the convening's text in L, else its
series' text in L, else the default wording (the translated templates) in L. The staff digest has
one site-wide text per language instead. Texts are filled in per recipient, in the reader's language
(the caller renders inside `i18n.locale.language(...)`), and sent as plain text (plus HTML made from
it for the kinds whose default goes out as HTML).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from ..audit.services import apply_changes, record
from ..convenings.brand import brand_for
from ..convenings.models import Convening, Series
from ..editing import check_version
from ..errors import StaleEdit
from ..extensions import db
from ..i18n.locale import DEFAULT as DEFAULT_LANGUAGE, current_language, language, supported
from ..mail.wording import RenderedMessage, render_message, render_part, signed, text_as_html
from .kinds import KINDS, NUMBER_PLACEHOLDERS, NUMBER_SAMPLE, Kind
from .models import SITE, MessageText, scope_of
from .rules import MessageTextError, placeholder_problems, text_problems

#: The invitation's default wording (English; organizers write each language's own, see invitation_template).
INVITATION_SUBJECT = "Please reply by {reply_by}: invitation to {convening}"
INVITATION_BODY = """Dear {name},

We would be honoured if you would join us for {convening}, {dates}, at {venue}.

Participation is by invitation only. Please let us know by {reply_by} whether you can attend, using your personal link:

{rsvp_link}

The same page shows the attribution rule of the meeting, lets you confirm the details we hold about you and, if you cannot attend, propose a colleague in your place. The link is personal to you: please do not forward it.

With best regards,
The organizers"""


# --- where a text applies -------------------------------------------------------------------

def scopes_of(kind: Kind, convening: Convening | None) -> list[str]:
    """The scopes whose texts a message of `kind` about `convening` may use, most specific first."""
    if "site" in kind.levels:
        return [SITE]
    if convening is None:
        return []
    series_id = convening.series_id if convening.series_id is not None else (
        convening.parent.series_id if convening.parent is not None else None)
    return [scope_of(convening_id=convening.id)] + ([scope_of(series_id=series_id)] if series_id is not None else [])


def saved_texts(scopes: list[str], kinds: list[str] | None = None) -> list[MessageText]:
    """Every text written at these scopes (of these kinds), in one query."""
    if not scopes:
        return []
    query = sa.select(MessageText).where(MessageText.scope.in_(scopes))
    if kinds is not None:
        query = query.where(MessageText.kind.in_(kinds))
    return list(db.session.scalars(query.order_by(MessageText.id)))


def chosen_text(kind: Kind, convening: Convening | None, code: str) -> MessageText | None:
    """The text a reader of `code` gets (convening's, else series', else None for the default wording)."""
    scopes = scopes_of(kind, convening)
    found = {t.scope: t for t in saved_texts(scopes, [kind.name]) if t.language == code}
    return next((found[s] for s in scopes if s in found), None)


def text_at(kind: Kind, scope: str, code: str) -> MessageText | None:
    """The text written at exactly this scope and language, if any."""
    return db.session.scalar(sa.select(MessageText).where(
        MessageText.kind == kind.name, MessageText.language == code, MessageText.scope == scope))


# --- the default wording with {placeholders} --------------------------------------------------

def default_text(kind: Kind, code: str) -> tuple[str, str]:
    """(subject, body) of the default wording in `code`, its values shown as {placeholders}: what a new text
    starts from. The invitation's is English whatever `code` (organizers write each language's)."""
    if kind.name == "invitation":
        return INVITATION_SUBJECT, INVITATION_BODY
    values: dict[str, Any] = {kind.value_key(p): "{" + p + "}" for p in kind.placeholders}
    values.update({kind.value_key(p): NUMBER_SAMPLE for p in kind.placeholders if p in NUMBER_PLACEHOLDERS})
    with language(code):
        words = render_message(kind.template, **{**values, **kind.sample})
    number = str(NUMBER_SAMPLE)
    subject, body = (part.replace(number, "{" + next(iter(NUMBER_PLACEHOLDERS & set(kind.placeholders)), "") + "}")
                     if number in part else part for part in (words.subject, words.text.strip("\n")))
    return subject, body


# --- filling in -----------------------------------------------------------------------------

def placeholder_values(kind: Kind, context: dict[str, Any]) -> dict[str, str]:
    """The placeholders' values from what the sender passes its message (lists rendered as the default's
    lines), in the current language."""
    values = {}
    for placeholder in kind.placeholders:
        if placeholder in kind.blocks:
            values[placeholder] = render_part(kind.blocks[placeholder], **context).strip("\n")
            continue
        value = context.get(kind.value_key(placeholder))
        values[placeholder] = "" if value is None else str(value)
    if "reply_by" in values and not values["reply_by"]:
        values["reply_by"] = gettext("as soon as possible")
    return values


def fill(kind: Kind, text: MessageText, values: dict[str, str], brand=None) -> RenderedMessage:
    """A written text filled in: one-line subject, plain body (signed with the series' look, if any),
    HTML made from it where the kind has HTML."""
    problems = (placeholder_problems(text.subject, kind.placeholders)
                + placeholder_problems(text.body, kind.placeholders))
    if problems:
        raise MessageTextError(" ".join(problems))
    subject = " ".join(text.subject.format_map(values).split())
    body = signed(text.body.format_map(values), brand)
    html = text_as_html(body, values.get(kind.html_link), brand) if kind.html_link else None
    return RenderedMessage(subject, body, html)


def compose(message: str, convening: Convening | None, /, **context) -> RenderedMessage:
    """The words of one message to one reader, in the current language (call it inside
    `i18n.locale.language(...)`): the text written for the convening or its series, else the default,
    in the look of the convening's series (its signature and name; none without a look)."""
    kind = KINDS.get(message)
    brand = brand_for(convening)
    if kind is None or kind.name == "invitation":  # the invitation is filled in by invitations/invitation_template
        return render_message(message, brand=brand, **context)
    text = chosen_text(kind, convening, current_language())
    if text is None:
        return render_message(kind.template, brand=brand, **context)
    return fill(kind, text, placeholder_values(kind, context), brand)


# --- saving and resetting -------------------------------------------------------------------

def owner_scope(kind: Kind, convening: Convening | None = None, series: Series | None = None) -> str:
    """The scope a page edits; MessageTextError when the kind has no text at that level."""
    level = "convening" if convening is not None else "series" if series is not None else "site"
    if level not in kind.levels:
        where = {"convening": "a convening", "series": "a series", "site": "the whole site"}[level]
        raise MessageTextError(f"The {kind.label.lower()} has no text of its own for {where}.")
    return scope_of(getattr(convening, "id", None), getattr(series, "id", None) if convening is None else None)


def save_text(kind: Kind, data: dict[str, Any], actor, code: str, *, convening: Convening | None = None,
              series: Series | None = None, current: MessageText | None = None) -> MessageText:
    """Check and save one language's text of `kind` at the convening's, series' or site level.

    `current` is the text the form was opened on (unsaved when none was written): a version
    that moved meanwhile, or a first text another organizer saved meanwhile, is a StaleEdit.
    """
    code = supported(code) or DEFAULT_LANGUAGE
    scope = owner_scope(kind, convening, series)
    raw_subject, body = data.get("subject") or "", (data.get("body") or "").replace("\r\n", "\n")
    problems = text_problems(kind, raw_subject, body, code)
    if problems:
        raise MessageTextError(" ".join(problems))
    subject = " ".join(raw_subject.split())
    text = current if current is not None else text_at(kind, scope, code)
    if text is not None and text.id is not None:
        check_version(text, data.get("version"))
    else:  # a first text: everything in it is a change, even if copied from the default wording
        text = new_text(kind, code, convening=convening, series=series)
    changes = apply_changes(text, {"subject": subject, "body": body}, ("subject", "body"))
    if changes:
        if text.id is None:
            _insert_first_text(text, kind, scope, code)
        db.session.flush()
        record("message_text.save", text, actor=actor,
               changes={**changes, "kind": [None, kind.name], "language": [None, code], "scope": [None, scope]})
    return text


def new_text(kind: Kind, code: str, *, convening: Convening | None = None, series: Series | None = None,
             subject: str = "", body: str = "") -> MessageText:
    """An unsaved text of `kind` at the convening's (else series', else site) level."""
    return MessageText(kind=kind.name, language=code, scope=owner_scope(kind, convening, series),
                       convening_id=getattr(convening, "id", None),
                       series_id=getattr(series, "id", None) if convening is None else None,
                       subject=subject, body=body)


def _insert_first_text(text: MessageText, kind: Kind, scope: str, code: str) -> None:
    """Insert a language's first text; when another organizer saved one meanwhile, a StaleEdit (409) with theirs.

    The unique (kind, language, scope) row is the lock: the savepoint keeps the rest of the request's work.
    """
    if text in db.session:  # pending through a relationship: it must not be flushed before the savepoint
        db.session.expunge(text)
    try:
        with db.session.begin_nested():  # (flushes the request's other pending work first, outside the savepoint)
            db.session.add(text)
            db.session.flush()
    except sa.exc.IntegrityError:  # the savepoint's rollback has taken the unsaved row out of the session
        raise StaleEdit(text_at(kind, scope, code)) from None


def reset_text(kind: Kind, code: str, actor, *, convening: Convening | None = None,
               series: Series | None = None) -> bool:
    """Delete the text written at this level and language (readers get the next level's, or the default);
    False when there was none."""
    scope = owner_scope(kind, convening, series)
    text = text_at(kind, scope, supported(code) or DEFAULT_LANGUAGE)
    if text is None:
        return False
    record("message_text.reset", text, actor=actor,
           changes={"subject": [text.subject, None], "body": [text.body, None], "kind": [kind.name, None],
                    "language": [text.language, None], "scope": [scope, None]})
    db.session.delete(text)
    db.session.flush()
    return True
