"""The yardstick and the calendar-file cases.

The yardstick is icalendar alone serialising the conference's 200 events (data loaded beforehand,
no database, no Flask): the floor any .ics export is compared with, and the unit every row of the
run is also expressed in, so runs on a fast and a slow CPU compare.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from convene.extensions import db

from .cases import publish_conference
from .run import MINIMAL_PATH, Row, measure_callable, measure_get, url_for_endpoint


def direct_icalendar(app, convening_id: int):
    """A function that serialises the same sessions with icalendar alone (data loaded beforehand)."""
    import icalendar

    from convene.models import AgendaSession, Convening, Person, SessionRole

    with app.app_context():
        convening = db.session.get(Convening, convening_id)
        sessions = db.session.execute(
            sa.select(AgendaSession.uid, AgendaSession.title, AgendaSession.starts_at, AgendaSession.ends_at,
                      AgendaSession.room, AgendaSession.description, AgendaSession.ical_sequence,
                      AgendaSession.status, AgendaSession.id)
            .where(AgendaSession.convening_id == convening_id).order_by(AgendaSession.starts_at)).all()
        speakers: dict[int, list[str]] = {}
        for session_id, name in db.session.execute(
                sa.select(SessionRole.session_id, Person.name).join(Person)
                .join(AgendaSession).where(AgendaSession.convening_id == convening_id)):
            speakers.setdefault(session_id, []).append(name)
        title, venue = convening.title, convening.venue
    stamp = datetime(2031, 1, 1, tzinfo=timezone.utc)

    def serialise() -> bytes:
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Convene//bench//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", title)
        for s in sessions:
            event = icalendar.Event()
            event.add("uid", s.uid)
            event.add("dtstamp", stamp)
            event.add("dtstart", s.starts_at)
            event.add("dtend", s.ends_at)
            event.add("summary", s.title)
            event.add("location", f"{s.room}, {venue}" if s.room else venue)
            people = speakers.get(s.id, [])
            event.add("description", s.description + ("\n\nSpeakers: " + ", ".join(people) if people else ""))
            event.add("sequence", s.ical_sequence)
            event.add("status", "CANCELLED" if s.status == "cancelled" else "CONFIRMED")
            calendar.add_component(event)
        return calendar.to_ical()

    return serialise, len(sessions)


def yardstick(app, shapes, *, backend: str, repeat: int, warmup: int) -> Row:
    """Measure the yardstick on this data set; its median is the unit of the run."""
    serialise, n_events = direct_icalendar(app, shapes.conference_id)
    reference = measure_callable(serialise, repeat=repeat, warmup=warmup)
    return Row(backend, "comparison", f"YARDSTICK: icalendar alone, the conference's {n_events} events",
               median_ms=reference.median, p95_ms=reference.p95, peak_kib=reference.peak_kib,
               size_kib=len(reference.body) / 1024, yardstick_ratio=1.0,
               note="no database, no Flask: the unit of this run's ratios")


def _move_venue(app, shapes):
    """A change a calendar must show: the conference's venue, alternated, through the app's service."""
    from convene.convenings.services import update_convening
    from convene.models import Convening, User

    state = {"n": 0}

    def change() -> None:
        state["n"] += 1
        with app.app_context():
            convening = db.session.get(Convening, shapes.conference_id)
            update_convening(convening, {"venue": f"Conference Centre, hall {state['n'] % 2 + 1}"},
                             actor=db.session.get(User, shapes.admin_id))
            db.session.commit()

    return change


def run_ics(app, clients, shapes, *, backend: str, repeat: int, warmup: int, yardstick_ms: float) -> list[Row]:
    """The public .ics of the 200-session agenda, as a calendar client meets it (anonymous)."""
    publish_conference(app, shapes)
    anonymous = clients[0]
    path = url_for_endpoint(app, "ics.public_agenda", slug=shapes.conference_slug)
    minimal = measure_get(app, anonymous, MINIMAL_PATH, repeat=repeat, warmup=warmup)
    minimal_row = Row(backend, "comparison", "minimal route (anonymous, in-process)", median_ms=minimal.median,
                      p95_ms=minimal.p95, queries=minimal.queries,
                      yardstick_ratio=minimal.median / yardstick_ms, note=f"GET {MINIMAL_PATH}")
    rows = [minimal_row]

    first = measure_get(app, anonymous, path, repeat=repeat, warmup=warmup, before_each=_move_venue(app, shapes))
    rows.append(_ics_row(backend, ".ics of the conference (200 sessions), first request after a change",
                         first, path, yardstick_ms, target=1.5 * yardstick_ms,
                         target_text="≤ 1.5× yardstick", check_events=True))
    repeat_measured = measure_get(app, anonymous, path, repeat=repeat, warmup=warmup)
    rows.append(_ics_row(backend, ".ics of the conference (200 sessions), repeat request, unchanged",
                         repeat_measured, path, yardstick_ms, target=3 * minimal.median,
                         target_text="≤ 3× minimal route"))
    etag = anonymous.get(path).headers.get("ETag")
    if etag:
        revalidated = measure_get(app, anonymous, path, repeat=repeat, warmup=warmup,
                                  headers={"If-None-Match": etag}, expect=304)
        rows.append(_ics_row(backend, ".ics revalidation (If-None-Match → 304)", revalidated, path, yardstick_ms,
                             target=3 * minimal.median, target_text="≤ 3× minimal route", expect=304))
    else:
        rows.append(Row(backend, "comparison", ".ics revalidation (If-None-Match → 304)", met=False,
                        target="≤ 3× minimal route", note=f"FAILED: GET {path} sends no ETag"))
    return rows


def _ics_row(backend, label, measured, path, yardstick_ms, *, target, target_text, check_events=False,
             expect=200) -> Row:
    row = Row(backend, "comparison", label, target=target_text)
    if measured.status != expect:
        row.met = False
        row.note = f"FAILED: GET {path} answered HTTP {measured.status}"
        return row
    row.median_ms, row.p95_ms, row.queries = measured.median, measured.p95, measured.queries
    row.peak_kib, row.size_kib = measured.peak_kib, len(measured.body) / 1024
    row.yardstick_ratio = measured.median / yardstick_ms
    row.met = measured.median <= target
    row.note = f"GET {path} (anonymous); target {target:.2f} ms"
    if check_events:
        import icalendar

        events = icalendar.Calendar.from_ical(measured.body).walk("VEVENT")
        row.note += f"; {len(events)} VEVENTs"
    return row


__all__ = ["yardstick", "run_ics", "direct_icalendar"]
