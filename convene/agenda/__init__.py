from flask import Blueprint

bp = Blueprint("agenda", __name__)

from . import views  # noqa: E402,F401


@bp.context_processor
def _agenda_globals():
    from .models import SessionKind, SessionRoleKind

    return {"SessionKind": SessionKind, "SessionRoleKind": SessionRoleKind}
