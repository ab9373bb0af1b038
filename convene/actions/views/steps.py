"""Capturing next steps, the outcome view, one step's page: edit, status and progress notes."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...agenda.models import AgendaSession
from ...auth.policy import load_convening, signed_in
from ...convenings.models import Convening
from ...edge import on_refusal
from ...extensions import db
from .. import followup, outcome, services
from ..forms import ActionForm, BulkForm, ProgressForm, StatusForm
from ..models import ActionItem, ActionStatus
from .common import _history_options, _load_action, bp


def _capture_page(convening: Convening, session: AgendaSession | None):
    """The fast entry form above the outcome view; after a save it comes back empty, focused."""
    form = ActionForm(convening=convening)
    if request.method == "GET":
        form.session_id.data = session.id if session else request.args.get("session", 0, type=int)
    if form.validate_on_submit():
        on_refusal(render=lambda error: _outcome_page(convening, session, form), form=form, field="text")
        action = services.create_action(convening, form.data, actor=current_user)
        db.session.commit()
        flash(f"Saved “{action.text[:80]}” as a draft. Add the next one.", "success")
        # No #capture fragment: browsers ignore autofocus on a page whose address has one, and the
        # text box (autofocused, so scrolled into view) must have focus again for the next entry.
        return redirect(url_for("actions.for_session", convening_id=convening.id, session_id=session.id)
                        if session else url_for("actions.for_convening", convening_id=convening.id,
                                                session=action.session_id or None))
    return _outcome_page(convening, session, form), 400 if request.method == "POST" else 200


def _outcome_page(convening: Convening, session: AgendaSession | None, form: ActionForm) -> str:
    actions = outcome.outcome_steps(convening.id, session.id if session is not None else None)
    drafts = [a for a in actions if a.status == ActionStatus.DRAFT.value]
    return render_template("actions/for_convening.html", convening=convening, session=session, form=form,
                           groups=outcome.by_theme(actions), drafts=drafts, count=len(actions),
                           bulk_form=BulkForm(formdata=None), statuses=ActionStatus,
                           status_labels={s.value: s.label for s in ActionStatus},
                           detail_base=url_for("actions.detail", action_id=0)[:-1])


@bp.route("/convenings/<int:convening_id>/next-steps", methods=("GET", "POST"))
@signed_in
def for_convening(convening_id: int):
    """A convening's next steps grouped by theme, with the capture form on top."""
    return _capture_page(load_convening(convening_id), None)


@bp.route("/convenings/<int:convening_id>/sessions/<int:session_id>/next-steps", methods=("GET", "POST"))
@signed_in
def for_session(convening_id: int, session_id: int):
    """Capture next steps during one session."""
    convening = load_convening(convening_id)
    session = db.session.get(AgendaSession, session_id)
    if session is None or session.convening_id != convening.id:
        abort(404)
    return _capture_page(convening, session)


@bp.route("/next-steps/<int:action_id>", methods=("GET", "POST"))
@signed_in
def detail(action_id: int):
    """One next step: edit it (stale saves refused), change status, add progress, see its history."""
    action = _load_action(action_id)
    form = _edit_form(action)
    if form.validate_on_submit():
        on_refusal(render=lambda error: _detail_page(action, form, stale=error.current), stale=STALE_EDIT)
        services.update_action(action, form.data, actor=current_user)
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("actions.detail", action_id=action.id))
    return _detail_page(action, form), 400 if request.method == "POST" else 200


STALE_EDIT = ("Someone else changed this next step while you were editing it. Nothing was overwritten: their "
              "version is shown below and your entries are still in the form. Check them and save again.")
STALE_STATUS = ("Someone else changed this next step meanwhile; its current state is shown. "
                "Your note is still in the form.")


def _edit_form(action: ActionItem, **kwargs) -> ActionForm:
    """The edit form: what was posted, or (on a GET, or with formdata=None) the next step as saved."""
    form = ActionForm(obj=action, convening=action.convening, action=action, **kwargs)
    if request.method == "GET" or kwargs:
        form.session_id.data = action.session_id or 0
        form.owner.data = action.owner_key
        form.theme_ids.data = [t.id for t in action.themes]
        form.supporter_ids.data = [o.id for o in action.supporters]
    return form


def _detail_page(action: ActionItem, form: ActionForm, stale: ActionItem | None = None,
                 status_form: StatusForm | None = None) -> str:
    """The page of one next step; after a stale save it shows the version saved meanwhile."""
    action = db.session.scalars(sa.select(ActionItem).where(ActionItem.id == action.id)
                                .options(*_history_options())).one()
    if stale is not None:
        form.version.data = action.version
    status_form = status_form or StatusForm(formdata=None, data={"version": action.version})
    transitions = sorted(services.STATUS_TRANSITIONS[action.status])
    status_form.status.choices = [(s, ActionStatus(s).label) for s in transitions]
    return render_template("actions/detail.html", action=action, convening=action.convening, form=form,
                           status_form=status_form, progress_form=ProgressForm(formdata=None),
                           transitions=transitions, stale=stale, statuses=ActionStatus,
                           owner_invited=followup.owners_invitation(action) is not None)


@bp.route("/next-steps/<int:action_id>/status", methods=("POST",))
@signed_in
def change_status(action_id: int):
    """Move a next step along its workflow (dropping needs a reason)."""
    action = _load_action(action_id)
    form = StatusForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: _status_page(action, form), form=form, field="status", stale=STALE_STATUS)
        services.change_status(action, form.status.data, current_user, form.note.data or "",
                               seen_version=form.version.data)
        db.session.commit()
        flash(f"The next step is now {ActionStatus(action.status).label.lower()}.", "success")
        return redirect(url_for("actions.detail", action_id=action.id))
    return _status_page(action, form), 400


def _status_page(action: ActionItem, status_form: StatusForm) -> str:
    """The next step's page with a refused status change in its form and the edit form as saved."""
    return _detail_page(action, _edit_form(action, formdata=None), status_form=status_form)


@bp.route("/next-steps/<int:action_id>/progress", methods=("POST",))
@signed_in
def add_progress(action_id: int):
    """Add a dated progress note."""
    action = _load_action(action_id)
    form = ProgressForm()
    history = url_for("actions.detail", action_id=action_id, _anchor="history")
    if not form.validate_on_submit():
        flash("Write the progress note before adding it.", "error")
        return redirect(history)
    on_refusal(redirect_to=history)
    services.add_progress(action, form.note.data, current_user)
    db.session.commit()
    flash("Progress note added.", "success")
    return redirect(history)
