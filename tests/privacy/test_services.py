import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.models import AccessToken, AuditEvent, Invitation, Person
from convene.privacy import services
from convene.tokens import services as tokens


def _sensitive_person(make, **kw):
    return make.person(gender="woman", nationality="KE", dietary_needs="vegan", access_needs="step-free",
                       bio="Long bio", expertise="peacebuilding, mediation", position="Minister", **kw)


def test_export_holds_person_invitations_and_history_but_no_secrets(make):
    person = _sensitive_person(make, organization=make.organization(name="Ministry of Peace"))
    convening = make.convening(title="Dialogue on Prevention")
    invitation = make.invitation(convening, person, status="invited")
    make.action(convening, owner_person_id=person.id, text="Draft the memo")
    user = make.user("organizer", person_id=person.id)
    tokens.issue("rsvp", invitation_id=invitation.id, person_id=person.id)
    db.session.commit()

    data = services.export_person(person)
    text = json.dumps(data)  # JSON-serialisable
    assert data["person"]["name"] == person.name
    assert data["person"]["dietary_needs"] == "vegan"
    assert data["organization"] == "Ministry of Peace"
    assert data["records"]["invitations"][0]["status"] == "invited"
    assert data["convenings"][str(convening.id)] == "Dialogue on Prevention"
    assert data["records"]["action_items"][0]["text"] == "Draft the memo"
    assert data["records"]["users"][0]["email"] == user.email
    assert "access_tokens" in data["records"]
    for secret in ("password_hash", "session_secret", "digest"):
        assert secret not in text


def test_erase_self_identification_clears_only_those_fields_and_audits(make):
    person = _sensitive_person(make, gender_self_described="")
    actor = make.user("admin")
    services.erase_self_identification(person, actor=actor)
    db.session.commit()
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.gender, person.nationality, person.dietary_needs, person.access_needs) == (None, None, "", "")
    assert person.bio == "Long bio" and person.name.startswith("Person")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.erase_self_identification"))
    assert event.actor_id == actor.id and event.object_id == person.id
    assert "vegan" not in json.dumps(event.changes) and "KE" not in json.dumps(event.changes)


def test_anonymize_keeps_row_and_invitations_and_revokes_links(make):
    person = _sensitive_person(make)
    email = person.email
    convening = make.convening()
    invitation = make.invitation(convening, person, status="attended")
    raw = tokens.issue("rsvp", invitation_id=invitation.id, person_id=person.id)
    db.session.commit()
    services.anonymize_person(person, actor_label="cli")
    db.session.commit()
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.name == f"Erased person #{person.id}"
    assert person.email is None and person.erased_at is not None
    assert (person.bio, person.expertise, person.position, person.gender) == ("", "", "", None)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(
        Invitation.convening_id == convening.id, Invitation.status == "attended")) == 1
    with pytest.raises(tokens.LinkProblem):
        tokens.open_link(raw, "rsvp")
    assert db.session.scalar(sa.select(sa.func.count(AccessToken.id)).where(AccessToken.revoked_at.is_(None))) == 0
    trail = json.dumps([e.changes for e in db.session.scalars(sa.select(AuditEvent))])
    assert email not in trail  # the person.create event no longer holds the address
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.anonymize")).actor_label == "cli"


def test_purge_expired_clears_only_people_whose_every_convening_closed_long_ago(make):
    long_ago = date.today() - timedelta(days=3 * 365)
    old = make.convening(starts_on=long_ago, status="closed")
    recent = make.convening(starts_on=date.today() - timedelta(days=30), status="closed")
    only_old = _sensitive_person(make)
    both = _sensitive_person(make)
    never_invited = _sensitive_person(make)
    make.invitation(old, only_old, status="attended")
    make.invitation(old, both, status="attended")
    make.invitation(recent, both, status="attended")

    purged = services.purge_expired(date.today(), months=24)
    db.session.commit()
    assert [p.id for p in purged] == [only_old.id]
    db.session.expire_all()
    assert db.session.get(Person, only_old.id).gender is None
    assert db.session.get(Person, only_old.id).name.startswith("Person")  # only sensitive fields go
    assert db.session.get(Person, both.id).gender == "woman"
    assert db.session.get(Person, never_invited.id).gender == "woman"
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(Invitation.convening_id == old.id)) == 2
    assert services.purge_expired(date.today(), months=24) == []  # nothing left to purge


def test_retention_cutoff_clamps_month_end():
    assert services.retention_cutoff(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert services.retention_cutoff(date(2026, 1, 15), 24) == date(2024, 1, 15)


def test_anonymize_blanks_queued_mail_and_stops_it(make):
    from convene.mail.services import queue_message
    from convene.mail.models import OutboxMessage

    person = _sensitive_person(make)
    invitation = make.invitation(make.convening(), person)
    queue_message(to_address=person.email, to_name=person.name, subject="You are invited", text="Dear Minister",
                  invitation_id=invitation.id, person_id=person.id, kind="invitation")
    db.session.commit()
    services.anonymize_person(person)
    db.session.commit()
    db.session.expire_all()
    message = db.session.scalar(sa.select(OutboxMessage))
    assert (message.to_address, message.to_name, message.text, message.subject) == ("", "", "", "")
    assert message.status == "failed"
