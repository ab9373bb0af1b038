"""Capturing next steps: the fast entry form, its bad input, and the outcome view."""
from datetime import date, timedelta

import sqlalchemy as sa

from convene.extensions import db
from convene.models import ActionItem, ActionUpdate, Theme


def _form(**kw):
    data = {"text": "Draft a joint letter to the Secretary-General", "rationale": "", "session_id": "0",
            "owner": "", "due_on": "", "priority": "normal", "new_themes": ""}
    data.update(kw)
    return data


def test_capture_several_in_a_row_comes_back_empty_and_focused(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening(starts_on=date(2030, 10, 17))
    session = make.agenda_session(convening)
    url = f"/convenings/{convening.id}/next-steps"
    first = client.post(url, data=_form(text="First step", session_id=str(session.id)))
    assert first.status_code == 302
    # no #fragment: browsers ignore `autofocus` on a page whose address has one
    assert "#" not in first.headers["Location"]
    assert f"session={session.id}" in first.headers["Location"]
    client.post(url, data=_form(text="Second step", due_on="2030-12-01", priority="high"))
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "First step" in page and "Second step" in page
    # the form is empty again, focused on the text field, with the session kept
    assert 'autofocus id="text" maxlength="2000" name="text" required type="text" value="">' in page
    assert f'<option selected value="{session.id}">' in page
    actions = db.session.scalars(sa.select(ActionItem).order_by(ActionItem.id)).all()
    assert [a.status for a in actions] == ["draft", "draft"]
    assert actions[0].session_id == session.id
    assert actions[1].due_on == date(2030, 12, 1) and actions[1].priority == "high"


def test_capture_on_a_session_page(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    session = make.agenda_session(convening, title="Early warning")
    url = f"/convenings/{convening.id}/sessions/{session.id}/next-steps"
    assert "Early warning" in client.get(url).get_data(as_text=True)
    response = client.post(url, data=_form(text="Map early-warning networks", session_id=str(session.id)))
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert db.session.scalar(sa.select(ActionItem.session_id)) == session.id


def test_owner_supporters_themes_created_on_the_fly(client, make, sign_in):
    staff = sign_in(make.user("staff"))
    convening = make.convening()
    person = make.person(name="Amina Diallo")
    make.invitation(convening, person, status="accepted")
    org = make.organization(name="Global Centre")
    existing = make.theme(name="Atrocity prevention")
    response = client.post(f"/convenings/{convening.id}/next-steps", data=_form(
        owner=f"person:{person.id}", supporter_ids=[str(org.id)], theme_ids=[str(existing.id)],
        new_themes="Climate security, atrocity PREVENTION", is_public="y"))
    assert response.status_code == 302, response.get_data(as_text=True)
    action = db.session.scalar(sa.select(ActionItem))
    assert action.owner_person_id == person.id and action.owner_organization_id is None
    assert [o.name for o in action.supporters] == ["Global Centre"]
    assert sorted(t.name for t in action.themes) == ["Atrocity prevention", "Climate security"]
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 2
    assert action.is_public and action.created_by_id == staff.id
    # owner may also be an organization or a staff account
    client.post(f"/convenings/{convening.id}/next-steps", data=_form(text="Org step", owner=f"org:{org.id}"))
    client.post(f"/convenings/{convening.id}/next-steps", data=_form(text="Staff step", owner=f"user:{staff.id}"))
    owners = db.session.execute(sa.select(ActionItem.owner_organization_id, ActionItem.owner_user_id)
                                .where(ActionItem.text != action.text).order_by(ActionItem.id)).all()
    assert owners == [(org.id, None), (None, staff.id)]


def test_bad_input_is_refused_and_nothing_saved(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening(starts_on=date(2030, 10, 17))
    other = make.convening()
    foreign_session = make.agenda_session(other)
    url = f"/convenings/{convening.id}/next-steps"
    cases = [
        (_form(text="   "), "Write what the next step is"),
        (_form(due_on="2030-10-16"), "cannot be before the convening"),
        (_form(owner="person:999999"), "owner chosen does not exist"),
        (_form(owner="bogus"), "owner chosen does not exist"),
        (_form(session_id=str(foreign_session.id)), "Not a valid choice"),
        (_form(text="x" * 2001), "characters"),
        (_form(due_on="not-a-date"), "Not a valid date"),
    ]
    for data, message in cases:
        response = client.post(url, data=data)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True), message
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0


def test_service_refuses_another_convenings_session_and_unknown_owner(make):
    from convene.actions import services

    convening, other = make.convening(), make.convening()
    foreign = make.agenda_session(other)
    for data, message in [({"text": "x", "session_id": foreign.id}, "not part of this convening"),
                          ({"text": "x", "owner": "org:424242"}, "does not exist"),
                          ({"text": "x", "supporter_ids": [424242]}, "does not exist"),
                          ({"text": "x", "theme_ids": [424242]}, "does not exist")]:
        try:
            services.create_action(convening, data, actor=None)
        except services.ActionError as error:
            assert message in str(error)
        else:
            raise AssertionError(f"accepted {data}")
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0


def test_outcome_view_groups_by_theme_with_history(client, make, sign_in, count_queries):
    sign_in(make.user("staff"))
    convening = make.convening()
    prevention, climate = make.theme(name="Prevention"), make.theme(name="Climate")
    a = make.action(convening, text="Both themes", themes=[prevention, climate])
    make.action(convening, text="Unthemed one")
    db.session.add(ActionUpdate(action=a, note="Letter drafted"))
    db.session.commit()
    url = f"/convenings/{convening.id}/next-steps"
    page = client.get(url).get_data(as_text=True)
    assert page.index("Climate") < page.index("Prevention") < page.index("No theme")
    assert page.count("Both themes") == 2 and "Letter drafted" in page
    with count_queries() as few:
        client.get(url)
    for i in range(15):
        make.action(convening, text=f"More {i}", themes=[prevention],
                    owner_person=make.person(), updates=[ActionUpdate(note="n")])
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count


def test_other_organizers_get_404(client, make, sign_in):
    convening = make.convening(organizers=[make.user("organizer")])
    action = make.action(convening)
    sign_in(make.user("organizer"))
    assert client.get(f"/convenings/{convening.id}/next-steps").status_code == 404
    assert client.get(f"/next-steps/{action.id}").status_code == 404
    assert client.post(f"/next-steps/{action.id}/progress", data={"note": "x"}).status_code == 404


def test_public_next_steps_for_the_brief(make):
    from convene.actions.services import public_next_steps

    convening = make.convening()
    shown = make.action(convening, text="Public open", is_public=True, status="open")
    make.action(convening, text="Public done", is_public=True, status="done")
    make.action(convening, text="Public draft", is_public=True, status="draft")
    make.action(convening, text="Public dropped", is_public=True, status="dropped", drop_reason="x")
    make.action(convening, text="Internal", is_public=False, status="open")
    make.action(make.convening(), text="Elsewhere", is_public=True, status="open")
    assert [a.text for a in public_next_steps(convening)] == ["Public open", "Public done"]
    assert shown in public_next_steps(convening)


def test_session_capture_page_refuses_another_convenings_session(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening()
    foreign = make.agenda_session(make.convening())
    url = f"/convenings/{convening.id}/sessions/{foreign.id}/next-steps"
    assert client.get(url).status_code == 404
    assert client.post(url, data=_form(session_id=str(foreign.id))).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ActionItem.id))) == 0
