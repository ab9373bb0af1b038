"""Who a message to participants goes to: people picked on the guest list, or a choice by status and role.

Only people who were sent the invitation can be written to: planned invitees have not heard from
the convening yet, and withdrawn ones' links are switched off. One e-mail per person, even when
they are on a dialogue's list too (their invitation to the convening itself is used first).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..agenda.models import AgendaSession, SessionRole, SessionRoleKind, SessionStatus
from ..convenings.models import Convening
from ..extensions import db
from ..invitations.models import Invitation, InvitationStatus
from ..invitations.outbox import sendable_problem
from ..people.models import Person

#: Statuses one can write to, in the order the page offers them, with the page's words.
STATUS_CHOICES = (
    ("accepted", "Accepted"),
    ("tentative", "Tentative"),
    ("invited", "Invited, no answer yet"),
    ("declined", "Declined"),
    ("attended", "Attended"),
    ("no_show", "No-show"),
)
STATUSES = tuple(value for value, _ in STATUS_CHOICES)
#: Roles in the agenda, from the agenda's own list (chair, moderator, speaker, rapporteur, ...).
ROLE_CHOICES = tuple((kind.value, kind.label) for kind in SessionRoleKind)
ROLES = tuple(value for value, _ in ROLE_CHOICES)
#: Picked people at most (a guest list is a few hundred; this bounds the query's IN list).
MAX_PICKED = 5000


@dataclass
class Selection:
    """What the organizer chose: picked invitations (from the guest list), or statuses and/or roles."""

    statuses: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    dialogues: bool = False
    picked: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, statuses=(), roles=(), dialogues=False, picked=()) -> "Selection":
        """Only known statuses and roles, whole ids, each once: anything else is dropped, never an error."""
        ids = list(dict.fromkeys(i for i in picked if isinstance(i, int) and 0 < i < 2**31))[:MAX_PICKED]
        return cls([s for s in STATUSES if s in set(statuses)], [r for r in ROLES if r in set(roles)],
                   bool(dialogues), ids)

    @property
    def empty(self) -> bool:
        return not (self.picked or self.statuses or self.roles)

    def summary(self) -> dict:
        """What is kept with the message (ids are not: the recipients are)."""
        return {"statuses": self.statuses, "roles": self.roles, "dialogues": self.dialogues,
                "picked": len(self.picked)}


@dataclass
class Recipients:
    """The invitations a message goes to, the people skipped (with why), and picked ids left out."""

    invitations: list[Invitation] = field(default_factory=list)
    skipped: list[tuple[Invitation, str]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.invitations)


def scope_ids(convening: Convening, dialogues: bool) -> list[int]:
    """The guest lists a selection reads: the convening's, and its dialogues' when asked."""
    return [convening.id, *([d.id for d in convening.dialogues] if dialogues else [])]


def select_recipients(convening: Convening, selection: Selection) -> Recipients:
    """The recipients of a selection (one query, plus the dialogues' ids when they are included)."""
    found = Recipients()
    if selection.empty:
        return found
    picked = bool(selection.picked)
    # Picked people may come from a dialogue's list too: the ids are checked against the whole family.
    scope = scope_ids(convening, selection.dialogues or picked)
    query = (sa.select(Invitation).join(Person, Person.id == Invitation.person_id)
             .where(Invitation.convening_id.in_(scope)).options(joinedload(Invitation.person))
             .order_by(sa.func.lower(Person.name), Invitation.id))
    if picked:
        query = query.where(Invitation.id.in_(selection.picked))
    else:
        query = query.where(Invitation.status.in_(selection.statuses or STATUSES))
        if selection.roles:
            query = query.where(Invitation.person_id.in_(_holders(scope, selection.roles)))
    rows = list(db.session.scalars(query))
    if picked:
        gone = len(selection.picked) - len(rows)
        if gone:
            found.left_out.append(f"{gone} picked {'person is' if gone == 1 else 'people are'} not on this guest list.")
    # The convening's own invitation first, so that a person on a dialogue's list too gets that one.
    rows.sort(key=lambda i: i.convening_id != convening.id)
    seen: set[int] = set()
    for invitation in rows:
        if invitation.person_id in seen:
            continue
        seen.add(invitation.person_id)
        if invitation.status not in STATUSES:
            found.left_out.append(f"{invitation.person.name}: {_why_not(invitation.status)}")
            continue
        problem = sendable_problem(invitation)
        if problem:
            found.skipped.append((invitation, problem))
        else:
            found.invitations.append(invitation)
    found.invitations.sort(key=lambda i: (i.person.name.lower(), i.id))  # back in the list's order
    return found


def _holders(scope: list[int], roles: list[str]) -> sa.Select:
    """People holding one of the roles in a session (not cancelled) of these convenings."""
    return (sa.select(SessionRole.person_id).join(AgendaSession, AgendaSession.id == SessionRole.session_id)
            .where(AgendaSession.convening_id.in_(scope), AgendaSession.status != SessionStatus.CANCELLED.value,
                   SessionRole.role.in_(roles)))


def _why_not(status: str) -> str:
    if status == InvitationStatus.PLANNED.value:
        return "not invited yet (send the invitation first)."
    return "withdrawn from the guest list."
