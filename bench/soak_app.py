"""The soak's database (run as `python -m bench.soak_app setup N`, with the soak's CONVENE_* env).

Migrates the empty database to the head (what `flask db upgrade` runs), then loads the demo data,
a public agenda, and N people planned on a dialogue's guest list; prints what the load needs as JSON. The invitations themselves are sent during the load, through the guest list's
bulk "Send" form, as an organizer would (bench/soak_load.py).
"""
from __future__ import annotations

import json
import sys

import sqlalchemy as sa

DIALOGUE = "preventing-atrocities-in-fragile-transitions"


def seed(invitees: int) -> dict:
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
                             "country": "KE" if n % 2 else "NO"} for n in range(invitees)], actor=organizer)
    invitations, refused = add_people(dialogue, people, role="participant", priority="first_choice", actor=organizer)
    assert not refused, refused
    db.session.commit()
    return {"organizer": [DEMO_LOGINS[0][1], DEMO_LOGINS[0][2]], "public_slug": published.slug,
            "dialogue_id": dialogue.id, "invitation_ids": [i.id for i in invitations]}


def main() -> None:
    from convene import create_app

    from flask_migrate import upgrade

    app = create_app()
    with app.app_context():
        upgrade()
        print(json.dumps(seed(int(sys.argv[2]))))


if __name__ == "__main__":
    main()
