"""agenda/sharing.py: the public switch, feed links and seen marks, each change audited by the service."""
import sqlalchemy as sa

from convene.agenda import sharing
from convene.agenda.models import AgendaSeen, AgendaVersion
from convene.audit.models import AuditEvent
from convene.extensions import db
from convene.invitations.models import Invitation
from convene.tokens.models import AccessToken


def audited(action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_public_switch_is_audited_only_when_it_changes(setup):
    c, organizer = setup["convening"], setup["organizer"]
    assert sharing.set_public(c, True, actor=organizer).public is True
    sharing.set_public(c, True, actor=organizer)
    sharing.set_public(c, False, actor=organizer)
    db.session.commit()
    assert [e.changes["public_agenda"][1] for e in audited("agenda.settings")] == [True, False]


def test_convening_feed_issue_and_revoke(setup):
    c, organizer = setup["convening"], setup["organizer"]
    raw = sharing.issue_convening_feed(c, actor=organizer)
    db.session.commit()
    assert raw and len(audited("agenda.feed_issue")) == 1
    assert sharing.revoke_convening_feed(c, actor=organizer) == 1
    db.session.commit()
    assert audited("agenda.feed_revoke")[0].changes == {"revoked": [None, 1]}


def test_attendee_subscription_renew_and_unsubscribe(setup):
    amina = setup["guests"][0]
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.person_id == amina.id))
    first = sharing.subscription(amina, invitation, "TOKEN", renew=False)
    assert first == sharing.subscription(amina, invitation, "TOKEN", renew=False)  # the same address each time
    assert first["agenda_url"].endswith("/my/TOKEN/agenda") and first["webcal"].startswith("webcal://")
    renewed = sharing.subscription(amina, invitation, "TOKEN", renew=True)
    db.session.commit()
    assert renewed["https"] != first["https"]
    assert [e.actor_label for e in audited("agenda.feed_renew")] == [sharing.VIA_LINK]
    assert sharing.unsubscribe(amina) >= 1
    db.session.commit()
    live = db.session.scalars(sa.select(AccessToken).where(AccessToken.person_id == amina.id,
                                                           AccessToken.revoked_at.is_(None),
                                                           AccessToken.purpose == "feed")).all()
    assert live == [] and len(audited("agenda.feed_revoke")) == 1


def test_mark_seen_remembers_the_version_per_convening(setup):
    c, amina = setup["convening"], setup["guests"][0]
    sharing.mark_seen(amina, [(c, AgendaVersion(number=1))])
    sharing.mark_seen(amina, [(c, AgendaVersion(number=2))])
    db.session.commit()
    seen = db.session.scalars(sa.select(AgendaSeen).where(AgendaSeen.person_id == amina.id)).all()
    assert [(s.convening_id, s.version_number) for s in seen] == [(c.id, 2)]
