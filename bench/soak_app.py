"""The soak's work inside the app (run as `python -m bench.soak_app seed|send`, with the soak's CONVENE_* env).

seed: demo data, a public agenda, 500 people planned on a guest list; prints what the load needs as JSON.
send: sends those 500 invitations in batches of 50, as an organizer pressing "Send" would, while the
load runs; a batch caught by the database restart is retried (each batch is one transaction).
"""
from __future__ import annotations

import json
import sys
import time

import sqlalchemy as sa

INVITEES = 500
BATCH = 50
DIALOGUE = "preventing-atrocities-in-fragile-transitions"


def seed() -> dict:
    from convene.agenda.models import AgendaSettings, AgendaVersion
    from convene.auth.models import User
    from convene.convenings.models import Convening
    from convene.demo.data import DEMO_LOGINS, load_demo
    from convene.extensions import db
    from convene.invitations.guest_list import add_people
    from convene.people.services import create_people

    load_demo()
    organizer = db.session.scalar(sa.select(User).where(User.email == DEMO_LOGINS[0][1]))
    published = db.session.scalar(sa.select(Convening).join(AgendaVersion).order_by(Convening.id).limit(1))
    if db.session.get(AgendaSettings, published.id) is None:
        db.session.add(AgendaSettings(convening_id=published.id, public=True))
    dialogue = db.session.scalar(sa.select(Convening).where(Convening.slug == DIALOGUE))
    dialogue.capacity = None
    people = create_people([{"name": f"Soak Invitee {n:03d}", "email": f"soak.invitee.{n:03d}@example.org",
                             "country": "KE" if n % 2 else "NO"} for n in range(INVITEES)], actor=organizer)
    invitations, refused = add_people(dialogue, people, role="participant", priority="first_choice", actor=organizer)
    assert not refused, refused
    db.session.commit()
    return {"organizer": [DEMO_LOGINS[0][1], DEMO_LOGINS[0][2]], "public_slug": published.slug,
            "dialogue_id": dialogue.id, "invitation_ids": [i.id for i in invitations]}


def send(ids: list[int]) -> None:
    from convene.auth.models import User
    from convene.convenings.models import Convening
    from convene.demo.data import DEMO_LOGINS
    from convene.extensions import db
    from convene.invitations.models import Invitation
    from convene.invitations.sending import send_invitations

    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        for attempt in range(20):
            try:
                organizer = db.session.scalar(sa.select(User).where(User.email == DEMO_LOGINS[0][1]))
                invitations = list(db.session.scalars(sa.select(Invitation).where(Invitation.id.in_(chunk))))
                convening = db.session.get(Convening, invitations[0].convening_id)
                report = send_invitations(convening, invitations, actor=organizer)
                db.session.commit()
                print(f"sent batch {start // BATCH + 1}: {len(report.sent)} queued", flush=True)
                break
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
                db.session.rollback()
                db.session.remove()
                print(f"batch {start // BATCH + 1} retried after a database error: {error.orig}", flush=True)
                time.sleep(0.5)
        time.sleep(1.0)  # an organizer working through the list, so the faults meet mail in flight


def main() -> None:
    from convene import create_app

    app = create_app()
    with app.app_context():
        if sys.argv[1] == "seed":
            print(json.dumps(seed()))
        else:
            send(json.loads(sys.argv[2]))


if __name__ == "__main__":
    main()
