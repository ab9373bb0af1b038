"""Any printable text (with newlines, commas, semicolons, backslashes, any script) survives a round trip."""
from datetime import datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
from icalendar import Calendar

from convene.ics.builders import agenda_calendar

TEXT = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from("\n,;:\\\"")),
               min_size=1, max_size=1000)


def fake(title: str, description: str):
    convening = SimpleNamespace(timezone="Asia/Kolkata", zone=ZoneInfo("Asia/Kolkata"), venue="", city="", country="",
                                attribution_rule="on_the_record", attribution=SimpleNamespace(strips_names=False),
                                attribution_text="On the record.")
    moment = datetime(2031, 3, 8, 9, tzinfo=timezone.utc)
    session = SimpleNamespace(uid="9b7c5f0e-1111-4222-8333-444455556666", title=title, description=description,
                              kind="plenary", all_day=False, starts_at=moment, ends_at=moment.replace(hour=10),
                              room="", roles=[], cancelled=False, ical_sequence=0, updated_at=moment,
                              created_at=moment, open_to_all=True)
    return convening, session


@settings(max_examples=60, deadline=None)
@given(title=TEXT.filter(lambda t: t.strip() == t and "\n" not in t), description=TEXT)
def test_text_round_trips(title, description):
    convening, session = fake(title, description)
    data = agenda_calendar(convening, [session], name="x", link_for=lambda s: "https://x.test/",
                           organizer_email="a@example.org", organizer_name="A")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    [event] = Calendar.from_ical(data).events
    assert str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]).startswith(description)
