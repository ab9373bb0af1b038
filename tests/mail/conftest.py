"""Helpers for the mail tests: a small iTIP calendar built with icalendar, and queue shortcuts."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar, Event, vCalAddress

from convene.extensions import db
from convene.mail.services import queue_message


def small_calendar(method: str = "REQUEST", uid: str | None = None, sequence: int = 0) -> bytes:
    """One VEVENT with METHOD, UID and SEQUENCE, as a mail test needs it."""
    cal = Calendar()
    cal.add("prodid", "-//Convene tests//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid or str(uuid.uuid4()))
    event.add("dtstamp", datetime.now(timezone.utc))
    start = datetime(2031, 3, 4, 14, 0, tzinfo=timezone.utc)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(hours=2))
    event.add("summary", "Roundtable on water — Genève")
    event.add("sequence", sequence)
    organizer = vCalAddress("mailto:convene@example.org")
    organizer.params["cn"] = "Convene"
    event.add("organizer", organizer)
    attendee = vCalAddress("mailto:ana@example.org")
    attendee.params["rsvp"] = "TRUE"
    event.add("attendee", attendee)
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    cal.add_component(event)
    return cal.to_ical()


@pytest.fixture
def queue(app):
    """queue(**overrides) queues one message and commits it."""
    counter = iter(range(1, 10**6))

    def do(**kw):
        n = next(counter)
        kw.setdefault("to_address", f"guest{n}@example.org")
        kw.setdefault("subject", f"Message {n}")
        kw.setdefault("text", f"Hello {n}")
        message = queue_message(**kw)
        db.session.commit()
        return message
    return do


@pytest.fixture
def configure(app):
    """configure(KEY=value, ...) changes the shared app's config for this test only."""
    saved: dict = {}
    missing = object()

    def do(**kw):
        for key, value in kw.items():
            saved.setdefault(key, app.config.get(key, missing))
            app.config[key] = value
    yield do
    for key, value in saved.items():
        if value is missing:
            app.config.pop(key, None)
        else:
            app.config[key] = value
