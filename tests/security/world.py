"""A small world of two convenings with their organizers, people, invitations and personal links,
and the means to turn any URL rule of the app into a concrete URL within it.

Used by the access matrix, the header sweep and the hostile-input suite, so that a route
another area adds is exercised by all three without changing them (only its URL arguments
may need a filler here).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
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
    #: Ids of objects of other areas (outbox message, nomination, note, ...), by URL argument name.
    extra_ids: dict = field(default_factory=dict)

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
    # a staff member's personal next-steps feed (a feed token of a user, not of a person)
    links["user_feed"] = tokens.issue("feed", user_id=user.id, expires_at=later, revoke_previous=False)
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
    invitation = make.invitation(convening, person, status="accepted", invited_at=utcnow(), responded_at=utcnow(),
                                 invitee_confirmed_at=utcnow())  # A's invitee answered through their link
    other_invitation = make.invitation(other_convening, other_person, status="invited", invited_at=utcnow())
    session = make.agenda_session(convening)
    other_session = make.agenda_session(other_convening)
    make.session_role(session, person, "speaker")
    theme = make.theme()
    action = make.action(convening, owner_person_id=person.id)
    other_action = make.action(other_convening, owner_person_id=other_person.id)
    brief = make.brief(convenings=[convening], status="published", published_on=date.today())
    other_brief = make.brief(convenings=[other_convening], status="draft")
    review_brief = make.brief(convenings=[convening], status="review")
    world = World(admin, staff, organizer, other_organizer, series, convening, dialogue, other_convening,
                  person, other_person, invitation, other_invitation, session, other_session, action,
                  other_action, brief, other_brief, theme, organization)
    world.extra_ids = _other_areas(world)
    world.extra_ids["token_id"] = _api_token(organizer)
    world.extra_ids["webhook_id"] = _webhook()
    world.extra_ids["review_brief_id"] = review_brief.id
    world.tokens = _issue_links(person, invitation, convening, organizer, action, brief)
    world.other_tokens = _issue_links(other_person, other_invitation, other_convening, other_organizer,
                                      other_action, other_brief)
    return world


def _api_token(user) -> int:
    """A personal API token of the organizer (its revoke route needs an id)."""
    from convene.api import tokens as api_tokens

    token, _secret = api_tokens.create(user, "Matrix")
    db.session.commit()
    return token.id


def _webhook() -> int:
    """A registered webhook (admins' pages point at it); public address, never called in these tests."""
    from convene.webhooks.models import Webhook

    hook = Webhook(url="https://hooks.example.org/convene", events=["brief.published"], secret="whsec_test")
    db.session.add(hook)
    db.session.commit()
    return hook.id


def _other_areas(world: World) -> dict:
    """Objects of the other areas that routes point at, all belonging to convening A."""
    from convene.briefs.models import BriefFile
    from convene.convenings.models import SeriesBrand
    from convene.correspondence.models import ParticipantMessage
    from convene.diversity.models import ClassificationOverride, DiversityTarget
    from convene.invitations.models import Nomination
    from convene.mail.services import queue_message
    from convene.notes.models import NoteRemark, NoteRevision, SessionNote

    message = queue_message(to_address=world.person.email, subject=f"Invitation to {world.convening.title}",
                            text="Dear guest",
                            convening_id=world.convening.id, invitation_id=world.invitation.id,
                            person_id=world.person.id, kind="invitation")
    nomination = Nomination(invitation_id=world.invitation.id, name="Nominee", email="nominee@example.org")
    target = DiversityTarget(convening_id=world.convening.id, dimension="gender", kind="min_share",
                             category="woman", value=40)
    series_target = DiversityTarget(series_id=world.series.id, dimension="gender", kind="min_share",
                                    category="woman", value=40)
    override = ClassificationOverride(country="TR", classification="south", reason="test")
    note = SessionNote(session_id=world.session.id, convening_id=world.convening.id, status="shared",
                       revision_count=1, shared_at=utcnow())
    note.revisions.append(NoteRevision(number=1, summary="Summary", body="Body"))
    remark = NoteRemark(note=note, text="A remark", speaker_id=world.person.id)
    brief_file = BriefFile(brief_id=world.brief.id, storage_name="0" * 32 + ".pdf", original_name="brief.pdf",
                           size=10, sha256="0" * 64)
    participant_message = ParticipantMessage(convening_id=world.convening.id, subject="Shuttle", body="At 8")
    # series A has its own look, so A's public and attendee pages are checked with it (its logo file is absent)
    look = SeriesBrand(series_id=world.series.id, organization="Foundation <b>A</b>", accent="#8a1538",
                       footer="Footer of A", contact="events@a.example", logo_name="0" * 32 + ".png",
                       logo_width=120, logo_height=40, revision=1)
    db.session.add_all([nomination, target, series_target, override, note, remark, brief_file, look,
                        participant_message])
    db.session.commit()
    return {"message_id": message.id, "nomination_id": nomination.id, "target_id": target.id,
            "brand_revision": look.revision, "logo_name": look.logo_name,
            "series_target_id": series_target.id, "code": override.country, "remark_id": remark.id,
            "number": 1, "file_id": brief_file.id, "role_id": world.session.roles[0].id,
            "participant_message_id": participant_message.id}


#: Which token purpose a token route expects, by endpoint; the default guesses from the name.
TOKEN_PURPOSE = {
    "auth.reset_password": "reset",
    "invitations.rsvp": "rsvp",
    "actions.feed": "user_feed",
    "actions.owner_page": "owner",
    "actions.my_steps": "rsvp",
}


def token_purpose(endpoint: str) -> str:
    if endpoint in TOKEN_PURPOSE:
        return TOKEN_PURPOSE[endpoint]
    for hint, purpose in (("feed", "feed"), ("ics", "feed"), ("calendar", "feed"), ("review", "review"),
                          ("owner", "owner"), ("next_step", "owner"), ("actions", "owner"), ("reset", "reset")):
        if hint in endpoint:
            return purpose
    return "rsvp"


def world_values(world: World) -> dict:
    """Plain values (ids, slugs, tokens) of convening A's objects, for URL arguments by name."""
    return {
        "convening_id": world.convening.id, "series_id": world.series.id, "person_id": world.person.id,
        "invitation_id": world.invitation.id, "session_id": world.session.id, "action_id": world.action.id,
        "brief_id": world.brief.id, "theme_id": world.theme.id, "organization_id": world.organization.id,
        "user_id": world.organizer.id, "filename": "app.css", "dialogue_id": world.dialogue.id,
        "parent_id": world.convening.id, "year": world.convening.starts_on.year, "uid": world.session.uid,
        "place_id": world.invitation.id, "reserve_id": world.invitation.id, "service": "google",
        "kind": "reminder", "language": "fr", "site_kind": "staff_digest", "site_language": "en",
        "convening_slug": world.convening.slug, "series_slug": world.series.slug, "brief_slug": world.brief.slug, "theme_slug": world.theme.slug,
        "tokens": dict(world.tokens), "other_tokens": dict(world.other_tokens),
        **world.extra_ids,
    }


#: URL arguments whose value depends on the route: {(endpoint, argument): key in the values}.
PER_ROUTE = {
    ("convenings.brand_css", "revision"): "brand_revision",
    ("convenings.brand_logo", "name"): "logo_name",
    ("diversity.delete_series_target", "target_id"): "series_target_id",
    ("briefs.review", "brief_id"): "review_brief_id",
    ("briefs.review_file", "brief_id"): "review_brief_id",
    ("messages.site_edit", "kind"): "site_kind", ("messages.site_edit", "language"): "site_language",
    ("messages.site_reset", "kind"): "site_kind", ("messages.site_reset", "language"): "site_language",
}


def _slug_for(endpoint: str, values: dict) -> str:
    if endpoint == "api.one_series":
        return values["series_slug"]
    if endpoint.startswith("briefs.") or endpoint == "api.publication":
        return values["brief_slug"]
    if endpoint.startswith("themes."):
        return values["theme_slug"]
    return values["convening_slug"]


class MissingFiller(KeyError):
    pass


def url_for_rule(rule: Rule, values: dict, *, token: str | None = None) -> str:
    """A concrete URL for the rule, pointing at convening A's objects (or the given token)."""
    args = {}
    for name in rule.arguments:
        if name == "token":
            args[name] = token if token is not None else values["tokens"][token_purpose(rule.endpoint)]
        elif name == "slug":
            args[name] = _slug_for(rule.endpoint, values)
        elif (rule.endpoint, name) in PER_ROUTE:
            args[name] = values[PER_ROUTE[rule.endpoint, name]]
        elif name in values:
            args[name] = values[name]
        else:
            raise MissingFiller(f"add a filler for URL argument {name!r} (route {rule.rule}) in tests/security/world.py")
    _, path = rule.build(args, append_unknown=False)
    return path


def routes(app, methods=("GET", "POST", "PUT", "PATCH", "DELETE")):
    """(rule, method) for every rule of the app and every method it answers (HEAD/OPTIONS aside)."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        for method in sorted((rule.methods or set()) & set(methods)):
            found.append((rule, method))
    return found


# --- freezing a world so it can be put back between requests that change it ----------------

@dataclass
class Frozen:
    """Plain values of a world (no ORM objects), valid again after every `restore_rows`."""

    values: dict
    session_ids: dict
    rows: dict


def freeze(world: World, engine, app) -> Frozen:
    """Sign every account in for real (so sessions are fresh and bound as in a browser), then snapshot."""
    from tests.fixtures.factories import PASSWORD

    values = world_values(world)
    session_ids = {}
    for actor in ACTORS:
        user = world.user(actor)
        if user is not None:
            client = app.test_client()
            response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 302, f"{actor} could not sign in"
            session_ids[actor] = client.get_cookie("session").value
    return Frozen(values=values, session_ids=session_ids, rows=snapshot_rows(engine))


def snapshot_rows(engine) -> dict[str, list[dict]]:
    """Every row of every table, as dicts, in primary-key order."""
    rows = {}
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [dict(r._mapping) for r in connection.execute(sa.select(table).order_by(*order))]
    return rows


def restore_rows(engine, rows: dict[str, list[dict]]) -> None:
    """Put the database back to the snapshot in one transaction: delete children first, insert parents first.

    Plain DELETEs are much faster than TRUNCATE for a few rows, and the brief search index
    follows through its triggers.
    """
    tables = db.metadata.sorted_tables
    with engine.begin() as connection:
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            if rows.get(table.name):
                connection.execute(table.insert(), rows[table.name])
        if engine.dialect.name == "postgresql":  # explicit ids were inserted: move the sequences past them
            for table in tables:
                if "id" in table.c and rows.get(table.name) and table.c.id.autoincrement in (True, "auto"):
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM \"{table.name}\"))"))
