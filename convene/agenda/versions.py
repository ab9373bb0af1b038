"""Published agenda versions: snapshots, the changelog between them, and reading them back.

Organizers edit the live rows (the draft). Publishing freezes them into a numbered
`AgendaVersion`; every attendee-facing page, feed and download reads the latest version, so a
half-finished edit is never seen outside the organizing team.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from .. import caching
from ..audit.services import record
from ..convenings.models import Convening, SeriesBrand
from ..extensions import db
from ..people.models import Person
from ..webhooks import services as webhooks
from .models import AgendaSession, AgendaSettings, AgendaVersion, SessionRole, SessionRoleKind, SessionStatus
from .services import AgendaError, sessions_of

SNAPSHOT_FIELDS = ("uid", "id", "title", "kind", "status", "all_day", "room", "description", "open_to_all",
                   "position", "ical_sequence")
TIME_FIELDS = ("starts_at", "ends_at", "updated_at", "created_at")


@dataclass
class RoleView:
    """A role in a published session; `person` is looked up when shown."""

    person_id: int
    role: str
    person: Any = None

    @property
    def label(self) -> str:
        """The role as the reader reads it (their language)."""
        known = self.role in SessionRoleKind._value2member_map_
        return str(SessionRoleKind(self.role).display) if known else self.role


@dataclass
class SessionView:
    """A session as published: the same attributes templates and the .ics builder read on rows."""

    uid: str
    id: int
    title: str
    kind: str
    status: str
    all_day: bool
    room: str
    description: str
    open_to_all: bool
    position: int
    ical_sequence: int
    starts_at: datetime
    ends_at: datetime
    updated_at: datetime
    created_at: datetime
    roles: list[RoleView] = field(default_factory=list)
    convening_id: int | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED.value

    def people_in(self, *kinds: str) -> list:
        return [r.person for r in self.roles if not kinds or r.role in kinds]


@dataclass
class NamedPerson:
    """What a read-only agenda page shows of a person named on a draft session."""

    id: int
    honorific: str
    name: str
    listing_consent: bool

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()  # as Person.display_name


@dataclass
class DraftView(SessionView):
    """A draft session for reading (the editor's rows): a SessionView that knows its convening."""

    convening: Any = None


def draft_views(convening) -> list[DraftView]:
    """sessions_of(convening, names_only=True) as plain views, in one narrow query and no ORM
    objects: the organizers' 200-session editor spent most of its time building and tracking those.
    For pages that only read; anything that edits loads the rows with sessions_of."""
    columns = [getattr(AgendaSession, name) for name in (*SNAPSHOT_FIELDS, *TIME_FIELDS)]
    query = (sa.select(*columns, SessionRole.person_id, SessionRole.role, Person.honorific, Person.name,
                       Person.listing_consent)
             .select_from(AgendaSession)
             .outerjoin(SessionRole, SessionRole.session_id == AgendaSession.id)
             .outerjoin(Person, Person.id == SessionRole.person_id)
             .where(AgendaSession.convening_id == convening.id)
             .order_by(AgendaSession.starts_at, AgendaSession.position, AgendaSession.id, SessionRole.id))
    width = len(columns)
    found: dict[int, DraftView] = {}
    for row in db.session.execute(query):
        view = found.get(row.id)
        if view is None:
            view = found[row.id] = DraftView(*row[:width], convening_id=convening.id, convening=convening)
        if row.person_id is not None:
            person = NamedPerson(row.person_id, row.honorific, row.name, row.listing_consent)
            view.roles.append(RoleView(row.person_id, row.role, person))
    return list(found.values())


def snapshot_item(session: AgendaSession) -> dict[str, Any]:
    """A session as plain JSON (people as ids only)."""
    item = {name: getattr(session, name) for name in SNAPSHOT_FIELDS}
    item.update({name: (getattr(session, name) or session.created_at).isoformat() for name in TIME_FIELDS})
    item["roles"] = sorted([r.person_id, r.role] for r in session.roles)
    return item


def views_of(snapshot: list[dict], convening_id: int | None = None,
             people: dict[int, Any] | None = None) -> list[SessionView]:
    """SessionViews for a snapshot; pass `people` (id → Person) to attach the people to roles."""
    out = []
    for item in snapshot:
        roles = [RoleView(pid, role, (people or {}).get(pid)) for pid, role in item.get("roles", [])]
        if people is not None:
            roles = [r for r in roles if r.person is not None]
        data = {k: item[k] for k in SNAPSHOT_FIELDS}
        data.update({k: datetime.fromisoformat(item[k]) for k in TIME_FIELDS})
        out.append(SessionView(**data, roles=roles, convening_id=convening_id))
    return out


def load_people(snapshots: Iterable[list[dict]]) -> dict[int, Person]:
    """Every person named in the snapshots, in one query."""
    ids = {pid for snapshot in snapshots for item in snapshot for pid, _ in item.get("roles", [])}
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(ids)))}


def latest(convening_id: int) -> AgendaVersion | None:
    return db.session.scalar(sa.select(AgendaVersion).where(AgendaVersion.convening_id == convening_id)
                             .order_by(AgendaVersion.number.desc()).limit(1))


def latest_header(convening_id: int) -> AgendaVersion | None:
    """The latest version without its snapshot and changelog (loaded only if read: they are large)."""
    return db.session.scalar(sa.select(AgendaVersion).where(AgendaVersion.convening_id == convening_id)
                             .options(defer(AgendaVersion.snapshot), defer(AgendaVersion.changes))
                             .order_by(AgendaVersion.number.desc()).limit(1))


@lru_cache(maxsize=1)
def _public_stamp_statement():
    """public_stamp's statement, built once: the columns a public agenda's kept answers are chosen by."""
    newest = (sa.select(sa.func.max(AgendaVersion.number)).where(AgendaVersion.convening_id == Convening.id)
              .correlate(Convening).scalar_subquery())
    people = sa.select(sa.func.max(Person.updated_at)).scalar_subquery()  # ix_people_updated_at: one index probe
    return (sa.select(Convening.id.label("convening_id"), Convening.version.label("convening_version"),
                      Convening.updated_at.label("convening_updated_at"), Convening.slug,
                      AgendaVersion.id.label("version_id"), AgendaVersion.number,
                      AgendaVersion.published_at, people.label("people_changed"),
                      SeriesBrand.revision.label("brand_revision"))
            .join(AgendaSettings, sa.and_(AgendaSettings.convening_id == Convening.id, AgendaSettings.public))
            .join(AgendaVersion, sa.and_(AgendaVersion.convening_id == Convening.id, AgendaVersion.number == newest))
            .outerjoin(SeriesBrand, SeriesBrand.series_id == Convening.series_id)
            .where(Convening.slug == sa.bindparam("slug")))


def public_stamp(slug: str):
    """What a public agenda's page and calendar files show, as a stamp, or None when not public.

    One row, read outside the request's session (caching.read_stamp): the convening's id and
    version counter (every edit of it moves it), its latest version, and when anyone in the
    directory last changed (people are never deleted, and every edit of a person moves their
    `updated_at`: a name, honorific or listing consent shown on the page cannot change without
    it), and the revision of its series' look (convenings.brand). Coarser than the people the version names, so an edit elsewhere in the directory costs
    one rebuild; it needs no list of ids, so a repeat request is this one index-served query.
    """
    return caching.read_stamp(_public_stamp_statement(), {"slug": slug})


def stamp_changed(stamp) -> datetime:
    """A public stamp's Last-Modified: the newest of its times."""
    return max(t for t in (stamp.published_at, stamp.convening_updated_at, stamp.people_changed) if t is not None)


#: (version id, published_at) → {uid: title} of its sessions: a published snapshot never changes.
_titles: dict[tuple, dict[str, str]] = {}


def session_titles(version_id: int, published_at) -> dict[str, str]:
    """uid → title of a published version's sessions (read once per process and version)."""
    key = (version_id, published_at)
    titles = _titles.get(key)
    if titles is None:
        snapshot = db.session.scalar(sa.select(AgendaVersion.snapshot).where(AgendaVersion.id == version_id)) or []
        titles = {item["uid"]: item["title"] for item in snapshot}
        if len(_titles) > 256:
            _titles.clear()
        _titles[key] = titles
    return titles


#: (version id, published_at) → ids of the people its snapshot names. Snapshots never change once
#: published, so this saves reading the whole snapshot just to know whom it names.
_named_in: dict[tuple, frozenset[int]] = {}


def people_fingerprint(version: AgendaVersion) -> tuple:
    """What a page shows of the people a version names, sorted by id: (id, honorific, name, consent,
    last change) for each; the last change lets a calendar's Last-Modified move with a name."""
    key = (version.id, version.published_at)
    ids = _named_in.get(key)
    if ids is None:
        ids = frozenset(pid for item in version.snapshot for pid, _ in item.get("roles", []))
        if len(_named_in) > 256:
            _named_in.clear()
        _named_in[key] = ids
    if not ids:
        return ()
    return tuple(tuple(row) for row in db.session.execute(
        sa.select(Person.id, Person.honorific, Person.name, Person.listing_consent, Person.updated_at)
        .where(Person.id.in_(ids)).order_by(Person.id)))


def latest_for(convening_ids: list[int]) -> dict[int, AgendaVersion]:
    """The latest published version of each convening, in one query."""
    if not convening_ids:
        return {}
    newest = (sa.select(AgendaVersion.convening_id, sa.func.max(AgendaVersion.number).label("n"))
              .where(AgendaVersion.convening_id.in_(convening_ids)).group_by(AgendaVersion.convening_id)
              .subquery())
    rows = db.session.scalars(sa.select(AgendaVersion).join(
        newest, sa.and_(AgendaVersion.convening_id == newest.c.convening_id, AgendaVersion.number == newest.c.n))
        .options(defer(AgendaVersion.changes)))  # the changelog is read from the history, not here
    return {v.convening_id: v for v in rows}


def history(convening_id: int) -> list[AgendaVersion]:
    return list(db.session.scalars(sa.select(AgendaVersion).where(AgendaVersion.convening_id == convening_id)
                                   .order_by(AgendaVersion.number.desc())))


def _when(iso: str, tz: ZoneInfo, all_day: bool) -> str:
    moment = datetime.fromisoformat(iso).astimezone(tz)
    return f"{moment:%a} {moment.day} {moment:%b}" + ("" if all_day else f" {moment:%H:%M}")


def diff(old: list[dict], new: list[dict], tz: ZoneInfo) -> list[dict[str, Any]]:
    """What changed between two snapshots, one entry per session, in agenda order."""
    before = {item["uid"]: item for item in old}
    entries = []
    for item in new:
        entry = _compare(before.pop(item["uid"], None), item, tz)
        if entry:
            entries.append(entry)
    for gone in before.values():
        entries.append(_entry(gone, gone, "removed", ["removed from the agenda"]))
    return entries


def _entry(old: dict, new: dict, change: str, details: list[str]) -> dict[str, Any]:
    roles: dict[str, list[str]] = {}
    for pid, role in (old.get("roles", []) + new.get("roles", [])):
        if role not in roles.setdefault(str(pid), []):
            roles[str(pid)].append(role)
    return {"uid": new["uid"], "title": new["title"], "change": change, "details": details,
            "starts_at": new["starts_at"], "old_starts_at": old["starts_at"], "all_day": new["all_day"],
            "room": new["room"], "old_room": old["room"], "roles": roles,
            "open_to_all": bool(old["open_to_all"] or new["open_to_all"])}


def _compare(old: dict | None, new: dict, tz: ZoneInfo) -> dict[str, Any] | None:
    if old is None:
        return _entry(new, new, "added", [f"added: {_when(new['starts_at'], tz, new['all_day'])}"])
    details: list[str] = []
    if (old["starts_at"], old["ends_at"], old["all_day"]) != (new["starts_at"], new["ends_at"], new["all_day"]):
        details.append(f"moved from {_when(old['starts_at'], tz, old['all_day'])} "
                       f"to {_when(new['starts_at'], tz, new['all_day'])}")
    if old["room"] != new["room"]:
        details.append(f"room: {old['room'] or 'none'} → {new['room'] or 'none'}")
    for name in ("title", "description", "kind", "open_to_all"):
        if old[name] != new[name]:
            details.append(f"{name.replace('_', ' ')} changed")
    if sorted(map(tuple, old["roles"])) != sorted(map(tuple, new["roles"])):
        details.append("people changed")
    if old["status"] != new["status"]:
        change = "cancelled" if new["status"] == SessionStatus.CANCELLED.value else "restored"
        return _entry(old, new, change, [change, *details])
    if not details:
        return None
    change = "moved" if details[0].startswith(("moved", "room")) else "changed"
    return _entry(old, new, change, details)


def publish(convening, *, actor, note: str = "") -> tuple[AgendaVersion, AgendaVersion | None]:
    """Freeze the draft into the next numbered version; returns (new, previous)."""
    previous = latest(convening.id)
    snapshot = [snapshot_item(s) for s in sessions_of(convening)]
    changes = diff(previous.snapshot if previous else [], snapshot, convening.zone)
    if previous is not None and not changes:
        raise AgendaError(f"Nothing has changed since version {previous.number}; there is nothing to publish.")
    if previous is None and not snapshot:
        raise AgendaError("Add at least one session before publishing the agenda.")
    version = AgendaVersion(convening_id=convening.id, number=(previous.number + 1) if previous else 1,
                            published_by_id=getattr(actor, "id", None), note=(note or "").strip()[:1000],
                            snapshot=snapshot, changes=changes)
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:  # another organizer published the same number a moment earlier
        raise AgendaError("Someone else published the agenda at the same moment. Review the changes and "
                          "try again.") from None
    record("agenda.publish", version, actor=actor,
           changes={"number": [previous.number if previous else None, version.number],
                    "sessions_changed": [None, len(changes)]})
    webhooks.emit(webhooks.Event.AGENDA_PUBLISHED, {**webhooks.convening_data(convening), "version": version.number,
                                                     "sessions_changed": len(changes)})
    return version, previous


def draft_changes(convening) -> list[dict[str, Any]]:
    """What publishing now would announce (the draft compared with the latest version)."""
    previous = latest(convening.id)
    snapshot = [snapshot_item(s) for s in sessions_of(convening)]
    return diff(previous.snapshot if previous else [], snapshot, convening.zone)


def changed_since(convening_id: int, seen_number: int | None, versions: list[AgendaVersion]) -> dict[str, str]:
    """uid → change kind for every session changed in versions after `seen_number` (latest wins)."""
    marks: dict[str, str] = {}
    if seen_number is None:
        return marks
    for version in sorted(versions, key=lambda v: v.number):
        if version.number > seen_number:
            for entry in version.changes:
                marks[entry["uid"]] = entry["change"]
    return marks


def published_agendas(convenings) -> dict[int, tuple[AgendaVersion, list[SessionView]]]:
    """convening id → (latest version, its sessions with people attached), in two queries."""
    found = latest_for([c.id for c in convenings])
    people = load_people(v.snapshot for v in found.values())
    return {cid: (v, views_of(v.snapshot, cid, people)) for cid, v in found.items()}


def open_to(person, session) -> bool:
    """Whether a session is on this person's own agenda: open to all, or they are named on it."""
    return session.open_to_all or (person is not None and any(r.person_id == person.id for r in session.roles))


def sessions_to_show(convening, source: str | None):
    """The sessions of the latest published version when source is "published", else the live draft."""
    if source == "published":
        found = published_agendas([convening]).get(convening.id)
        return found[1] if found else []
    return sessions_of(convening, names_only=True)
