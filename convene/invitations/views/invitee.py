"""The invitee's pages under /my/<token> (no sign-in; the token is the key): the invitation and
answer, their details, settings, nominations, their data, and the old addresses that lead there."""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from ...edge import on_refusal
from ...errors import StaleEdit
from ...extensions import db, limiter
from ...convenings.brand import use_attendee_page
from ...privacy.services import erase_self_identification, export_person
from ...tokens.models import Purpose
from ...tokens.services import LinkProblem, open_link
from .. import home, links, travel
from ..answers import answer, answer_closed_reason, update_profile
from ..confirmation import confirmed_by_invitee
from ..forms import ActionForm, AnswerForm, EraseForm, NominationForm, ProfileForm, SettingsForm, TravelForm
from ..invitation_template import venue_text
from ..lifecycle import VIA_LINK
from ..models import ANSWERED, Invitation, Nomination
from ..nominations import nominate, nomination_closed_reason
from ..outbox import sendable_problem
from .common import bp


RSVP_LIMIT = "60/minute"


def _rsvp_invitation(token: str) -> Invitation:
    """The invitation a live RSVP link opens; LinkProblem (one page, 404 or 410) otherwise."""
    invitation = db.session.get(Invitation, open_link(token, Purpose.RSVP).invitation_id)
    if invitation is None:
        raise LinkProblem("unknown", Purpose.RSVP)
    use_attendee_page(invitation.person, invitation.convening)
    return invitation


def _rsvp_page(invitation, token, *, settings_form=None, answer_form=None, profile_form=None, nomination_form=None,
               travel_form=None, stale=False, status=200):
    person = invitation.person
    if profile_form is None:
        profile_form = ProfileForm(formdata=None, obj=person,
                                   organization_name=person.organization.name if person.organization else "")
        profile_form.person_version.data = person.version
    answer_form = answer_form or AnswerForm(formdata=None, answer=invitation.status if invitation.status in ANSWERED
                                            else None, reason=invitation.decline_reason)
    answer_form.version.data = invitation.version
    nominations = db.session.scalars(sa.select(Nomination).where(Nomination.invitation_id == invitation.id)
                                     .order_by(Nomination.created_at)).all()
    state = home.state_of(invitation)
    extra = {}
    if state in ("attending", "after"):
        extra["version"], extra["my_sessions"] = home.my_sessions(invitation)
    if state == "after":
        extra.update(home.after_the_convening(invitation))
    return render_template(
        "invitations/rsvp.html", state=state, here="home", **extra, invitation=invitation,
        settings_form=settings_form or SettingsForm(formdata=None, obj=person),
        travel_form=travel_form or TravelForm(formdata=None, obj=invitation),
        convening=invitation.convening, person=person,
        token=token, answer_form=answer_form, profile_form=profile_form,
        nomination_form=nomination_form or NominationForm(formdata=None), erase_form=EraseForm(formdata=None),
        action_form=ActionForm(), closed=answer_closed_reason(invitation), nominations=nominations,
        can_nominate=nomination_closed_reason(invitation) is None,
        stale=stale, venue=venue_text(invitation.convening)), status


#: Addresses e-mailed before the attendee home, and the page under /my/<token> each now opens.
OLD_ADDRESSES = {"/rsvp/<token>": "invitations.rsvp", "/n/<token>/notes": "notes.participant_index",
                 "/briefs/review/<token>": "briefs.review_list"}


@limiter.limit(RSVP_LIMIT)
def old_address(token: str):
    """An old address opens the same page under /my/<token> for as long as the link works."""
    open_link(token, Purpose.RSVP, Purpose.REVIEW)
    return redirect(url_for(OLD_ADDRESSES[request.url_rule.rule], token=token))


for _rule in OLD_ADDRESSES:
    bp.add_url_rule(_rule, "old_address", old_address, methods=("GET",))


@bp.post("/my/<token>/settings")
@limiter.limit(RSVP_LIMIT)
def rsvp_settings(token: str):
    """The attendee's own timezone and preferred language."""
    invitation = _rsvp_invitation(token)
    form = SettingsForm()
    if not form.validate_on_submit():
        return _rsvp_page(invitation, token, settings_form=form, status=422)
    changed = home.save_settings(invitation, form.timezone.data, form.preferred_language.data)
    db.session.commit()
    flash(_("Your settings are saved.") if changed else _("Your settings are unchanged."), "success")
    return redirect(url_for("invitations.rsvp", token=token, _anchor="settings"))


@bp.post("/my/<token>/travel")
@limiter.limit(RSVP_LIMIT)
def rsvp_travel(token: str):
    """The attendee's arrival and departure dates."""
    invitation = _rsvp_invitation(token)
    form = TravelForm()
    if not form.validate_on_submit():
        return _rsvp_page(invitation, token, travel_form=form, status=422)
    on_refusal(render=lambda error: _rsvp_page(invitation, token, travel_form=form), form=form)
    changed = travel.save_travel(invitation, form.arrives_on.data, form.departs_on.data)
    db.session.commit()
    flash(_("Your travel dates are saved.") if changed else _("Your travel dates are unchanged."), "success")
    return redirect(url_for("invitations.rsvp", token=token, _anchor="travel"))


@bp.post("/my/<token>/forwarded")
@limiter.limit(RSVP_LIMIT)
def report_forwarded(token: str):
    """'This link was forwarded': it stops working and a new one goes to the invitee's address."""
    invitation = _rsvp_invitation(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    if sendable_problem(invitation) is not None:
        flash(_("We have no usable e-mail address for you, so we cannot send a new link. Please reply to the "
                "organizers' e-mail instead."), "error")
        return redirect(url_for("invitations.rsvp", token=token))
    links.report_forwarded(invitation, renew_calendar=bool(request.form.get("renew_calendar")))
    db.session.commit()
    return render_template("invitations/link_forwarded.html", convening=invitation.convening,
                           renew_calendar=bool(request.form.get("renew_calendar")))


@bp.route("/my/<token>", methods=("GET", "POST"))
@limiter.limit(RSVP_LIMIT)
def rsvp(token: str):
    """Show the invitation (GET changes nothing); the invitee's POST records their answer."""
    invitation = _rsvp_invitation(token)
    if request.method == "GET":
        return _rsvp_page(invitation, token)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _rsvp_page(invitation, token, answer_form=form, status=422)
    _refusals_reshow(invitation, token, STALE_ANSWER)
    changed = answer(invitation, form.answer.data, reason=form.reason.data, seen_version=form.version.data)
    db.session.commit()
    flash(_thanks(invitation) if changed else _("Your answer is unchanged."), "success")
    return redirect(url_for("invitations.rsvp", token=token))


STALE_ANSWER = _l("Your answer was not saved: it was changed from elsewhere (another window, or the organizers "
                  "recorded a reply) after you opened this page. The current answer is shown below; choose again.")
STALE_PROFILE = _l("Your details were changed from elsewhere after you opened this page; they are shown as they are "
                   "now. Please make your corrections again.")
STALE_NOMINATION = _l("The invitation changed meanwhile; please submit the nomination again.")


def _refusals_reshow(invitation: Invitation, token: str, stale: str) -> None:
    """A refused answer flashes why and shows the page as it is now (409 when changed meanwhile)."""
    on_refusal(render=lambda error: _rsvp_page(invitation, token, stale=isinstance(error, StaleEdit)), stale=stale)


def _thanks(invitation: Invitation) -> str:
    return {"accepted": _("Thank you: your place is confirmed. A calendar invitation is on its way by e-mail."),
            "tentative": _("Thank you: we have noted a tentative answer. Please confirm when you can."),
            "declined": _("Thank you for letting us know. We are sorry you cannot attend.")}[invitation.status]


@bp.route("/my/<token>/profile", methods=("POST",))
@limiter.limit(RSVP_LIMIT)
def rsvp_profile(token: str):
    """The invitee confirms or corrects their details."""
    invitation = _rsvp_invitation(token)
    form = ProfileForm()
    if not form.validate_on_submit():
        return _rsvp_page(invitation, token, profile_form=form, status=422)
    _refusals_reshow(invitation, token, STALE_PROFILE)
    changes = update_profile(invitation.person, form.data, seen_version=form.person_version.data)
    confirmed_by_invitee(invitation)
    db.session.commit()
    flash(_("Your details are saved.") if changes else _("Your details are confirmed as they are."), "success")
    return redirect(url_for("invitations.rsvp", token=token) + "#profile")


@bp.route("/my/<token>/nominate", methods=("POST",))
@limiter.limit(RSVP_LIMIT)
def rsvp_nominate(token: str):
    """The invitee proposes a substitute; the organizers decide."""
    invitation = _rsvp_invitation(token)
    form = NominationForm()
    if not form.validate_on_submit():
        return _rsvp_page(invitation, token, nomination_form=form, status=422)
    on_refusal(render=lambda error: _rsvp_page(invitation, token, nomination_form=form), form=form,
               field="nominee_email")
    on_refusal(StaleEdit, render=lambda error: _rsvp_page(invitation, token, stale=True), stale=STALE_NOMINATION)
    nominate(invitation, form.nominee)
    db.session.commit()
    flash(_("Thank you: we will consider %(name)s and write to them if we can invite them.",
            name=form.nominee_name.data), "success")
    return redirect(url_for("invitations.rsvp", token=token) + "#nominate")


@bp.route("/my/<token>/export", methods=("POST",))
@limiter.limit(RSVP_LIMIT)
def rsvp_export(token: str):
    """Download everything Convene holds about the invitee, as JSON."""
    invitation = _rsvp_invitation(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    body = json.dumps(export_person(invitation.person), indent=2, ensure_ascii=False, sort_keys=True)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-convene-data.json"', "Cache-Control": "no-store"})


@bp.route("/my/<token>/erase", methods=("POST",))
@limiter.limit(RSVP_LIMIT)
def rsvp_erase(token: str):
    """Erase the invitee's self-identification data (gender, nationality, dietary and access needs)."""
    invitation = _rsvp_invitation(token)
    form = EraseForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm the erasure; nothing was erased."), "error")
        return redirect(url_for("invitations.rsvp", token=token) + "#privacy")
    erase_self_identification(invitation.person, actor_label=VIA_LINK)
    db.session.commit()
    flash(_("Your gender, nationality, dietary and access needs have been erased."), "success")
    return redirect(url_for("invitations.rsvp", token=token) + "#privacy")
