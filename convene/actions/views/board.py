"""The follow-up board, its bulk actions, CSV and calendar exports, and staff members' to-do feed."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ... import caching
from ...auth.models import User
from ...auth.policy import signed_in, visible_convening_ids
from ...convenings.models import Convening, Series
from ...extensions import db, limiter
from ...redirects import safe_redirect_target
from ...themes.models import Theme
from ...tokens.models import Purpose
from ...tokens.services import LinkProblem, open_link
from .. import board as board_module
from .. import followup, services
from .. import owners as owner_lookup
from ..forms import BulkForm
from ..models import ActionItem, ActionStatus
from .common import bp

#: Largest number of rows one export holds.
EXPORT_LIMIT = 20_000


# --- the board ------------------------------------------------------------------------------

def _visible_convenings():
    query = sa.select(Convening.id, Convening.title, Convening.starts_on).order_by(Convening.starts_on.desc())
    ids = visible_convening_ids(current_user)
    if ids is not None:
        query = query.where(Convening.id.in_(ids))
    return db.session.execute(query).all()


@bp.route("/next-steps/")
@signed_in
def board():
    """Every next step the user may see: filter, sort, page, act on several at once."""
    filters = board_module.BoardFilters.from_args(request.args).resolve()
    page = board_module.board_page(current_user, filters)
    # Owners are typed (matched on the server); the <datalist> only suggests a few recent ones.
    return render_template(
        "actions/board.html", page=page, filters=filters, bulk_form=BulkForm(formdata=None),
        owner_suggestions=owner_lookup.recent_owners(visible_convening_ids(current_user)),
        convenings=_visible_convenings(), series=db.session.execute(
            sa.select(Series.id, Series.name).order_by(Series.name)).all(),
        themes=db.session.execute(sa.select(Theme.id, Theme.name).order_by(Theme.name)).all(),
        statuses=ActionStatus, sorts=board_module.SORTS, due_filters=board_module.DUE_FILTERS,
        per_page_choices=board_module.PER_PAGE_CHOICES, today=board_module.utcnow().date(),
        export_args=filters.query_args())


@bp.route("/next-steps/bulk", methods=("POST",))
@signed_in
def bulk():
    """Set the status of, or reassign, the selected next steps the user may see."""
    form = BulkForm()
    target = safe_redirect_target(request.form.get("next"), url_for("actions.board"))
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()][:500]
    if not form.validate_on_submit() or not ids:
        flash("Select at least one next step and what to do with it.", "error")
        return redirect(target)
    value = form.status.data if form.op.data == "status" else _new_owner_key(form.owner.data)
    if value is None:
        return redirect(target)
    actions = _visible_actions(ids)
    changed, skipped = services.bulk_apply(actions, form.op.data, value, current_user, form.note.data or "")
    db.session.commit()
    flash(f"Changed {changed} of {len(ids)} selected next step{'s' if len(ids) != 1 else ''}.",
          "success" if changed else "warning")
    for message in skipped[:10]:
        flash(message, "warning")
    if len(actions) < len(ids):
        flash(f"{len(ids) - len(actions)} selected next step(s) were not found.", "warning")
    return redirect(target)


def _new_owner_key(typed: str) -> str | None:
    """The owner key a bulk reassignment gives ("" removes the owner), or None, with the reason flashed."""
    found = owner_lookup.match(typed)
    if found.key == "":
        flash("Type who should own the selected next steps (“none” removes their owner). "
              "Nothing was changed.", "error")
        return None
    if not found.ok:
        flash(found.message + " Nothing was changed.", "error")
        for owner in found.candidates:
            flash(f"{owner.text} ({owner.kind_label}; or type {owner.key})", "warning")
        return None
    return {"me": f"user:{current_user.id}", "none": ""}.get(found.key, found.key)


def _visible_actions(ids: list[int]) -> list[ActionItem]:
    """The next steps with these ids that the user may see."""
    query = sa.select(ActionItem).where(ActionItem.id.in_(ids)).options(joinedload(ActionItem.convening))
    visible = visible_convening_ids(current_user)
    if visible is not None:
        query = query.where(ActionItem.convening_id.in_(visible))
    return db.session.scalars(query.order_by(ActionItem.id)).unique().all()


def _filtered(user, args, limit: int = EXPORT_LIMIT) -> list[ActionItem]:
    filters = board_module.BoardFilters.from_args(args).resolve()
    return db.session.scalars(board_module.board_query(user, filters).limit(limit)).unique().all()


@bp.route("/next-steps/export.csv")
@signed_in
def export_csv():
    """The filtered board as CSV (cells that a spreadsheet would run as formulas are neutralised)."""
    body = board_module.csv_text(_filtered(current_user, request.args))
    response = make_response("\ufeff" + body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="next-steps.csv"'
    return response


@bp.route("/next-steps/export.ics")
@signed_in
def export_ics():
    """The filtered board as an iCalendar file of VTODOs."""
    return _todo_file(_filtered(current_user, request.args), "Convene next steps", "attachment", "private, no-cache")


def _todo_file(actions, name: str, disposition: str, cache_control: str):
    """A to-do file kept per content (caching.serve): 304 to a client that has it, nothing rebuilt."""
    def respond(data: bytes):
        response = make_response(data)
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = f'{disposition}; filename="next-steps.ics"'
        return response

    parts = ("todo", name, board_module.todo_parts(actions, link_for=followup.step_url))
    return caching.serve(parts, lambda: board_module.todo_calendar(actions, link_for=followup.step_url, name=name),
                         respond, last_modified=caching.WHEN_CHANGED, cache_control=cache_control)


@bp.route("/next-steps/feed-link", methods=("POST",))
@signed_in
def feed_link():
    """Issue (or re-issue, which revokes the old one) the user's personal calendar feed link."""
    url = followup.issue_feed_link(current_user)
    db.session.commit()
    flash(f"Your personal next-steps feed (earlier feed links no longer work): {url}", "success")
    return redirect(url_for("actions.board"))


@bp.route("/next-steps/feed/<token>.ics")
@limiter.limit("120/minute")
def feed(token: str):
    """A staff member's personal VTODO feed. Without filters: their own open next steps."""
    found = open_link(token, Purpose.FEED)
    user = db.session.get(User, found.user_id) if found.user_id and found.convening_id is None else None
    if user is None or not user.active:
        raise LinkProblem("unknown", Purpose.FEED)
    args = request.args.to_dict() or {"owner": "me", "status": "followed"}
    return _todo_file(_filtered(user, args), f"Next steps — {user.name}", "inline", "private, max-age=300")
