"""Pure functions that build iCalendar bytes with the `icalendar` package (never by hand).

Two kinds of file come out of here:

* iTIP messages for e-mail (`convening_itip`): METHOD REQUEST or CANCEL, one VEVENT for the
  whole convening, with ORGANIZER and ATTENDEE (RFC 5546).
* Published agendas (`agenda_calendar`): METHOD:PUBLISH, one VEVENT per session, used for
  downloads, subscription feeds and the .ics attached to agenda-change e-mails.

Session times are written with the convening's TZID and a VTIMEZONE generated from zoneinfo
(`add_missing_timezones`), so clients show "09:00 Geneva" even across DST changes. All-day
items are DATE values. UIDs are the stored random uuids; they never change on edit.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Convene//Convene agenda//EN"
ITIP_METHODS = frozenset({"REQUEST", "CANCEL"})


class CalendarBuildError(ValueError):
    """A calendar could not be built from the data given (e.g. an unknown method)."""


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def _zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def _location_of(convening) -> str:
    from ..diversity.countries import country_name

    parts = [convening.venue, convening.city, country_name(convening.country) if convening.country else ""]
    return ", ".join(p for p in parts if p)


def _span(cal: Calendar) -> tuple[date, date]:
    """1 January of the year before the first event to 1 January two years after the last.

    VTIMEZONE blocks then carry only the transitions that matter (short, and right for
    convenings after 2038, the library's default end).
    """
    years = [getattr(e.start, "year", None) for e in cal.events] + [getattr(e.end, "year", None) for e in cal.events]
    years = [y for y in years if y] or [datetime.now(timezone.utc).year]
    return date(min(years) - 1, 1, 1), date(max(years) + 2, 1, 1)


def _finish(cal: Calendar) -> bytes:
    """Add a VTIMEZONE for every TZID used and serialise (CRLF, folded, escaped by the library)."""
    # Calendar.new adds a random calendar UID; drop it so the same data always gives the same bytes.
    cal.pop("UID", None)
    first, last = _span(cal)
    cal.add_missing_timezones(first_date=first, last_date=last)
    missing = cal.get_missing_tzids()
    if missing:  # pragma: no cover - zoneinfo knows every name we accept
        raise CalendarBuildError(f"No VTIMEZONE could be generated for {', '.join(sorted(missing))}.")
    return cal.to_ical()


def convening_itip(convening, person, *, method: str, sequence: int, organizer_email: str,
                   organizer_name: str, base_url: str) -> bytes:
    """An iTIP REQUEST or CANCEL (RFC 5546) with one all-day VEVENT spanning the convening."""
    method = (method or "").upper()
    if method not in ITIP_METHODS:
        raise CalendarBuildError("The calendar method must be REQUEST or CANCEL.")
    description = "\n\n".join(p for p in (convening.description, convening.attribution_text,
                                          base_url.rstrip("/") + "/") if p)
    event = Event.new(
        uid=convening.ical_uid, sequence=sequence, summary=convening.title,
        start=convening.starts_on, end=convening.ends_on + timedelta(days=1),
        stamp=datetime.now(timezone.utc), location=_location_of(convening) or None,
        description=description,
        organizer=vCalAddress.new(organizer_email, cn=organizer_name or None),
        attendees=[vCalAddress.new(person.email or "", cn=person.name, role="REQ-PARTICIPANT",
                                   partstat="NEEDS-ACTION", rsvp=method == "REQUEST" or None)],
        status="CANCELLED" if method == "CANCEL" else "CONFIRMED",
        transparency="TRANSPARENT",
    )
    cal = Calendar.new(prodid=PRODID, method=method, subcomponents=[event])
    return _finish(cal)


def session_event(session, convening, *, organizer_email: str, organizer_name: str, link: str,
                  stamp: datetime | None = None) -> Event:
    """One VEVENT for an agenda session (DATE values when all-day, TZID otherwise)."""
    tz = _zone(convening.timezone)
    if session.all_day:
        start: date | datetime = session.starts_at.astimezone(tz).date()
        end: date | datetime = _exclusive_end_date(session.ends_at.astimezone(tz))
        end = max(end, start + timedelta(days=1))
    else:
        start = session.starts_at.astimezone(tz)
        end = session.ends_at.astimezone(tz)
    modified = _utc(session.updated_at or session.created_at)
    event = Event.new(
        uid=session.uid, sequence=session.ical_sequence, summary=session.title,
        start=start, end=end, stamp=_utc(stamp) if stamp else modified,
        last_modified=modified, location=_session_location(session, convening) or None,
        description=_session_description(session, convening, link), url=link,
        organizer=vCalAddress.new(organizer_email, cn=organizer_name or None) if organizer_email else None,
        status="CANCELLED" if session.cancelled else "CONFIRMED",
        categories=[_kind_label(session.kind)],
    )
    return event


def _exclusive_end_date(local_end: datetime) -> date:
    """DTEND of a DATE event is exclusive: an end at 00:00 stays, any later time rounds up."""
    if local_end.time() == datetime.min.time():
        return local_end.date()
    return local_end.date() + timedelta(days=1)


def _kind_label(kind: str) -> str:
    from ..agenda.models import SessionKind

    try:
        return SessionKind(kind).label
    except ValueError:
        return kind


def _session_location(session, convening) -> str:
    venue = _location_of(convening)
    return ", ".join(p for p in (session.room, venue) if p)


def _session_description(session, convening, link: str) -> str:
    """Agenda text, roles, the attribution rule and a link back to the agenda."""
    lines: list[str] = []
    if session.cancelled:
        lines.append("CANCELLED.")
    if session.description:
        lines.append(session.description)
    roles = _roles_text(session)
    if roles:
        lines.append(roles)
    if convening.attribution.strips_names:
        lines.append(convening.attribution_text)
    lines.append(f"Agenda: {link}")
    return "\n\n".join(lines)


def _roles_text(session) -> str:
    from ..agenda.models import SessionRoleKind

    by_role: dict[str, list[str]] = {}
    for role in session.roles:
        by_role.setdefault(role.role, []).append(role.person.display_name)
    out = []
    for kind in SessionRoleKind:
        if kind.value in by_role:
            out.append(f"{kind.label}: {', '.join(by_role[kind.value])}")
    return "\n".join(out)


def agenda_calendar(convening, sessions: Iterable, **kwargs) -> bytes:
    """A METHOD:PUBLISH calendar of one convening's sessions (see sessions_calendar)."""
    return sessions_calendar([(convening, list(sessions))], **kwargs)


def sessions_calendar(groups: Sequence[tuple[object, Sequence]], *, name: str, organizer_email: str,
                      organizer_name: str, link_for, stamp: datetime | None = None,
                      method: str | None = "PUBLISH", refresh: timedelta | None = None) -> bytes:
    """A METHOD:PUBLISH calendar of sessions of one or more convenings: groups = [(convening, sessions)].

    `link_for(session)` gives each one's absolute link. With `stamp=None` each DTSTAMP is the
    session's last modification, so the same data always gives the same bytes (feeds can use
    ETags); e-mailed files pass the sending time.
    """
    events = [session_event(s, conv, organizer_email=organizer_email, organizer_name=organizer_name,
                            link=link_for(s), stamp=stamp)
              for conv, sessions in groups for s in sessions]
    cal = Calendar.new(prodid=PRODID, method=method, name=name, subcomponents=events,
                       refresh_interval=refresh)
    return _finish(cal)
