"""Editing a convening's agenda: sessions, their times, rooms and the people holding roles.

Times are entered as wall-clock times in a timezone (the convening's by default) and stored in
UTC. Rule violations raise `AgendaError` (with the form field it concerns); soft problems
(room double-booked, a person in two places) are returned as warnings and never refuse a save.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..audit.services import apply_changes, record
from ..convenings.models import Convening
from ..editing import check_version
from ..errors import DomainError
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person
from .models import AgendaSession, AgendaVersion, SessionKind, SessionRole, SessionRoleKind, SessionStatus

#: Edits calendar clients must notice (RFC 5546 §2.1.4): they bump the session's SEQUENCE.
CALENDAR_FIELDS = frozenset({"starts_at", "ends_at", "all_day", "room", "status"})
EDIT_FIELDS = ("title", "kind", "starts_at", "ends_at", "all_day", "room", "description", "open_to_all")
#: Invitation statuses whose people may hold roles and see the agenda.
GUEST_STATUSES = ("planned", "invited", "accepted", "tentative", "attended")


class AgendaError(DomainError):
    """A rule the agenda must keep; `field` names the form field the message belongs to."""


def zone_of(name: str | None) -> ZoneInfo:
    """The IANA zone, or AgendaError for a name that does not exist."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise AgendaError(f"Unknown timezone “{name}”; use an IANA name such as Europe/Zurich.",
                          "timezone") from None


def local_to_utc(day: date, wall: time, tz: ZoneInfo, field: str) -> datetime:
    """A wall-clock time in tz as UTC; refuses times skipped by a clock change."""
    local = datetime.combine(day, wall, tzinfo=tz)
    back = local.astimezone(timezone.utc).astimezone(tz)
    if (back.date(), back.time()) != (day, wall):
        raise AgendaError(f"{wall:%H:%M} does not exist on {day:%d %B %Y} in {tz.key}: the clocks go "
                          "forward then. Choose a later time.", field)
    return local.astimezone(timezone.utc)


@dataclass
class Times:
    starts_at: datetime
    ends_at: datetime
    all_day: bool


def times_from(convening, data: dict[str, Any]) -> Times:
    """Start and end (UTC) from a form's day/start/end fields; checks order and the convening's dates."""
    tz = zone_of(data.get("timezone") or convening.timezone)
    day: date = data["day"]
    end_day: date = data.get("end_day") or day
    if data.get("all_day"):
        if end_day < day:
            raise AgendaError("The last day cannot be before the first day.", "end_day")
        starts_at = local_to_utc(day, time(0), tz, "day")
        ends_at = local_to_utc(end_day + timedelta(days=1), time(0), tz, "end_day")
    else:
        if data.get("start_time") is None or data.get("end_time") is None:
            raise AgendaError("Give a start and an end time, or tick “All day”.", "start_time")
        starts_at = local_to_utc(day, data["start_time"], tz, "start_time")
        ends_at = local_to_utc(end_day, data["end_time"], tz, "end_time")
        if ends_at <= starts_at:
            raise AgendaError("The session must end after it starts.", "end_time")
    _check_within_convening(convening, starts_at, ends_at)
    return Times(starts_at, ends_at, bool(data.get("all_day")))


def _check_within_convening(convening, starts_at: datetime, ends_at: datetime) -> None:
    """Sessions fall on the convening's days, read in the convening's own timezone."""
    tz = convening.zone
    first = starts_at.astimezone(tz).date()
    last_moment = ends_at.astimezone(tz) - timedelta(microseconds=1)
    if first < convening.starts_on or last_moment.date() > convening.ends_on:
        raise AgendaError(
            f"The session must fall within the convening's dates ({convening.starts_on:%d %b %Y} – "
            f"{convening.ends_on:%d %b %Y}, {tz.key} time).", "day")


def guest_people(convening) -> list[Person]:
    """People on the guest list (of the convening and, for a dialogue, its conference)."""
    ids = convening.with_conference_ids
    return list(db.session.scalars(
        sa.select(Person).join(Invitation, Invitation.person_id == Person.id)
        .where(Invitation.convening_id.in_(ids), Invitation.status.in_(GUEST_STATUSES))
        .order_by(Person.name).distinct()))


def _clean_roles(convening, roles: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Distinct (person_id, role) pairs, each person on the guest list and each role known."""
    wanted = []
    for person_id, role in roles:
        if not person_id or not role:
            continue
        if role not in {r.value for r in SessionRoleKind}:
            raise AgendaError(f"Unknown role “{role}”.", "roles")
        if (person_id, role) not in wanted:
            wanted.append((int(person_id), role))
    allowed = {p.id for p in guest_people(convening)} if wanted else set()
    if any(pid not in allowed for pid, _ in wanted):
        raise AgendaError("Roles can only be given to people on the convening's guest list.", "roles")
    return wanted


def _set_roles(session: AgendaSession, roles: list[tuple[int, str]]) -> dict[str, list]:
    """Replace the session's roles; return the audit change (or nothing if unchanged)."""
    before = sorted((r.person_id, r.role) for r in session.roles)
    if before == sorted(roles):
        return {}
    keep = set(roles)
    for role in list(session.roles):
        if (role.person_id, role.role) not in keep:
            session.roles.remove(role)
    have = {(r.person_id, r.role) for r in session.roles}
    for person_id, role in roles:
        if (person_id, role) not in have:
            session.roles.append(SessionRole(person_id=person_id, role=role))
    return {"roles": [[list(x) for x in before], [list(x) for x in sorted(roles)]]}


def _fields(data: dict[str, Any], times: Times) -> dict[str, Any]:
    kind = data.get("kind") or SessionKind.ROUNDTABLE.value
    if kind not in {k.value for k in SessionKind}:
        raise AgendaError("Unknown kind of session.", "kind")
    title = (data.get("title") or "").strip()
    if not title:
        raise AgendaError("Give the session a title.", "title")
    return {"title": title, "kind": kind, "starts_at": times.starts_at, "ends_at": times.ends_at,
            "all_day": times.all_day, "room": (data.get("room") or "").strip(),
            "description": (data.get("description") or "").replace("\r\n", "\n").strip(),
            "open_to_all": bool(data.get("open_to_all", True))}


def create_session(convening, data: dict[str, Any], *, actor) -> AgendaSession:
    """Add a session to the convening's (draft) agenda."""
    times = times_from(convening, data)
    fields = _fields(data, times)
    roles = _clean_roles(convening, data.get("roles") or [])
    session = AgendaSession(convening=convening, position=_next_position(convening, times.starts_at), **fields)
    db.session.add(session)
    role_changes = _set_roles(session, roles)
    db.session.flush()
    record("agenda_session.create", session, actor=actor,
           changes={"convening_id": [None, convening.id], **{k: [None, _plain(v)] for k, v in fields.items()},
                    **role_changes})
    return session


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _next_position(convening, starts_at: datetime) -> int:
    highest = db.session.scalar(sa.select(sa.func.max(AgendaSession.position)).where(
        AgendaSession.convening_id == convening.id, AgendaSession.starts_at == starts_at))
    return (highest or 0) + 1


def update_session(session: AgendaSession, data: dict[str, Any], *, actor, seen_version: int | None) -> AgendaSession:
    """Save an edit; refuses a stale form (StaleEdit) and bumps SEQUENCE on time/room changes."""
    check_version(session, seen_version)
    convening = session.convening
    times = times_from(convening, data)
    fields = _fields(data, times)
    roles = _clean_roles(convening, data.get("roles") or [])
    changes = apply_changes(session, fields, EDIT_FIELDS)
    changes.update(_set_roles(session, roles))
    if changes:
        _bump_if_calendar_change(session, changes)
        record("agenda_session.update", session, actor=actor, changes=changes)
    db.session.flush()
    return session


def _bump_if_calendar_change(session: AgendaSession, changes: dict) -> None:
    if CALENDAR_FIELDS & changes.keys():
        session.ical_sequence += 1
        changes["ical_sequence"] = [session.ical_sequence - 1, session.ical_sequence]


def move_session(session: AgendaSession, day: date, start: time, *, actor, seen_version: int | None,
                 timezone_name: str | None = None) -> AgendaSession:
    """Move a session to another day/start time, keeping its length."""
    check_version(session, seen_version)
    tz = zone_of(timezone_name or session.convening.timezone)
    length = session.ends_at - session.starts_at
    starts_at = local_to_utc(day, time(0) if session.all_day else start, tz, "start_time")
    ends_at = starts_at + length
    _check_within_convening(session.convening, starts_at, ends_at)
    changes = apply_changes(session, {"starts_at": starts_at, "ends_at": ends_at}, ("starts_at", "ends_at"))
    if changes:
        _bump_if_calendar_change(session, changes)
        record("agenda_session.move", session, actor=actor, changes=changes)
    db.session.flush()
    return session


def set_status(session: AgendaSession, status: str, *, actor, seen_version: int | None = None) -> AgendaSession:
    """Cancel (kept, shown struck through, exported as STATUS:CANCELLED) or restore a session."""
    check_version(session, seen_version)
    if status not in {s.value for s in SessionStatus}:
        raise AgendaError("Unknown session status.")
    changes = apply_changes(session, {"status": status}, ("status",))
    if changes:
        _bump_if_calendar_change(session, changes)
        action = "agenda_session.cancel" if status == SessionStatus.CANCELLED.value else "agenda_session.restore"
        record(action, session, actor=actor, changes=changes)
    db.session.flush()
    return session


def reorder(session: AgendaSession, direction: str, *, actor) -> bool:
    """Swap the session with its neighbour among sessions starting at the same time."""
    same_start = list(db.session.scalars(
        sa.select(AgendaSession).where(AgendaSession.convening_id == session.convening_id,
                                       AgendaSession.starts_at == session.starts_at)
        .order_by(AgendaSession.position, AgendaSession.id)))
    index = same_start.index(session)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(same_start):
        return False
    for n, item in enumerate(same_start, start=1):
        item.position = n  # normalise first: legacy rows may share a position
    other = same_start[other_index]
    session.position, other.position = other.position, session.position
    record("agenda_session.reorder", session, actor=actor,
           changes={"position": [other.position, session.position]})
    db.session.flush()
    return True


def was_published(session: AgendaSession) -> bool:
    """Whether the session appears in any published version (then it may be cancelled, not deleted)."""
    snapshots = db.session.scalars(sa.select(AgendaVersion.snapshot).where(
        AgendaVersion.convening_id == session.convening_id))
    return any(item.get("uid") == session.uid for snapshot in snapshots for item in snapshot)


def delete_session(session: AgendaSession, *, actor) -> None:
    """Delete a draft session nobody has seen; published ones must be cancelled instead."""
    if was_published(session):
        raise AgendaError("This session was published; cancel it instead so calendars learn of it.")
    record("agenda_session.delete", session, actor=actor,
           changes={"title": [session.title, None], "starts_at": [session.starts_at.isoformat(), None]})
    db.session.delete(session)
    db.session.flush()


def sessions_of(convening, day: date | None = None, *, names_only: bool = False) -> list[AgendaSession]:
    """The convening's sessions in agenda order with roles and people loaded, in one query.

    names_only loads just what pages and calendar files show of the people (name, honorific,
    listing consent): for read-only views; code that goes on to use other columns of the people
    (e-mail, timezone) must not pass it, or each person would be loaded again.
    """
    person = joinedload(AgendaSession.roles).joinedload(SessionRole.person)
    if names_only:
        person = person.load_only(Person.honorific, Person.name, Person.listing_consent)
    query = (sa.select(AgendaSession).where(AgendaSession.convening_id == convening.id)
             .options(person)
             .order_by(AgendaSession.starts_at, AgendaSession.position, AgendaSession.id))
    if day is not None:
        tz = convening.zone
        start = datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)
        query = query.where(AgendaSession.starts_at < end, AgendaSession.ends_at > start)
    return list(db.session.scalars(query).unique())


def conflicts(sessions: Iterable) -> dict[str, list[str]]:
    """Warnings per session uid: same room at overlapping times; a person in two sessions at once.

    Sorted by start and swept: each session is compared only with those starting before it ends,
    and each session's room and people are worked out once, not once per pair.
    """
    live = sorted((s for s in sessions if not s.cancelled and not s.all_day), key=lambda s: s.starts_at)
    facts = [(s, s.starts_at, s.ends_at, (s.room or "").strip().casefold(), {r.person_id for r in s.roles})
             for s in live]
    warnings: dict[str, list[str]] = {}
    for i, (a, _a_start, a_end, a_room, a_people) in enumerate(facts):
        for j in range(i + 1, len(facts)):
            b, b_start, _b_end, b_room, b_people = facts[j]
            if b_start >= a_end:
                break
            same_room = a_room == b_room and bool(a.room or b.room)
            shared = a_people & b_people
            if not same_room and not shared:
                continue
            for s, other in ((a, b), (b, a)):
                warnings.setdefault(s.uid, []).extend(
                    _clash_messages(s, other, same_room and bool(s.room), shared))
    return {uid: msgs for uid, msgs in warnings.items() if msgs}


def _clash_messages(s, other, same_room: bool, shared_ids: set[int]) -> list[str]:
    messages = []
    where = f"“{other.title}”"
    if getattr(other, "convening_id", None) != getattr(s, "convening_id", None):
        where += f" of “{other.convening.title}”"  # another dialogue of the same conference
    if same_room:
        messages.append(f"Room “{s.room}” is also booked for {where} at the same time.")
    shared = {r.person_id: r.person for r in other.roles if r.person_id in shared_ids}
    for person in shared.values():
        messages.append(f"{person.display_name} is also in {where} at the same time.")
    return messages


def conference_sessions(convening) -> list[AgendaSession]:
    """The sessions of the other convenings of the same conference (the conference itself and each
    of its dialogues), in one query: parallel dialogues share rooms and people, so overlaps are
    checked across all of them."""
    root_id = convening.parent_id or convening.id
    family = sa.select(Convening.id).where(sa.or_(Convening.id == root_id, Convening.parent_id == root_id))
    query = (sa.select(AgendaSession)
             .where(AgendaSession.convening_id.in_(family), AgendaSession.convening_id != convening.id,
                    AgendaSession.status != SessionStatus.CANCELLED.value)
             .options(joinedload(AgendaSession.roles).joinedload(SessionRole.person)
                      .load_only(Person.honorific, Person.name, Person.listing_consent),
                      joinedload(AgendaSession.convening).load_only(Convening.title)))
    return list(db.session.scalars(query).unique())


def agenda_days(convening) -> list[date]:
    """Every day of the convening, first to last."""
    n = (convening.ends_on - convening.starts_on).days
    return [convening.starts_on + timedelta(days=i) for i in range(n + 1)]
