"""The audit trail: append-only from the app, written by every area, browsable and filterable by admins."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from convene.audit.models import AuditEvent, AuditTrailIsAppendOnly
from convene.audit.services import record
from convene.db_types import utcnow
from convene.extensions import db
from convene.models import Person, User


def _events(action_prefix: str = "") -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.startswith(action_prefix))
                              .order_by(AuditEvent.id)).all()


def test_events_can_be_added_but_not_changed_or_deleted_through_the_orm(make):
    event = record("test.event", make.person())
    db.session.commit()
    event.action = "test.rewritten"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.execute(sa.update(AuditEvent).values(action="x"))
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.execute(sa.delete(AuditEvent))
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.execute(sa.delete(AuditEvent.__table__))
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).action == "test.event"


def test_account_changes_are_audited_with_actor_and_ip(client, make, sign_in):
    admin = sign_in(make.user("admin"))
    response = client.post("/admin/users", data={"name": "New Organizer", "email": "neworg@example.org",
                                                  "role": "organizer", "password": "a long enough password"},
                           environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "neworg@example.org"))
    client.post(f"/admin/users/{user.id}/active")
    created, disabled = _events("user.create")[0], _events("user.disable")[0]
    assert (created.actor_id, created.object_type, created.object_id) == (admin.id, "User", user.id)
    assert created.changes["email"] == [None, "neworg@example.org"]
    assert created.ip == "198.51.100.7"
    assert disabled.object_id == user.id
    assert "password" not in str(created.changes)


def test_person_changes_are_audited_and_sensitive_values_masked(client, make, sign_in):
    organizer = sign_in(make.user("organizer"))
    convening = make.convening(organizers=[organizer])
    person = make.person(name="Amina Diallo")
    make.invitation(convening, person, status="accepted", invitee_confirmed_at=utcnow())  # answered by link
    response = client.post(f"/people/{person.id}/edit", data={
        "name": "Amina Diallo", "email": person.email, "country": "SN", "sector": "", "timezone": "", "gender": "woman",
        "nationality": "SN", "dietary_needs": "halal", "access_needs": "", "version": str(person.version)})
    assert response.status_code == 302, response.get_data(as_text=True)
    event = _events("person.update")[-1]
    assert event.actor_id == organizer.id and event.object_id == person.id
    assert event.changes["gender"] == ["(changed)", "(changed)"]
    assert event.changes["country"] == [None, "SN"]
    assert "halal" not in str(event.changes) and "woman" not in str(event.changes)


def test_admin_filters_by_actor_object_action_and_dates(client, make, sign_in):
    sign_in(make.user("admin"))
    alice = make.user("organizer", email="alice@example.org")
    bob = make.user("organizer", email="bob@example.org")
    person = make.person()
    old = record("person.update", person, actor=alice, changes={"name": ["A", "B"]})
    old.at = utcnow() - timedelta(days=10)
    record("person.update", person, actor=bob, changes={"name": ["B", "C"]})
    record("convening.update", make.convening(), actor=alice)
    db.session.commit()

    def rows(**params):
        page = client.get("/admin/audit", query_string=params)
        assert page.status_code == 200
        return page.get_data(as_text=True).count("<tr>") - 1  # minus the header row

    assert rows() == 3
    assert rows(actor="alice") == 2
    assert rows(actor="ALICE@EXAMPLE") == 2
    assert rows(object_type="Person", object_id=person.id) == 2
    assert rows(action="convening.") == 1
    today = utcnow().date()
    assert rows(**{"from": (today - timedelta(days=1)).isoformat()}) == 2
    assert rows(to=(today - timedelta(days=5)).isoformat()) == 1
    assert rows(**{"from": "not a date", "object_id": "x%"}) == 3  # bad filters are ignored, never a 500


def test_audit_page_is_for_admins_only(client, make, sign_in):
    for role in ("organizer", "staff"):
        sign_in(make.user(role))
        assert client.get("/admin/audit").status_code == 403


def test_audit_page_query_count_does_not_grow(client, make, sign_in, count_queries):
    sign_in(make.user("admin"))
    person = make.person()
    actors = [make.user("organizer") for _ in range(3)]

    def measure():
        with count_queries() as counter:
            assert client.get("/admin/audit").status_code == 200
        return counter.count

    record("person.update", person, actor=actors[0])
    db.session.commit()
    few = measure()
    for i in range(30):
        record("person.update", person, actor=actors[i % 3])
    db.session.commit()
    assert measure() == few


def test_person_erasure_is_the_only_rewrite_and_is_itself_recorded(make):
    from convene.privacy.services import anonymize_person

    person = make.person(name="Secret Name")
    record("person.create", person, changes={"name": [None, "Secret Name"]})
    db.session.commit()
    anonymize_person(person, actor_label="test")
    db.session.commit()
    assert "Secret Name" not in str([e.changes for e in _events()])
    assert _events("person.anonymize")
    assert db.session.get(Person, person.id).name.startswith("Erased person")


def test_postgresql_trigger_refuses_raw_sql_but_lets_erasure_through(app, backend, make):
    """The optional trigger of docs/security.md: even raw SQL cannot rewrite the trail."""
    if backend != "postgresql":
        pytest.skip("the trigger is PostgreSQL only")
    from convene.privacy.services import anonymize_person

    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit-append-only"]).exit_code == 0
    try:
        person = make.person(name="Hidden Name")
        record("person.create", person, changes={"name": [None, "Hidden Name"]})
        db.session.commit()
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(sa.text("UPDATE audit_events SET action = 'forged'"))
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(sa.text("DELETE FROM audit_events"))
        anonymize_person(person, actor_label="test")
        db.session.commit()
        assert "Hidden Name" not in str([e.changes for e in _events()])
    finally:
        db.session.rollback()
        assert runner.invoke(args=["audit-append-only", "--remove"]).exit_code == 0
