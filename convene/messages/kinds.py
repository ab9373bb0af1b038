"""The kinds of message organizers may reword: what each is, its placeholders (each with the line the
edit page shows), where a text of it may be written, and how its default wording is made.

The default wording stays the translated templates of templates/mail/messages/<template>/ (so every
catalog keeps working); a written text replaces the subject and body, in plain text with {placeholders}.
The invitation is the one kind whose default is not translated: organizers always write it
(invitations/invitation_template.py adds its own fallback between languages).
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Levels a text may be written at, most specific first.
CONVENING_LEVELS = ("convening", "series")
SITE_LEVELS = ("site",)

#: Values of the placeholders shared by the attendee messages.
_NAME = "the reader's name, with honorific"
_CONVENING = "the convening's title"
_DATES = "its dates, e.g. 17–19 October 2030"
_VENUE = "venue, city and country"
_REPLY_BY = "the reply-by date (“as soon as possible” when there is none)"
_RSVP_LINK = "the invitee's personal link"


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    #: When Convene sends it (one line on the Messages page).
    sent_when: str
    #: placeholder → what it becomes (shown on the edit page), in the order shown.
    placeholders: dict[str, str]
    #: The folder of its default wording under templates/mail/messages/.
    template: str = ""
    #: Where a text may be written: ("convening", "series") or ("site",).
    levels: tuple[str, ...] = CONVENING_LEVELS
    #: Placeholders the body must hold (the link the message exists for).
    required: tuple[str, ...] = ()
    #: The subject must say that an answer is needed (invitation, reminder).
    asks_for_answer: bool = False
    #: Also sent as HTML (paragraphs, this placeholder's value made clickable); None: plain text only.
    html_link: str | None = None
    #: placeholder → the key of the sender's values it is read from, where the two differ.
    source: dict[str, str] = field(default_factory=dict)
    #: placeholder → a part template (under templates/mail/messages/) rendering its value from the sender's values.
    blocks: dict[str, str] = field(default_factory=dict)
    #: Values the default templates need besides the placeholders, to show their wording with {placeholders}.
    sample: dict = field(default_factory=dict)
    #: Whether the messages of this kind go to attendees (their words are translated; else English only).
    to_attendees: bool = True

    def value_key(self, placeholder: str) -> str:
        return self.source.get(placeholder, placeholder)


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("invitation", "Invitation", "when organizers send the invitation from the guest list",
         {"name": _NAME, "convening": _CONVENING, "dates": _DATES, "venue": _VENUE,
          "rsvp_link": _RSVP_LINK + " to answer (required)", "reply_by": _REPLY_BY},
         template="invitation", required=("rsvp_link",), asks_for_answer=True, html_link="rsvp_link"),
    Kind("reminder", "Reminder", "to invitees who have not answered, by hand or on the reminder schedule",
         {"name": _NAME, "convening": _CONVENING, "dates": _DATES, "venue": _VENUE, "reply_by": _REPLY_BY,
          "rsvp_link": _RSVP_LINK + " to answer (required)"},
         template="reminder", required=("rsvp_link",), asks_for_answer=True, html_link="rsvp_link",
         source={"rsvp_link": "link"}),
    Kind("invitation_confirmed", "Confirmation", "when an invitee accepts (with the calendar invitation attached)",
         {"name": _NAME, "convening": _CONVENING, "dates": _DATES, "venue": _VENUE,
          "attribution": "the attribution rule, e.g. the Chatham House Rule",
          "rsvp_link": _RSVP_LINK + " to change the answer or details"},
         template="invitation_confirmed", html_link="rsvp_link", source={"convening": "title", "rsvp_link": "link"}),
    Kind("agenda_change", "Agenda notice", "when an agenda version is published, to the people it concerns",
         {"name": _NAME, "convening": _CONVENING, "number": "the agenda version's number",
          "note": "the publisher's note (may be empty)",
          "changes": "the list of the reader's changed sessions, one line each",
          "zone": "the convening's time zone", "agenda_link": "the reader's agenda (personal link)",
          "feed_link": "the calendar subscription link", "attribution": "the attribution rule"},
         template="agenda_change", source={"convening": "title"}, blocks={"changes": "agenda_change/_changes.txt"},
         sample={"changes_marker": "{changes}"}),
    Kind("notes_shared", "Notes shared", "when a rapporteur shares session notes for participants' review",
         {"name": _NAME, "convening": _CONVENING, "sessions": "the session whose notes were shared",
          "link": "the participant's personal link to the notes (required)"},
         template="notes_shared", required=("link",)),
    Kind("brief_review", "Review link", "when a draft brief is sent to participants for review",
         {"name": "the participant's name", "title": "the draft's title",
          "link": "the participant's personal link to the draft (required)"},
         template="brief_review", required=("link",)),
    Kind("owner_link", "Owner link", "when a next step's owner is sent their link to report progress",
         {"name": _NAME, "open_steps": "how many open next steps they own",
          "link": "their personal link to their next steps (required)"},
         template="owner_link", required=("link",), sample={"same_link": True}),
    Kind("staff_digest", "Staff digest", "to every staff member: overdue next steps and new progress, "
         "across all convenings (one site-wide text)",
         {"date": "when the digest is made", "overdue_count": "how many next steps are overdue",
          "overdue": "the overdue next steps, one line each",
          "progress_count": "how many progress notes are new", "progress": "the new progress notes, one line each",
          "since": "the previous digest's date", "board_link": "the follow-up board"},
         template="staff_digest", levels=SITE_LEVELS, to_attendees=False,
         blocks={"overdue": "staff_digest/_overdue.txt", "progress": "staff_digest/_progress.txt"},
         sample={"overdue_marker": "{overdue}", "progress_marker": "{progress}"}),
)}

#: Placeholders standing for numbers: the default wording is made with this number in their place
#: (plural forms need one), then the number is turned back into the placeholder.
NUMBER_SAMPLE = 7919
NUMBER_PLACEHOLDERS = frozenset({"open_steps"})


def kind_named(name: str) -> Kind | None:
    return KINDS.get(name)
