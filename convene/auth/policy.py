"""The one place that decides who may do what.

Views ask these functions; they never test roles themselves. Objects outside a user's
scope answer 404 rather than 403, so ids cannot be probed (the pretalx convention).
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from ..convenings.models import Convening, convening_organizers
from ..extensions import db
from ..invitations.models import Invitation
from .models import Role, User


def role_required(*roles: Role | str) -> Callable:
    """Signed in, and holding one of the roles (admins always pass); otherwise 403."""
    wanted = {Role(r).value for r in roles}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not (current_user.is_admin or current_user.role in wanted):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


#: Any signed-in account: organizers, staff and admins.
signed_in = login_required


def manages(user: User, convening) -> bool:
    """Admins, and the organizers of the convening or of the conference it belongs to."""
    if not user.is_authenticated:
        return False
    return user.is_admin or user.id in convening.organizer_ids()


def can_view(user: User, convening) -> bool:
    """Who may see a convening's internal pages (guest list names, agenda drafts, next steps)."""
    if not user.is_authenticated:
        return False
    return user.is_staff or manages(user, convening)


def load_convening(convening_id: int, need: str = "view"):
    """The convening, or 404 when absent or outside the user's scope; 403 for a viewer who may not manage."""
    convening = db.session.get(Convening, convening_id)
    if convening is None or not can_view(current_user, convening):
        abort(404)
    if need == "manage" and not manages(current_user, convening):
        abort(403)
    return convening


def visible_convening_ids(user: User):
    """A SELECT of the convening ids a user may list, or None for 'all of them'."""
    if user.is_staff:
        return None
    own = sa.select(convening_organizers.c.convening_id).where(convening_organizers.c.user_id == user.id)
    return sa.select(Convening.id).where(sa.or_(Convening.id.in_(own), Convening.parent_id.in_(own)))


def manages_series(user: User, series) -> bool:
    """Who may rename a series or set its default targets: admins, and organizers of one of its editions."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if not user.is_organizer:
        return False
    return db.session.scalar(sa.select(Convening.id).where(
        Convening.series_id == series.id, Convening.id.in_(visible_convening_ids(user))).limit(1)) is not None


def edits_person(user: User, person) -> bool:
    """Who may edit a directory entry: staff and admins, who keep the shared directory; and an organizer
    while every guest list the person is on belongs to a convening they run (or there is none yet).

    An organizer may put anyone on their own list, so that grants nothing: a person another team
    has on its list keeps the contact details that team relies on (an e-mail address changed here
    would send that team's invitations elsewhere). Sensitive fields follow sees_sensitive_fields.
    """
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if not user.is_organizer:
        return False
    if person.id is None:
        return True
    elsewhere = (sa.select(Invitation.id).where(Invitation.person_id == person.id,
                                                Invitation.convening_id.not_in(visible_convening_ids(user)))
                 .limit(1))
    return db.session.scalar(elsewhere) is None


def edits_organization(user: User, organization=None) -> bool:
    """Renaming or reclassifying an organization changes it for everyone: staff and admins only.
    Organizers add organizations (directly or by typing a new name on a person's form)."""
    return user.is_authenticated and user.is_staff


def sees_sensitive_fields(user: User, person) -> bool:
    """Individual gender, nationality, dietary and access needs: admins, and organizers of a
    convening for which the person themself answered or gave their details through their own
    personal link. Staff see aggregates only.

    The rule rests on something only the invitee can do (`Invitation.invitee_confirmed_at` is set
    by their link alone), never on a row an organizer can create: adding someone to a guest list,
    inviting them or recording a reply received by phone grants nothing.
    """
    return person.id is not None and person.id in sensitive_visible_ids(user, [person.id])


def sensitive_visible_people(user: User):
    """A SELECT of the person ids whose sensitive fields `user` may see (the rule above), or None for
    everyone (admins). The balance counts use it to count only what the viewer could see anyway."""
    if user.is_authenticated and user.is_admin:
        return None
    if not user.is_authenticated or not user.is_organizer:
        return sa.select(Invitation.person_id).where(sa.false())
    # An organizer (never staff: returned above) sees the convenings they run and their dialogues.
    return (sa.select(Invitation.person_id).distinct()
            .where(Invitation.invitee_confirmed_at.is_not(None),
                   Invitation.convening_id.in_(visible_convening_ids(user))))


def sensitive_visible_ids(user: User, person_ids) -> set[int]:
    """The people among `person_ids` whose sensitive fields `user` may see (the rule above), in one query."""
    person_ids = {pid for pid in person_ids if pid is not None}
    if not person_ids or not user.is_authenticated:
        return set()
    visible = sensitive_visible_people(user)
    if visible is None:
        return person_ids
    if not user.is_organizer:
        return set()
    return set(db.session.scalars(visible.where(Invitation.person_id.in_(person_ids))))
