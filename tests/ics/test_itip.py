"""The iTIP invitation calendar other areas e-mail (contract: convening_itip over meeting_span).

Parsed back with the icalendar library, then held to RFC 5545/5546: an attendee who accepted is
PARTSTAT=ACCEPTED and asked for no reply (RSVP=FALSE), the event is OPAQUE (busy), and it spans
the convening's days in its zone, or the published agenda's first to last session.
"""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from convene.ics.builders import CalendarBuildError, agenda_span, convening_itip, meeting_span


def build(convening, person, method="REQUEST", sequence=0, snapshot=None):
    return convening_itip(convening, person, method=method, sequence=sequence,
                          organizer_email="organizers@example.org", organizer_name="The Organizers",
                          base_url="https://convene.example.org", span=meeting_span(convening, snapshot))


def item(start, end, status="scheduled", all_day=False):
    return {"starts_at": start.isoformat(), "ends_at": end.isoformat(), "status": status, "all_day": all_day}


def test_request_is_accepted_asks_no_reply_is_busy_and_spans_the_days(make):
    convening = make.convening(title="Atrocity prevention; a dialogue, 2031", starts_on=date(2031, 10, 17),
                               ends_on=date(2031, 10, 19), venue="Airlie", city="Warrenton", country="US",
                               timezone="America/New_York")
    person = make.person(name="Ngozi Okafor-Łukasik", email="ngozi@example.org")
    data = build(convening, person, sequence=3)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    cal = Calendar.from_ical(data)
    assert cal["METHOD"] == "REQUEST"
    assert cal.get_missing_tzids() == set() and "UID" not in cal
    [event] = cal.events
    assert str(event["UID"]) == convening.ical_uid
    assert event["SEQUENCE"] == 3
    assert str(event["SUMMARY"]) == "Atrocity prevention; a dialogue, 2031"
    # Start of the first day to the end of the last, in the convening's zone (three whole days, busy).
    zone = ZoneInfo("America/New_York")
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == datetime(2031, 10, 17, tzinfo=zone)
    assert event.decoded("DTEND") == datetime(2031, 10, 20, tzinfo=zone)
    assert str(event["TRANSP"]) == "OPAQUE"
    assert event["DTSTAMP"].dt.utcoffset().total_seconds() == 0
    assert str(event["ORGANIZER"]) == "mailto:organizers@example.org"
    assert event["ORGANIZER"].params["CN"] == "The Organizers"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ngozi@example.org"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"
    assert attendee.params["CN"] == "Ngozi Okafor-Łukasik"
    assert "Airlie" in str(event["LOCATION"])
    assert "https://convene.example.org/" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert b"PARTSTAT=NEEDS-ACTION" not in data and b"RSVP=TRUE" not in data and b"TRANSPARENT" not in data


def test_cancel_keeps_uid_and_marks_cancelled(make):
    convening = make.convening()
    person = make.person()
    cal = Calendar.from_ical(build(convening, person, method="cancel", sequence=4))
    assert cal["METHOD"] == "CANCEL"
    [event] = cal.events
    assert str(event["UID"]) == convening.ical_uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 4
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"


@pytest.mark.sqlite_only
def test_unknown_method_is_refused(make):
    with pytest.raises(CalendarBuildError):
        build(make.convening(), make.person(), method="PUBLISH")


def test_published_agenda_gives_the_span_and_cancelled_or_all_day_items_do_not(make):
    """With a published snapshot, the invitation runs from its first timed session to its last."""
    convening = make.convening(timezone="America/New_York", starts_on=date(2030, 10, 16), ends_on=date(2030, 10, 19))
    utc = timezone.utc
    snapshot = [item(datetime(2030, 10, 16, 22, 30, tzinfo=utc), datetime(2030, 10, 17, 1, tzinfo=utc)),
                item(datetime(2030, 10, 18, 14, tzinfo=utc), datetime(2030, 10, 18, 16, 15, tzinfo=utc)),
                item(datetime(2030, 10, 18, 17, tzinfo=utc), datetime(2030, 10, 18, 19, tzinfo=utc), "cancelled"),
                item(datetime(2030, 10, 19, 4, tzinfo=utc), datetime(2030, 10, 20, 4, tzinfo=utc), all_day=True)]
    cal = Calendar.from_ical(build(convening, make.person(), sequence=2, snapshot=snapshot))
    event = cal.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert (event.decoded("DTSTART").hour, event.decoded("DTSTART").minute) == (18, 30)
    assert event.decoded("DTEND").astimezone(utc) == datetime(2030, 10, 18, 16, 15, tzinfo=utc)
    assert cal.get_missing_tzids() == set()
    # Nothing timed and scheduled: the convening's days.
    assert agenda_span(snapshot[2:]) is None
    assert meeting_span(convening, snapshot[2:]) == meeting_span(convening, None)
