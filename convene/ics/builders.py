"""Pure functions that build iCalendar bytes with the `icalendar` package (never by hand).

Two kinds of file come out of here:

* iTIP messages for e-mail (`convening_itip`): METHOD REQUEST or CANCEL, one VEVENT spanning the
  convening (`meeting_span`: the published agenda or the dates), with ORGANIZER and ATTENDEE (RFC 5546).
* Published agendas (`agenda_calendar`): METHOD:PUBLISH, one VEVENT per session, used for
  downloads, subscription feeds and the .ics attached to agenda-change e-mails.

Session times are written with the convening's TZID and a VTIMEZONE generated from zoneinfo
(`add_missing_timezones`), so clients show "09:00 Geneva" even across DST changes. All-day
items are DATE values. UIDs are the stored random uuids; they never change on edit.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterable, Sequence

from flask_babel import get_locale, gettext
from icalendar import Calendar, Event, Timezone, vCalAddress

from ..agenda.models import SessionKind, SessionRoleKind
from ..base.countries import country_name

PRODID = "-//Convene//Convene agenda//EN"
ITIP_METHODS = frozenset({"REQUEST", "CANCEL"})


class CalendarBuildError(ValueError):
    """A calendar could not be built from the data given (e.g. an unknown method)."""


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def _location_of(convening) -> str:
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


def agenda_span(snapshot: Iterable[dict]) -> tuple[datetime, datetime] | None:
    """First start and last end (aware UTC) of a published snapshot's timed, scheduled sessions, or None."""
    timed = [item for item in snapshot if item.get("status") == "scheduled" and not item.get("all_day")]
    if not timed:
        return None
    return (min(datetime.fromisoformat(item["starts_at"]) for item in timed),
            max(datetime.fromisoformat(item["ends_at"]) for item in timed))


def meeting_span(convening, snapshot: Iterable[dict] | None = None) -> tuple[datetime, datetime]:
    """What a calendar invitation to the convening spans, in its zone: the published agenda's first
    session to its last, else the start of the first day to the end of the last one. Never the
    draft: `snapshot` is the latest published version's (None before the first publication)."""
    tz = convening.zone
    span = agenda_span(snapshot or ())
    if span is not None:
        return span[0].astimezone(tz), span[1].astimezone(tz)
    return (datetime.combine(convening.starts_on, time.min, tzinfo=tz),
            datetime.combine(convening.ends_on + timedelta(days=1), time.min, tzinfo=tz))


def convening_itip(convening, person, *, method: str, sequence: int, organizer_email: str,
                   organizer_name: str, base_url: str, span: tuple[datetime, datetime]) -> bytes:
    """An iTIP REQUEST or CANCEL (RFC 5546) with one VEVENT over `span` (see meeting_span).

    Sent once the person has accepted through Convene, so the REQUEST says so: their ATTENDEE is
    PARTSTAT=ACCEPTED with RSVP=FALSE (no reply is asked for; the personal link is where answers
    change), and the event is OPAQUE (the days show as busy). Times carry the convening's TZID
    and its VTIMEZONE.
    """
    method = (method or "").upper()
    if method not in ITIP_METHODS:
        raise CalendarBuildError("The calendar method must be REQUEST or CANCEL.")
    description = "\n\n".join(p for p in (convening.description, convening.attribution_display,
                                          base_url.rstrip("/") + "/") if p)
    attendee = vCalAddress.new(person.email or "", cn=person.name, role="REQ-PARTICIPANT",
                               partstat="ACCEPTED" if method == "REQUEST" else None)
    attendee.params["RSVP"] = "FALSE"
    event = Event.new(
        uid=convening.ical_uid, sequence=sequence, summary=convening.title,
        start=span[0], end=span[1],
        stamp=datetime.now(timezone.utc), location=_location_of(convening) or None,
        description=description,
        organizer=vCalAddress.new(organizer_email, cn=organizer_name or None),
        attendees=[attendee],
        status="CANCELLED" if method == "CANCEL" else "CONFIRMED",
        transparency="OPAQUE",
    )
    cal = Calendar.new(prodid=PRODID, method=method, subcomponents=[event])
    return _finish(cal)


def session_event(session, convening, *, organizer_email: str, organizer_name: str, link: str,
                  stamp: datetime | None = None, organizer: vCalAddress | None = None,
                  location: str | None = None) -> Event:
    """One VEVENT for an agenda session (DATE values when all-day, TZID otherwise).

    Properties are added with `Component.add` (the path icalendar's own serialisation examples
    take); `Event.new` validates every argument through property setters, which doubled the cost
    of a 200-session calendar. `organizer` and `location` (the venue) may be passed in when the
    same values serve many events.
    """
    tz = convening.zone
    if session.all_day:
        start: date | datetime = session.starts_at.astimezone(tz).date()
        end: date | datetime = _exclusive_end_date(session.ends_at.astimezone(tz))
        end = max(end, start + timedelta(days=1))
    else:
        start = session.starts_at.astimezone(tz)
        end = session.ends_at.astimezone(tz)
    modified = _utc(session.updated_at or session.created_at)
    venue = _location_of(convening) if location is None else location
    where = ", ".join(p for p in (session.room, venue) if p)
    if organizer is None and organizer_email:
        organizer = vCalAddress.new(organizer_email, cn=organizer_name or None)
    event = Event()
    event.add("summary", session.title)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("dtstamp", _utc(stamp) if stamp else modified)
    event.add("uid", session.uid)
    event.add("sequence", session.ical_sequence)
    event.add("categories", [_kind_label(session.kind)])
    event.add("description", _session_description(session, convening, link))
    event.add("last-modified", modified)
    if where:
        event.add("location", where)
    if organizer is not None:
        event.add("organizer", organizer)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    event.add("url", link)
    return event


def _exclusive_end_date(local_end: datetime) -> date:
    """DTEND of a DATE event is exclusive: an end at 00:00 stays, any later time rounds up."""
    if local_end.time() == datetime.min.time():
        return local_end.date()
    return local_end.date() + timedelta(days=1)


def _language() -> str:
    """The language the calendar is written in: the request's or the message's (English outside both)."""
    return str(get_locale() or "en")


@lru_cache(maxsize=8)
def _labels_in(language: str) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Session kind labels and role kinds in display order, in `language` (read once per language,
    not once per event; the caller is inside that language)."""
    return ({k.value: str(k.display) for k in SessionKind},
            tuple((k.value, str(k.display)) for k in SessionRoleKind))


def _labels() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    return _labels_in(_language())


def _kind_label(kind: str) -> str:
    return _labels()[0].get(kind, kind)


def _session_location(session, convening) -> str:
    venue = _location_of(convening)
    return ", ".join(p for p in (session.room, venue) if p)


def _session_description(session, convening, link: str) -> str:
    """Agenda text, roles, the attribution rule and a link back to the agenda."""
    lines: list[str] = []
    if session.cancelled:
        lines.append(gettext("CANCELLED."))
    if session.description:
        lines.append(session.description)
    roles = _roles_text(session)
    if roles:
        lines.append(roles)
    if convening.attribution.strips_names:
        lines.append(convening.attribution_display)
    lines.append(gettext("Agenda: %(link)s", link=link))
    return "\n\n".join(lines)


def _roles_text(session) -> str:
    by_role: dict[str, list[str]] = {}
    for role in session.roles:
        by_role.setdefault(role.role, []).append(role.person.display_name)
    if not by_role:
        return ""
    return "\n".join(f"{label}: {', '.join(by_role[value])}" for value, label in _labels()[1] if value in by_role)


def agenda_calendar(convening, sessions: Iterable, **kwargs) -> bytes:
    """A METHOD:PUBLISH calendar of one convening's sessions (see sessions_calendar)."""
    return sessions_calendar([(convening, list(sessions))], **kwargs)


def sessions_calendar(groups: Sequence[tuple[object, Sequence]], *, name: str, organizer_email: str,
                      organizer_name: str, link_for, stamp: datetime | None = None,
                      method: str | None = "PUBLISH", refresh: timedelta | None = None) -> bytes:
    """A METHOD:PUBLISH calendar of sessions of one or more convenings: groups = [(convening, sessions)].

    `link_for(session)` gives each one's absolute link. With `stamp=None` each DTSTAMP is the
    session's last modification, so the same data always gives the same bytes (feeds can use
    ETags); e-mailed files pass the sending time. Each VEVENT comes from `_event_piece`, which
    serialises a given event once and reuses its bytes; the bytes are exactly those of one
    icalendar Calendar holding the VTIMEZONEs and then the events (tested).
    """
    organizer = vCalAddress.new(organizer_email, cn=organizer_name or None) if organizer_email else None
    pieces: list[bytes] = []
    tzids: set[str] = set()
    years: set[int] = set()
    for convening, sessions in groups:
        venue = _location_of(convening)  # once per convening, not once per session
        tzid = None
        for s in sessions:
            piece = _event_piece(s, convening, organizer_email=organizer_email, organizer_name=organizer_name,
                                 link=link_for(s), stamp=stamp, organizer=organizer, location=venue)
            years.update(piece.years)
            if tzid is None and not s.all_day:
                tzid = piece.tzid
            pieces.append(piece.data)
        if tzid:
            tzids.add(tzid)
    cal = Calendar.new(prodid=PRODID, method=method, name=name, refresh_interval=refresh)
    cal.pop("UID", None)  # Calendar.new adds a random UID: the same data must give the same bytes
    years = years or {datetime.now(timezone.utc).year}
    first, last = date(min(years) - 1, 1, 1), date(max(years) + 2, 1, 1)  # as _span: see there why
    timezones = [_vtimezone_bytes(tzid, first, last) for tzid in sorted(tzids - {"UTC"})]
    head = cal.to_ical()  # BEGIN:VCALENDAR, its properties, END:VCALENDAR: the parts go before the end
    return b"".join((head.removesuffix(_END), *timezones, *pieces, _END))


_END = b"END:VCALENDAR\r\n"


@dataclass(frozen=True, slots=True)
class _Piece:
    """A serialised VEVENT, with what the calendar around it needs to know of it."""

    data: bytes
    years: tuple[int, int]
    tzid: str | None


#: Serialised VEVENTs by everything that goes into them. Serialising events is most of a
#: calendar's cost, and the same events are asked for again and again: by every file and feed
#: that shows a session, by each person's feed, and after a change that touched other sessions.
_PIECES: OrderedDict[tuple, _Piece] = OrderedDict()
_PIECES_MAX = 8192
_PIECES_LOCK = threading.Lock()


def _event_piece(s, convening, *, organizer_email: str, organizer_name: str, link: str, stamp, organizer,
                 location: str) -> _Piece:
    """session_event's bytes for this session, serialised once per distinct content."""
    key = (s.uid, s.title, s.starts_at, s.ends_at, s.all_day, convening.timezone, s.updated_at or s.created_at,
           stamp, s.room, location, s.ical_sequence, s.kind, s.cancelled, s.description, _roles_text(s),
           convening.attribution.strips_names, convening.attribution_rule, organizer_email, organizer_name, link,
           _language())
    with _PIECES_LOCK:
        piece = _PIECES.get(key)
        if piece is not None:
            _PIECES.move_to_end(key)
            return piece
    event = session_event(s, convening, organizer_email=organizer_email, organizer_name=organizer_name, link=link,
                          stamp=stamp, organizer=organizer, location=location)
    start, end = event["DTSTART"], event["DTEND"]
    piece = _Piece(event.to_ical(), (start.dt.year, end.dt.year), start.params.get("TZID"))
    with _PIECES_LOCK:
        _PIECES[key] = piece
        if len(_PIECES) > _PIECES_MAX:
            _PIECES.popitem(last=False)
    return piece


@lru_cache(maxsize=64)
def _vtimezone_bytes(tzid: str, first: date, last: date) -> bytes:
    """The serialised VTIMEZONE for tzid over [first, last]: generating one from zoneinfo walks every
    transition of the span, and feeds and exports ask for the same few again and again."""
    try:
        return Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()
    except ValueError:  # pragma: no cover - zoneinfo knows every name we accept
        raise CalendarBuildError(f"No VTIMEZONE could be generated for {tzid}.") from None
