"""The invitations blueprint and what its route modules share: the guest list's order and filters,
the way back to the list, the labels its pages print."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, request, url_for
from sqlalchemy.orm import joinedload

from ...actions.models import ActionStatus
from ...extensions import db
from ...people.models import Person
from ...templating import label
from ..models import Invitation, InvitationStatus, MeetingRole, NominationStatus, Priority


bp = Blueprint("invitations", __name__)
STATUS_VALUES = tuple(s.value for s in InvitationStatus)
PRIORITY_VALUES = tuple(p.value for p in Priority)


def ordered_guests(convening, *statuses: str) -> list[Invitation]:
    """The guest list in one query: first choices, then reserves in order, by name."""
    query = (sa.select(Invitation).join(Person, Person.id == Invitation.person_id)
             .where(Invitation.convening_id == convening.id)
             .options(joinedload(Invitation.person).joinedload(Person.organization)))
    if statuses:
        query = query.where(Invitation.status.in_(statuses))
    rows = db.session.scalars(query).unique().all()
    return sorted(rows, key=lambda i: (i.priority != Priority.FIRST_CHOICE.value, i.reserve_rank or 0,
                                       i.person.name.lower()))


def list_filters(source) -> dict:
    """The guest list's filters from query or form values; anything unknown is dropped, never a 500."""
    status = source.get("status", "")
    priority = source.get("priority", "")
    page = source.get("page", "")
    return {"status": status if status in STATUS_VALUES else "",
            "priority": priority if priority in PRIORITY_VALUES else "",
            "find": " ".join(source.get("find", "").split())[:200],
            "page": int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1}


def back_url(convening_id: int) -> str:
    """The guest list, on the page and with the filters the form was sent from."""
    filters = list_filters(request.form) if request.method == "POST" else {}
    args = {k: v for k, v in filters.items() if v and not (k == "page" and v == 1)}
    return url_for("invitations.guest_list", convening_id=convening_id, **args)


def back_to_list(convening_id: int):
    """Back to the guest list, on the page and with the filters the form was sent from."""
    return redirect(back_url(convening_id))


@bp.context_processor
def _labels() -> dict:
    """Human labels for the enums used on these pages."""
    return {"label_status": lambda v: label(InvitationStatus, v), "label_role": lambda v: label(MeetingRole, v),
            "label_priority": lambda v: label(Priority, v), "label_step": lambda v: label(ActionStatus, v),
            "label_nomination": lambda v: label(NominationStatus, v)}
