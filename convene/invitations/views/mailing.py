"""What the guest list is sent: the invitation e-mail's text with its preview, and the reminder schedule."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...auth.policy import load_convening, role_required
from ...base.text import LIKE_ESCAPE, like_pattern
from ...edge import on_refusal
from ...errors import StaleEdit
from ...extensions import db
from ...people.models import Person
from ...urls import absolute_url
from ..forms import BulkForm, ScheduleForm, TemplateForm
from ...i18n.locale import LANGUAGES, supported
from ..invitation_template import (LANGUAGE_NAMES, PLACEHOLDERS, default_language, fallbacks, render_invitation,
                                   save_template, template_for, texts_by_language)
from ..lifecycle import InvitationError
from ..models import Invitation, InvitationStatus
from ..reminders import save_schedule, schedule_for
from ..sending import SENDABLE
from .common import bp, ordered_guests
from ..guest_list import list_order


#: Invitees offered in the preview chooser of the invitation text.
PREVIEW_CHOICES = 50


@bp.route("/convenings/<int:convening_id>/guests/template", methods=("GET", "POST"))
@role_required("organizer")
def template(convening_id: int):
    """Edit the invitation e-mail in one language (?language=, default: the convening's) and preview it."""
    convening = load_convening(convening_id, need="manage")
    language = supported(request.args.get("language")) or default_language(convening)
    saved = template_for(convening, language)
    form = TemplateForm(obj=saved)
    if form.validate_on_submit():
        # The template page lists its problems above the text instead of flashing them.
        on_refusal(render=lambda error: _template_page(convening, form, saved, [str(error)]), flashed=False)
        on_refusal(StaleEdit, render=lambda error: _template_page(convening, form, saved, [STALE_TEMPLATE]),
                   form=form, flashed=False)
        save_template(convening, form.data, actor=current_user, language=language)
        db.session.commit()
        flash(f"Invitation template saved ({LANGUAGE_NAMES[language]}).", "success")
        return redirect(url_for("invitations.template", convening_id=convening.id, language=language,
                                preview=request.args.get("preview", "")))
    return _template_page(convening, form, saved, [])


STALE_TEMPLATE = ("Another organizer saved the template meanwhile; their version is now in effect. "
                  "Your text is kept below: save again to replace theirs.")


def _template_page(convening, form: TemplateForm, saved, problems: list[str]) -> str:
    """The template form with its problems, and the preview for one invitee (chosen by ?preview=, ?who=)."""
    who = " ".join(request.args.get("who", "").split())[:200]
    guests = _preview_choices(convening, who)
    no_match = bool(who) and not guests
    if no_match:
        guests = _preview_choices(convening, "")
    # A language not written yet previews the text its readers get meanwhile (the default text).
    preview = _preview(convening, guests, saved if saved.id else texts_by_language(convening)[saved.language])
    if preview and preview["invitation"] not in guests:
        guests.insert(0, preview["invitation"])
    return render_template("invitations/template.html", convening=convening, form=form, problems=problems,
                           guests=guests, preview=preview, who=who, no_match=no_match, placeholders=PLACEHOLDERS,
                           choice_limit=PREVIEW_CHOICES, written=saved.id is not None, **_languages(convening, saved))


def _languages(convening, saved) -> dict:
    """The language tabs: which is edited, the language of the text each language's readers get, who gets another's."""
    texts = texts_by_language(convening)
    return {"language": saved.language, "given": {code: text.language for code, text in texts.items()},
            "from_series": saved.id is None and texts[saved.language].series_id is not None,
            "languages": LANGUAGES, "language_names": LANGUAGE_NAMES, "default_language": default_language(convening),
            "fallbacks": fallbacks(convening, SENDABLE)}


def _preview_choices(convening, who: str) -> list[Invitation]:
    """Up to PREVIEW_CHOICES invitees to preview for, in list order, optionally matching a name."""
    query = (sa.select(Invitation).join(Person, Person.id == Invitation.person_id)
             .where(Invitation.convening_id == convening.id).options(joinedload(Invitation.person)))
    if who:
        query = query.where(sa.func.lower(Person.name).like(like_pattern(who.lower()), escape=LIKE_ESCAPE))
    return list(db.session.scalars(query.order_by(*list_order()).limit(PREVIEW_CHOICES)))


def _preview(convening, guests, saved):
    """Subject and body as one invitee would receive them (with a sample link; nothing is issued)."""
    chosen = request.args.get("preview", type=int)
    invitation = next((g for g in guests if g.id == chosen), None)
    if invitation is None and chosen:
        invitation = db.session.get(Invitation, chosen)
        if invitation is not None and invitation.convening_id != convening.id:
            invitation = None
    invitation = invitation or (guests[0] if guests else None)
    if invitation is None:
        return None
    try:
        subject, body = render_invitation(saved, invitation, absolute_url("invitations.rsvp", token="EXAMPLE-LINK"))
    except InvitationError as error:  # a preview shows what is wrong with the saved text; nothing to roll back
        return {"invitation": invitation, "error": str(error)}
    return {"invitation": invitation, "subject": subject, "body": body}


@bp.route("/convenings/<int:convening_id>/guests/reminders", methods=("GET", "POST"))
@role_required("organizer")
def reminders(convening_id: int):
    """Who has not answered, reminders sent so far, and the reminder schedule."""
    convening = load_convening(convening_id, need="manage")
    schedule = schedule_for(convening)
    form = ScheduleForm(data={"days": ", ".join(str(d) for d in schedule.day_list),
                              "active": schedule.active} if schedule and request.method == "GET" else None)
    page = partial(_reminders_page, convening, form, schedule)
    if form.validate_on_submit():
        on_refusal(render=lambda error: page(), form=form, field="days")
        save_schedule(convening, form.days.data, form.active.data, actor=current_user)
        db.session.commit()
        flash("Reminder schedule saved.", "success")
        return redirect(url_for("invitations.reminders", convening_id=convening.id))
    return page(), 422 if form.errors else 200


def _reminders_page(convening, form: ScheduleForm, schedule) -> str:
    return render_template("invitations/reminders.html", convening=convening, form=form, schedule=schedule,
                           pending=ordered_guests(convening, InvitationStatus.INVITED.value),
                           bulk_form=BulkForm(formdata=None))
