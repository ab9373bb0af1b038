"""Owners' links and pages: staff send or copy an owner's link; owners report progress without an account."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.policy import signed_in
from ...edge import on_refusal
from ...extensions import db, limiter
from ...convenings.brand import use_attendee_page
from ...i18n.locale import use_attendee_language
from ...invitations.models import Invitation
from ...people.models import Person
from ...tokens.models import Purpose
from ...tokens.services import LinkProblem, open_link
from .. import followup, services
from ..forms import OwnerReportForm
from ..models import ActionItem, ActionStatus
from .common import _load_action, bp


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


# --- owners' personal page ------------------------------------------------------------------

@bp.route("/my-next-steps/<token>", methods=("GET", "POST"))
@limiter.limit("60/minute")
def owner_page(token: str):
    """An owner's next steps, without an account: GET shows them, POST reports progress or done."""
    person = db.session.get(Person, open_link(token, Purpose.OWNER).person_id)
    if person is None or person.erased_at is not None:
        raise LinkProblem("unknown", Purpose.OWNER)
    use_attendee_language(person)
    form = OwnerReportForm()
    if form.validate_on_submit():
        action = _owned_step(person, form.action_id.data)
        on_refusal(render=lambda error: _owner_page(person, form, token))
        _owner_report(action, person, form.note.data or "", form.mark_done.data)
        db.session.commit()
        flash(_("Thank you: your update was recorded."), "success")
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
    use_attendee_page(person, convening)
    family = convening.family_ids
    here = url_for("actions.my_steps", token=token)
    form = OwnerReportForm()
    if form.validate_on_submit():
        action = _owned_step(person, form.action_id.data, family)
        on_refusal(render=lambda error: _owner_page(person, form, token, family, here))
        _owner_report(action, person, form.note.data or "", form.mark_done.data)
        db.session.commit()
        flash(_("Thank you: your update was recorded."), "success")
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
