"""Model constraints hold on both backends: bad values fail cleanly and leave nothing behind."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from convene.extensions import db
from convene.models import ActionItem, AgendaSession, Convening, Invitation, Person, User


def _fails(obj):
    db.session.add(obj)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_convening_status_must_be_known(make):
    _fails(Convening(title="x", slug="x", starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2), status="dreaming"))
    assert db.session.scalar(sa.select(sa.func.count(Convening.id))) == 0


def test_convening_cannot_end_before_it_starts(make):
    _fails(Convening(title="x", slug="x", starts_on=date(2030, 1, 5), ends_on=date(2030, 1, 2)))


def test_session_end_must_follow_start(make):
    convening = make.convening()
    start = datetime(2030, 1, 1, 9, tzinfo=timezone.utc)
    _fails(AgendaSession(convening_id=convening.id, title="x", starts_at=start, ends_at=start))


def test_person_email_is_unique_whatever_the_case(make):
    make.person(email="Ana@Example.org")
    _fails(Person(name="Other", email="ANA@example.ORG"))
    assert db.session.scalar(sa.select(Person.email)) == "ana@example.org"


def test_user_email_unique_and_role_checked(make):
    make.user(email="a@example.org")
    _fails(User(email="A@example.org", name="x", password_hash="x", role="organizer"))
    _fails(User(email="b@example.org", name="x", password_hash="x", role="emperor"))


def test_invitation_once_per_person_and_valid_status(make):
    convening, person = make.convening(), make.person()
    make.invitation(convening, person)
    _fails(Invitation(convening_id=convening.id, person_id=person.id))
    _fails(Invitation(convening_id=convening.id, person_id=make.person().id, status="maybe"))


def test_next_step_has_at_most_one_owner(make):
    convening, person, organization = make.convening(), make.person(), make.organization()
    _fails(ActionItem(convening_id=convening.id, text="x", owner_person_id=person.id,
                      owner_organization_id=organization.id))
    _fails(ActionItem(convening_id=convening.id, text="x", status="forgotten"))


def test_gender_is_one_of_the_self_identified_values(make):
    _fails(Person(name="x", email="x@example.org", gender="guessed"))


def test_naive_datetimes_are_refused(make):
    convening = make.convening()
    db.session.add(AgendaSession(convening_id=convening.id, title="x", starts_at=datetime(2030, 1, 1, 9),
                                 ends_at=datetime(2030, 1, 1, 10)))
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()


def test_times_come_back_aware_utc(make):
    convening = make.convening()
    start = datetime(2030, 3, 10, 14, tzinfo=timezone(timedelta(hours=-4)))
    session = make.agenda_session(convening, starts_at=start, ends_at=start + timedelta(hours=1))
    db.session.expire_all()
    again = db.session.get(AgendaSession, session.id)
    assert again.starts_at == start and again.starts_at.tzinfo is not None


def test_deleting_a_convening_removes_its_invitations(make):
    convening = make.convening()
    make.invitation(convening)
    db.session.delete(convening)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
