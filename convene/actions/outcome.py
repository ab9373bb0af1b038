"""The outcome view of a convening: every next step, grouped by theme, with its history.

A big edition has hundreds of next steps, each with themes, supporters, an owner, a session and a
history. Building ORM objects for all of that cost more than the rest of the page together, so the
view reads plain rows in four queries (steps with owner and session names, themes, supporters,
history with authors' names) into small read-only records the templates use like the models.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..agenda.models import AgendaSession
from ..auth.models import User
from ..extensions import db
from ..people.models import Organization, Person
from ..themes.models import Theme
from .models import ActionItem, ActionUpdate, action_supporters, action_themes


@dataclass(frozen=True, slots=True)
class Named:
    """Something shown by its name only (a theme, an organization, a history entry's author)."""

    name: str


@dataclass(frozen=True, slots=True)
class SessionRef:
    """The session a next step arose in, by its title (as `AgendaSession.title`)."""

    title: str


@dataclass(slots=True)
class HistoryEntry:
    """One ActionUpdate as the history template reads it."""

    at: datetime
    note: str
    old_status: str | None
    new_status: str | None
    old_due_on: date | None
    new_due_on: date | None
    old_owner: str
    new_owner: str
    author_user: Named | None
    author_person: Named | None


@dataclass(slots=True)
class OutcomeStep:
    """One next step as the outcome view and the drafts table read it."""

    id: int
    text: str
    status: str
    priority: str
    is_public: bool
    due_on: date | None
    drop_reason: str
    owner_label: str
    session: SessionRef | None
    themes: list[Named] = field(default_factory=list)
    supporters: list[Named] = field(default_factory=list)
    updates: list[HistoryEntry] = field(default_factory=list)


def _named(name: str | None) -> Named | None:
    return None if name is None else Named(name)


def _owner_label(person: str | None, org: str | None, user: str | None) -> str:
    """As ActionItem.owner_label: the person, else the organization, else the account, else Unassigned."""
    for name in (person, org, user):
        if name is not None:
            return name
    return "Unassigned"


def _name(column, where, label: str):
    return sa.select(column).where(where).scalar_subquery().label(label)


def outcome_steps(convening_id: int, session_id: int | None = None) -> list[OutcomeStep]:
    """The convening's (or one session's) next steps, oldest first, in four queries whatever their number."""
    scope = [ActionItem.convening_id == convening_id]
    if session_id is not None:
        scope.append(ActionItem.session_id == session_id)
    # Names through correlated subqueries, not joins: each is an index lookup per listed step, so the
    # cost follows the convening's next steps, never the size of the people or sessions tables (with
    # joins PostgreSQL picks hash joins that scan them whole).
    rows = db.session.execute(
        sa.select(ActionItem.id, ActionItem.text, ActionItem.status, ActionItem.priority, ActionItem.is_public,
                  ActionItem.due_on, ActionItem.drop_reason,
                  _name(Person.name, Person.id == ActionItem.owner_person_id, "person"),
                  _name(Organization.name, Organization.id == ActionItem.owner_organization_id, "org"),
                  _name(User.name, User.id == ActionItem.owner_user_id, "user"),
                  _name(AgendaSession.title, AgendaSession.id == ActionItem.session_id, "session"))
        .where(*scope).order_by(ActionItem.created_at, ActionItem.id))
    steps = {r.id: OutcomeStep(r.id, r.text, r.status, r.priority, r.is_public, r.due_on, r.drop_reason,
                               _owner_label(r.person, r.org, r.user),
                               SessionRef(r.session) if r.session is not None else None)
             for r in rows}
    if not steps:
        return []
    ids = sa.select(ActionItem.id).where(*scope)
    for action_id, name in db.session.execute(
            sa.select(action_themes.c.action_id, Theme.name).join(Theme, Theme.id == action_themes.c.theme_id)
            .where(action_themes.c.action_id.in_(ids)).order_by(Theme.name)):
        steps[action_id].themes.append(Named(name))
    for action_id, name in db.session.execute(
            sa.select(action_supporters.c.action_id, Organization.name)
            .join(Organization, Organization.id == action_supporters.c.organization_id)
            .where(action_supporters.c.action_id.in_(ids)).order_by(Organization.name)):
        steps[action_id].supporters.append(Named(name))
    author_person = aliased(Person)
    for u in db.session.execute(
            sa.select(ActionUpdate.action_id, ActionUpdate.at, ActionUpdate.note, ActionUpdate.old_status,
                      ActionUpdate.new_status, ActionUpdate.old_due_on, ActionUpdate.new_due_on,
                      ActionUpdate.old_owner, ActionUpdate.new_owner, User.name.label("user"),
                      author_person.name.label("person"))
            .outerjoin(User, User.id == ActionUpdate.author_user_id)
            .outerjoin(author_person, author_person.id == ActionUpdate.author_person_id)
            .where(ActionUpdate.action_id.in_(ids)).order_by(ActionUpdate.at, ActionUpdate.id)):
        steps[u.action_id].updates.append(HistoryEntry(
            u.at, u.note, u.old_status, u.new_status, u.old_due_on, u.new_due_on, u.old_owner, u.new_owner,
            _named(u.user), _named(u.person)))
    return list(steps.values())


def by_theme(steps: list[OutcomeStep]) -> list[tuple[str, list[OutcomeStep]]]:
    """Group next steps by theme (a step with two themes appears under both); unthemed last."""
    groups: dict[str, list[OutcomeStep]] = defaultdict(list)
    for step in steps:
        for theme in step.themes or [None]:
            groups[theme.name if theme else ""].append(step)
    named = sorted((k, v) for k, v in groups.items() if k)
    return named + ([("", groups[""])] if "" in groups else [])
