"""What the edit pages show: each kind's state per language, and a text (written or the default) filled in
for one real recipient of the convening, or for a sample reader when there is none (series, site)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..convenings.brand import brand_for
from ..convenings.models import Convening
from ..db_types import utcnow
from ..extensions import db
from ..i18n.locale import LANGUAGES, language
from ..invitations.invitation_template import venue_text
from ..invitations.models import Invitation
from ..mail.wording import RenderedMessage
from ..people.models import Person
from ..templating import date_range, long_date
from ..urls import absolute_url
from .kinds import KINDS, Kind
from .models import MessageText
from .rules import MessageTextError
from .services import default_text, fill

#: Recipients offered in the preview chooser.
PREVIEW_CHOICES = 50
SAMPLE_NAME = "Dr Amina Diallo"
LEVEL_WORDS = {"convening": "this convening's text", "series": "the series' text", "site": "the site's text",
               "default": "default"}


@dataclass
class State:
    """Which text readers of one language get: 'convening', 'series', 'site' or 'default'."""

    kind: Kind
    language: str
    level: str

    @property
    def words(self) -> str:
        return LEVEL_WORDS[self.level]


def languages_of(kind: Kind) -> tuple[str, ...]:
    """The languages a kind is written in: every language for attendee messages, English for staff ones."""
    return tuple(LANGUAGES) if kind.to_attendees else ("en",)


def states(kinds: list[Kind], scopes: list[str], saved: list[MessageText]) -> dict[str, list[State]]:
    """kind → its state per language, from the texts saved at `scopes` (most specific first)."""
    found = {(t.kind, t.language, t.scope) for t in saved}
    result = {}
    for kind in kinds:
        result[kind.name] = []
        for code in languages_of(kind):
            scope = next((s for s in scopes if (kind.name, code, s) in found), None)
            result[kind.name].append(State(kind, code, scope.partition(":")[0] if scope else "default"))
    return result


def preview_choices(convening: Convening) -> list[Invitation]:
    """The first PREVIEW_CHOICES invitees (by name), to preview for (one query)."""
    return list(db.session.scalars(
        sa.select(Invitation).join(Person, Person.id == Invitation.person_id)
        .where(Invitation.convening_id == convening.id).options(joinedload(Invitation.person))
        .order_by(Person.name, Invitation.id).limit(PREVIEW_CHOICES)))


def sample_values(kind: Kind, convening: Convening | None, name: str) -> dict[str, str]:
    """Every placeholder's value for a preview, in the current language (examples where nothing is real)."""
    example = absolute_url("invitations.rsvp", token="EXAMPLE-LINK")
    start = convening.starts_on if convening is not None else date.today() + timedelta(days=60)
    end = convening.ends_on if convening is not None else start + timedelta(days=1)
    reply_by = convening.reply_by if convening is not None else start - timedelta(days=21)
    now = utcnow()
    values = {
        "name": name, "convening": convening.title if convening is not None else "Example convening",
        "dates": date_range(start, end), "venue": venue_text(convening) if convening is not None else "Geneva",
        "reply_by": long_date(reply_by) if reply_by else "", "rsvp_link": example, "link": example,
        "attribution": convening.attribution_display if convening is not None else "Chatham House Rule",
        "number": "2", "note": "", "zone": convening.zone.key if convening is not None else "Europe/Zurich",
        "changes": "- “Opening plenary” moved to 12 March at 10:00 (was 11 March at 10:00).",
        "agenda_link": example, "feed_link": example.replace("http", "webcal", 1), "sessions": "“Opening plenary”",
        "title": "Draft brief", "open_steps": "2", "date": now.strftime("%d %B %Y %H:%M"),
        "since": (now - timedelta(days=7)).strftime("%d %B %Y %H:%M"), "overdue_count": "1",
        "overdue": "- Publish the outcome brief — Amina Diallo, due 01 Mar 2031 (Example convening)",
        "progress_count": "0", "progress": "- none", "board_link": absolute_url("actions.board"),
    }
    return {p: values.get(p, "") for p in kind.placeholders}


def preview(kind: Kind, code: str, text: MessageText | None, *, convening: Convening | None = None,
            invitation: Invitation | None = None) -> RenderedMessage | str:
    """The message one reader of `code` would get with `text` (None: the default wording), signed with the
    look of the convening's series if it has one; a problem as text."""
    with language(code):
        if text is None:
            subject, body = default_text(kind, code)
            text = MessageText(kind=kind.name, language=code, scope="preview", subject=subject, body=body)
        name = invitation.person.display_name if invitation is not None else SAMPLE_NAME
        try:
            return fill(kind, text, sample_values(kind, convening, name), brand_for(convening))  # as readers get it
        except MessageTextError as error:  # the page shows what is wrong with the text
            return str(error)


def kinds_at(level: str) -> list[Kind]:
    return [kind for kind in KINDS.values() if level in kind.levels]
