"""'Add to Google Calendar / Outlook' links for one session (web compose pages, no file)."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

#: Long descriptions make URLs that some browsers and proxies refuse; the link back has the rest.
MAX_DETAILS = 1000


def _details(session, link: str) -> str:
    text = session.description or ""
    if len(text) > MAX_DETAILS:
        text = text[:MAX_DETAILS].rstrip() + "…"
    return f"{text}\n\n{link}".strip()


def _location(session, convening) -> str:
    return ", ".join(p for p in (session.room, convening.venue, convening.city) if p)


def google_link(session, convening, link: str) -> str:
    """calendar.google.com 'render?action=TEMPLATE' link; timed events in UTC, all-day as dates."""
    if session.all_day:
        tz = convening.zone
        start = session.starts_at.astimezone(tz).date()
        end = max(session.ends_at.astimezone(tz).date(), start + timedelta(days=1))
        dates = f"{start:%Y%m%d}/{end:%Y%m%d}"
    else:
        dates = f"{session.starts_at:%Y%m%dT%H%M%SZ}/{session.ends_at:%Y%m%dT%H%M%SZ}"
    query = {"action": "TEMPLATE", "text": session.title, "dates": dates, "details": _details(session, link),
             "location": _location(session, convening), "ctz": convening.timezone or "UTC"}
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_link(session, convening, link: str, *, office365: bool = False) -> str:
    """Outlook.com (or Microsoft 365) compose deeplink; times as UTC ISO 8601."""
    host = "outlook.office.com" if office365 else "outlook.live.com"
    query = {"path": "/calendar/action/compose", "rru": "addevent", "subject": session.title,
             "startdt": session.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "enddt": session.ends_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "body": _details(session, link), "location": _location(session, convening),
             "allday": "true" if session.all_day else "false"}
    return f"https://{host}/calendar/0/deeplink/compose?" + urlencode(query)


#: The names of those web calendars as their makers write them (product names: the same in every language).
WEB_CALENDAR_NAMES = {"google": "Google Calendar", "outlook": "Outlook.com", "microsoft365": "Microsoft 365"}

#: The web calendars offered beside the .ics file, by the name in their URL (/add/<name>).
WEB_CALENDARS = {
    "google": google_link,
    "outlook": outlook_link,
    "microsoft365": lambda session, convening, link: outlook_link(session, convening, link, office365=True),
}
