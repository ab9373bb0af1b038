"""The next-steps blueprint and what its route modules share: loading a step the user may see."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ...auth.policy import can_view
from ...extensions import db
from ..models import ActionItem, ActionUpdate

bp = Blueprint("actions", __name__)

def _history_options():
    return (selectinload(ActionItem.themes), selectinload(ActionItem.supporters),
            selectinload(ActionItem.updates).joinedload(ActionUpdate.author_user),
            selectinload(ActionItem.updates).joinedload(ActionUpdate.author_person),
            joinedload(ActionItem.owner_person), joinedload(ActionItem.owner_organization),
            joinedload(ActionItem.owner_user), joinedload(ActionItem.session))


def _load_action(action_id: int) -> ActionItem:
    """The next step, or 404 when absent or outside the user's convenings."""
    action = db.session.get(ActionItem, action_id)
    if action is None or not can_view(current_user, action.convening):
        abort(404)
    return action
