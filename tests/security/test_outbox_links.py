"""Whoever reads the outbox cannot use an invitee's personal link (issue 13, found while closing finding 1).

An organizer may read the invitations of their convenings in the outbox. The RSVP link in them
opens the invitee's self-identified details and answers on their behalf, which would undo the
rule that only the invitee's own answer opens those details to organizers. The outbox shows
every personal link with its secret replaced by [token].
"""
from datetime import timedelta

from convene.db_types import utcnow
from convene.extensions import db
from convene.mail.services import queue_message
from convene.tokens import services as tokens
from convene.urls import absolute_url
from tests.security.world import build_world


def test_the_outbox_never_shows_a_usable_personal_link(client, make, sign_in):
    world = build_world(make)
    raw = tokens.issue("rsvp", invitation_id=world.other_invitation.id, person_id=world.other_person.id,
                       convening_id=world.other_convening.id, expires_at=utcnow() + timedelta(days=30),
                       revoke_previous=False)
    link = absolute_url("invitations.rsvp", token=raw)
    message = queue_message(to_address=world.other_person.email, subject="Invitation", kind="invitation",
                            text=f"Dear guest,\n\nPlease answer here: {link}\n",
                            html=f'<p>Please answer <a href="{link}">here</a>.</p>',
                            convening_id=world.other_convening.id, invitation_id=world.other_invitation.id,
                            person_id=world.other_person.id)
    db.session.commit()
    sign_in(world.other_organizer)
    response = client.get(f"/outbox/{message.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert raw not in page
    assert link.replace(raw, "[token]") in page  # the link stays readable, its secret does not
