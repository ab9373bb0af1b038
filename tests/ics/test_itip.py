"""The iTIP invitation calendar other areas e-mail (contract: convening_itip)."""
from datetime import date

import pytest
from icalendar import Calendar

from convene.ics.builders import CalendarBuildError, convening_itip


def build(convening, person, method="REQUEST", sequence=0):
    return convening_itip(convening, person, method=method, sequence=sequence,
                          organizer_email="organizers@example.org", organizer_name="The Organizers",
                          base_url="https://convene.example.org")


def test_request_parses_back_with_attendee_and_organizer(make):
    convening = make.convening(title="Atrocity prevention; a dialogue, 2031", starts_on=date(2031, 10, 17),
                               ends_on=date(2031, 10, 19), venue="Airlie", city="Warrenton", country="US")
    person = make.person(name="Ngozi Okafor-Łukasik", email="ngozi@example.org")
    data = build(convening, person, sequence=3)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    cal = Calendar.from_ical(data)
    assert cal["METHOD"] == "REQUEST"
    assert cal.get_missing_tzids() == set()
    [event] = cal.events
    assert str(event["UID"]) == convening.ical_uid
    assert event["SEQUENCE"] == 3
    assert str(event["SUMMARY"]) == "Atrocity prevention; a dialogue, 2031"
    assert event.start == date(2031, 10, 17)
    assert event.end == date(2031, 10, 20)  # DTEND of a DATE event is exclusive
    assert event["DTSTAMP"].dt.tzinfo is not None and event["DTSTAMP"].dt.utcoffset().total_seconds() == 0
    assert str(event["ORGANIZER"]) == "mailto:organizers@example.org"
    assert event["ORGANIZER"].params["CN"] == "The Organizers"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ngozi@example.org"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["CN"] == "Ngozi Okafor-Łukasik"
    assert "Airlie" in str(event["LOCATION"])
    assert "https://convene.example.org/" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_cancel_keeps_uid_and_marks_cancelled(make):
    convening = make.convening()
    person = make.person()
    cal = Calendar.from_ical(build(convening, person, method="cancel", sequence=4))
    assert cal["METHOD"] == "CANCEL"
    [event] = cal.events
    assert str(event["UID"]) == convening.ical_uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 4
    assert "RSVP" not in event["ATTENDEE"].params


@pytest.mark.sqlite_only
def test_unknown_method_is_refused(make):
    with pytest.raises(CalendarBuildError):
        build(make.convening(), make.person(), method="PUBLISH")


def test_itip_spans_the_agenda_in_the_convening_timezone(app, make):
    """With sessions, the invitation runs from the first session to the last, with TZID and VTIMEZONE."""
    from datetime import datetime, timezone as tz

    from icalendar import Calendar

    from convene.ics.builders import convening_itip

    convening = make.convening(timezone="America/New_York", starts_on=date(2030, 10, 16))
    make.agenda_session(convening, starts_at=datetime(2030, 10, 16, 22, 30, tzinfo=tz.utc),
                        ends_at=datetime(2030, 10, 17, 1, tzinfo=tz.utc))
    make.agenda_session(convening, starts_at=datetime(2030, 10, 18, 14, tzinfo=tz.utc),
                        ends_at=datetime(2030, 10, 18, 16, 15, tzinfo=tz.utc))
    make.agenda_session(convening, status="cancelled", starts_at=datetime(2030, 10, 18, 17, tzinfo=tz.utc),
                        ends_at=datetime(2030, 10, 18, 19, tzinfo=tz.utc))
    person = make.person()
    cal = Calendar.from_ical(convening_itip(convening, person, method="REQUEST", sequence=2,
                                            organizer_email="org@example.org", organizer_name="Org",
                                            base_url="http://localhost"))
    event = cal.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART").hour == 18 and event.decoded("DTSTART").minute == 30
    assert event.decoded("DTEND").astimezone(tz.utc) == datetime(2030, 10, 18, 16, 15, tzinfo=tz.utc)
    assert cal.get_missing_tzids() == set()
