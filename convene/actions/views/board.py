"""The follow-up board, its bulk actions, CSV and calendar exports, and staff members' to-do feed."""
from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ... import caching
from ...auth.models import User
from ...auth.policy import signed_in, visible_convening_ids
from ...base.selection import MATCHING
from ...convenings.models import Convening, Series
from ...extensions import db, limiter
from ...redirects import safe_redirect_target
from ...themes.models import Theme
from ...tokens.models import Purpose
from ...tokens.services import LinkProblem, open_link
from .. import board as board_module
from .. import bulk as bulk_module
from .. import followup
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


#: Next steps named one by one on the confirmation page per group; the rest are counted.
NAMES_SHOWN = 50


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
        export_args=filters.query_args(), filter_args=urlencode(filters.query_args()),
        described=bulk_module.describe(filters), select_page=request.args.get("select") == "page",
        matching_scope=MATCHING)


@bp.route("/next-steps/bulk", methods=("POST",))
@signed_in
def bulk():
    """Set the status of, reassign, or e-mail the owners of the ticked next steps or all matching the
    board's filters: a confirmation first (counts, filter, who is skipped and why), then the action."""
    form = BulkForm()
    target = safe_redirect_target(request.form.get("next"), url_for("actions.board"))
    filters = bulk_module.filters_from(request.form)
    selection = bulk_module.selection_from(request.form, filters)
    if not form.validate_on_submit() or selection.empty:
        flash("Select at least one next step and what to do with it.", "error")
        return redirect(target)
    value = _op_value(form)
    if value is None:
        return redirect(target)
    actions = bulk_module.resolve(current_user, selection, filters)
    if not actions:
        flash("No next step you may see is selected: nothing was changed.", "warning")
        return redirect(target)
    if not form.confirmed.data:
        return _confirmation(form, selection, filters, actions, value)
    changed, skipped = bulk_module.perform(form.op.data, value, actions, selection, actor=current_user,
                                           note=form.note.data or "")
    db.session.commit()
    _flash_outcome(form.op.data, changed, len(actions), skipped, selection.changed_since_confirmation(len(actions)))
    return redirect(target)


def _op_value(form: BulkForm) -> str | None:
    """The new status, the new owner's key ("" for nobody), "" to e-mail owners; None (flashed) when refused."""
    if form.op.data == "status":
        return form.status.data
    return _new_owner_key(form.owner.data) if form.op.data == "reassign" else ""


def _confirmation(form: BulkForm, selection, filters, actions, value: str) -> str:
    """What the action will do to which next steps, and who is skipped and why; nothing is changed yet."""
    value_text = {"status": lambda: str(ActionStatus(value).label).lower(),
                  "reassign": lambda: owner_lookup.by_key(value).name if value else "no owner"}.get(
        form.op.data, lambda: "")()
    return render_template("actions/bulk_confirm.html", form=form, selection=selection, actions=actions,
                           plan=bulk_module.plan(form.op.data, value, actions, form.note.data or ""),
                           heading=bulk_module.heading(form.op.data, value_text, len(actions)),
                           scope=selection.scope_text(len(actions)), names_shown=NAMES_SHOWN,
                           back=safe_redirect_target(form.next.data, url_for("actions.board")))


def _flash_outcome(op: str, changed: int, selected: int, skipped: list[str], changed_since: str) -> None:
    done = (f"E-mailed {changed} owner{'s' if changed != 1 else ''} their link." if op == "remind" else
            f"Changed {changed} of {selected} selected next step{'s' if selected != 1 else ''}.")
    flash(done, "success" if changed else "warning")
    if changed_since:
        flash(changed_since, "warning")
    for message in skipped[:10]:
        flash(message, "warning")
    if len(skipped) > 10:
        flash(f"… and {len(skipped) - 10} more not changed.", "warning")


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
