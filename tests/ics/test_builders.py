"""Calendar files parse back with icalendar and keep every property clients rely on."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar

from convene.agenda import versions
from convene.ics.builders import agenda_calendar

ORG = {"organizer_email": "agenda@example.org", "organizer_name": "Agenda team"}


def build(convening, sessions, stamp=None):
    return agenda_calendar(convening, sessions, name=convening.title, link_for=lambda s: f"https://x.test/a#{s.uid}",
                           stamp=stamp, **ORG)


def parse(data: bytes) -> Calendar:
    assert data.count(b"\r\n") >= data.count(b"\n")  # every line ends in CRLF
    for line in data.split(b"\r\n"):
        assert len(line) <= 75  # folded by the library
    cal = Calendar.from_ical(data)
    assert cal.get_missing_tzids() == set()
    assert cal["METHOD"] == "PUBLISH"
    uids = [str(e["UID"]) for e in cal.events]
    assert len(uids) == len(set(uids))
    for event in cal.events:
        stamp = event["DTSTAMP"].dt
        assert stamp.utcoffset() == timedelta(0)
        assert event.end > event.start
        assert "SEQUENCE" in event and "LAST-MODIFIED" in event and "ORGANIZER" in event
    return cal


def local(tz, *args):
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def test_new_york_spring_forward_day(make):
    convening = make.convening(starts_on=date(2031, 3, 8), ends_on=date(2031, 3, 10), timezone="America/New_York")
    # 9 March 2031: clocks go from 02:00 EST to 03:00 EDT.
    s = make.agenda_session(convening, title="Overnight drafting", starts_at=local("America/New_York", 2031, 3, 9, 1, 0),
                            ends_at=local("America/New_York", 2031, 3, 9, 4, 0))
    cal = parse(build(convening, [s]))
    [event] = cal.events
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.start.replace(tzinfo=None) == datetime(2031, 3, 9, 1, 0)
    assert event.start.utcoffset() == timedelta(hours=-5)
    assert event.end.utcoffset() == timedelta(hours=-4)
    assert event.end.astimezone(timezone.utc) - event.start.astimezone(timezone.utc) == timedelta(hours=2)
    [vtz] = cal.timezones
    assert vtz["TZID"] == "America/New_York"


def test_sydney_autumn_clock_change(make):
    convening = make.convening(starts_on=date(2031, 4, 5), ends_on=date(2031, 4, 6), timezone="Australia/Sydney")
    # 6 April 2031: clocks go back from 03:00 AEDT to 02:00 AEST.
    s = make.agenda_session(convening, starts_at=local("Australia/Sydney", 2031, 4, 6, 1, 30),
                            ends_at=datetime(2031, 4, 5, 17, 30, tzinfo=timezone.utc))  # 03:30 AEST
    cal = parse(build(convening, [s]))
    [event] = cal.events
    assert event.start.utcoffset() == timedelta(hours=11)
    assert event.end.utcoffset() == timedelta(hours=10)
    assert event.end.astimezone(timezone.utc) - event.start.astimezone(timezone.utc) == timedelta(hours=3)
    assert [tz["TZID"] for tz in cal.timezones] == ["Australia/Sydney"]


def test_santiago_and_utc_together(make):
    convening = make.convening(starts_on=date(2031, 4, 5), ends_on=date(2031, 4, 6), timezone="America/Santiago")
    s = make.agenda_session(convening, starts_at=local("America/Santiago", 2031, 4, 5, 22, 0),
                            ends_at=local("America/Santiago", 2031, 4, 6, 1, 0))
    cal = parse(build(convening, [s]))
    assert cal.events[0].start.tzinfo is not None


def test_all_day_session_is_a_date_event(make):
    convening = make.convening(starts_on=date(2031, 3, 8), ends_on=date(2031, 3, 10), timezone="Europe/Zurich")
    s = make.agenda_session(convening, all_day=True, starts_at=local("Europe/Zurich", 2031, 3, 9, 0, 0),
                            ends_at=local("Europe/Zurich", 2031, 3, 11, 0, 0))
    data = build(convening, [s])
    assert b"DTSTART;VALUE=DATE:20310309" in data
    [event] = parse(data).events
    assert event.start == date(2031, 3, 9) and event.end == date(2031, 3, 11)


def test_long_text_with_special_characters_round_trips(make):
    convening = make.convening(starts_on=date(2031, 3, 8), ends_on=date(2031, 3, 10))
    piece = "Séance; \"prévention\", 防止暴行; Превенция, منع الفظائع\nline two\r\n"
    title = (piece.replace("\n", " ").replace("\r", " ") * 20)[:1000]
    description = (piece.replace("\r\n", "\n") * 20)[:1000]
    s = make.agenda_session(convening, title=title, description=description, room="Salle 3, aile B; rez")
    [event] = parse(build(convening, [s])).events
    assert len(title) == 1000 and str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]).startswith(description)
    assert str(event["LOCATION"]).startswith("Salle 3, aile B; rez")


def test_cancelled_session_stays_with_status_cancelled(make):
    convening = make.convening()
    kept = make.agenda_session(convening, title="Kept")
    gone = make.agenda_session(convening, title="Called off", status="cancelled", ical_sequence=2)
    cal = parse(build(convening, [kept, gone]))
    by_uid = {str(e["UID"]): e for e in cal.events}
    assert str(by_uid[gone.uid]["STATUS"]) == "CANCELLED" and by_uid[gone.uid]["SEQUENCE"] == 2
    assert str(by_uid[kept.uid]["STATUS"]) == "CONFIRMED"


def test_feed_output_is_stable_and_dtstamp_is_last_modification(make):
    convening = make.convening()
    s = make.agenda_session(convening, description="x")
    first, second = build(convening, [s]), build(convening, [s])
    assert first == second
    [event] = Calendar.from_ical(first).events
    assert event["DTSTAMP"].dt == s.updated_at.replace(microsecond=0) == event["LAST-MODIFIED"].dt
    assert str(event["UID"]) == s.uid
    stamped = Calendar.from_ical(build(convening, [s], stamp=datetime(2030, 1, 1, tzinfo=timezone.utc))).events[0]
    assert stamped["DTSTAMP"].dt == datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_published_snapshot_builds_the_same_event(make):
    convening = make.convening()
    person = make.person(name="Ana")
    s = make.agenda_session(convening, room="B")
    make.session_role(s, person, "chair")
    views = versions.views_of([versions.snapshot_item(s)], convening.id, {person.id: person})
    from_row = Calendar.from_ical(build(convening, [s])).events[0]
    from_view = Calendar.from_ical(build(convening, views)).events[0]
    for prop in ("UID", "DTSTART", "DTEND", "SEQUENCE", "DESCRIPTION", "LOCATION", "DTSTAMP"):
        assert from_row[prop].to_ical() == from_view[prop].to_ical()
    assert "Chair: Ana" in str(from_view["DESCRIPTION"])


def test_two_convenings_in_two_zones_get_both_vtimezones_in_a_stable_order(make):
    from convene.ics.builders import sessions_calendar

    geneva = make.convening(starts_on=date(2031, 10, 14), ends_on=date(2031, 10, 15), timezone="Europe/Zurich")
    tokyo = make.convening(starts_on=date(2031, 11, 4), ends_on=date(2031, 11, 4), timezone="Asia/Tokyo")
    groups = [(geneva, [make.agenda_session(geneva, starts_at=local("Europe/Zurich", 2031, 10, 14, 9))]),
              (tokyo, [make.agenda_session(tokyo, starts_at=local("Asia/Tokyo", 2031, 11, 4, 9))])]

    def calendar():
        return sessions_calendar(groups, name="Mine", link_for=lambda s: f"https://x.test/a#{s.uid}", **ORG)

    first = calendar()
    assert calendar() == first  # the reused VTIMEZONE components serialise the same every time
    cal = parse(first)
    assert [tz.tz_name for tz in cal.timezones] == ["Asia/Tokyo", "Europe/Zurich"]
    starts = {str(e["SUMMARY"]): e.start for e in cal.events}
    assert all(s.hour == 9 for s in starts.values())
    assert first.index(b"BEGIN:VTIMEZONE") < first.index(b"BEGIN:VEVENT")


def test_calendar_from_kept_pieces_is_the_one_icalendar_builds_whole(make):
    """Events serialised once and reused give exactly the bytes of one Calendar holding them all,
    and a change to a session (or to the venue) is never served from an older piece."""
    from icalendar import Calendar as Whole, Timezone, vCalAddress

    from convene.ics.builders import PRODID, session_event, sessions_calendar

    convening = make.convening(starts_on=date(2031, 10, 14), ends_on=date(2031, 10, 16), timezone="Europe/Zurich",
                               venue="Palais")
    sessions = [make.agenda_session(convening, title=f"Session {n}",
                                    starts_at=local("Europe/Zurich", 2031, 10, 14 + n % 3, 9 + n)) for n in range(6)]
    link = lambda s: f"https://x.test/a#{s.uid}"  # noqa: E731

    def from_pieces():
        return sessions_calendar([(convening, sessions)], name="Mine", link_for=link, **ORG)

    def whole():
        organizer = vCalAddress.new(ORG["organizer_email"], cn=ORG["organizer_name"])
        events = [session_event(s, convening, link=link(s), organizer=organizer, **ORG) for s in sessions]
        zone = Timezone.from_tzid("Europe/Zurich", first_date=date(2030, 1, 1), last_date=date(2033, 1, 1))
        cal = Whole.new(prodid=PRODID, method="PUBLISH", name="Mine", subcomponents=[zone, *events])
        cal.pop("UID", None)
        return cal.to_ical()

    assert from_pieces() == whole()
    assert from_pieces() == whole()  # the second time from kept pieces
    parse(from_pieces())
    sessions[2].title = "Renamed"
    convening.venue = "Another hall"
    again = from_pieces()
    assert again == whole()
    cal = Calendar.from_ical(again)
    assert sum(str(e["SUMMARY"]) == "Renamed" for e in cal.events) == 1
    assert all("Another hall" in str(e["LOCATION"]) for e in cal.events)
