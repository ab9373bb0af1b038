"""A small world of two convenings with their organizers, people, invitations and personal links,
and the means to turn any URL rule of the app into a concrete URL within it.

Used by the access matrix, the header sweep and the hostile-input suite, so that a route
another area adds is exercised by all three without changing them (only its URL arguments
may need a filler here).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from werkzeug.routing import Rule

from convene.db_types import utcnow
from convene.extensions import db
from convene.tokens import services as tokens

#: The actors of the matrix, least privileged first.
ACTORS = ("anonymous", "attendee", "staff", "other_organizer", "organizer", "admin")


@dataclass
class World:
    admin: object
    staff: object
    organizer: object
    other_organizer: object
    series: object
    convening: object
    dialogue: object
    other_convening: object
    person: object
    other_person: object
    invitation: object
    other_invitation: object
    session: object
    other_session: object
    action: object
    other_action: object
    brief: object
    other_brief: object
    theme: object
    organization: object
    #: {purpose: raw token} for this convening's invitee, and for the other convening's.
    tokens: dict = field(default_factory=dict)
    other_tokens: dict = field(default_factory=dict)

    def user(self, actor: str):
        return {"staff": self.staff, "organizer": self.organizer, "other_organizer": self.other_organizer,
                "admin": self.admin}.get(actor)


def _issue_links(person, invitation, convening, user, action, brief) -> dict[str, str]:
    """One live token per purpose, with every subject column its area might look up."""
    later = utcnow() + timedelta(days=30)
    subject = {"invitation_id": invitation.id, "person_id": person.id, "convening_id": convening.id}
    links = {purpose: tokens.issue(purpose, expires_at=later, revoke_previous=False, **subject)
             for purpose in ("rsvp", "feed", "owner", "review")}
    links["reset"] = tokens.issue("reset", user_id=user.id, expires_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    return links


def build_world(make) -> World:
    """Convening A (organized by `organizer`, with a dialogue) and convening B (by `other_organizer`)."""
    admin, staff = make.user("admin"), make.user("staff")
    organizer, other_organizer = make.user("organizer"), make.user("organizer")
    series = make.series()
    starts = date.today() + timedelta(days=40)
    convening = make.convening(organizers=[organizer], series=series, starts_on=starts, status="open",
                               reply_by=starts - timedelta(days=10))
    dialogue = make.dialogue(convening)
    other_convening = make.convening(organizers=[other_organizer], series=series, starts_on=starts, status="open",
                                     reply_by=starts - timedelta(days=10))
    organization = make.organization()
    person = make.person(gender="woman", nationality="KE", dietary_needs="secret-diet-a",
                         access_needs="secret-access-a", organization=organization, listing_consent=True)
    other_person = make.person(gender="man", nationality="BR", dietary_needs="secret-diet-b",
                               access_needs="secret-access-b", listing_consent=True)
    invitation = make.invitation(convening, person, status="invited", invited_at=utcnow())
    other_invitation = make.invitation(other_convening, other_person, status="invited", invited_at=utcnow())
    session = make.agenda_session(convening)
    other_session = make.agenda_session(other_convening)
    make.session_role(session, person, "speaker")
    theme = make.theme()
    action = make.action(convening, owner_person_id=person.id)
    other_action = make.action(other_convening, owner_person_id=other_person.id)
    brief = make.brief(convenings=[convening], status="published", published_on=date.today())
    other_brief = make.brief(convenings=[other_convening], status="draft")
    world = World(admin, staff, organizer, other_organizer, series, convening, dialogue, other_convening,
                  person, other_person, invitation, other_invitation, session, other_session, action,
                  other_action, brief, other_brief, theme, organization)
    world.tokens = _issue_links(person, invitation, convening, organizer, action, brief)
    world.other_tokens = _issue_links(other_person, other_invitation, other_convening, other_organizer,
                                      other_action, other_brief)
    return world


#: Which token purpose a token route expects, by endpoint; the default guesses from the name.
TOKEN_PURPOSE = {
    "auth.reset_password": "reset",
    "invitations.rsvp": "rsvp",
}


def token_purpose(endpoint: str) -> str:
    if endpoint in TOKEN_PURPOSE:
        return TOKEN_PURPOSE[endpoint]
    for hint, purpose in (("feed", "feed"), ("ics", "feed"), ("calendar", "feed"), ("review", "review"),
                          ("owner", "owner"), ("next_step", "owner"), ("actions", "owner"), ("reset", "reset")):
        if hint in endpoint:
            return purpose
    return "rsvp"


def _fillers(world: World, endpoint: str) -> dict:
    """Values for URL arguments, by argument name, pointing at convening A's objects."""
    slug = world.brief.slug if endpoint.startswith("briefs") else world.convening.slug
    if endpoint.startswith("themes") or "theme" in endpoint:
        slug = world.theme.slug
    return {
        "convening_id": world.convening.id, "series_id": world.series.id, "person_id": world.person.id,
        "invitation_id": world.invitation.id, "session_id": world.session.id, "action_id": world.action.id,
        "brief_id": world.brief.id, "theme_id": world.theme.id, "organization_id": world.organization.id,
        "user_id": world.organizer.id, "slug": slug, "filename": "app.css",
        "dialogue_id": world.dialogue.id, "parent_id": world.convening.id, "year": world.convening.starts_on.year,
        "role_id": world.session.roles[0].id if world.session.roles else 1,
        "token": world.tokens[token_purpose(endpoint)],
    }


class MissingFiller(KeyError):
    pass


def url_for_rule(rule: Rule, world: World, *, token: str | None = None) -> str:
    """A concrete URL for the rule, pointing at convening A's objects (or the given token)."""
    values = _fillers(world, rule.endpoint)
    if token is not None:
        values["token"] = token
    args = {}
    for name in rule.arguments:
        if name not in values:
            raise MissingFiller(f"add a filler for URL argument {name!r} (route {rule.rule}) in tests/security/world.py")
        args[name] = values[name]
    _, path = rule.build(args, append_unknown=False)
    return path


def routes(app, methods=("GET", "POST", "PUT", "PATCH", "DELETE")):
    """(rule, method) for every rule of the app and every method it answers (HEAD/OPTIONS aside)."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        for method in sorted((rule.methods or set()) & set(methods)):
            found.append((rule, method))
    return found
