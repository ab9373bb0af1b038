"""Deterministic benchmark data sets, inserted with bulk Core INSERTs.

Everything comes from one `random.Random(seed)`, and all dates are fixed (not "today"), so the
same seed gives the same rows on every machine and backend. Ids are assigned here so that rows
can refer to each other without a round trip per row; on PostgreSQL the id sequences are moved
past them afterwards so that the app's own inserts keep working.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from convene.extensions import db
from convene.models import (ActionItem, AgendaSession, Brief, BriefRegion, Convening, Invitation, Organization,
                            Person, Series, SessionRole, Theme, User)
from convene.actions.models import action_themes
from convene.briefs.models import brief_convenings, brief_themes
from convene.convenings.models import convening_organizers

UTC = timezone.utc
#: The password of the benchmark's accounts (requests sign in by session cookie, not by password).
PASSWORD_HASH = generate_password_hash("bench-password-not-secret", method="pbkdf2:sha256:1000")

FIRST = ("Amina Rafael Priya Jonas Grace Wei Fatima Diego Aisha Lars Mei Kwame Sofia Omar Ines Tariq Nadia Pablo "
         "Yuki Zainab Ana Ivan Leila Chen Hana Kofi Elena Samir Rosa Arjun Marta Femi Nora Hugo Sara Malik Lucia "
         "Ravi Ama Tomas Dina Ahmed Clara Joao Esi Pedro Noor Victor").split()
LAST = ("Diallo Ortiz Raman Berg Wanjiru Li Haddad Silva Mensah Nilsen Tanaka Osei Rossi Khan Garcia Nasser "
        "Petrov Ali Chen Novak Moreau Okafor Lopez Sato Kowalski Ibrahim Costa Mwangi Jensen Singh Dubois Adeyemi "
        "Fischer Hassan Santos Park Nguyen Abebe Castro Yilmaz Kim Ndiaye Larsen Alvarez Bose Mendes Sharma Otieno "
        "Weber Farah").split()
WORDS = ("security climate dialogue prevention atrocity mediation peacebuilding governance resilience regional "
         "cooperation humanitarian response early warning finance adaptation displacement borders maritime "
         "trade sanctions accountability justice reconciliation ceasefire monitoring election transition "
         "institutions capacity civil society youth women leadership multilateral council reform mandate "
         "resources water food energy cyber technology data evidence practice lessons implementation funding "
         "partnership coordination diplomacy negotiation envoy commitment strategy framework risk analysis "
         "communities local national global south north coalition agenda priorities recommendations policy "
         "the of and to in for on with across between through towards how what why which").split()
COUNTRIES = ("US GB FR DE NO SE JP CA AU NL CH IT ES "  # mostly Global North
             "SN NG KE ZA ET GH EG MA IN PK BD ID PH VN BR MX CO AR PE CL CN TR LB JO IQ UA").split()
SECTORS = ("government", "intergovernmental", "civil_society", "academia", "private", "media", "philanthropy")
GENDERS = ("woman", "man", "woman", "man", "non_binary", "prefer_not_to_say", None)
REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania", "Western Africa", "Eastern Africa",
           "South America", "South-eastern Asia", "Western Asia", "Northern Europe")
THEMES = ("Atrocity prevention", "Climate security", "Peacekeeping", "Humanitarian access", "Women, peace and "
          "security", "Sanctions", "Cyber norms", "Mediation", "Transitional justice", "Arms control")


@dataclass
class Shapes:
    """Ids of the objects the benchmark cases request."""

    admin_id: int = 0
    conference_id: int = 0
    roundtable_id: int = 0
    series_id: int = 0
    big_edition_id: int = 0
    small_edition_id: int = 0
    counts: dict[str, int] = field(default_factory=dict)


class Builder:
    """Accumulates rows per table, with ids assigned here, and inserts them in bulk."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.rows: dict[sa.Table, list[dict]] = {}
        self.next_id: dict[str, int] = {}

    def id_for(self, table: sa.Table) -> int:
        self.next_id[table.name] = self.next_id.get(table.name, 0) + 1
        return self.next_id[table.name]

    def add(self, model_or_table, **row) -> int:
        table = getattr(model_or_table, "__table__", model_or_table)
        if "id" in table.c and "id" not in row:
            row["id"] = self.id_for(table)
        self.rows.setdefault(table, []).append(row)
        return row.get("id", 0)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def words(self, low: int, high: int) -> str:
        text = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))
        return text[0].upper() + text[1:] + "."

    def title(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(3, 7))).capitalize()

    def flush(self, connection) -> None:
        """Insert every table's rows in dependency order, in batches, then fix PostgreSQL sequences."""
        order = [t for t in db.metadata.sorted_tables if t in self.rows]
        for table in order:
            rows = self.rows[table]
            columns = set().union(*(r.keys() for r in rows))
            for row in rows:  # executemany needs the same keys in every row
                for column in columns - row.keys():
                    row[column] = None
            for start in range(0, len(rows), 5000):
                connection.execute(table.insert(), rows[start:start + 5000])
        if connection.dialect.name == "postgresql":
            for table in order:
                if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM \"{table.name}\"))"))
        self.rows.clear()


# ---------------------------------------------------------------- common pieces

def _user(b: Builder, role: str, n: int) -> int:
    return b.add(User, email=f"{role}{n}@bench.example.org", name=f"{role.capitalize()} {n}",
                 password_hash=PASSWORD_HASH, role=role, active=True, session_secret=f"bench-{role}-{n}",
                 failed_logins=0, password_changed_at=datetime(2030, 1, 1, tzinfo=UTC),
                 created_at=datetime(2030, 1, 1, tzinfo=UTC))


def _organizations(b: Builder, n: int) -> list[int]:
    return [b.add(Organization, name=f"{b.rng.choice(LAST)} {b.rng.choice(['Institute', 'Foundation', 'Ministry', 'Centre', 'Council', 'Network'])} {i}",
                  sector=b.rng.choice(SECTORS), country=b.rng.choice(COUNTRIES),
                  created_at=datetime(2030, 1, 1, tzinfo=UTC)) for i in range(1, n + 1)]


def _people(b: Builder, n: int, organizations: list[int], prefix: str) -> list[int]:
    ids = []
    for i in range(1, n + 1):
        gender = b.rng.choice(GENDERS)
        ids.append(b.add(
            Person, honorific="", name=f"{b.rng.choice(FIRST)} {b.rng.choice(LAST)}",
            email=f"{prefix}{i}@bench.example.org", position=b.rng.choice(["Director", "Advisor", "Professor",
                                                                         "Ambassador", "Analyst", "Officer"]),
            organization_id=b.rng.choice(organizations), sector=b.rng.choice(SECTORS),
            country=b.rng.choice(COUNTRIES), gender=gender, gender_self_described="",
            nationality=b.rng.choice(COUNTRIES), expertise="", bio="", dietary_needs="", access_needs="",
            listing_consent=b.rng.random() < 0.7, timezone="", version=1,
            created_at=datetime(2030, 1, 1, tzinfo=UTC), updated_at=datetime(2030, 1, 1, tzinfo=UTC)))
    return ids


def _convening(b: Builder, *, title: str, slug: str, kind: str, starts_on: date, days: int, status: str,
               series_id: int | None = None, parent_id: int | None = None, organizer_id: int | None = None) -> int:
    cid = b.add(Convening, series_id=series_id, parent_id=parent_id, title=title, slug=slug, kind=kind, theme="",
                description=b.words(40, 80), starts_on=starts_on, ends_on=starts_on + timedelta(days=days - 1),
                venue="Airlie Center", city="Warrenton", country="US", timezone="America/New_York",
                attribution_rule="not_for_attribution", status=status, reply_by=starts_on - timedelta(days=14),
                capacity=None, ical_uid=b.uuid(), ical_sequence=0, version=1,
                created_at=datetime(2030, 1, 1, tzinfo=UTC), updated_at=datetime(2030, 1, 1, tzinfo=UTC))
    if organizer_id:
        b.add(convening_organizers, convening_id=cid, user_id=organizer_id)
    return cid


def _invite(b: Builder, convening_id: int, person_id: int, status: str, at: datetime) -> int:
    return b.add(Invitation, convening_id=convening_id, person_id=person_id, role="participant",
                 priority="first_choice" if b.rng.random() < 0.85 else "reserve", reserve_rank=None,
                 status=status, decline_reason="", invited_at=at, responded_at=at + timedelta(days=3)
                 if status in ("accepted", "declined", "tentative", "attended") else None,
                 status_changed_at=at, reminders_sent=0, ical_sequence=0, version=1, created_at=at)


def _session(b: Builder, convening_id: int, *, title: str, kind: str, starts_at: datetime, minutes: int,
             room: str, description: str, position: int) -> int:
    return b.add(AgendaSession, convening_id=convening_id, title=title, kind=kind, status="scheduled",
                 starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), all_day=False, room=room,
                 description=description, open_to_all=True, position=position, uid=b.uuid(), ical_sequence=0,
                 version=1, created_at=datetime(2030, 1, 1, tzinfo=UTC), updated_at=datetime(2030, 1, 1, tzinfo=UTC))


# ---------------------------------------------------------------- the comparison shapes

def build_comparison(connection, seed: int) -> Shapes:
    """A three-day conference (200 sessions, 126 people, parallel tracks, 6 breaks, 30 participants)
    and a one-day roundtable (30 items, 30 participants)."""
    b = Builder(seed)
    shapes = Shapes()
    shapes.admin_id = _user(b, "admin", 1)
    organizer = _user(b, "organizer", 1)
    organizations = _organizations(b, 40)
    people = _people(b, 126, organizations, "speaker")
    first_day = date(2031, 10, 14)
    shapes.conference_id = conf = _convening(b, title="Strategy for Peace Conference 2031", slug="spc-2031",
                                             kind="conference", starts_on=first_day, days=3, status="open",
                                             organizer_id=organizer, series_id=1)
    tz_offset = timedelta(hours=4)  # 09:00 in New York (EDT) is 13:00 UTC
    rooms = ["Main hall", "Room A", "Room B", "Room C", "Room D", "Library", "Terrace"]
    sessions = 0
    breaks = 0
    position = 0
    # 3 days × 9 slots of 45 minutes from 09:00; break slots hold one break; others hold parallel tracks.
    break_slots = {(0, 3), (0, 6), (1, 3), (1, 6), (2, 3), (2, 6)}
    slots = [(d, s) for d in range(3) for s in range(9)]
    track_counts = {}
    talk_slots = [x for x in slots if x not in break_slots]
    remaining = 200 - len(break_slots)
    for i, slot in enumerate(talk_slots):  # spread the 194 talks evenly over 21 slots (9 or 10 tracks)
        track_counts[slot] = remaining // len(talk_slots) + (1 if i < remaining % len(talk_slots) else 0)
    for day, slot in slots:
        start = datetime.combine(first_day + timedelta(days=day), time(9, 0), tzinfo=UTC) + tz_offset \
            + timedelta(minutes=50 * slot)
        if (day, slot) in break_slots:
            _session(b, conf, title="Coffee break" if slot == 3 else "Lunch", kind="break", starts_at=start,
                     minutes=45, room="Terrace", description="", position=position)
            breaks += 1
            sessions += 1
            position += 1
            continue
        for track in range(track_counts[(day, slot)]):
            sid = _session(b, conf, title=b.title(), kind=b.rng.choice(["plenary", "roundtable", "working_group"]),
                           starts_at=start, minutes=45, room=rooms[track % len(rooms)] + (f" {track // len(rooms) + 1}" if track >= len(rooms) else ""),
                           description=b.words(55, 65), position=track)
            for person in b.rng.sample(people, b.rng.choice([1, 2])):
                b.add(SessionRole, session_id=sid, person_id=person, role="speaker")
            sessions += 1
    invited_at = datetime(2031, 8, 1, 12, tzinfo=UTC)
    for person in people[:30]:
        _invite(b, conf, person, "accepted", invited_at)
    # The one-day roundtable.
    shapes.roundtable_id = rt = _convening(b, title="Roundtable on Maritime Security", slug="rt-maritime-2031",
                                           kind="roundtable", starts_on=date(2031, 11, 4), days=1, status="open",
                                           organizer_id=organizer)
    for item in range(30):
        start = datetime.combine(date(2031, 11, 4), time(9, 0), tzinfo=UTC) + timedelta(hours=5, minutes=18 * item)
        sid = _session(b, rt, title=b.title(), kind="roundtable", starts_at=start, minutes=15, room="Board room",
                       description=b.words(55, 65), position=0)
        b.add(SessionRole, session_id=sid, person_id=b.rng.choice(people[30:]), role="speaker")
    for person in people[30:60]:
        _invite(b, rt, person, "accepted", invited_at)
    # A little of everything else, so that the scale pages can be compared on small data (query counts).
    shapes.series_id = series = b.add(Series, name="Strategy for Peace Conference", slug="spc",
                                      description="", created_at=datetime(2030, 1, 1, tzinfo=UTC))
    shapes.big_edition_id = shapes.small_edition_id = conf
    theme_ids = [b.add(Theme, name=name, slug=f"theme-{n}") for n, name in enumerate(THEMES[:3])]
    for i in range(30):
        aid = b.add(ActionItem, convening_id=conf, session_id=None, text=b.words(8, 20), rationale="",
                    owner_person_id=b.rng.choice(people), due_on=date(2031, 12, 1) + timedelta(days=i),
                    status=b.rng.choice(["open", "in_progress", "done"]), drop_reason="", priority="normal",
                    is_public=i % 3 == 0, created_by_id=organizer, last_update_at=datetime(2031, 10, 16, tzinfo=UTC),
                    version=1, created_at=datetime(2031, 10, 16, tzinfo=UTC), updated_at=datetime(2031, 10, 16, tzinfo=UTC))
        b.add(action_themes, action_id=aid, theme_id=b.rng.choice(theme_ids))
    for i in range(1, 21):
        bid = b.add(Brief, slug=f"brief-{i}", title=b.title(), kind="policy_memo", publisher="The Stanley Center",
                    authors="", published_on=date(2031, 1, 1) + timedelta(days=i),
                    summary=("Security dialogue. " if i % 2 else "") + b.words(60, 120), url="",
                    status="published", version=1, created_at=datetime(2030, 1, 1, tzinfo=UTC),
                    updated_at=datetime(2030, 1, 1, tzinfo=UTC))
        b.add(brief_convenings, brief_id=bid, convening_id=conf)
        b.add(brief_themes, brief_id=bid, theme_id=b.rng.choice(theme_ids))
        b.add(BriefRegion, brief_id=bid, region="Africa" if i % 2 else REGIONS[i % len(REGIONS)])
    shapes.counts = {"conference sessions": sessions, "breaks": breaks, "people": len(people),
                     "conference participants": 30, "roundtable items": 30, "roundtable participants": 30,
                     "next steps": 30, "briefs": 20}
    b.flush(connection)
    return shapes


# ---------------------------------------------------------------- the scale set

def build_scale(connection, seed: int, *, editions: int = 60, people: int = 20_000, invitations: int = 60_000,
                sessions: int = 10_000, actions: int = 20_000, briefs: int = 5_000) -> Shapes:
    """60 series editions, 20,000 people, 60,000 invitations, 10,000 sessions, 20,000 next steps, 5,000 briefs."""
    b = Builder(seed)
    shapes = Shapes()
    shapes.admin_id = _user(b, "admin", 1)
    organizer = _user(b, "organizer", 1)
    staff = _user(b, "staff", 1)
    shapes.series_id = series = b.add(Series, name="Strategy for Peace Conference", slug="spc",
                                      description="The annual conference.", created_at=datetime(2030, 1, 1, tzinfo=UTC))
    organizations = _organizations(b, 2_000)
    person_ids = _people(b, people, organizations, "person")
    theme_ids = [b.add(Theme, name=name, slug=name.lower().replace(" ", "-").replace(",", ""))
                 for name in THEMES]
    edition_ids = []
    for n in range(editions):
        year = 2031 - editions + 1 + n
        status = "closed" if year < 2030 else ("held" if year == 2030 else "open")
        edition_ids.append(_convening(b, title=f"Strategy for Peace Conference {year}", slug=f"spc-{year}",
                                      kind="conference", starts_on=date(year, 10, 14), days=3, status=status,
                                      series_id=series, organizer_id=organizer))
    # The newest edition is the big one: a twentieth of the invitations plus its share.
    per_edition = invitations // editions
    statuses = ["accepted"] * 5 + ["declined"] * 2 + ["invited", "tentative", "attended"]
    invitation_ids = []
    for index, cid in enumerate(edition_ids):
        year = 2031 - editions + 1 + index
        at = datetime(year, 8, 1, 12, tzinfo=UTC)
        for person in b.rng.sample(person_ids, per_edition):
            invitation_ids.append(_invite(b, cid, person, b.rng.choice(statuses), at))
    shapes.big_edition_id = edition_ids[-1]
    shapes.small_edition_id = edition_ids[0]
    per_sessions = sessions // editions
    session_ids: list[tuple[int, int]] = []
    for index, cid in enumerate(edition_ids[:-1] + [edition_ids[-1]]):
        year = 2031 - editions + 1 + index
        count = per_sessions + (sessions - per_sessions * editions if index == editions - 1 else 0)
        for i in range(count):
            start = datetime(year, 10, 14, 13, tzinfo=UTC) + timedelta(days=i % 3, minutes=50 * ((i // 3) % 9))
            sid = _session(b, cid, title=b.title(), kind="roundtable", starts_at=start, minutes=45,
                           room=f"Room {i % 8}", description=b.words(20, 40), position=i // 27)
            b.add(SessionRole, session_id=sid, person_id=b.rng.choice(person_ids), role="speaker")
            session_ids.append((cid, sid))
    action_statuses = ["open"] * 4 + ["in_progress"] * 3 + ["done"] * 2 + ["dropped", "draft"]
    for i in range(actions):
        cid, sid = b.rng.choice(session_ids)
        status = b.rng.choice(action_statuses)
        owner = b.rng.random()
        aid = b.add(ActionItem, convening_id=cid, session_id=sid, text=b.words(8, 20), rationale="",
                    owner_person_id=b.rng.choice(person_ids) if owner < 0.6 else None,
                    owner_organization_id=b.rng.choice(organizations) if 0.6 <= owner < 0.85 else None,
                    owner_user_id=None, due_on=date(2030, 1, 1) + timedelta(days=b.rng.randint(0, 900)),
                    status=status, drop_reason="No capacity." if status == "dropped" else "",
                    priority=b.rng.choice(["high", "normal", "normal", "low"]), is_public=b.rng.random() < 0.3,
                    created_by_id=staff, last_update_at=datetime(2030, 1, 1, tzinfo=UTC)
                    + timedelta(days=b.rng.randint(0, 600)), version=1,
                    created_at=datetime(2029, 1, 1, tzinfo=UTC), updated_at=datetime(2029, 1, 1, tzinfo=UTC))
        b.add(action_themes, action_id=aid, theme_id=b.rng.choice(theme_ids))
    kinds = ["policy_memo", "dialogue_brief", "conference_report", "other"]
    for i in range(1, briefs + 1):
        published = date(1975, 1, 1) + timedelta(days=b.rng.randint(0, 20_000))
        status = "published" if b.rng.random() < 0.8 else b.rng.choice(["draft", "review", "approved"])
        bid = b.add(Brief, slug=f"brief-{i}", title=b.title(), kind=b.rng.choice(kinds),
                    publisher="The Stanley Center", authors=f"{b.rng.choice(FIRST)} {b.rng.choice(LAST)}",
                    published_on=published if status == "published" else None, summary=b.words(60, 120),
                    url="", status=status, version=1, created_at=datetime(2030, 1, 1, tzinfo=UTC),
                    updated_at=datetime(2030, 1, 1, tzinfo=UTC))
        b.add(brief_convenings, brief_id=bid, convening_id=b.rng.choice(edition_ids))
        b.add(brief_themes, brief_id=bid, theme_id=b.rng.choice(theme_ids))
        for region in b.rng.sample(REGIONS, b.rng.choice([1, 1, 2])):
            b.add(BriefRegion, brief_id=bid, region=region)
    shapes.counts = {"editions": editions, "people": people, "invitations": len(invitation_ids),
                     "sessions": len(session_ids), "next steps": actions, "briefs": briefs,
                     "organizations": len(organizations)}
    b.flush(connection)
    return shapes
