"""Next steps: capture, follow-up, owners' progress reports, the staff digest and public listing.

Every change of status, owner or due date, and every progress note, is an ActionUpdate (the
history shown on the outcome view); every change is also written to the audit log.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..agenda.models import AgendaSession
from ..audit.services import record
from ..auth.models import User
from ..base.text import has_control_characters
from ..db_types import utcnow
from ..editing import check_version, slugify, unique_slug
from ..errors import DomainError
from ..extensions import db
from ..people.models import Organization, Person
from ..themes.models import Theme
from .models import STATUS_TRANSITIONS, ActionItem, ActionPriority, ActionStatus, ActionUpdate

MAX_TEXT = 2000


class ActionError(DomainError):
    """A rule about next steps was broken; the message is shown to the user."""

    status = 400  # the next-steps pages answered a refused save with 400 before the common edge; kept


# --- owners ---------------------------------------------------------------------------------

OWNER_KINDS = {"person": Person, "org": Organization, "user": User}


def parse_owner_key(key: str | None) -> tuple[str, int] | None:
    """'person:12' → ('person', 12); '' → None (nobody). Raises ActionError for anything else."""
    if not key:
        return None
    kind, _, raw_id = key.partition(":")
    if kind not in OWNER_KINDS or not raw_id.isdigit():
        raise ActionError("The owner chosen does not exist.")
    return kind, int(raw_id)


def resolve_owner(key: str | None):
    """The Person, Organization or User an owner key names; None for nobody."""
    parsed = parse_owner_key(key)
    if parsed is None:
        return None
    kind, owner_id = parsed
    owner = db.session.get(OWNER_KINDS[kind], owner_id)
    if owner is None or (kind == "user" and not owner.active) or (kind == "person" and owner.erased_at):
        raise ActionError("The owner chosen does not exist.")
    return owner


def _owner_label(owner) -> str:
    return "Unassigned" if owner is None else owner.name


def _set_owner(action: ActionItem, owner) -> None:
    action.owner_person = owner if isinstance(owner, Person) else None
    action.owner_organization = owner if isinstance(owner, Organization) else None
    action.owner_user = owner if isinstance(owner, User) else None


# --- themes, supporters, session ------------------------------------------------------------

def themes_for(theme_ids: Iterable[int], new_names: str = "") -> list[Theme]:
    """Existing themes by id plus themes named in a comma-separated list (created when new)."""
    ids = {int(i) for i in theme_ids or ()}
    themes = list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(ids)))) if ids else []
    if len(themes) != len(ids):
        raise ActionError("One of the themes chosen does not exist.")
    for name in (n.strip() for n in (new_names or "").split(",")):
        if not name:
            continue
        if len(name) > 120 or has_control_characters(name):
            raise ActionError("A theme name must be a single line of at most 120 characters.")
        theme = db.session.scalar(sa.select(Theme).where(sa.func.lower(Theme.name) == name.lower()))
        if theme is None:
            theme = Theme(name=name, slug=unique_slug(Theme, slugify(name)))
            db.session.add(theme)
            db.session.flush()
        if theme not in themes:
            themes.append(theme)
    return themes


def _supporters(org_ids: Iterable[int]) -> list[Organization]:
    ids = {int(i) for i in org_ids or ()}
    orgs = list(db.session.scalars(sa.select(Organization).where(Organization.id.in_(ids)))) if ids else []
    if len(orgs) != len(ids):
        raise ActionError("One of the supporting organizations does not exist.")
    return orgs


def _session(convening, session_id: int | None) -> AgendaSession | None:
    """The session a next step arose from: it must belong to this convening (no other ids accepted)."""
    if not session_id:
        return None
    session = db.session.get(AgendaSession, session_id)
    if session is None or session.convening_id != convening.id:
        raise ActionError("That session is not part of this convening.")
    return session


def _text(data: dict[str, Any]) -> str:
    text = (data.get("text") or "").strip()
    if not text:
        raise ActionError("Write what the next step is.")
    if len(text) > MAX_TEXT:
        raise ActionError(f"Keep the next step under {MAX_TEXT} characters; put details in the rationale.")
    return text


def _due(convening, due_on: date | None) -> date | None:
    if due_on is not None and due_on < convening.starts_on:
        raise ActionError(f"The due date cannot be before the convening ({convening.starts_on:%d %B %Y}).")
    return due_on


def _priority(value: str | None) -> str:
    value = value or ActionPriority.NORMAL.value
    if value not in {p.value for p in ActionPriority}:
        raise ActionError("Choose a priority from the list.")
    return value


def _add_update(action: ActionItem, *, user=None, person: Person | None = None, note: str = "",
                at: datetime | None = None, **changes) -> ActionUpdate:
    update = ActionUpdate(action=action, at=at or utcnow(), author_user_id=getattr(user, "id", None),
                          author_person_id=person.id if person is not None else None, note=note, **changes)
    db.session.add(update)
    action.last_update_at = update.at
    return update


# --- capture and editing --------------------------------------------------------------------

def create_action(convening, data: dict[str, Any], actor) -> ActionItem:
    """A new next step, in draft until reviewed."""
    owner = resolve_owner(data.get("owner"))
    action = ActionItem(
        convening=convening, text=_text(data), rationale=(data.get("rationale") or "").strip(),
        session=_session(convening, data.get("session_id")), due_on=_due(convening, data.get("due_on")),
        priority=_priority(data.get("priority")), is_public=bool(data.get("is_public")),
        status=ActionStatus.DRAFT.value, created_by_id=getattr(actor, "id", None), last_update_at=utcnow())
    _set_owner(action, owner)
    action.themes = themes_for(data.get("theme_ids") or (), data.get("new_themes") or "")
    action.supporters = _supporters(data.get("supporter_ids") or ())
    db.session.add(action)
    _add_update(action, user=actor, new_status=action.status, new_owner=_owner_label(owner),
                new_due_on=action.due_on)
    record("action.create", action, actor=actor,
           changes={"text": [None, action.text], "convening_id": [None, convening.id]})
    return action


EDIT_FIELDS = ("text", "rationale", "priority", "is_public")


def update_action(action: ActionItem, data: dict[str, Any], actor) -> ActionItem:
    """Save an edit made from a form that saw `data['version']`; a stale one raises StaleEdit."""
    check_version(action, data.get("version"))
    convening = action.convening
    changes: dict[str, list] = {}
    new_values = {"text": _text(data), "rationale": (data.get("rationale") or "").strip(),
                  "priority": _priority(data.get("priority")), "is_public": bool(data.get("is_public"))}
    for field in EDIT_FIELDS:
        if getattr(action, field) != new_values[field]:
            changes[field] = [getattr(action, field), new_values[field]]
            setattr(action, field, new_values[field])
    session = _session(convening, data.get("session_id"))
    if session is not action.session:
        changes["session_id"] = [action.session_id, session.id if session else None]
        action.session = session
    themes = themes_for(data.get("theme_ids") or (), data.get("new_themes") or "")
    if {t.id for t in themes} != {t.id for t in action.themes}:
        changes["themes"] = [sorted(t.name for t in action.themes), sorted(t.name for t in themes)]
        action.themes = themes
    supporters = _supporters(data.get("supporter_ids") or ())
    if {o.id for o in supporters} != {o.id for o in action.supporters}:
        changes["supporters"] = [sorted(o.name for o in action.supporters), sorted(o.name for o in supporters)]
        action.supporters = supporters
    note = (data.get("note") or "").strip()
    changes.update(_reassign(action, data.get("owner"), actor, note))
    changes.update(_move_due(action, data.get("due_on"), actor, note))
    if changes:
        record("action.update", action, actor=actor, changes=changes)
    return action


def _reassign(action: ActionItem, owner_key: str | None, actor, note: str = "") -> dict[str, list]:
    if (owner_key or "") == action.owner_key:
        return {}
    before = action.owner_label
    owner = resolve_owner(owner_key)
    _set_owner(action, owner)
    _add_update(action, user=actor, note=note, old_owner=before, new_owner=_owner_label(owner))
    return {"owner": [before, _owner_label(owner)]}


def _move_due(action: ActionItem, due_on: date | None, actor, note: str = "") -> dict[str, list]:
    if due_on == action.due_on:
        return {}
    before = action.due_on
    action.due_on = _due(action.convening, due_on)
    _add_update(action, user=actor, note=note, old_due_on=before, new_due_on=due_on)
    return {"due_on": [before.isoformat() if before else None, due_on.isoformat() if due_on else None]}


def reassign(action: ActionItem, owner_key: str | None, actor, note: str = "",
             seen_version: int | None = None) -> ActionItem:
    """Give the next step to another owner (kept in its history)."""
    check_version(action, seen_version)
    changes = _reassign(action, owner_key, actor, note)
    if changes:
        record("action.reassign", action, actor=actor, changes=changes)
    return action


def change_status(action: ActionItem, status: str, actor=None, note: str = "", *, person: Person | None = None,
                  seen_version: int | None = None) -> ActionItem:
    """Move along open → in progress → done, or drop with a reason; written to the history."""
    check_version(action, seen_version)
    note = (note or "").strip()
    if status == action.status:
        raise ActionError(f"The next step is already {ActionStatus(status).label.lower()}.")
    if status not in STATUS_TRANSITIONS.get(action.status, set()):
        names = {s.value: s.label.lower() for s in ActionStatus}
        raise ActionError(f"A next step that is {names.get(action.status, action.status)} cannot become "
                          f"{names.get(status, status)}.")
    if status == ActionStatus.DROPPED.value and not note:
        raise ActionError("Say why the next step is dropped.")
    before = action.status
    action.status = status
    action.drop_reason = note[:1000] if status == ActionStatus.DROPPED.value else ""
    _add_update(action, user=actor, person=person, note=note, old_status=before, new_status=status)
    record("action.status", action, actor=actor,
           actor_label="" if actor is not None else f"owner via personal link (person {getattr(person, 'id', '')})",
           changes={"status": [before, status]})
    return action


def add_progress(action: ActionItem, note: str, actor=None, *, person: Person | None = None) -> ActionUpdate:
    """A dated progress note from staff or from the owner's personal link; an open step becomes in progress."""
    note = (note or "").strip()
    if not note:
        raise ActionError("Write the progress note before sending it.")
    if len(note) > 10_000:
        raise ActionError("Please keep a progress note under 10,000 characters.")
    moved = {}
    if action.status == ActionStatus.OPEN.value:  # a progress note means the work has started
        moved = {"old_status": action.status, "new_status": ActionStatus.IN_PROGRESS.value}
        action.status = ActionStatus.IN_PROGRESS.value
    update = _add_update(action, user=actor, person=person, note=note, **moved)
    record("action.progress", action, actor=actor,
           actor_label="" if actor is not None else f"owner via personal link (person {getattr(person, 'id', '')})",
           changes={"note": [None, note[:200]],
                    **({"status": [moved["old_status"], moved["new_status"]]} if moved else {})})
    return update


def bulk_apply(actions: list[ActionItem], op: str, value: str, actor, note: str = "") -> tuple[int, list[str]]:
    """Set status or reassign several next steps; returns (changed, messages about the ones skipped)."""
    changed, skipped = 0, []
    for action in actions:
        try:
            with db.session.begin_nested():
                if op == "status":
                    change_status(action, value, actor, note)
                elif op == "reassign":
                    if not _reassign(action, value, actor, note):
                        continue
                    record("action.reassign", action, actor=actor, changes={"owner": [None, action.owner_label]})
                else:
                    raise ActionError("Choose what to do with the selected next steps.")
            changed += 1
        except ActionError as error:
            skipped.append(f"“{action.text[:60]}”: {error}")
    return changed, skipped


def public_next_steps(convening) -> list[ActionItem]:
    """The next steps of a convening marked public (not drafts, not dropped), for the public brief page."""
    return list(db.session.scalars(
        sa.select(ActionItem)
        .where(ActionItem.convening_id == convening.id, ActionItem.is_public.is_(True),
               ActionItem.status.in_([ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value,
                                      ActionStatus.DONE.value]))
        .options(selectinload(ActionItem.themes), selectinload(ActionItem.owner_organization))
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)))
