"""Absolute links for e-mails and calendar files, built from BASE_URL (no request needed)."""
from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app


def absolute(endpoint: str, anchor: str | None = None, **values) -> str:
    """BASE_URL + the route's path, so links are right in e-mails sent by a worker too."""
    base = current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    adapter = current_app.url_map.bind(urlsplit(base).netloc or "localhost")
    path = adapter.build(endpoint, values, force_external=False)
    return base + path + (f"#{anchor}" if anchor else "")


def my_agenda(token: str, uid: str | None = None) -> str:
    return absolute("agenda.my_agenda", token=token, anchor=f"s-{uid}" if uid else None)


def feed(token: str, webcal: bool = False) -> str:
    url = absolute("ics.feed", token=token)
    return "webcal://" + url.split("://", 1)[1] if webcal else url


def organizer() -> dict[str, str]:
    """ORGANIZER of published calendars: AGENDA_ORGANIZER_EMAIL/NAME, else the mail sender."""
    name, email = parseaddr(current_app.config.get("MAIL_SENDER", "Convene <convene@localhost>"))
    return {"organizer_email": current_app.config.get("AGENDA_ORGANIZER_EMAIL") or email,
            "organizer_name": current_app.config.get("AGENDA_ORGANIZER_NAME") or name or "Convene"}
