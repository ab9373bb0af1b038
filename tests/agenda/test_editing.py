"""Organizers edit the agenda: times in the convening's timezone, rules refused inline, warnings, audit."""
from datetime import datetime, timezone

import sqlalchemy as sa

from convene.extensions import db
from convene.models import AgendaSession, AuditEvent, SessionRole
from tests.agenda.conftest import session_form


def only_session():
    db.session.expire_all()
    return db.session.scalar(sa.select(AgendaSession))


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_add_session_with_roles_stored_in_utc_and_audited(client, setup):
    c, amina = setup["convening"], setup["guests"][0]
    response = client.post(f"/convenings/{c.id}/agenda/new", data=session_form(
        **{"roles-0-person_id": str(amina.id), "roles-0-role": "rapporteur",
           "roles-1-person_id": str(amina.id), "roles-1-role": "note_taker"}))
    assert response.status_code == 302
    assert "day=2031-03-08" in response.headers["Location"]
    s = only_session()
    assert s.starts_at == datetime(2031, 3, 8, 14, 0, tzinfo=timezone.utc)  # 09:00 EST
    assert s.ends_at == datetime(2031, 3, 8, 15, 30, tzinfo=timezone.utc)
    assert sorted(r.role for r in s.roles) == ["note_taker", "rapporteur"]
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == s.id)) == "agenda_session.create"
    page = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    assert "Opening plenary" in page and "09:00" in page and "Rapporteur: Amina Diallo" in page
    assert "Chatham House Rule" in page  # the attribution rule on every agenda view


def test_times_in_another_timezone_are_converted(client, setup):
    c = setup["convening"]
    client.post(f"/convenings/{c.id}/agenda/new", data=session_form(timezone="Europe/London"))
    assert only_session().starts_at == datetime(2031, 3, 8, 9, 0, tzinfo=timezone.utc)


def test_bad_input_is_refused_inline_and_saves_nothing(client, setup):
    c = setup["convening"]
    cases = [
        (session_form(end_time="08:00"), "must end after it starts"),
        (session_form(end_time="09:00"), "must end after it starts"),
        (session_form(timezone="Mars/Olympus_Mons"), "Unknown timezone"),
        (session_form(day="2031-03-12"), "within the convening"),
        (session_form(day="2031-03-07", start_time="23:00", end_time="23:30"), "within the convening"),
        (session_form(day="2031-03-09", start_time="02:30", end_time="03:30"), "does not exist"),
        (session_form(day="not-a-date"), "date"),
        (session_form(title=""), "This field is required"),
        (session_form(room="Room\r\nBcc: x@example.org"), "without control characters"),
        (session_form(**{"roles-0-person_id": "999999", "roles-0-role": "chair"}), "guest list"),
        (session_form(start_time=None), "Give a start and an end time"),
    ]
    for data, message in cases:
        response = client.post(f"/convenings/{c.id}/agenda/new", data=data)
        assert response.status_code == 422, (data, response.status_code)
        assert message in response.get_data(as_text=True), message
    assert count(AgendaSession) == 0 and count(SessionRole) == 0


def test_stranger_cannot_add_roles_for_someone_off_the_guest_list(client, setup, make):
    outsider = make.person(name="Not Invited")
    c = setup["convening"]
    response = client.post(f"/convenings/{c.id}/agenda/new", data=session_form(
        **{"roles-0-person_id": str(outsider.id), "roles-0-role": "chair"}))
    assert response.status_code == 422
    assert count(AgendaSession) == 0


def test_overlaps_are_warned_not_refused(client, setup):
    c, amina = setup["convening"], setup["guests"][0]
    role = {"roles-0-person_id": str(amina.id), "roles-0-role": "speaker"}
    client.post(f"/convenings/{c.id}/agenda/new", data=session_form(title="First", **role))
    response = client.post(f"/convenings/{c.id}/agenda/new", data=session_form(
        title="Second", start_time="10:00", end_time="11:00", **role), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert count(AgendaSession) == 2
    assert "Room “Main hall” is also booked for “First”" in page
    assert "Amina Diallo is also in “First” at the same time" in page
    client.post(f"/convenings/{c.id}/agenda/new", data=session_form(title="Later", start_time="11:00", end_time="12:00",
                                                                   **role))
    page = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    assert "also booked for “Later”" not in page  # back-to-back is not an overlap


def test_stale_edit_is_refused_with_the_other_version_shown(client, setup, make):
    c = setup["convening"]
    s = make.agenda_session(c, title="Original", room="A")
    form = session_form(title="Mine", version=str(s.version))
    other = session_form(title="Theirs", room="Library", version=str(s.version))
    assert client.post(f"/convenings/{c.id}/agenda/{s.id}/edit", data=other).status_code == 302
    response = client.post(f"/convenings/{c.id}/agenda/{s.id}/edit", data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed this session while you were editing" in page
    assert "Theirs" in page and "Library" in page and 'value="Mine"' in page
    assert only_session().title == "Theirs"


def test_sequence_bumps_only_for_time_room_and_status(client, setup, make):
    c = setup["convening"]
    s = make.agenda_session(c)
    uid = s.uid
    base = session_form(version=None)
    client.post(f"/convenings/{c.id}/agenda/{s.id}/edit", data=base)
    s = only_session()
    assert s.ical_sequence == 1  # the times changed from the factory's
    client.post(f"/convenings/{c.id}/agenda/{s.id}/edit", data={**base, "title": "Renamed"})
    assert only_session().ical_sequence == 1
    client.post(f"/convenings/{c.id}/agenda/{s.id}/edit", data={**base, "title": "Renamed", "room": "Library"})
    assert only_session().ical_sequence == 2
    client.post(f"/convenings/{c.id}/agenda/{s.id}/move", data={"day": "2031-03-09", "start_time": "14:00"})
    s = only_session()
    assert s.ical_sequence == 3 and s.starts_at == datetime(2031, 3, 9, 18, 0, tzinfo=timezone.utc)
    assert s.ends_at - s.starts_at == datetime(2031, 3, 8, 10, 30) - datetime(2031, 3, 8, 9, 0)
    client.post(f"/convenings/{c.id}/agenda/{s.id}/cancel")
    s = only_session()
    assert s.cancelled and s.ical_sequence == 4 and s.uid == uid
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == s.id)))
    assert {"agenda_session.update", "agenda_session.move", "agenda_session.cancel"} <= actions


def test_cancelled_session_is_kept_and_struck_through(client, setup, make):
    c = setup["convening"]
    s = make.agenda_session(c, title="Dinner cruise")
    client.post(f"/convenings/{c.id}/agenda/{s.id}/cancel")
    page = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    assert f'<del><a class="session-title" href="/convenings/{c.id}/agenda/{s.id}">Dinner cruise</a></del>' in page
    assert "Restore the session" in client.get(f"/convenings/{c.id}/agenda/{s.id}").get_data(as_text=True)
    client.post(f"/convenings/{c.id}/agenda/{s.id}/restore")
    assert only_session().status == "scheduled"


def test_move_outside_the_dates_is_refused(client, setup, make):
    c = setup["convening"]
    s = make.agenda_session(c)
    response = client.post(f"/convenings/{c.id}/agenda/{s.id}/move", data={"day": "2031-04-01", "start_time": "09:00"})
    assert response.status_code == 422 and "within the convening" in response.get_data(as_text=True)


def test_reorder_swaps_sessions_at_the_same_time(client, setup, make):
    c = setup["convening"]
    start = datetime(2031, 3, 8, 14, tzinfo=timezone.utc)
    a = make.agenda_session(c, title="Track A", starts_at=start, position=1)
    b = make.agenda_session(c, title="Track B", starts_at=start, position=2)
    client.post(f"/convenings/{c.id}/agenda/{b.id}/reorder", data={"direction": "up"})
    page = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    assert page.index("Track B") < page.index("Track A")
    db.session.expire_all()
    assert db.session.get(AgendaSession, b.id).position < db.session.get(AgendaSession, a.id).position


def test_draft_session_can_be_deleted_but_published_one_only_cancelled(client, setup, make):
    c = setup["convening"]
    s = make.agenda_session(c)
    client.post(f"/convenings/{c.id}/agenda/publish", data={"notify": ""})
    response = client.post(f"/convenings/{c.id}/agenda/{s.id}/delete", follow_redirects=True)
    assert "cancel it instead" in response.get_data(as_text=True)
    assert count(AgendaSession) == 1
    draft = make.agenda_session(c, title="Never published")
    client.post(f"/convenings/{c.id}/agenda/{draft.id}/delete")
    assert count(AgendaSession) == 1


def test_day_by_day_editing(client, setup, make):
    c = setup["convening"]
    make.agenda_session(c, title="Day one talk", day=c.starts_on)
    make.agenda_session(c, title="Day two talk", day=c.ends_on)
    page = client.get(f"/convenings/{c.id}/agenda?day=2031-03-10").get_data(as_text=True)
    assert "Day two talk" in page and "Day one talk" not in page
    assert "/agenda/new?day=2031-03-10" in page
    form = client.get(f"/convenings/{c.id}/agenda/new?day=2031-03-10").get_data(as_text=True)
    assert 'value="2031-03-10"' in form
    page = client.get(f"/convenings/{c.id}/agenda?day=2031-13-40").get_data(as_text=True)
    assert "is not a date" in page and "Day one talk" in page
    page = client.get(f"/convenings/{c.id}/agenda?day=2031-05-01").get_data(as_text=True)
    assert "not a day of this convening" in page


def test_access(client, setup, make, sign_in):
    c = setup["convening"]
    s = make.agenda_session(c)
    sign_in(make.user("staff"))
    page = client.get(f"/convenings/{c.id}/agenda")
    assert page.status_code == 200 and 'value="up"' not in page.get_data(as_text=True)
    one = client.get(f"/convenings/{c.id}/agenda/{s.id}")  # staff read a session's page, without its controls
    assert one.status_code == 200 and "Cancel the session" not in one.get_data(as_text=True)
    assert "/edit" not in one.get_data(as_text=True) and f"/notes/{s.id}" in one.get_data(as_text=True)
    assert client.get(f"/convenings/{c.id}/agenda/new").status_code == 403
    sign_in(make.user("organizer"))
    assert client.get(f"/convenings/{c.id}/agenda").status_code == 404
    assert client.post(f"/convenings/{c.id}/agenda/{s.id}/cancel").status_code == 404
    assert client.get(f"/convenings/{c.id}/agenda/{s.id}").status_code == 404
    other = make.convening(organizers=[setup["organizer"]])
    sign_in(setup["organizer"])
    assert client.get(f"/convenings/{other.id}/agenda/{s.id}/edit").status_code == 404


def test_agenda_page_query_count_is_fixed(client, setup, make, count_queries):
    c = setup["convening"]
    amina = setup["guests"][0]

    def fill(n):
        for i in range(n):
            s = AgendaSession(convening=c, title=f"S{i}", starts_at=datetime(2031, 3, 8, 14, tzinfo=timezone.utc),
                              ends_at=datetime(2031, 3, 8, 15, tzinfo=timezone.utc), room=f"R{i}")
            s.roles.append(SessionRole(person=amina, role="speaker" if i % 2 else "chair"))
            db.session.add(s)
        db.session.commit()

    fill(30)
    with count_queries() as small:
        assert client.get(f"/convenings/{c.id}/agenda").status_code == 200
    fill(170)
    with count_queries() as large:
        assert client.get(f"/convenings/{c.id}/agenda").status_code == 200
    assert small.count == large.count
    # one of them: the sessions of the conference's other dialogues (overlaps); one: the roles left open
    assert large.count <= 10


def test_two_dialogues_sharing_a_room_and_a_person_are_warned_on_both_agendas(client, setup, make, count_queries):
    conference, amina = setup["convening"], setup["guests"][0]
    first = make.convening(parent=conference, title="Dialogue on Early Warning", starts_on=conference.starts_on,
                           timezone=conference.timezone)
    second = make.convening(parent=conference, title="Dialogue on Mediation", starts_on=conference.starts_on,
                            timezone=conference.timezone)
    for dialogue in (first, second):
        make.invitation(dialogue, amina, status="accepted")
    role = {"roles-0-person_id": str(amina.id), "roles-0-role": "speaker"}
    client.post(f"/convenings/{first.id}/agenda/new", data=session_form(title="Signals", **role))
    response = client.post(f"/convenings/{second.id}/agenda/new", data=session_form(
        title="Talks", start_time="10:00", end_time="11:00", **role), follow_redirects=True)
    assert "Room “Main hall” is also booked for “Signals” of “Dialogue on Early Warning”" in response.get_data(
        as_text=True)  # flashed on saving
    for dialogue, other, other_dialogue in ((first, "Talks", second), (second, "Signals", first)):
        page = client.get(f"/convenings/{dialogue.id}/agenda").get_data(as_text=True)
        assert f"Room “Main hall” is also booked for “{other}” of “{other_dialogue.title}”" in page
        assert f"Amina Diallo is also in “{other}” of “{other_dialogue.title}” at the same time" in page
    # a convening outside the conference never clashes
    stranger = make.convening(title="Elsewhere", starts_on=conference.starts_on, timezone=conference.timezone)
    make.invitation(stranger, amina, status="accepted")
    client.post(f"/convenings/{stranger.id}/agenda/new", data=session_form(title="Apart", **role))
    page = client.get(f"/convenings/{first.id}/agenda").get_data(as_text=True)
    assert "“Apart”" not in page


def test_editor_rows_link_to_their_session_page_and_share_one_order_form(client, setup, make, count_queries):
    """Issue 18: the editor's rows carry the order buttons (one page form, one CSRF token) and a
    link to the session's page; the description and the other actions are on that page."""
    c = setup["convening"]
    described = "What the panel will weigh." + " Details." * 30
    few = [make.agenda_session(c, title=f"Few {i}", description=described) for i in range(2)]
    small = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    for i in range(20):
        make.agenda_session(c, title=f"More {i}", description=described)
    with count_queries() as counter:
        large = client.get(f"/convenings/{c.id}/agenda").get_data(as_text=True)
    assert small.count('name="csrf_token"') == large.count('name="csrf_token"')  # not one per row
    assert "What the panel will weigh" not in large and "row-actions" not in large
    s = few[0]
    assert f'<a class="session-title" href="/convenings/{c.id}/agenda/{s.id}">Few 0</a>' in large
    assert f'form="row-action" formaction="/convenings/{c.id}/agenda/{s.id}/reorder" name="direction" value="up"' in large
    with count_queries() as one_counter:
        page = client.get(f"/convenings/{c.id}/agenda/{s.id}").get_data(as_text=True)
    assert one_counter.count <= counter.count
    assert page.count("What the panel will weigh") == 1
    for action in ("edit", "move", "notes", "next-steps"):
        assert action in page
    assert f'action="/convenings/{c.id}/agenda/{s.id}/cancel"' in page and f'name="version" value="{s.version}"' in page
    response = client.post(f"/convenings/{c.id}/agenda/{s.id}/cancel", data={"version": s.version})
    assert response.status_code == 302
    assert "Restore the session" in client.get(f"/convenings/{c.id}/agenda/{s.id}").get_data(as_text=True)
    other = make.convening(organizers=[setup["organizer"]])
    assert client.get(f"/convenings/{other.id}/agenda/{s.id}").status_code == 404  # not its session
    assert client.get(f"/convenings/{c.id}/agenda/2147483647").status_code == 404
