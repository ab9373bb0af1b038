"""The organizers' guest list: one page of invitees (its bulk actions are in `bulk`), one invitee's entry,
nominations and reserves, the status board and attendance."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload

from ...auth.policy import load_convening, manages, role_required, signed_in
from ...base.paging import ResultPage
from ...base.selection import MATCHING
from ...base.text import LIKE_ESCAPE, like_pattern
from ...db_types import utcnow
from ...edge import on_refusal
from ...extensions import db
from ...urls import row_links
from ...people.models import Organization, Person
from ..answers import record_offline_reply
from ..forms import ActionForm, AddPeopleForm, AttendanceForm, BulkForm, EntryForm, OfflineReplyForm
from ..bulk import describe
from ..guest_list import add_people as add_to_guest_list, list_order, matching, update_entry, with_people
from ..lifecycle import mark_attendance, median_response_days, status_counts
from ..models import Invitation, InvitationStatus, InvitationStatusChange, Nomination, NominationStatus, Priority
from ..nominations import decide_nomination as decide_on_nomination
from ..reserves import balance_hint, offer_place as offer_place_to_reserve, reserve_offers_for
from ..invitation_template import fallbacks
from ..sending import SENDABLE, reissue_link
from .common import back_to_list, back_url, bp, list_filters, ordered_guests


SEARCH_LIMIT = 50
#: Invitees per page of the guest list (GUEST_LIST_PER_PAGE overrides it).
GUESTS_PER_PAGE = 100


def _guest_page(convening, filters: dict) -> ResultPage:
    """One page of the guest list with the filters applied: a count of ids and a page query, whatever
    the size (the count always runs, so the number of queries does not depend on the list's length)."""
    query = matching(convening, filters)
    per_page = max(1, int(current_app.config.get("GUEST_LIST_PER_PAGE", GUESTS_PER_PAGE)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.with_only_columns(Invitation.id).subquery()))
    page = max(1, min(filters["page"], -(-total // per_page)))  # past the end (the list shrank): last page
    items = db.session.scalars(
        with_people(query, filters).options(contains_eager(Invitation.person).contains_eager(Person.organization))
        .order_by(*list_order()).limit(per_page).offset((page - 1) * per_page)).all()
    return ResultPage(list(items), page, per_page, total)


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


@bp.route("/convenings/<int:convening_id>/guests")
@signed_in
def guest_list(convening_id: int):
    """The guest list: one page of invitees (filtered by status, priority, name) with bulk actions,
    counts per status, directory search to add people, nominations and places to offer to reserves.

    A fixed number of queries whatever the list's length: counts by GROUP BY, one page of rows,
    nominations in one query, and the places to offer with their reserves in one more, asked only
    when the counts show a decline or a withdrawal.
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
        offers=reserve_offers_for(convening, counts=counts) if can_manage else [], counts=counts,
        statuses=list(InvitationStatus), priorities=list(Priority), add_form=AddPeopleForm(formdata=None),
        bulk_form=BulkForm(formdata=None), action_form=ActionForm(), described=describe(filters),
        select_page=request.args.get("select") == "page", matching_scope=MATCHING,
        fallbacks=fallbacks(convening, SENDABLE) if can_manage else [],
        entry_url=row_links("invitations.entry", "invitation_id", convening_id=convening.id))


@bp.route("/convenings/<int:convening_id>/guests/add", methods=("POST",))
@role_required("organizer")
def add_people(convening_id: int):
    """Add the ticked directory people with one role and priority."""
    convening = load_convening(convening_id, need="manage")
    form = AddPeopleForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _after_adding(convening.id)
    people = db.session.scalars(sa.select(Person).where(Person.id.in_(form.person_ids.data))).all()
    added, refused = add_to_guest_list(convening, people, role=form.role.data, priority=form.priority.data,
                                       actor=current_user)
    db.session.commit()
    if added:
        flash(f"Added {len(added)} to the guest list.", "success")
    for message in refused:
        flash(message, "warning")
    return _after_adding(convening.id)


def _after_adding(convening_id: int):
    """The whole guest list with the directory search kept (the add form's priority is not a filter)."""
    return redirect(url_for("invitations.guest_list", convening_id=convening_id,
                            q=" ".join(request.form.get("q", "").split())[:200] or None))


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
        on_refusal(redirect_to=back_url(convening.id))
        result = decide_on_nomination(nomination, request.form.get("decision") == "accept", actor=current_user)
        db.session.commit()
        flash(f"{nomination.name} is on the guest list as planned; send the invitation when ready."
              if result else f"Refused the nomination of {nomination.name}.", "success")
    return back_to_list(convening.id)


@bp.route("/convenings/<int:convening_id>/guests/<int:place_id>/offer/<int:reserve_id>", methods=("GET", "POST"))
@role_required("organizer")
def offer_place(convening_id: int, place_id: int, reserve_id: int):
    """Confirm giving a declined first choice's place to a reserve, with what it does to the balance."""
    convening = load_convening(convening_id, need="manage")
    place, reserve = _invitation(convening, place_id), _invitation(convening, reserve_id)
    form = ActionForm()
    if form.validate_on_submit():
        on_refusal(redirect_to=back_url(convening.id))
        offer_place_to_reserve(place, reserve, actor=current_user)
        db.session.commit()
        flash(f"Offered {place.person.name}'s place to {reserve.person.name}; the invitation is queued.", "success")
        return back_to_list(convening.id)
    return render_template("invitations/offer.html", convening=convening, place=place, reserve=reserve,
                           form=form, hint=balance_hint(convening, reserve, current_user))


@bp.route("/convenings/<int:convening_id>/guests/status")
@signed_in
def status_board(convening_id: int):
    """Counts and lists per status, response times, decline reasons; attendance after the meeting."""
    convening = load_convening(convening_id)
    guests = ordered_guests(convening)
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
