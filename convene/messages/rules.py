"""The checks every written message text passes before it is saved (one home for the rule):
known placeholders only, balanced braces, a one-line subject of bounded length, the body's required
link, and for invitations and reminders a subject that says an answer is needed."""
from __future__ import annotations

import string
from typing import Iterable

from ..base.text import has_control_characters
from ..errors import DomainError
from ..i18n.locale import DEFAULT as DEFAULT_LANGUAGE
from .kinds import Kind

#: Longest subject that may be written (the filled-in subject must also fit the outbox's 500).
SUBJECT_MAX = 300
BODY_MAX = 20000

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


class MessageTextError(DomainError):
    """A message text that cannot be saved; the text lists every problem, for the organizer."""


def placeholder_problems(text: str, placeholders: Iterable[str]) -> list[str]:
    """What is wrong with the placeholders of a subject or body (empty when it can be used)."""
    placeholders = tuple(placeholders)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return ["A brace is not closed. Write placeholders as {name}; write {{ or }} for a literal brace."]
    problems = []
    for _, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        if field_name not in placeholders:
            shown = "{" + field_name + "}" if field_name else "{}"
            problems.append(f"Unknown placeholder {shown}. Use "
                            + ", ".join("{" + p + "}" for p in placeholders) + ".")
        elif spec or conversion:
            problems.append(f"The placeholder {{{field_name}}} cannot carry a format; write it as {{{field_name}}}.")
    return problems


def asks_for_answer(subject: str, language: str) -> bool:
    """Whether a subject says an answer is needed, in its language (or English, or with {reply_by})."""
    words = ANSWER_WORDS.get(language, ()) + ANSWER_WORDS[DEFAULT_LANGUAGE] + ("{reply_by}",)
    return any(word in subject.lower() for word in words)


def text_problems(kind: Kind, subject: str, body: str, language: str) -> list[str]:
    """Every problem of a subject and body written for `kind` in `language` (empty: it may be saved)."""
    problems = []
    if has_control_characters(subject):
        problems.append("Subject: write it on one line (no line breaks, tabs or other control characters).")
    subject = " ".join(subject.split())
    if not subject:
        problems.append("Subject: write a subject.")
    elif len(subject) > SUBJECT_MAX:
        problems.append(f"Subject: at most {SUBJECT_MAX} characters (it has {len(subject)}).")
    if not body.strip():
        problems.append("Body: write the message.")
    elif len(body) > BODY_MAX:
        problems.append(f"Body: at most {BODY_MAX} characters.")
    problems += [f"Subject: {p}" for p in placeholder_problems(subject, kind.placeholders)]
    problems += [f"Body: {p}" for p in placeholder_problems(body, kind.placeholders)]
    for block in kind.blocks:
        if "{" + block + "}" in subject:
            problems.append(f"Subject: {{{block}}} is a list of several lines; use it in the body.")
    if kind.asks_for_answer and subject and not asks_for_answer(subject, language):
        problems.append(f"Subject: say that an answer is needed, e.g. "
                        f"{ANSWER_EXAMPLES.get(language, ANSWER_EXAMPLES[DEFAULT_LANGUAGE])}; "
                        f"{kind.label.lower()}s that read like notices are overlooked.")
    for required in kind.required:
        if "{" + required + "}" not in body:
            problems.append(f"Body: include {{{required}}}, {kind.placeholders[required].removesuffix(' (required)')}.")
    return problems
