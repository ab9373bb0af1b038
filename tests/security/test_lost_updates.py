"""No lost updates: versioned rows refuse a second concurrent save, and edit pages answer 409."""
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from convene.extensions import db
from convene.models import ActionItem, AgendaSession, Brief, Convening, Invitation, Person

#: (model, factory call, a text column to edit) for every object several people edit.
VERSIONED = {
    "convening": (Convening, lambda make: make.convening(), "title"),
    "person": (Person, lambda make: make.person(), "name"),
    "invitation": (Invitation, lambda make: make.invitation(make.convening()), "decline_reason"),
    "agenda session": (AgendaSession, lambda make: make.agenda_session(make.convening()), "title"),
    "next step": (ActionItem, lambda make: make.action(make.convening()), "text"),
    "brief": (Brief, lambda make: make.brief(), "title"),
}


@pytest.mark.parametrize("kind", VERSIONED)
def test_second_of_two_concurrent_orm_saves_is_refused(app, make, kind):
    model, create, column = VERSIONED[kind]
    obj_id = create(make).id
    db.session.remove()
    with Session(db.engine) as first, Session(db.engine) as second:
        mine, theirs = first.get(model, obj_id), second.get(model, obj_id)
        setattr(mine, column, "saved first")
        setattr(theirs, column, "saved second")
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
    assert getattr(db.session.get(model, obj_id), column) == "saved first"
    assert db.session.get(model, obj_id).version == 2


def test_concurrent_saves_from_threads_keep_exactly_one(app, make):
    """Both threads read version 1 before either writes; exactly one save wins, the other is refused."""
    person_id = make.person(name="Original").id
    db.session.remove()
    engine, barrier, outcomes = db.engine, threading.Barrier(2), []

    def edit(name):
        with Session(engine) as session:
            person = session.get(Person, person_id)
            barrier.wait()
            person.name = name
            try:
                session.commit()
                outcomes.append("saved")
            except StaleDataError:
                outcomes.append("refused")
            except sa.exc.OperationalError:  # SQLite: the second writer may find the file locked instead
                outcomes.append("refused")

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("Alpha", "Beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "saved"]
    person = db.session.get(Person, person_id)
    assert person.version == 2 and person.name in {"Alpha", "Beta"}


def _person_form(person, **changes):
    data = {"name": person.name, "email": person.email or "", "honorific": "", "position": person.position,
            "organization_name": "", "sector": "", "country": "", "timezone": "", "expertise": "", "bio": "",
            "version": str(person.version)}
    data.update(changes)
    return data


def test_stale_person_edit_answers_409_and_shows_the_other_version(client, make, sign_in):
    sign_in(make.user("staff"))
    person = make.person(name="Ana Souza")
    opened = _person_form(person)  # both editors open the form at version 1
    assert client.post(f"/people/{person.id}/edit", data={**opened, "position": "Ambassador"}).status_code == 302
    response = client.post(f"/people/{person.id}/edit", data={**opened, "position": "Minister"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this person" in page
    assert "Ambassador" in page  # the other version is visible
    assert 'value="Minister"' in page  # and what this editor typed is kept
    db.session.expire_all()
    assert db.session.get(Person, person.id).position == "Ambassador"


def test_stale_convening_edit_answers_409(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer])
    form = {"title": "First", "kind": "roundtable", "starts_on": convening.starts_on.isoformat(),
            "ends_on": convening.ends_on.isoformat(), "country": "US", "timezone": "America/New_York",
            "attribution_rule": "chatham_house", "series_id": "0", "organizer_ids": [str(organizer.id)],
            "version": str(convening.version)}
    assert client.post(f"/convenings/{convening.id}/edit", data=form).status_code == 302
    response = client.post(f"/convenings/{convening.id}/edit", data={**form, "title": "Second"})
    assert response.status_code == 409
    assert "First" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Convening, convening.id).title == "First"


def test_two_rsvp_answers_from_the_same_opened_page_keep_the_first(app, make):
    """The invitee answers in two windows opened at the same version: the second is refused with 409."""
    from tests.security.world import build_world

    world = build_world(make)
    invitation = db.session.get(Invitation, world.invitation.id)
    url, version = f"/my/{world.tokens['rsvp']}", str(invitation.version)
    first, second = app.test_client(), app.test_client()
    assert first.post(url, data={"answer": "declined", "reason": "travel", "version": version}).status_code == 302
    response = second.post(url, data={"answer": "tentative", "reason": "", "version": version})
    assert response.status_code == 409
    assert "changed from elsewhere" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, world.invitation.id).status == "declined"
