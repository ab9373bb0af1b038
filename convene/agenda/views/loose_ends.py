"""Agenda roles left open by people who declined or were withdrawn: the page and its one-step answers."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.policy import load_convening, manages, role_required
from ...edge import on_refusal
from ...extensions import db
from .. import loose_ends, services
from .common import bp


@bp.app_context_processor
def _loose_end_count() -> dict:
    """`agenda_loose_ends(convening)` for the guest list and the editor: 0 unless the viewer manages it."""
    def count(convening) -> int:
        return loose_ends.count(convening) if convening is not None and manages(current_user, convening) else 0
    return {"agenda_loose_ends": count}


def _page(convening, status: int = 200, error: str | None = None):
    return render_template("agenda/loose_ends.html", convening=convening, roles=loose_ends.loose_roles(convening),
                           candidates=services.guest_people(convening), error=error), status


@bp.route("/convenings/<int:convening_id>/agenda/loose-ends")
@role_required("organizer")
def loose_ends_page(convening_id: int):
    """Roles held by people who are no longer coming, each with reassign or remove."""
    return _page(load_convening(convening_id, need="manage"))


@bp.post("/convenings/<int:convening_id>/agenda/loose-ends/<int:role_id>")
@role_required("organizer")
def settle_loose_end(convening_id: int, role_id: int):
    """Give one open role to someone on the guest list, or take it off the agenda."""
    convening = load_convening(convening_id, need="manage")
    on_refusal(render=lambda error: _page(convening, 422, str(error)), flashed=False)
    action = request.form.get("action")
    if action == "reassign":
        chosen = request.form.get("person_id", "")
        loose_ends.reassign(convening, role_id, int(chosen) if chosen.isdigit() else None, actor=current_user)
    elif action == "remove":
        loose_ends.remove(convening, role_id, actor=current_user)
    else:
        raise services.AgendaError("Choose Reassign or Remove the role.")
    db.session.commit()
    return redirect(url_for("agenda.loose_ends_page", convening_id=convening.id))
