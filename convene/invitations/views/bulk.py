"""Bulk actions on the guest list: the ticked people or everyone matching the filter, confirmed, then done."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.policy import load_convening, role_required
from ...base.selection import people
from ...edge import on_refusal
from ...extensions import db
from ..bulk import ACTIONS, NAMES_SHOWN, WRITE, perform, plan, resolve, selection_from
from ..forms import WRITE_ENDPOINT, BulkForm
from .common import back_url, bp, list_filters

#: Skipped people named one by one in the report after an action; the rest are counted.
REPORT_LINES = 10
ORIGINS = {"reminders": "invitations.reminders", "status": "invitations.status_board"}


def _back(convening_id: int, origin: str | None) -> str:
    """Where the action was started from: the guest list (same page and filters), reminders or status board."""
    endpoint = ORIGINS.get(origin or "")
    return url_for(endpoint, convening_id=convening_id) if endpoint else back_url(convening_id)


@bp.route("/convenings/<int:convening_id>/guests/bulk", methods=("POST",))
@role_required("organizer")
def bulk(convening_id: int):
    """Send, remind, withdraw, mark attendance, or write to the selection: a confirmation first, then the action.

    The selection is the ticked ids or (scope=matching) everyone matching the posted filters, evaluated
    again when the confirmed form comes back.
    """
    convening = load_convening(convening_id, need="manage")
    form = BulkForm()
    back = _back(convening.id, form.origin.data)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(back)
    filters = list_filters(request.form)
    selection = selection_from(request.form, filters)
    invitations = resolve(convening, selection, filters)
    if not invitations:
        flash("No one on the guest list is selected: nothing was done.", "warning")
        return redirect(back)
    if form.action.data == WRITE:
        return redirect(url_for(WRITE_ENDPOINT, convening_id=convening.id, invitation=[i.id for i in invitations]))
    if not form.confirmed.data:
        return _confirmation(convening, form, selection, filters, invitations)
    on_refusal(redirect_to=back)
    report = perform(form.action.data, convening, invitations, selection, actor=current_user)
    db.session.commit()
    _flash_outcome(form.action.data, report, selection.changed_since_confirmation(len(invitations)))
    return redirect(back)


def _confirmation(convening, form: BulkForm, selection, filters: dict, invitations) -> str:
    """The confirmation page: what the action will do, to whom, who is skipped and why; nothing changed yet."""
    return render_template("invitations/bulk_confirm.html", convening=convening, form=form, filters=filters,
                           selection=selection, plan=plan(form.action.data, convening, invitations),
                           scope=selection.scope_text(len(invitations)), selected=people(len(invitations)),
                           names_shown=NAMES_SHOWN, back=_back(convening.id, form.origin.data))


def _flash_outcome(key: str, report, changed: str) -> None:
    """What was done, the first skipped people with the reason, and a changed count since the confirmation."""
    flash(f"{ACTIONS[key].done} {len(report.sent)}.", "success" if report.sent else "warning")
    if changed:
        flash(changed, "warning")
    for line in report.skipped[:REPORT_LINES]:
        flash(f"Not done – {line}", "warning")
    if len(report.skipped) > REPORT_LINES:
        flash(f"… and {len(report.skipped) - REPORT_LINES} more not done.", "warning")
