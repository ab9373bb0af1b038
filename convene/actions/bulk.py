"""Acting on many next steps from the follow-up board: the ticked ones or every one matching the board's
filters (evaluated when the action runs), what an action would do to them (the confirmation page), and
doing it in the caller's one transaction, with one audit event for the whole action besides each change's.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from ..audit.services import record
from ..auth.policy import visible_convening_ids
from ..base.selection import Plan, Selection, plural
from ..convenings.models import Convening, Series
from ..extensions import db
from ..themes.models import Theme
from . import followup, services
from .board import DUE_FILTERS, BoardFilters, matching_ids
from .models import STATUS_TRANSITIONS, ActionItem, ActionStatus

#: What the board's bulk form offers: (value, what the choice says, the confirmation's heading).
OPS = {"status": ("Set status to", "Set status to {value} for"),
       "reassign": ("Reassign to", "Reassign to {value}"),
       "remind": ("E-mail the owners their link", "E-mail the owners of")}
#: Ticked ids read from one form (a page holds at most 100).
MAX_TICKED = 500
STATUS_GROUPS = {"active": "draft, open or in progress", "followed": "open or in progress"}
LOAD = (joinedload(ActionItem.convening), joinedload(ActionItem.owner_person),
        joinedload(ActionItem.owner_organization), joinedload(ActionItem.owner_user))


def _status_words(status: str) -> str:
    return str(ActionStatus(status).label).lower()


def _named(model, column, row_id) -> str:
    """The name of a convening, series or theme a filter names (one small query), or its id."""
    return db.session.scalar(sa.select(column).where(model.id == row_id)) or f"#{row_id}"


def describe(filters: BoardFilters) -> str:
    """The board's filters in words ("status: open, owner: me, overdue"); "" when nothing is filtered."""
    parts = []
    if filters.status:
        parts.append("status: " + STATUS_GROUPS.get(filters.status) if filters.status in STATUS_GROUPS
                     else f"status: {_status_words(filters.status)}")
    if filters.owner:
        owner = filters.owner_match.owner.name if filters.owner_match and filters.owner_match.owner else filters.owner
        parts.append({"none": "no owner"}.get(filters.owner, f"owner: {owner}"))
    for value, model, column, word in ((filters.convening, Convening, Convening.title, "convening"),
                                       (filters.series, Series, Series.name, "series"),
                                       (filters.theme, Theme, Theme.name, "theme")):
        if value:
            parts.append(f"{word}: {_named(model, column, value)}")
    if filters.due:
        parts.append(DUE_FILTERS[filters.due].lower())
    if filters.stale_days:
        parts.append(f"no update for {filters.stale_days} days")
    if filters.visibility:
        parts.append(filters.visibility)
    if filters.q:
        parts.append(f"text containing “{filters.q}”")
    return ", ".join(parts)


def filters_from(form_values) -> BoardFilters:
    """The board's filters as the form carried them (one `filter` field holding the board's query string)."""
    return BoardFilters.from_args(MultiDict(parse_qsl(form_values.get("filter", "")))).resolve()


def selection_from(form_values, filters: BoardFilters) -> Selection:
    return Selection.from_values(form_values.getlist("ids")[:MAX_TICKED], form_values.get("scope"),
                                 describe(filters), form_values.get("expected"))


def resolve(user, selection: Selection, filters: BoardFilters, now: datetime | None = None) -> list[ActionItem]:
    """The next steps selected now that the user may see, with their owners: one query, whatever the count."""
    if selection.empty:
        return []
    if selection.matching:
        where = ActionItem.id.in_(matching_ids(user, filters, now))
    else:
        where = ActionItem.id.in_(selection.ids)
        visible = visible_convening_ids(user)
        if visible is not None:
            where = sa.and_(where, ActionItem.convening_id.in_(visible))
    return list(db.session.scalars(sa.select(ActionItem).where(where).options(*LOAD).order_by(ActionItem.id)).unique())


def heading(op: str, value_text: str, count: int) -> str:
    """“Set status to done for 12 next steps”, “Reassign to Ada Lovelace 3 next steps”."""
    return f"{OPS[op][1].format(value=value_text)} {plural(count, 'next step', 'next steps')}"


def _skip_reason(op: str, value: str, action: ActionItem) -> str:
    """Why `op` would leave this next step as it is ("" when it applies); the rules its service follows."""
    if op == "status":
        if action.status == value:
            return f"already {_status_words(value)}"
        if value not in STATUS_TRANSITIONS.get(action.status, set()):
            return f"{_status_words(action.status)} (cannot become {_status_words(value)})"
        return ""
    if op == "reassign":
        return "already with this owner" if action.owner_key == value else ""
    if action.status == ActionStatus.DRAFT.value:
        return "still a draft (owners see reviewed next steps only)"
    person = action.owner_person
    if person is None:
        return "not owned by a person" if action.owner_key else "no owner"
    if person.erased_at is not None:
        return "owner erased from the directory"
    return "owner has no e-mail address" if not person.email else ""


def plan(op: str, value: str, actions: list[ActionItem], note: str = "") -> Plan:
    """What the action would do to these next steps, without changing anything (no query per step)."""
    result = Plan(actions)
    if op == "status" and value == ActionStatus.DROPPED.value and not note.strip():
        result.blocker = "Say why these next steps are dropped: write the reason in the note."
    for action in actions:
        result.add(action, _skip_reason(op, value, action))
    if op == "remind" and result.will:
        owners = {a.owner_person_id for a in result.will}
        result.notes.append(f"{plural(len(owners), 'owner gets', 'owners get')} one e-mail each with the link "
                            "to their next steps. An owner who was not invited gets a new link; their earlier "
                            "one stops working.")
    return result


def perform(op: str, value: str, actions: list[ActionItem], selection: Selection, *, actor,
            note: str = "") -> tuple[int, list[str]]:
    """Run the action (each change audited by its service) and audit the whole action: (changed, skipped)."""
    if op == "remind":
        changed, skipped = followup.remind_owners(actions, actor)
    else:
        changed, skipped = services.bulk_apply(actions, op, value, actor, note)
    record("action.bulk", None, actor=actor, object_type="ActionItem", changes={
        "op": [None, op], "value": [None, value], "selection": [None, selection.scope_text(len(actions))],
        "selected": [None, len(actions)], "done": [None, changed], "skipped": [None, len(skipped)]})
    return changed, skipped
