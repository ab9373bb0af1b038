"""Routes of the invitations area: the organizers' guest list pages and the invitee's RSVP page."""
from __future__ import annotations

import json
from functools import partial

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..auth.policy import load_convening, manages, role_required, signed_in
from ..base.text import LIKE_ESCAPE, like_pattern
from ..db_types import utcnow
from ..edge import on_refusal
from ..errors import StaleEdit
from ..extensions import db, limiter
from ..people.models import Organization, Person
from ..privacy.services import erase_self_identification, export_person
from ..templating import label
from ..tokens.models import Purpose
from ..tokens.services import LinkProblem, open_link
from ..urls import absolute_url
from . import home, importing, links
from .answers import answer, answer_closed_reason, record_offline_reply, update_profile
from .confirmation import confirmed_by_invitee
from .forms import (ActionForm, AddPeopleForm, AnswerForm, AttendanceForm, BulkForm, EntryForm, EraseForm,
                    ImportConfirmForm, ImportForm, NominationForm, OfflineReplyForm, ProfileForm, ScheduleForm,
                    SettingsForm, TemplateForm)
from .guest_list import add_people as add_to_guest_list, remove, update_entry
from .invitation_template import PLACEHOLDERS, render_invitation, save_template, template_for, venue_text
from .lifecycle import VIA_LINK, InvitationError, mark_attendance, median_response_days, status_counts
from .models import (ANSWERED, Invitation, InvitationStatus, InvitationStatusChange, MeetingRole, Nomination,
                     NominationStatus, Priority)
from .nominations import decide_nomination as decide_on_nomination, nominate, nomination_closed_reason
from .outbox import sendable_problem
from .reminders import save_schedule, schedule_for, send_reminders
from .reserves import balance_hint, offer_place as offer_place_to_reserve, reserve_offers_for
from .sending import reissue_link, send_invitations

bp = Blueprint("invitations", __name__)

SEARCH_LIMIT = 50
RSVP_LIMIT = "60/minute"
#: Invitees per page of the guest list (GUEST_LIST_PER_PAGE overrides it).
GUESTS_PER_PAGE = 100
#: Invitees offered in the preview chooser of the invitation text.
PREVIEW_CHOICES = 50
STATUS_VALUES = tuple(s.value for s in InvitationStatus)
PRIORITY_VALUES = tuple(p.value for p in Priority)


# --- loading helpers --------------------------------------------------------------------------

def _guests(convening, *statuses: str) -> list[Invitation]:
    """The guest list in one query: first choices, then reserves in order, by name."""
    query = (sa.select(Invitation).join(Person, Person.id == Invitation.person_id)
             .where(Invitation.convening_id == convening.id)
             .options(joinedload(Invitation.person).joinedload(Person.organization)))
    if statuses:
        query = query.where(Invitation.status.in_(statuses))
    rows = db.session.scalars(query).unique().all()
    return sorted(rows, key=lambda i: (i.priority != Priority.FIRST_CHOICE.value, i.reserve_rank or 0,
                                       i.person.name.lower()))


def _list_order():
    """The guest list's order in SQL: first choices, then reserves by rank, then by name."""
    return (sa.case((Invitation.priority == Priority.FIRST_CHOICE.value, 0), else_=1),
            sa.func.coalesce(Invitation.reserve_rank, 0), sa.func.lower(Person.name), Invitation.id)


def list_filters(source) -> dict:
    """The guest list's filters from query or form values; anything unknown is dropped, never a 500."""
    status = source.get("status", "")
    priority = source.get("priority", "")
    page = source.get("page", "")
    return {"status": status if status in STATUS_VALUES else "",
            "priority": priority if priority in PRIORITY_VALUES else "",
            "find": " ".join(source.get("find", "").split())[:200],
            "page": int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1}


def _guest_page(convening, filters: dict):
    """One page of the guest list with the filters applied: a count and a page query, whatever the size."""
    query = (sa.select(Invitation).join(Person, Person.id == Invitation.person_id)
             .outerjoin(Organization, Organization.id == Person.organization_id)
             .where(Invitation.convening_id == convening.id)
             .options(joinedload(Invitation.person).joinedload(Person.organization)))
    if filters["status"]:
        query = query.where(Invitation.status == filters["status"])
    if filters["priority"]:
        query = query.where(Invitation.priority == filters["priority"])
    if filters["find"]:
        pattern = like_pattern(filters["find"].lower())
        query = query.where(sa.or_(sa.func.lower(Person.name).like(pattern, escape=LIKE_ESCAPE),
                                   sa.func.lower(Person.email).like(pattern, escape=LIKE_ESCAPE),
                                   sa.func.lower(Organization.name).like(pattern, escape=LIKE_ESCAPE)))
    per_page = max(1, int(current_app.config.get("GUEST_LIST_PER_PAGE", GUESTS_PER_PAGE)))
    page = db.paginate(query.order_by(*_list_order()), page=filters["page"], per_page=per_page,
                       error_out=False)
    if not page.items and page.total and filters["page"] > 1:  # past the end (the list shrank): last page
        page = db.paginate(query.order_by(*_list_order()), page=page.pages, per_page=per_page, error_out=False)
    return page


def _selected(convening, ids: list[int]) -> list[Invitation]:
    """The ticked invitations that belong to this convening (others are ignored, never 500)."""
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.convening_id == convening.id, Invitation.id.in_(ids))
        .options(joinedload(Invitation.person)).order_by(Invitation.id)))


def _invitation(convening, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.convening_id != convening.id:
        abort(404)
    return invitation


def _search_directory(q: str) -> list[Person]:
    q = q.strip()[:200]
    if not q:
        return []
    pattern = like_pattern(q.lower())
    return list(db.session.scalars(
        sa.select(Person).outerjoin(Organization, Person.organization_id == Organization.id)
        .where(Person.erased_at.is_(None))
        .where(sa.or_(sa.func.lower(Person.name).like(pattern, escape=LIKE_ESCAPE),
                      Person.email.like(pattern, escape=LIKE_ESCAPE),
                      sa.func.lower(Person.position).like(pattern, escape=LIKE_ESCAPE),
                      sa.func.lower(Organization.name).like(pattern, escape=LIKE_ESCAPE)))
        .options(joinedload(Person.organization)).order_by(Person.name).limit(SEARCH_LIMIT)))


def _flash_report(report, verb: str) -> None:
    if report.sent:
        flash(f"{verb} {len(report.sent)}.", "success")
    for line in report.skipped:
        flash(f"Not done – {line}", "warning")


def _back_url(convening_id: int) -> str:
    """The guest list, on the page and with the filters the form was sent from."""
    filters = list_filters(request.form) if request.method == "POST" else {}
    args = {k: v for k, v in filters.items() if v and not (k == "page" and v == 1)}
    return url_for("invitations.guest_list", convening_id=convening_id, **args)


def _back(convening_id: int):
    """Back to the guest list, on the page and with the filters the form was sent from."""
    return redirect(_back_url(convening_id))


# --- guest list -------------------------------------------------------------------------------

@bp.route("/convenings/<int:convening_id>/guests")
@signed_in
def guest_list(convening_id: int):
    """The guest list: one page of invitees (filtered by status, priority, name) with bulk actions,
    counts per status, directory search to add people, nominations and places to offer to reserves.

    A fixed number of queries whatever the list's length: counts by GROUP BY, one page of rows,
    reserves and nominations each in one query.
    """
    convening = load_convening(convening_id)
    can_manage = manages(current_user, convening)
    filters = list_filters(request.args)
    page = _guest_page(convening, filters)
    q = request.args.get("q", "")
    results = _search_directory(q) if can_manage else []
    on_list = set(db.session.scalars(sa.select(Invitation.person_id).where(
        Invitation.convening_id == convening.id, Invitation.person_id.in_([p.id for p in results])))) \
        if results else set()
    nominations = db.session.scalars(
        sa.select(Nomination).join(Invitation, Invitation.id == Nomination.invitation_id)
        .where(Invitation.convening_id == convening.id, Nomination.status == NominationStatus.PENDING.value)
        .options(joinedload(Nomination.invitation).joinedload(Invitation.person))).all() if can_manage else []
    counts = status_counts(convening)
    return render_template(
        "invitations/guest_list.html", convening=convening, guests=page.items, page=page, filters=filters,
        filtered=any(filters[k] for k in ("status", "priority", "find")), total=sum(counts.values()),
        can_manage=can_manage, q=q, results=results, on_list=on_list, nominations=nominations,
        offers=reserve_offers_for(convening) if can_manage else [], counts=counts,
        statuses=list(InvitationStatus), priorities=list(Priority), add_form=AddPeopleForm(formdata=None),
        bulk_form=BulkForm(formdata=None), action_form=ActionForm())


@bp.route("/convenings/<int:convening_id>/guests/add", methods=("POST",))
@role_required("organizer")
def add_people(convening_id: int):
    """Add the ticked directory people with one role and priority."""
    convening = load_convening(convening_id, need="manage")
    form = AddPeopleForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _back(convening.id)
    people = db.session.scalars(sa.select(Person).where(Person.id.in_(form.person_ids.data))).all()
    added, refused = add_to_guest_list(convening, people, role=form.role.data, priority=form.priority.data,
                                       actor=current_user)
    db.session.commit()
    if added:
        flash(f"Added {len(added)} to the guest list.", "success")
    for message in refused:
        flash(message, "warning")
    return _back(convening.id)


@bp.route("/convenings/<int:convening_id>/guests/bulk", methods=("POST",))
@role_required("organizer")
def bulk(convening_id: int):
    """Send invitations, reminders, or remove/withdraw the ticked invitees."""
    convening = load_convening(convening_id, need="manage")
    form = BulkForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _back(convening.id)
    selected = _selected(convening, form.invitation_ids.data)
    on_refusal(redirect_to=_back_url(convening.id))
    if form.action.data == "send":
        report, verb = send_invitations(convening, selected, actor=current_user), "Invitations queued:"
    elif form.action.data == "remind":
        report, verb = send_reminders(convening, selected, actor=current_user), "Reminders queued:"
    else:
        outcomes = [remove(i, actor=current_user) for i in selected]
    db.session.commit()
    if form.action.data in ("send", "remind"):
        _flash_report(report, verb)
    else:
        flash(f"Removed {outcomes.count('removed')}, withdrew {outcomes.count('withdrawn')}.", "success")
    return _back(convening.id)


@bp.route("/convenings/<int:convening_id>/guests/<int:invitation_id>", methods=("GET", "POST"))
@signed_in
def entry(convening_id: int, invitation_id: int):
    """One invitee: role, priority, history, offline reply, new link."""
    convening = load_convening(convening_id)
    invitation = _invitation(convening, invitation_id)
    can_manage = manages(current_user, convening)
    form = EntryForm(obj=invitation)
    if request.method == "POST":
        if not can_manage:
            abort(403)
        if form.validate_on_submit():
            on_refusal(render=lambda error: _entry_page(convening, invitation, can_manage, form), stale=STALE_ENTRY)
            update_entry(invitation, form.data, actor=current_user)
            db.session.commit()
            flash("Saved.", "success")
            return redirect(url_for("invitations.entry", convening_id=convening.id, invitation_id=invitation.id))
    return _entry_page(convening, invitation, can_manage, form)


STALE_ENTRY = ("Someone else changed this entry while you were editing; it is shown as it is now. "
               "Make your change again.")


def _entry_page(convening, invitation, can_manage, form):
    history = db.session.execute(
        sa.select(InvitationStatusChange).where(InvitationStatusChange.invitation_id == invitation.id)
        .order_by(InvitationStatusChange.at, InvitationStatusChange.id)).scalars().all()
    form.version.data = invitation.version
    return render_template("invitations/entry.html", convening=convening, invitation=invitation, form=form,
                           history=history, can_manage=can_manage,
                           offline_form=OfflineReplyForm(formdata=None, prefix="offline", version=invitation.version),
                           action_form=ActionForm())


@bp.route("/convenings/<int:convening_id>/guests/<int:invitation_id>/offline", methods=("POST",))
@role_required("organizer")
def offline_reply(convening_id: int, invitation_id: int):
    """Record an answer received by phone, letter or e-mail on the invitee's behalf."""
    convening = load_convening(convening_id, need="manage")
    invitation = _invitation(convening, invitation_id)
    form = OfflineReplyForm(prefix="offline")
    entry_page = url_for("invitations.entry", convening_id=convening_id, invitation_id=invitation_id)
    if not form.validate_on_submit():
        flash("Choose the answer and how it was received.", "error")
        return redirect(entry_page)
    on_refusal(redirect_to=entry_page, stale="The invitee or another organizer changed this invitation meanwhile; "
                                             "check the current answer below before recording again.")
    record_offline_reply(invitation, form.answer.data, channel=form.channel.data,
                         note=form.note.data, actor=current_user, seen_version=form.version.data)
    db.session.commit()
    flash(f"Recorded {invitation.person.name}'s answer: {invitation.status}.", "success")
    return redirect(entry_page)


@bp.route("/convenings/<int:convening_id>/guests/<int:invitation_id>/reissue", methods=("POST",))
@role_required("organizer")
def reissue(convening_id: int, invitation_id: int):
    """Send the invitation again with a new personal link; earlier links stop working."""
    convening = load_convening(convening_id, need="manage")
    invitation = _invitation(convening, invitation_id)
    entry_page = url_for("invitations.entry", convening_id=convening_id, invitation_id=invitation_id)
    if ActionForm().validate_on_submit():
        on_refusal(redirect_to=entry_page)
        reissue_link(invitation, actor=current_user)
        db.session.commit()
        flash("A new personal link was sent; earlier links no longer work.", "success")
    return redirect(entry_page)


@bp.route("/convenings/<int:convening_id>/guests/nominations/<int:nomination_id>", methods=("POST",))
@role_required("organizer")
def decide_nomination(convening_id: int, nomination_id: int):
    """Accept a nominated substitute (a planned invitation of their own) or refuse the nomination."""
    convening = load_convening(convening_id, need="manage")
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination.invitation.convening_id != convening.id:
        abort(404)
    if ActionForm().validate_on_submit():
        on_refusal(redirect_to=_back_url(convening.id))
        result = decide_on_nomination(nomination, request.form.get("decision") == "accept", actor=current_user)
        db.session.commit()
        flash(f"{nomination.name} is on the guest list as planned; send the invitation when ready."
              if result else f"Refused the nomination of {nomination.name}.", "success")
    return _back(convening.id)


@bp.route("/convenings/<int:convening_id>/guests/<int:place_id>/offer/<int:reserve_id>", methods=("GET", "POST"))
@role_required("organizer")
def offer_place(convening_id: int, place_id: int, reserve_id: int):
    """Confirm giving a declined first choice's place to a reserve, with what it does to the balance."""
    convening = load_convening(convening_id, need="manage")
    place, reserve = _invitation(convening, place_id), _invitation(convening, reserve_id)
    form = ActionForm()
    if form.validate_on_submit():
        on_refusal(redirect_to=_back_url(convening.id))
        offer_place_to_reserve(place, reserve, actor=current_user)
        db.session.commit()
        flash(f"Offered {place.person.name}'s place to {reserve.person.name}; the invitation is queued.", "success")
        return _back(convening.id)
    return render_template("invitations/offer.html", convening=convening, place=place, reserve=reserve,
                           form=form, hint=balance_hint(convening, reserve, current_user))


# --- template ---------------------------------------------------------------------------------

@bp.route("/convenings/<int:convening_id>/guests/template", methods=("GET", "POST"))
@role_required("organizer")
def template(convening_id: int):
    """Edit the invitation e-mail and preview it for one invitee."""
    convening = load_convening(convening_id, need="manage")
    saved = template_for(convening)
    form = TemplateForm(obj=saved)
    if form.validate_on_submit():
        # The template page lists its problems above the text instead of flashing them.
        on_refusal(render=lambda error: _template_page(convening, form, saved, [str(error)]), flashed=False)
        on_refusal(StaleEdit, render=lambda error: _template_page(convening, form, saved, [STALE_TEMPLATE]),
                   form=form, flashed=False)
        save_template(convening, form.data, actor=current_user)
        db.session.commit()
        flash("Invitation template saved.", "success")
        return redirect(url_for("invitations.template", convening_id=convening.id,
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
    preview = _preview(convening, guests, saved)
    if preview and preview["invitation"] not in guests:
        guests.insert(0, preview["invitation"])
    return render_template("invitations/template.html", convening=convening, form=form, problems=problems,
                           guests=guests, preview=preview, who=who, no_match=no_match, placeholders=PLACEHOLDERS,
                           choice_limit=PREVIEW_CHOICES)


def _preview_choices(convening, who: str) -> list[Invitation]:
    """Up to PREVIEW_CHOICES invitees to preview for, in list order, optionally matching a name."""
    query = (sa.select(Invitation).join(Person, Person.id == Invitation.person_id)
             .where(Invitation.convening_id == convening.id).options(joinedload(Invitation.person)))
    if who:
        query = query.where(sa.func.lower(Person.name).like(like_pattern(who.lower()), escape=LIKE_ESCAPE))
    return list(db.session.scalars(query.order_by(*_list_order()).limit(PREVIEW_CHOICES)))


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


# --- guest list import and export ------------------------------------------------------------

@bp.route("/convenings/<int:convening_id>/guests/import", methods=("GET", "POST"))
@role_required("organizer")
def import_csv(convening_id: int):
    """Upload a guest list file and see what would be created and matched; nothing is written yet."""
    convening = load_convening(convening_id, need="manage")
    form = ImportForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: render_template("invitations/import.html", convening=convening, form=form),
                   form=form, field="file")
        preview = importing.parse(form.file.data.read(), convening, filename=form.file.data.filename or "",
                                  encoding=form.encoding.data, delimiter=form.delimiter.data)
        return _import_preview(convening, preview, form.role.data, form.priority.data, form=form)
    return render_template("invitations/import.html", convening=convening, form=form), 422 if form.errors else 200


def _import_preview(convening, preview, role: str, priority: str, status: int | None = None, **context):
    payload = importing.sign(convening, preview, role, priority)
    return render_template("invitations/import_preview.html", convening=convening, preview=preview,
                           confirm=ImportConfirmForm(payload=payload), role=role, priority=priority,
                           shown_value=importing.shown_value, **context), status or (422 if preview.errors else 200)


@bp.route("/convenings/<int:convening_id>/guests/import/confirm", methods=("POST",))
@role_required("organizer")
def import_confirm(convening_id: int):
    """Commit a previewed import: everything (or the valid rows, if asked); if anything changed since
    the preview, nothing."""
    convening = load_convening(convening_id, need="manage")
    form = ImportConfirmForm()
    valid_only = form.mode.data == "valid"
    on_refusal(redirect_to=url_for("invitations.import_csv", convening_id=convening.id))
    signed = _signed_preview(form, convening, whole=not valid_only)
    preview = importing.check_rows(signed["records"], convening)
    if preview.errors:
        return _import_preview(convening, preview, signed["role"], signed["priority"], 409, changed=True)
    added = importing.commit(convening, preview, role=signed["role"], priority=signed["priority"],
                             actor=current_user, valid_only=valid_only)
    db.session.commit()
    skipped = f" {len(signed['refused'])} refused row(s) were left out." if valid_only and signed["refused"] else ""
    flash(f"Imported {len(added)} invitee(s): {len(preview.new_people)} new in the directory, "
          f"{len(preview.matched)} matched.{skipped}", "success")
    return _back(convening.id)


def _signed_preview(form: ImportConfirmForm, convening, *, whole: bool) -> dict:
    """The preview signed into the confirm form; CsvImportError when the form expired or was tampered
    with, or when a whole import is asked of a file with refused rows."""
    if not form.validate_on_submit():
        raise importing.CsvImportError("The form expired; please upload the file again.")
    signed = importing.unsign(form.payload.data, convening)
    if signed["refused"] and whole:
        raise importing.CsvImportError("The file has rows to correct; nothing was imported.")
    return signed


@bp.route("/convenings/<int:convening_id>/guests/import/refused.csv", methods=("POST",))
@role_required("organizer")
def import_refused(convening_id: int):
    """The refused rows of a preview with their reasons, as a CSV to correct and upload again."""
    convening = load_convening(convening_id, need="manage")
    on_refusal(redirect_to=url_for("invitations.import_csv", convening_id=convening.id))
    refused = _signed_preview(ImportConfirmForm(), convening, whole=False)["refused"]
    return Response(importing.refused_csv(refused), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="refused-rows-{convening.id}.csv"'})


@bp.route("/convenings/<int:convening_id>/guests/export.csv")
@role_required("organizer")
def export_csv(convening_id: int):
    """The guest list's people in the import's format (gender included: only managers get here)."""
    convening = load_convening(convening_id, need="manage")
    people = db.session.scalars(sa.select(Person).join(Invitation, Invitation.person_id == Person.id)
                                .where(Invitation.convening_id == convening.id, Person.erased_at.is_(None))
                                .options(joinedload(Person.organization)).order_by(Person.name, Person.id))
    return Response(importing.people_csv(people, with_gender=True), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="guest-list-{convening.id}.csv"'})


# --- reminders --------------------------------------------------------------------------------

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
                           pending=_guests(convening, InvitationStatus.INVITED.value),
                           bulk_form=BulkForm(formdata=None))


# --- status board -----------------------------------------------------------------------------

@bp.route("/convenings/<int:convening_id>/guests/status")
@signed_in
def status_board(convening_id: int):
    """Counts and lists per status, response times, decline reasons; attendance after the meeting."""
    convening = load_convening(convening_id)
    guests = _guests(convening)
    by_status: dict[str, list[Invitation]] = {s.value: [] for s in InvitationStatus}
    for invitation in guests:
        by_status.setdefault(invitation.status, []).append(invitation)
    return render_template("invitations/status.html", convening=convening, by_status=by_status,
                           statuses=list(InvitationStatus), median=median_response_days(guests),
                           declined=[g for g in guests if g.status == "declined"],
                           can_manage=manages(current_user, convening),
                           attendance_open=convening.starts_on <= utcnow().date(),
                           attendance_form=AttendanceForm(formdata=None))


@bp.route("/convenings/<int:convening_id>/guests/attendance", methods=("POST",))
@role_required("organizer")
def attendance(convening_id: int):
    """Mark the ticked invitees attended or no-show."""
    convening = load_convening(convening_id, need="manage")
    form = AttendanceForm()
    board = url_for("invitations.status_board", convening_id=convening.id)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(board)
    on_refusal(redirect_to=board)
    report = mark_attendance(convening, _selected(convening, form.invitation_ids.data), form.status.data,
                             actor=current_user)
    db.session.commit()
    _flash_report(report, "Marked:")
    return redirect(board)


# --- the invitee's RSVP page (no sign-in; the token is the key) ------------------------------

def _rsvp_invitation(token: str) -> Invitation:
    """The invitation a live RSVP link opens; LinkProblem (one page, 404 or 410) otherwise."""
    invitation = db.session.get(Invitation, open_link(token, Purpose.RSVP).invitation_id)
    if invitation is None:
        raise LinkProblem("unknown", Purpose.RSVP)
    return invitation


def _rsvp_page(invitation, token, *, settings_form=None, answer_form=None, profile_form=None, nomination_form=None, stale=False,
               status=200):
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
    flash("Your settings are saved." if changed else "Your settings are unchanged.", "success")
    return redirect(url_for("invitations.rsvp", token=token, _anchor="settings"))


@bp.post("/my/<token>/forwarded")
@limiter.limit(RSVP_LIMIT)
def report_forwarded(token: str):
    """'This link was forwarded': it stops working and a new one goes to the invitee's address."""
    invitation = _rsvp_invitation(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    if sendable_problem(invitation) is not None:
        flash("We have no usable e-mail address for you, so we cannot send a new link. Please reply to the "
              "organizers' e-mail instead.", "error")
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
    flash(_thanks(invitation) if changed else "Your answer is unchanged.", "success")
    return redirect(url_for("invitations.rsvp", token=token))


STALE_ANSWER = ("Your answer was not saved: it was changed from elsewhere (another window, or the organizers "
                "recorded a reply) after you opened this page. The current answer is shown below; choose again.")
STALE_PROFILE = ("Your details were changed from elsewhere after you opened this page; they are shown as they are "
                 "now. Please make your corrections again.")
STALE_NOMINATION = "The invitation changed meanwhile; please submit the nomination again."


def _refusals_reshow(invitation: Invitation, token: str, stale: str) -> None:
    """A refused answer flashes why and shows the page as it is now (409 when changed meanwhile)."""
    on_refusal(render=lambda error: _rsvp_page(invitation, token, stale=isinstance(error, StaleEdit)), stale=stale)


def _thanks(invitation: Invitation) -> str:
    return {"accepted": "Thank you: your place is confirmed. A calendar invitation is on its way by e-mail.",
            "tentative": "Thank you: we have noted a tentative answer. Please confirm when you can.",
            "declined": "Thank you for letting us know. We are sorry you cannot attend."}[invitation.status]


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
    flash("Your details are saved." if changes else "Your details are confirmed as they are.", "success")
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
    flash(f"Thank you: we will consider {form.nominee_name.data} and write to them if we can invite them.", "success")
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
        flash("Tick the box to confirm the erasure; nothing was erased.", "error")
        return redirect(url_for("invitations.rsvp", token=token) + "#privacy")
    erase_self_identification(invitation.person, actor_label=VIA_LINK)
    db.session.commit()
    flash("Your gender, nationality, dietary and access needs have been erased.", "success")
    return redirect(url_for("invitations.rsvp", token=token) + "#privacy")


@bp.context_processor
def _labels() -> dict:
    """Human labels for the enums used on these pages."""
    return {"label_status": lambda v: label(InvitationStatus, v), "label_role": lambda v: label(MeetingRole, v),
            "label_priority": lambda v: label(Priority, v)}
