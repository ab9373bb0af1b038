"""Routes of the next-steps area: capture, outcome view, follow-up, board, exports, owners' links."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from .. import caching
from ..agenda.models import AgendaSession
from ..auth.models import User
from ..auth.policy import can_view, load_convening, signed_in, visible_convening_ids
from ..convenings.models import Convening, Series
from ..edge import on_refusal
from ..extensions import db, limiter
from ..invitations.models import Invitation
from ..people.models import Person
from ..redirects import safe_redirect_target
from ..themes.models import Theme
from ..tokens.models import Purpose
from ..tokens.services import LinkProblem, open_link
from . import board as board_module
from . import followup, outcome, services
from . import owners as owner_lookup
from .forms import ActionForm, BulkForm, OwnerReportForm, ProgressForm, StatusForm
from .models import ActionItem, ActionStatus, ActionUpdate

bp = Blueprint("actions", __name__)

#: Largest number of rows one export holds.
EXPORT_LIMIT = 20_000


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
                           transitions=transitions, stale=stale, statuses=ActionStatus)


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


@bp.route("/next-steps/<int:action_id>/owner-link", methods=("POST",))
@signed_in
def send_owner_link(action_id: int):
    """E-mail the owner a new personal link (the previous one stops working).

    The confirmation names the recipient only: the link is a secret, and a message on screen
    is seen by whoever is looking (copy_owner_link is the separate, audited way to see it).
    """
    action = _load_action(action_id)
    detail_page = url_for("actions.detail", action_id=action_id)
    owner = action.owner_person
    if owner is None:
        flash("Only a person who owns a next step can be sent a personal link.", "error")
        return redirect(detail_page)
    on_refusal(redirect_to=detail_page)
    _, new_link = followup.owner_link(action, current_user, send=True)
    db.session.commit()
    flash(f"A new personal link was sent to {owner.name} <{owner.email}>. Earlier links no longer work." if new_link
          else f"Their personal link was sent to {owner.name} <{owner.email}>: the same link as in their invitation, "
               "opening on their next steps.", "success")
    return redirect(detail_page)


@bp.route("/next-steps/<int:action_id>/owner-link/copy", methods=("POST",))
@signed_in
def copy_owner_link(action_id: int):
    """Create a new owner link to pass on by hand, shown once on this page (audited as a copy)."""
    action = _load_action(action_id)
    detail_page = url_for("actions.detail", action_id=action_id)
    if action.owner_person is None:
        flash("Only a person who owns a next step can be given a personal link.", "error")
        return redirect(detail_page)
    on_refusal(redirect_to=detail_page)
    url, _ = followup.owner_link(action, current_user, send=False)
    db.session.commit()
    return render_template("actions/owner_link.html", action=action, url=url)


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


# --- owners' personal page ------------------------------------------------------------------

@bp.route("/my-next-steps/<token>", methods=("GET", "POST"))
@limiter.limit("60/minute")
def owner_page(token: str):
    """An owner's next steps, without an account: GET shows them, POST reports progress or done."""
    person = db.session.get(Person, open_link(token, Purpose.OWNER).person_id)
    if person is None or person.erased_at is not None:
        raise LinkProblem("unknown", Purpose.OWNER)
    form = OwnerReportForm()
    if form.validate_on_submit():
        action = _owned_step(person, form.action_id.data)
        on_refusal(render=lambda error: _owner_page(person, form, token))
        _owner_report(action, person, form.note.data or "", form.mark_done.data)
        db.session.commit()
        flash("Thank you: your update was recorded.", "success")
        return redirect(url_for("actions.owner_page", token=token, _anchor=f"step-{action.id}"))
    return _owner_page(person, form, token), 400 if request.method == "POST" else 200


@bp.route("/my/<token>/next-steps", methods=("GET", "POST"))
@limiter.limit("60/minute")
def my_steps(token: str):
    """The next steps an invitee owns from this convening, on their attendee home (their one link)."""
    invitation = db.session.get(Invitation, open_link(token, Purpose.RSVP).invitation_id)
    if invitation is None or invitation.person is None or invitation.person.erased_at is not None:
        raise LinkProblem("unknown", Purpose.RSVP)
    person, convening = invitation.person, invitation.convening
    family = [convening.id, *([convening.parent_id] if convening.parent_id else []), *[d.id for d in convening.dialogues]]
    here = url_for("actions.my_steps", token=token)
    form = OwnerReportForm()
    if form.validate_on_submit():
        action = _owned_step(person, form.action_id.data, family)
        on_refusal(render=lambda error: _owner_page(person, form, token, family, here))
        _owner_report(action, person, form.note.data or "", form.mark_done.data)
        db.session.commit()
        flash("Thank you: your update was recorded.", "success")
        return redirect(f"{here}#step-{action.id}")
    return _owner_page(person, form, token, family, here), 400 if request.method == "POST" else 200


def _owned_step(person: Person, action_id: str, convening_ids: list[int] | None = None) -> ActionItem:
    """A next step the person owns and may report on, or 404."""
    action = db.session.get(ActionItem, int(action_id)) if action_id.isdigit() else None
    if action is None or action.owner_person_id != person.id or action.status == ActionStatus.DRAFT.value \
            or (convening_ids is not None and action.convening_id not in convening_ids):
        abort(404)
    return action


def _owner_page(person: Person, form: OwnerReportForm, token: str, convening_ids: list[int] | None = None,
                post_to: str | None = None) -> str:
    """The owner page: on its own owner link, or under the attendee home (convening_ids set)."""
    return render_template("actions/owner.html", person=person, actions=followup.owner_steps(person, convening_ids),
                           form=form, token=token, statuses=ActionStatus, in_home=convening_ids is not None,
                           post_to=post_to or url_for("actions.owner_page", token=token))


def _owner_report(action: ActionItem, person: Person, note: str, mark_done: bool) -> None:
    if mark_done and action.status != ActionStatus.DONE.value:
        services.change_status(action, ActionStatus.DONE.value, None, note, person=person)
    else:
        services.add_progress(action, note, None, person=person)
