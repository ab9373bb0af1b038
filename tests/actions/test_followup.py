"""Follow-up: the status workflow, reassigning, moving due dates, and refusing stale edits."""
from datetime import date

import sqlalchemy as sa

from convene.extensions import db
from convene.models import ActionItem, ActionUpdate, AuditEvent


def _edit_form(action, **kw):
    data = {"text": action.text, "rationale": action.rationale, "session_id": "0", "owner": action.owner_key,
            "due_on": action.due_on.isoformat() if action.due_on else "", "priority": action.priority,
            "new_themes": "", "note": "", "version": str(action.version)}
    data.update(kw)
    return data


def _updates(action_id):
    return db.session.scalars(sa.select(ActionUpdate).where(ActionUpdate.action_id == action_id)
                              .order_by(ActionUpdate.id)).all()


def test_status_workflow_with_history(client, make, sign_in):
    staff = sign_in(make.user("staff"))
    action = make.action(make.convening(), status="draft")
    url = f"/next-steps/{action.id}/status"
    assert client.post(url, data={"status": "open", "version": "1"}).status_code == 302
    assert client.post(url, data={"status": "in_progress", "note": "Started drafting", "version": "2"}).status_code == 302
    assert client.post(url, data={"status": "done", "note": "Sent", "version": "3"}).status_code == 302
    db.session.expire_all()
    updates = _updates(action.id)
    assert [(u.old_status, u.new_status) for u in updates] == [
        ("draft", "open"), ("open", "in_progress"), ("in_progress", "done")]
    assert all(u.author_user_id == staff.id for u in updates) and updates[1].note == "Started drafting"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "action.status")) == 3


def test_drop_needs_a_reason_and_bad_transitions_are_refused(client, make, sign_in):
    sign_in(make.user("staff"))
    action = make.action(make.convening(), status="open")
    url = f"/next-steps/{action.id}/status"
    response = client.post(url, data={"status": "dropped", "note": "", "version": str(action.version)})
    assert response.status_code == 400 and "Say why" in response.get_data(as_text=True)
    response = client.post(url, data={"status": "dropped", "note": "Superseded by the UN resolution",
                                      "version": str(action.version)})
    assert response.status_code == 302
    db.session.expire_all()
    action = db.session.get(ActionItem, action.id)
    assert action.status == "dropped" and action.drop_reason == "Superseded by the UN resolution"
    response = client.post(url, data={"status": "done", "version": str(action.version)})
    assert response.status_code == 400
    assert "cannot become done" in response.get_data(as_text=True)


def test_reassign_and_move_due_date_keep_old_values(client, make, sign_in):
    sign_in(make.user("staff"))
    convening = make.convening(starts_on=date(2030, 1, 10))
    first, second = make.person(name="First Owner"), make.person(name="Second Owner")
    make.invitation(convening, first)
    make.invitation(convening, second)
    action = make.action(convening, owner_person=first, due_on=date(2030, 3, 1))
    response = client.post(f"/next-steps/{action.id}", data=_edit_form(
        action, owner=f"person:{second.id}", due_on="2030-04-15", note="First owner moved post"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    action = db.session.get(ActionItem, action.id)
    assert action.owner_person_id == second.id and action.due_on == date(2030, 4, 15)
    updates = _updates(action.id)
    assert (updates[0].old_owner, updates[0].new_owner) == ("First Owner", "Second Owner")
    assert (updates[1].old_due_on, updates[1].new_due_on) == (date(2030, 3, 1), date(2030, 4, 15))
    assert updates[0].note == "First owner moved post"
    page = client.get(f"/next-steps/{action.id}").get_data(as_text=True)
    assert "First Owner → Second Owner" in page and "1 Mar 2030 → 15 Apr 2030" in page


def test_two_staff_edit_the_same_next_step(client, make, sign_in, app):
    """The second save, from a form that saw the older version, is refused; nothing is lost."""
    action = make.action(make.convening(), text="Original text", rationale="")
    other = app.test_client()
    sign_in(make.user("staff"))
    sign_in(make.user("staff"), target=other)
    seen = _edit_form(action)  # both opened the form at version 1
    assert client.post(f"/next-steps/{action.id}", data={**seen, "text": "Alice's wording"}).status_code == 302
    response = other.post(f"/next-steps/{action.id}", data={**seen, "text": "Bob's wording", "rationale": "Bob"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed this next step while you were editing" in page
    assert "Alice&#39;s wording" in page and "Bob&#39;s wording" in page  # theirs shown, yours kept in the form
    db.session.expire_all()
    saved = db.session.get(ActionItem, action.id)
    assert saved.text == "Alice's wording" and saved.rationale == ""
    # saving again from the refreshed form (new version) goes through
    retry = {**seen, "text": "Bob's wording", "version": str(saved.version)}
    assert other.post(f"/next-steps/{action.id}", data=retry).status_code == 302
    db.session.expire_all()
    assert db.session.get(ActionItem, action.id).text == "Bob's wording"


def test_stale_status_change_is_refused(client, make, sign_in):
    sign_in(make.user("staff"))
    action = make.action(make.convening(), status="open")
    client.post(f"/next-steps/{action.id}/progress", data={"note": "Progress by someone"})
    response = client.post(f"/next-steps/{action.id}/status", data={"status": "done", "version": "1"})
    assert response.status_code == 409
    db.session.expire_all()
    # The stale "done" is refused: the step stays as the other person's progress note left it
    # (a progress note moves an open step to in progress, issue 14).
    assert db.session.get(ActionItem, action.id).status == "in_progress"


def test_progress_note_is_an_update(client, make, sign_in):
    sign_in(make.user("staff"))
    action = make.action(make.convening())
    assert client.post(f"/next-steps/{action.id}/progress", data={"note": "Met the envoy"}).status_code == 302
    client.post(f"/next-steps/{action.id}/progress", data={"note": "  "})
    db.session.expire_all()
    assert [u.note for u in _updates(action.id)] == ["Met the envoy"]
