"""The attendee's agenda links in e-mails and calendar files, and the ORGANIZER of calendars."""
from __future__ import annotations

from email.utils import parseaddr

from flask import current_app

from .. import urls


def my_agenda(token: str, uid: str | None = None) -> str:
    return urls.absolute_url("agenda.my_agenda", token=token, _anchor=f"s-{uid}" if uid else None)


def feed(token: str, webcal: bool = False) -> str:
    url = urls.absolute_url("ics.feed", token=token)
    return urls.webcal(url) if webcal else url


def organizer() -> dict[str, str]:
    """ORGANIZER of published calendars: AGENDA_ORGANIZER_EMAIL/NAME, else the mail sender."""
    name, email = parseaddr(current_app.config.get("MAIL_SENDER", "Convene <convene@localhost>"))
    return {"organizer_email": current_app.config.get("AGENDA_ORGANIZER_EMAIL") or email,
            "organizer_name": current_app.config.get("AGENDA_ORGANIZER_NAME") or name or "Convene"}
