"""The organizers' agenda: the draft day by day, sessions added, edited, moved, cancelled and
reordered, publishing a version, the public page switch, the shared feed link, the printed programme."""
from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.policy import load_convening, manages, role_required, signed_in
from ...edge import on_refusal
from ...errors import StaleEdit
from ...extensions import db
from .. import links, notify, rendering, services, sharing, versions
from ..forms import MoveForm, PublishForm, SessionForm, SettingsForm
from ..models import AgendaSession, AgendaSettings, SessionStatus
from .common import bp, by_day


def _day_arg(convening) -> tuple[date | None, str | None]:
    """The ?day= being edited, or an inline message when it is not a day of the convening."""
    raw = request.args.get("day", "")
    if not raw:
        return None, None
    try:
        day = date.fromisoformat(raw)
    except ValueError:  # not a date: the page shows every day and says why
        return None, f"“{raw[:40]}” is not a date (use YYYY-MM-DD); showing every day."
    if not convening.starts_on <= day <= convening.ends_on:
        return None, f"{day:%d %B %Y} is not a day of this convening; showing every day."
    return day, None


@bp.route("/convenings/<int:convening_id>/agenda")
@signed_in
def index(convening_id: int):
    """The (draft) agenda day by day, with edit controls for organizers."""
    convening = load_convening(convening_id)
    day, day_error = _day_arg(convening)
    sessions = versions.draft_views(convening)  # read-only rows: plain views, no ORM objects
    latest = versions.latest_header(convening.id)  # the page shows its number and date, not its snapshot
    days = rendering.rows_by_day(by_day(sessions, convening, day), convening, names_shown="all")
    warnings = services.conflicts(sessions + services.conference_sessions(convening))
    can_manage = manages(current_user, convening)
    links = _session_links(convening)
    # The day tables are kept under everything they show: the rows, the warnings, the organizer's
    # controls or not, and the convening whose links and timezone they print.
    parts = (convening.id, convening.timezone, can_manage, sorted(warnings.items()), rendering.rows_key(days))
    days_html = rendering.kept_days("editor", parts, lambda: render_template(
        "agenda/_editor_days.html", convening=convening, days=days, warnings=warnings, can_manage=can_manage,
        links=links))
    return render_template(
        "agenda/index.html", convening=convening, days_html=days_html, day=day,
        day_error=day_error, all_days=services.agenda_days(convening),
        can_manage=can_manage, latest=latest, count=len(sessions),
        settings=db.session.get(AgendaSettings, convening.id), links=links)


def _session_links(convening) -> dict:
    """The per-session links of the editor, each built once for the page (see rendering.link_for)."""
    def link(endpoint):
        return rendering.link_for(endpoint, convening_id=convening.id, session_id=None)
    page = link("agenda.session_page")
    return {"edit": link("agenda.edit"), "move": link("agenda.move"), "ics": link("ics.session"),
            "notes": link("notes.edit"), "next_steps": link("actions.for_session"),
            "reorder": link("agenda.reorder"), "restore": link("agenda.restore"), "cancel": link("agenda.cancel"),
            "details": lambda s: page(s.id)}


@bp.route("/convenings/<int:convening_id>/agenda/<int:session_id>")
@signed_in
def session_page(convening_id: int, session_id: int):
    """One session of the draft: its description, people and warnings, and what organizers do to it
    (edit, move, order, cancel or restore; its notes and next steps). The agenda's rows link here
    instead of carrying these controls and the description for every session."""
    convening = load_convening(convening_id)
    sessions = services.sessions_of(convening, names_only=True)
    session = next((s for s in sessions if s.id == session_id), None)
    if session is None:
        abort(404)
    day = session.starts_at.astimezone(convening.zone).date()
    [(_day, [row])] = rendering.rows_by_day([(day, [session])], convening, names_shown="all")
    return render_template(
        "agenda/session.html", convening=convening, r=row, day=day, links=_session_links(convening),
        warnings=services.conflicts(sessions + services.conference_sessions(convening)).get(session.uid, []),
        can_manage=manages(current_user, convening))


def _session_form(convening, session: AgendaSession | None = None) -> SessionForm:
    people = services.guest_people(convening)
    if request.method == "POST" or session is None:
        form = SessionForm(people=people)
        if request.method == "GET":
            form.timezone.data = convening.timezone
            form.day.data = _day_arg(convening)[0] or convening.starts_on
        return form
    tz = convening.zone
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    end_day = (end - timedelta(days=1)).date() if session.all_day else end.date()
    data = {"title": session.title, "kind": session.kind, "day": start.date(), "start_time": start.time(),
            "end_time": end.time(), "end_day": end_day if end_day != start.date() else None,
            "all_day": session.all_day, "timezone": convening.timezone, "room": session.room,
            "description": session.description, "open_to_all": session.open_to_all, "version": session.version,
            "roles": [{"person_id": r.person_id, "role": r.role} for r in session.roles]}
    return SessionForm(data=data, people=people)


def _form_data(form: SessionForm) -> dict:
    data = {k: v for k, v in form.data.items() if k not in {"roles", "csrf_token"}}
    data["roles"] = form.role_pairs()
    return data


def _load_session(convening, session_id: int) -> AgendaSession:
    session = db.session.get(AgendaSession, session_id)
    if session is None or session.convening_id != convening.id:
        abort(404)
    return session


@bp.route("/convenings/<int:convening_id>/agenda/new", methods=("GET", "POST"))
@role_required("organizer")
def create(convening_id: int):
    """Add a session to the draft agenda."""
    convening = load_convening(convening_id, need="manage")
    form = _session_form(convening)
    if form.validate_on_submit():
        on_refusal(render=lambda error: _form_page(form, convening, None), form=form)
        session = services.create_session(convening, _form_data(form), actor=current_user)
        return _saved(convening, session, "Added")
    return _form_page(form, convening, None), 422 if form.errors else 200


def _form_page(form: SessionForm, convening, session: AgendaSession | None, stale: AgendaSession | None = None):
    return render_template("agenda/form.html", form=form, convening=convening, session=session, stale=stale)


def _saved(convening, session: AgendaSession, verb: str):
    """Commit, flash the overlap warnings (they never refuse a save) and go back to that day."""
    sessions = services.sessions_of(convening) + services.conference_sessions(convening)
    warnings = services.conflicts(sessions).get(session.uid, [])
    day = session.starts_at.astimezone(convening.zone).date()
    db.session.commit()
    flash(f"{verb} “{session.title[:80]}”. Not yet visible to participants: publish the agenda when ready.",
          "success")
    for warning in warnings:
        flash(f"Warning: {warning}", "warning")
    return redirect(url_for("agenda.index", convening_id=convening.id, day=day.isoformat()))


@bp.route("/convenings/<int:convening_id>/agenda/<int:session_id>/edit", methods=("GET", "POST"))
@role_required("organizer")
def edit(convening_id: int, session_id: int):
    """Edit a session; a save from a stale form is refused and shows the other version."""
    convening = load_convening(convening_id, need="manage")
    session = _load_session(convening, session_id)
    form = _session_form(convening, session)
    if form.validate_on_submit():
        on_refusal(render=lambda error: _form_page(form, convening, session, stale=error.current), form=form,
                   stale="Someone else changed this session while you were editing. Their version is shown "
                         "below; your entries are kept in the form. Save again to overwrite.")
        services.update_session(session, _form_data(form), actor=current_user, seen_version=form.version.data)
        return _saved(convening, session, "Saved")
    return _form_page(form, convening, session), 422 if form.errors else 200


@bp.route("/convenings/<int:convening_id>/agenda/<int:session_id>/move", methods=("GET", "POST"))
@role_required("organizer")
def move(convening_id: int, session_id: int):
    """Move a session to another day or start time, keeping its length."""
    convening = load_convening(convening_id, need="manage")
    session = _load_session(convening, session_id)
    starts = session.starts_at.astimezone(convening.zone)
    form = MoveForm(data=None if request.method == "POST" else {
        "day": starts.date(), "start_time": starts.time(), "version": session.version})
    page = partial(render_template, "agenda/move.html", form=form, convening=convening, session=session)
    if form.validate_on_submit():
        on_refusal(render=lambda error: page(), form=form, field="day")
        on_refusal(StaleEdit, redirect_to=request.path, code=303,
                   stale="Someone else changed this session meanwhile; check its new time and move it again.")
        services.move_session(session, form.day.data, form.start_time.data or starts.time(),
                              actor=current_user, seen_version=form.version.data)
        return _saved(convening, session, "Moved")
    return page(), 422 if form.errors else 200


def _post_action(convening_id: int, session_id: int, action):
    convening = load_convening(convening_id, need="manage")
    session = _load_session(convening, session_id)
    on_refusal(redirect_to=url_for("agenda.index", convening_id=convening.id), code=303,
               stale="Someone else changed this session meanwhile; nothing was changed. Check it and try again.")
    message = action(session)
    day = session.starts_at.astimezone(convening.zone).date().isoformat() \
        if message != "Deleted" else None
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("agenda.index", convening_id=convening.id, day=day))


@bp.post("/convenings/<int:convening_id>/agenda/<int:session_id>/cancel")
@role_required("organizer")
def cancel(convening_id: int, session_id: int):
    """Cancel a session: it stays on the agenda, struck through, and calendars mark it cancelled."""
    version = request.form.get("version", type=int)
    return _post_action(convening_id, session_id, lambda s: services.set_status(
        s, SessionStatus.CANCELLED.value, actor=current_user, seen_version=version) and "Cancelled.")


@bp.post("/convenings/<int:convening_id>/agenda/<int:session_id>/restore")
@role_required("organizer")
def restore(convening_id: int, session_id: int):
    """Put a cancelled session back on the agenda."""
    version = request.form.get("version", type=int)
    return _post_action(convening_id, session_id, lambda s: services.set_status(
        s, SessionStatus.SCHEDULED.value, actor=current_user, seen_version=version) and "Restored.")


@bp.post("/convenings/<int:convening_id>/agenda/<int:session_id>/reorder")
@role_required("organizer")
def reorder(convening_id: int, session_id: int):
    """Move a session up or down among sessions that start at the same time."""
    direction = "up" if request.form.get("direction") == "up" else "down"
    return _post_action(convening_id, session_id, lambda s: "Reordered." if services.reorder(
        s, direction, actor=current_user) else "Already in that place.")


@bp.post("/convenings/<int:convening_id>/agenda/<int:session_id>/delete")
@role_required("organizer")
def delete(convening_id: int, session_id: int):
    """Delete a session that was never published."""
    return _post_action(convening_id, session_id,
                        lambda s: services.delete_session(s, actor=current_user) or "Deleted")


@bp.route("/convenings/<int:convening_id>/agenda/publish", methods=("GET", "POST"))
@role_required("organizer")
def publish(convening_id: int):
    """Review what changed in the draft and publish it as the next numbered version."""
    convening = load_convening(convening_id, need="manage")
    form = PublishForm()
    if form.validate_on_submit():
        on_refusal(redirect_to=url_for("agenda.publish", convening_id=convening.id), code=303)
        version, _previous = versions.publish(convening, actor=current_user, note=form.note.data or "")
        queued = notify.notify_publication(convening, version) if form.notify.data else 0
        db.session.commit()
        flash(f"Published version {version.number}; {queued} message(s) queued for the people affected.", "success")
        return redirect(url_for("agenda.changes", convening_id=convening.id))
    return render_template("agenda/publish.html", convening=convening, form=form,
                           changes=versions.draft_changes(convening), latest=versions.latest(convening.id))


@bp.route("/convenings/<int:convening_id>/agenda/versions")
@signed_in
def changes(convening_id: int):
    """Every published version with its changelog."""
    convening = load_convening(convening_id)
    return render_template("agenda/changes.html", convening=convening, history=versions.history(convening.id),
                           public=False)


@bp.post("/convenings/<int:convening_id>/agenda/settings")
@role_required("organizer")
def settings(convening_id: int):
    """Switch the public agenda page on or off."""
    convening = load_convening(convening_id, need="manage")
    form = SettingsForm()
    if form.validate_on_submit():
        sharing.set_public(convening, form.public.data, actor=current_user)
        db.session.commit()
        flash("The public agenda page is " + ("on." if form.public.data else "off."), "success")
    return redirect(url_for("agenda.index", convening_id=convening.id))


@bp.post("/convenings/<int:convening_id>/agenda/feed")
@role_required("organizer")
def convening_feed(convening_id: int):
    """Issue (or re-issue, revoking the old one) the convening's shared calendar feed link."""
    convening = load_convening(convening_id, need="manage")
    if request.form.get("action") == "revoke":
        sharing.revoke_convening_feed(convening, actor=current_user)
        db.session.commit()
        flash("The shared calendar link is revoked; calendars using it stop updating.", "success")
        return redirect(url_for("agenda.index", convening_id=convening.id))
    raw = sharing.issue_convening_feed(convening, actor=current_user)
    db.session.commit()
    return render_template("agenda/feed_links.html", convening=convening, person=None,
                           https=links.feed(raw), webcal=links.feed(raw, webcal=True))


@bp.route("/convenings/<int:convening_id>/agenda/print")
@signed_in
def programme(convening_id: int):
    """The printable programme (A4 and US Letter); ?source=published prints the latest version."""
    convening = load_convening(convening_id)
    sessions = versions.sessions_to_show(convening, request.args.get("source"))
    days = rendering.rows_by_day(by_day(sessions, convening), convening, names_shown="all")
    return render_template("agenda/programme.html", convening=convening, days=days, viewer=None)
