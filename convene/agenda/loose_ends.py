"""Agenda roles held by people who are no longer coming, and the one step that settles each.

A chair or rapporteur who declines late, or whom the organizers withdraw, still stands on the
agenda until someone notices. The guest list and the agenda editor say how many such roles there
are (`count`); the loose-ends page lists them (`loose_roles`) with reassign or remove beside each.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..audit.services import record
from ..extensions import db
from ..invitations.models import Invitation
from ..people.models import Person
from .models import AgendaSession, SessionRole, SessionRoleKind
from .services import AgendaError, GUEST_STATUSES, _bump_if_calendar_change, _set_roles, guest_people

#: Answers that mean a person is not coming.
GONE = ("declined", "withdrawn")


@dataclass
class LooseRole:
    role: SessionRole
    session: AgendaSession
    person: Person
    #: The person's answer on this convening's guest list ("declined" or "withdrawn").
    status: str

    @property
    def role_label(self) -> str:
        return SessionRoleKind(self.role.role).label


def _gone_people(convening):
    """A SELECT of the people with a declined or withdrawn invitation and none still live, on the family's lists."""
    family = convening.with_conference_ids
    live = sa.select(Invitation.person_id).where(Invitation.convening_id.in_(family),
                                                 Invitation.status.in_(GUEST_STATUSES))
    return (sa.select(Invitation.person_id).where(Invitation.convening_id.in_(family), Invitation.status.in_(GONE),
                                                  Invitation.person_id.not_in(live)))


def _roles_query(convening):
    return (sa.select(SessionRole, AgendaSession, Person)
            .join(AgendaSession, AgendaSession.id == SessionRole.session_id)
            .join(Person, Person.id == SessionRole.person_id)
            .where(AgendaSession.convening_id == convening.id, SessionRole.person_id.in_(_gone_people(convening))))


def count(convening) -> int:
    """How many agenda roles are held by people who are no longer coming (one query)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(_roles_query(convening).subquery())) or 0


def loose_roles(convening) -> list[LooseRole]:
    """Every such role, in agenda order, with the person's answer (two queries, whatever the number)."""
    rows = db.session.execute(_roles_query(convening).order_by(AgendaSession.starts_at, AgendaSession.position,
                                                               SessionRole.id)).all()
    if not rows:
        return []
    statuses: dict[int, str] = {}  # every row's person has a declined or withdrawn invitation (_gone_people)
    for person_id, status in db.session.execute(
            sa.select(Invitation.person_id, Invitation.status).where(
                Invitation.convening_id.in_(convening.with_conference_ids),
                Invitation.person_id.in_({person.id for _, _, person in rows}), Invitation.status.in_(GONE))
            .order_by(Invitation.convening_id != convening.id)):
        statuses.setdefault(person_id, status)
    return [LooseRole(role, session, person, statuses[person.id]) for role, session, person in rows]


def _loose_role(convening, role_id: int) -> SessionRole:
    role = next((lr.role for lr in loose_roles(convening) if lr.role.id == role_id), None)
    if role is None:
        raise AgendaError("This role is no longer open: it was settled already, or its holder is coming again.")
    return role


def reassign(convening, role_id: int, person_id: int | None, *, actor) -> None:
    """Give the role to someone on the guest list instead (audited as a change of the session's roles)."""
    role = _loose_role(convening, role_id)
    if person_id not in {p.id for p in guest_people(convening)}:
        raise AgendaError("Choose someone on the guest list to take this role.", "person_id")
    session = role.session
    if any(r.person_id == person_id and r.role == role.role for r in session.roles):
        raise AgendaError("That person already holds this role in the session; remove the open one instead.",
                          "person_id")
    wanted = [(person_id if r.id == role.id else r.person_id, r.role) for r in session.roles]
    _change_roles(session, wanted, actor)


def remove(convening, role_id: int, *, actor) -> None:
    """Take the role off the agenda."""
    role = _loose_role(convening, role_id)
    session = role.session
    _change_roles(session, [(r.person_id, r.role) for r in session.roles if r.id != role.id], actor)


def _change_roles(session: AgendaSession, roles: list[tuple[int, str]], actor) -> None:
    changes = _set_roles(session, roles)
    if changes:
        _bump_if_calendar_change(session, changes)
        record("agenda_session.update", session, actor=actor, changes={**changes, "via": [None, "loose ends"]})
    db.session.flush()
