"""A small public world for the API tests: briefs, a public convening with a published agenda, series."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from convene.agenda import versions
from convene.agenda.models import AgendaSettings
from convene.briefs.models import BriefRegion
from convene.extensions import db


@dataclass
class PublicWorld:
    series: object
    convening: object
    private_convening: object
    organizer: object
    briefs: list
    draft: object


def switch_public(convening, on: bool = True) -> None:
    db.session.merge(AgendaSettings(convening_id=convening.id, public=on))
    db.session.commit()


@pytest.fixture
def public_world(make) -> PublicWorld:
    organizer = make.user("organizer")
    series = make.series(name="Strategy for Peace", slug="strategy-for-peace")
    convening = make.convening(organizers=[organizer], series=series, starts_on=date(2026, 10, 5),
                               title="Oceans Roundtable", slug="oceans-roundtable", timezone="Europe/Berlin",
                               attribution_rule="on_the_record", description="Two days on fisheries.\n\nAnd ports.")
    private = make.convening(organizers=[organizer], series=series, title="Closed door", slug="closed-door")
    speaker = make.person(name="Asha Mwangi", listing_consent=True, country="KE", sector="government")
    shy = make.person(name="Hidden Person", listing_consent=False, country="DE", sector="academia")
    session = make.agenda_session(convening, title="Opening plenary", room="Hall A")
    make.session_role(session, speaker, "chair")
    make.session_role(session, shy, "speaker")
    for person in [speaker, shy] + [make.person(country="BR", sector="government") for _ in range(6)]:
        make.invitation(convening, person, status="accepted")
    versions.publish(convening, actor=organizer)
    db.session.commit()
    switch_public(convening)
    theme = make.theme(name="Maritime security", slug="maritime-security")
    briefs = []
    for n in range(3):
        brief = make.brief(convenings=[convening] if n == 0 else [private], status="published",
                           published_on=date(2025, 3, 1) + timedelta(days=n), kind="policy_memo",
                           summary=f"**Fisheries** matter {n}. <script>alert(1)</script>", authors="A. Author; B. Author")
        brief.regions.append(BriefRegion(region="Eastern Africa" if n < 2 else "South America"))
        brief.themes.append(theme)
        briefs.append(brief)
    db.session.commit()
    draft = make.brief(convenings=[convening], status="draft", title="Unpublished draft")
    return PublicWorld(series, convening, private, organizer, briefs, draft)


@pytest.fixture
def api_headers(public_world):
    """headers_for(operation): what a client sends to an operation (the organizer's token where one is needed)."""
    from convene.api import tokens

    _token, secret = tokens.create(public_world.organizer, "tests")
    db.session.commit()

    def factory(document):
        return lambda operation: {"Authorization": f"Bearer {secret}"} if operation.get("security") else {}
    return factory
