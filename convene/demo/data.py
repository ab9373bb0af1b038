"""The demo data set: the 53rd Strategy for Peace Conference (17–19 October 2012, near
Washington, DC) with its roundtable "Assisting States to Prevent Atrocities", and an upcoming
edition of the same series dated relative to the day the demo is loaded.

Every person is fictional. Loading is idempotent: each object is looked up by its natural key
(email, slug, name, or title and time) before it is created, so a second load adds nothing.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..actions.models import ActionItem, ActionUpdate
from ..agenda.models import AgendaSession, SessionRole
from ..agenda.versions import latest, publish
from ..auth.models import User
from ..briefs.models import Brief, BriefRegion
from ..convenings.models import Convening, Series
from ..db_types import utcnow
from ..diversity.models import DiversityTarget
from ..extensions import db
from ..invitations.models import Invitation, InvitationStatusChange
from ..invitations.outbox import rsvp_link
from ..people.models import Organization, Person
from ..themes.models import Theme
from .people import FOUNDATION, NEW_INVITEES, PARTICIPANTS_2012

DEMO_PASSWORD = "convene-demo-2026"
DEMO_LOGINS = (
    ("organizer", "organizer@demo.example.org", DEMO_PASSWORD),
    ("staff", "staff@demo.example.org", DEMO_PASSWORD),
    ("admin", "admin@demo.example.org", DEMO_PASSWORD),
)
ACCOUNT_NAMES = {"organizer": "Amina Okafor", "staff": "Jonas Lindqvist", "admin": "Priya Raman"}
NEW_YORK = "America/New_York"

NEXT_STEPS_2012 = (
    ("Explore the incentives and motives that lead perpetrators to target civilians, and the "
     "governance deficits they exploit.",
     "Participants found that prevention strategies rarely start from why perpetrators choose to attack civilians."),
    ("Integrate an atrocity-prevention lens into conflict prevention, development, stabilization "
     "and peacebuilding.",
     "Prevention works best when it is part of programmes that already run, rather than a separate track."),
    ("Broaden dialogue among core stakeholders toward a shared global vision of assisting states "
     "to build capacity to prevent atrocities.",
     "Assistance is more welcome when states of the Global South shape what it looks like."),
)


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Convening.id))) == 0


def _one(model, **key):
    return db.session.scalar(sa.select(model).filter_by(**key))


def _get_or_add(model, key: dict, **values):
    obj = _one(model, **key)
    if obj is None:
        obj = model(**key, **values)
        db.session.add(obj)
        db.session.flush()
    return obj


def _account(role: str, email: str) -> User:
    user = _one(User, email=email)
    if user is None:
        user = User(email=email, name=ACCOUNT_NAMES[role], role=role)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


#: Letters NFKD does not take apart into a base letter and a mark.
LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe",
                         "ı": "i", "ħ": "h"})


def email_local_part(name: str) -> str:
    """"Sofía Ramírez" -> "sofia.ramirez": accents transliterated (NFKD), not dropped; spaces as dots."""
    plain = unicodedata.normalize("NFKD", name.lower().translate(LETTERS))
    letters = "".join(ch for ch in plain if not unicodedata.combining(ch)).replace("'", "")
    return ".".join(re.sub(r"[^a-z0-9-]+", " ", letters).split())


def _people(rows, domain: str) -> list[Person]:
    people = []
    for honorific, name, position, org_name, org_sector, country, sector, gender, nationality in rows:
        organization = _get_or_add(Organization, {"name": org_name}, sector=org_sector, country=country)
        email = f"{email_local_part(name)}@{domain}"
        people.append(_get_or_add(
            Person, {"email": email}, honorific=honorific, name=name, position=position,
            organization=organization, sector=sector, country=country, gender=gender,
            nationality=nationality, listing_consent=True,
            bio=f"{name} is {position} at {org_name}. (Fictional participant of the Convene demo.)"))
    return people


def _at(day: date, hour: int, minute: int = 0, tz: str = NEW_YORK) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


def _session(convening: Convening, title: str, start: datetime, minutes: int, kind: str = "roundtable",
             room: str = "", description: str = "", roles=()) -> AgendaSession:
    session = _one(AgendaSession, convening_id=convening.id, title=title)
    if session is None:
        session = AgendaSession(convening=convening, title=title, kind=kind, starts_at=start,
                                ends_at=start + timedelta(minutes=minutes), room=room, description=description)
        db.session.add(session)
        for person, role in roles:
            session.roles.append(SessionRole(person=person, role=role))
        db.session.flush()
    return session


def _invite(convening: Convening, person: Person, status: str, role: str = "participant",
            priority: str = "first_choice", invited_at: datetime | None = None, **extra) -> Invitation:
    invitation = _one(Invitation, convening_id=convening.id, person_id=person.id)
    if invitation is None:
        invitation = Invitation(convening=convening, person=person, role=role, priority=priority,
                                status=status, invited_at=invited_at, **extra)
        if status != "planned":
            invitation.changes.append(InvitationStatusChange(from_status="planned", to_status="invited",
                                                             at=invited_at or utcnow(), via="demo data"))
        if status not in ("planned", "invited"):
            invitation.responded_at = (invited_at or utcnow()) + timedelta(days=6)
            invitation.invitee_confirmed_at = invitation.responded_at  # the invitee answered by link
            invitation.changes.append(InvitationStatusChange(from_status="invited", to_status=status,
                                                             at=invitation.responded_at,
                                                             via="invitee via personal link"))
        db.session.add(invitation)
    return invitation


def _load_2012(series: Series, organizer: User, staff: User, people: list[Person]) -> Convening:
    conference = _get_or_add(
        Convening, {"slug": "53rd-strategy-for-peace-conference"},
        title="53rd Strategy for Peace Conference", kind="conference", series=series,
        theme="Strategies for preventing conflict and mass atrocities",
        starts_on=date(2012, 10, 17), ends_on=date(2012, 10, 19),
        venue="Conference centre near Washington, DC", city="Warrenton", country="US", timezone=NEW_YORK,
        attribution_rule="not_for_attribution", status="closed",
        description="Parallel roundtables of invited officials, international-organization staff, specialists "
                    "and civil-society participants, held under a not-for-attribution rule.")
    if organizer not in conference.organizers:
        conference.organizers.append(organizer)
    roundtable = _get_or_add(
        Convening, {"slug": "assisting-states-to-prevent-atrocities"},
        title="Assisting States to Prevent Atrocities", kind="roundtable", series=series, parent=conference,
        theme="Atrocity prevention", starts_on=date(2012, 10, 17), ends_on=date(2012, 10, 19),
        venue=conference.venue, city="Warrenton", country="US", timezone=NEW_YORK,
        attribution_rule="not_for_attribution", status="closed", capacity=32,
        description="How can outside actors help states build their own capacity to prevent genocide and "
                    "other mass atrocities, and what do states want from such assistance?")
    invited_at = _at(date(2012, 7, 2), 10)
    attendance = ["attended"] * 27 + ["no_show", "declined", "declined"]
    for person, status in zip(people, attendance):
        role = "chair" if person is people[0] else ("rapporteur" if person is people[5] else "participant")
        _invite(roundtable, person, status, role=role, invited_at=invited_at,
                decline_reason="Scheduling conflict with a ministerial visit." if status == "declined" else "")
    chair, rapporteur = people[0], people[5]
    day1, day2, day3 = date(2012, 10, 17), date(2012, 10, 18), date(2012, 10, 19)
    _session(roundtable, "Arrival and welcome dinner", _at(day1, 18, 30), 150, "meal", "Main dining room",
             "Opening remarks by the chair and an overview of the roundtable's questions.", [(chair, "chair")])
    _session(roundtable, "Session I: What drives perpetrators to target civilians?", _at(day2, 9), 105,
             "roundtable", "Library", "Incentives, motives and the governance deficits that make atrocities "
             "possible; what early warning has and has not captured.",
             [(chair, "chair"), (people[12], "presenter"), (people[15], "discussant"), (rapporteur, "rapporteur")])
    _session(roundtable, "Coffee break", _at(day2, 10, 45), 15, "break")
    _session(roundtable, "Session II: Prevention inside development and stabilization programmes", _at(day2, 11),
             90, "roundtable", "Library", "Integrating an atrocity-prevention lens into conflict prevention, "
             "development, stabilization and peacebuilding work that is already under way.",
             [(chair, "chair"), (people[6], "presenter"), (people[16], "discussant"), (rapporteur, "rapporteur")])
    _session(roundtable, "Lunch", _at(day2, 12, 30), 75, "meal", "Main dining room")
    _session(roundtable, "Session III: What states ask of outside assistance", _at(day2, 14), 120, "roundtable",
             "Library", "Views of officials from states that have received or requested prevention assistance.",
             [(chair, "moderator"), (people[13], "presenter"), (people[4], "discussant"), (rapporteur, "rapporteur")])
    _session(roundtable, "Reception", _at(day2, 18), 90, "reception", "Terrace")
    _session(roundtable, "Session IV: Toward a shared global vision", _at(day3, 9), 90, "roundtable", "Library",
             "Broadening dialogue among core stakeholders; agreeing next steps.",
             [(chair, "chair"), (people[20], "presenter"), (rapporteur, "rapporteur")])
    _session(roundtable, "Closing plenary: next steps", _at(day3, 10, 45), 75, "plenary", "Auditorium",
             "Rapporteurs of the parallel roundtables report agreed next steps.", [(chair, "chair")])
    _load_2012_outcomes(roundtable, staff, people)
    _publish_agenda(roundtable, organizer)
    return conference


def _publish_agenda(convening: Convening, actor: User) -> None:
    """The held roundtable's agenda as participants saw it (version 1)."""
    db.session.flush()
    if latest(convening.id) is None:
        publish(convening, actor=actor, note="Final programme.")


#: Balance targets of the upcoming dialogue: (dimension, kind, category, value).
DEMO_TARGETS = (
    ("north_south", "min_share", "south", 50),
    ("gender", "min_share", "woman", 40),
    ("sector", "max_any", "", 40),
    ("region", "min_categories", "", 4),
)


def _set_targets(convening: Convening, actor: User) -> None:
    for dimension, kind, category, value in DEMO_TARGETS:
        _get_or_add(DiversityTarget, {"convening_id": convening.id, "dimension": dimension, "kind": kind,
                                      "category": category}, value=value, stage="accepted",
                    created_by_id=actor.id)


def _load_2012_outcomes(roundtable: Convening, staff: User, people: list[Person]) -> None:
    theme = _get_or_add(Theme, {"slug": "atrocity-prevention"}, name="Atrocity prevention")
    peacebuilding = _get_or_add(Theme, {"slug": "peacebuilding"}, name="Peacebuilding")
    foundation = _one(Organization, name=FOUNDATION)
    closing = _one(AgendaSession, convening_id=roundtable.id, title="Closing plenary: next steps")
    owners = [dict(owner_organization=foundation), dict(owner_person=people[12]), dict(owner_user=staff)]
    statuses = ["done", "in_progress", "open"]
    for (text, rationale), owner, status in zip(NEXT_STEPS_2012, owners, statuses):
        if _one(ActionItem, convening_id=roundtable.id, text=text) is not None:
            continue
        action = ActionItem(convening=roundtable, session=closing, text=text, rationale=rationale,
                            status=status, is_public=True, priority="high", created_by_id=staff.id,
                            due_on=date(2013, 6, 30), **owner)
        action.themes = [theme] if "perpetrators" in text else [theme, peacebuilding]
        action.updates.append(ActionUpdate(at=_at(date(2012, 10, 19), 12), author_user_id=staff.id,
                                           note="Agreed at the closing plenary.", new_status="open"))
        if status != "open":
            action.updates.append(ActionUpdate(at=_at(date(2013, 2, 1), 9), author_user_id=staff.id,
                                               old_status="open", new_status=status,
                                               note="Follow-up meeting held with the owner."))
        db.session.add(action)
    brief = _get_or_add(
        Brief, {"slug": "assisting-states-to-prevent-atrocities"},
        title="Assisting States to Prevent Atrocities", kind="policy_memo", status="published",
        publisher=FOUNDATION, authors="Roundtable rapporteur (demo)", published_on=date(2013, 1, 15),
        # The page lists the meeting's next steps from the data, with their progress: not repeated here.
        summary="Policy memo from the roundtable of the 53rd Strategy for Peace Conference: why atrocity "
                "prevention needs its own lens in conflict prevention, and how regional organizations and "
                "donors can help states build the capacity to act on early warning.")
    if roundtable not in brief.convenings:
        brief.convenings.append(roundtable)
    brief.themes = [theme, peacebuilding]
    for region in ("Africa", "Americas", "Asia"):
        if region not in brief.region_names:
            brief.regions.append(BriefRegion(region=region))


def _load_upcoming(series: Series, organizer: User, people: list[Person], newcomers: list[Person]) -> Convening:
    start = date.today() + timedelta(days=45)
    start += timedelta(days=(2 - start.weekday()) % 7)  # a Wednesday, like the 2012 edition
    edition = _one(Convening, slug="strategy-for-peace-conference-upcoming")
    if edition is None:
        edition = Convening(
            slug="strategy-for-peace-conference-upcoming", title=f"Strategy for Peace Conference {start.year}",
            kind="conference", series=series, theme="Prevention in an age of fragmentation",
            starts_on=start, ends_on=start + timedelta(days=2), venue="Conference centre near Washington, DC",
            city="Warrenton", country="US", timezone=NEW_YORK, attribution_rule="not_for_attribution",
            status="open", reply_by=start - timedelta(days=14))
        db.session.add(edition)
        edition.organizers.append(organizer)
    dialogue = _get_or_add(
        Convening, {"slug": "preventing-atrocities-in-fragile-transitions"},
        title="Preventing Atrocities in Fragile Transitions", kind="roundtable", series=series, parent=edition,
        theme="Atrocity prevention", starts_on=edition.starts_on, ends_on=edition.ends_on, venue=edition.venue,
        city="Warrenton", country="US", timezone=NEW_YORK, attribution_rule="not_for_attribution",
        status="open", reply_by=edition.reply_by, capacity=30)
    _get_or_add(
        Convening, {"slug": "climate-conflict-and-cooperation"},
        title="Climate, Conflict and Cooperation", kind="roundtable", series=series, parent=edition,
        theme="Climate security", starts_on=edition.starts_on, ends_on=edition.ends_on, venue=edition.venue,
        city="Warrenton", country="US", timezone=NEW_YORK, attribution_rule="chatham_house",
        status="draft", reply_by=edition.reply_by, capacity=30)
    invited_at = datetime.combine(date.today() - timedelta(days=10), time(9), tzinfo=ZoneInfo(NEW_YORK))
    answers = ["accepted"] * 9 + ["tentative"] * 3 + ["declined"] * 3 + ["invited"] * 9
    first_choice = people[:16] + newcomers[:8]
    for index, (person, status) in enumerate(zip(first_choice, answers)):
        # Most who accepted have given their travel dates (the venue list shows them); two have not yet.
        travel = {"arrives_on": edition.starts_on - timedelta(days=index % 2),
                  "departs_on": edition.ends_on + timedelta(days=index % 3 == 0)} \
            if status == "accepted" and index < 7 else {}
        _invite(dialogue, person, status, invited_at=invited_at, **travel,
                decline_reason="Travel not approved by my ministry." if status == "declined" else "")
    for rank, person in enumerate(people[16:22], start=1):
        _invite(dialogue, person, "planned", priority="reserve", reserve_rank=rank)
    day1, day2 = edition.starts_on, edition.starts_on + timedelta(days=1)
    _session(dialogue, "Welcome dinner", _at(day1, 18, 30), 120, "meal", "Main dining room")
    _session(dialogue, "Session I: Warning signs in political transitions", _at(day2, 9), 105, "roundtable",
             "Library", "Draft — framing paper to follow.", [(people[0], "chair")])
    _session(dialogue, "Session II: Regional organizations as first responders", _at(day2, 11), 90,
             "roundtable", "Library", "Draft.")
    _set_targets(dialogue, organizer)
    return edition


def load_demo() -> str:
    """Create (or complete) the demo data set and return a one-line summary."""
    accounts = {role: _account(role, email) for role, email, _ in DEMO_LOGINS}
    series = _get_or_add(Series, {"slug": "strategy-for-peace-conference"}, name="Strategy for Peace Conference",
                         description="An annual conference of parallel roundtables on peace and security, "
                                     "held under a not-for-attribution rule.")
    people = _people(PARTICIPANTS_2012, "participants.example.net")
    newcomers = _people(NEW_INVITEES, "participants.example.net")
    _get_or_add(Organization, {"name": FOUNDATION}, sector="philanthropy", country="US")
    _load_2012(series, accounts["organizer"], accounts["staff"], people)
    _load_upcoming(series, accounts["organizer"], people, newcomers)
    db.session.flush()
    counts = {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
              for name, model in (("people", Person), ("convenings", Convening), ("invitations", Invitation),
                                  ("sessions", AgendaSession), ("next steps", ActionItem))}
    return "Demo data ready: " + ", ".join(f"{n} {name}" for name, n in counts.items()) + "."


def demo_rsvp_link() -> str | None:
    """A fresh personal link for one demo invitee who has not answered yet (re-issuing revokes the old one)."""
    invitation = db.session.scalar(
        sa.select(Invitation).join(Convening).where(Convening.slug == "preventing-atrocities-in-fragile-transitions",
                                                    Invitation.status == "invited").order_by(Invitation.id))
    if invitation is None:
        return None
    return f"{rsvp_link(invitation, revoke_previous=True)}  ({invitation.person.name})"
