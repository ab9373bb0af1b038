"""Routes of the agenda area: the organizers' editor, attendee and public agenda pages."""
from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import caching
from ..audit.services import record
from ..auth.policy import load_convening, manages, role_required, signed_in
from ..convenings.models import Convening
from ..edge import on_refusal
from ..errors import StaleEdit
from ..extensions import db
from ..ics.addlinks import add_to_calendar_links
from ..invitations import links as invitation_links
from ..tokens import services as tokens
from . import links, notify, rendering, services, versions
from .access import viewer_for
from .briefing import briefing_context
from .forms import MoveForm, PublishForm, SessionForm, SettingsForm
from .models import AgendaSeen, AgendaSession, AgendaSettings, SessionKind, SessionRoleKind, SessionStatus

bp = Blueprint("agenda", __name__)


@bp.context_processor
def _agenda_globals():
    return {"SessionKind": SessionKind, "SessionRoleKind": SessionRoleKind}


def by_day(sessions, convening, day: date | None = None) -> list[tuple[date, list]]:
    """Sessions grouped by local day of the convening (all-day items on every day they cover)."""
    tz = convening.zone
    days = [day] if day else services.agenda_days(convening)
    grouped: dict[date, list] = {d: [] for d in days}
    for s in sessions:
        first = s.starts_at.astimezone(tz).date()
        last = (s.ends_at.astimezone(tz) - timedelta(microseconds=1)).date() if s.all_day else first
        d = first
        while d <= last:
            if d in grouped:
                grouped[d].append(s)
            d += timedelta(days=1)
    return list(grouped.items())


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


def settings_of(convening_id: int) -> AgendaSettings:
    settings = db.session.get(AgendaSettings, convening_id)
    if settings is None:
        settings = AgendaSettings(convening_id=convening_id)
        db.session.add(settings)
    return settings


@bp.route("/convenings/<int:convening_id>/agenda")
@signed_in
def index(convening_id: int):
    """The (draft) agenda day by day, with edit controls for organizers."""
    convening = load_convening(convening_id)
    day, day_error = _day_arg(convening)
    sessions = services.sessions_of(convening, names_only=True)
    latest = versions.latest(convening.id)
    days = rendering.rows_by_day(by_day(sessions, convening, day), convening, names_shown="all")
    return render_template(
        "agenda/index.html", convening=convening, days=days, day=day,
        day_error=day_error, all_days=services.agenda_days(convening), warnings=services.conflicts(sessions + services.conference_sessions(convening)),
        can_manage=manages(current_user, convening), latest=latest, count=len(sessions),
        settings=db.session.get(AgendaSettings, convening.id), links=_session_links(convening))


def _session_links(convening) -> dict:
    """The per-session links of the editor, each built once for the page (see rendering.link_for)."""
    def link(endpoint):
        return rendering.link_for(endpoint, convening_id=convening.id, session_id=None)
    return {"edit": link("agenda.edit"), "move": link("agenda.move"), "ics": link("ics.session"),
            "notes": link("notes.edit"), "next_steps": link("actions.for_session"),
            "reorder": link("agenda.reorder"), "restore": link("agenda.restore"), "cancel": link("agenda.cancel")}


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
        current = settings_of(convening.id)
        if current.public != form.public.data:
            record("agenda.settings", convening, actor=current_user,
                   changes={"public_agenda": [current.public, form.public.data]})
            current.public = form.public.data
        db.session.commit()
        flash("The public agenda page is " + ("on." if form.public.data else "off."), "success")
    return redirect(url_for("agenda.index", convening_id=convening.id))


@bp.post("/convenings/<int:convening_id>/agenda/feed")
@role_required("organizer")
def convening_feed(convening_id: int):
    """Issue (or re-issue, revoking the old one) the convening's shared calendar feed link."""
    convening = load_convening(convening_id, need="manage")
    revoke_only = request.form.get("action") == "revoke"
    if revoke_only:
        n = tokens.revoke("feed", convening_id=convening.id, person_id=None)
        record("agenda.feed_revoke", convening, actor=current_user, changes={"revoked": [None, n]})
        db.session.commit()
        flash("The shared calendar link is revoked; calendars using it stop updating.", "success")
        return redirect(url_for("agenda.index", convening_id=convening.id))
    raw = tokens.issue("feed", convening_id=convening.id, person_id=None)
    record("agenda.feed_issue", convening, actor=current_user, changes={"feed": [None, "issued"]})
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


# --- Public agenda -------------------------------------------------------------------------------


def _public_convening(slug: str):
    convening = db.session.scalar(sa.select(Convening).where(Convening.slug == slug))
    settings = db.session.get(AgendaSettings, convening.id) if convening else None
    if convening is None or settings is None or not settings.public:
        abort(404)
    return convening


@bp.route("/c/<slug>/agenda")
def public(slug: str):
    """The published agenda, without sign-in, when the organizers made it public.

    Anonymous visitors get the whole page kept per content version (caching.anonymous_page): the
    convening (its version counter moves with every edit), the agenda version and the names and
    listing consent of the people named. For signed-in visitors the page is rendered around day
    tables kept per version (rendering.public_days), since those are the same for everyone.
    """
    found = versions.public_latest(slug)
    if found is None:  # unknown, not public, or nothing published yet
        abort(404)
    convening, version = found
    names_shown = not convening.attribution.strips_names
    people = versions.people_fingerprint(version) if names_shown else ()
    key = rendering.fingerprint("public", convening.id, version.id, version.number, version.published_at,
                                convening.timezone, convening.slug, names_shown, people, request.script_root)

    def render_days() -> str:
        sessions = versions.views_of(version.snapshot, convening.id, versions.load_people([version.snapshot]))
        days = rendering.rows_by_day(by_day(sessions, convening), convening, names_shown=names_shown)
        return render_template("agenda/_public_days.html", convening=convening, days=days,
                               session_ics=rendering.link_for("ics.public_session", slug=convening.slug, uid=None))

    def render_page() -> str:
        return render_template("agenda/public.html", convening=convening, version=version,
                               days_html=rendering.public_days.get_or_render(key, render_days))

    stamps = [version.published_at, convening.updated_at, *(p[-1] for p in people)]
    return caching.anonymous_page(("agenda", convening.id, convening.version, key), render_page,
                                  last_modified=max(stamps))


@bp.route("/c/<slug>/agenda/changes")
def public_changes(slug: str):
    """The public changelog of a public agenda (whole for anonymous visitors, per published version)."""
    convening = _public_convening(slug)
    latest = versions.latest_for([convening.id]).get(convening.id)
    stamps = [convening.updated_at] + ([latest.published_at] if latest else [])
    parts = ("changes", convening.id, convening.version, latest and (latest.id, latest.published_at))
    return caching.anonymous_page(parts, lambda: render_template(
        "agenda/changes.html", convening=convening, history=versions.history(convening.id), public=True),
        last_modified=max(stamps))


# --- Personal links ------------------------------------------------------------------------------


def attendee_agendas(viewer):
    """[(convening, version, sessions, marks, seen)] for every convening the viewer may see."""
    found = versions.published_agendas(viewer.convenings)
    seen = {}
    history = {}
    if viewer.person is not None and found:
        ids = list(found)
        seen = {s.convening_id: s.version_number for s in db.session.scalars(
            sa.select(AgendaSeen).where(AgendaSeen.person_id == viewer.person.id, AgendaSeen.convening_id.in_(ids)))}
        for v in db.session.scalars(sa.select(versions.AgendaVersion).where(
                versions.AgendaVersion.convening_id.in_(ids))):
            history.setdefault(v.convening_id, []).append(v)
    out = []
    for convening in viewer.convenings:
        if convening.id in found:
            version, sessions = found[convening.id]
            marks = versions.changed_since(convening.id, seen.get(convening.id), history.get(convening.id, []))
            out.append((convening, version, sessions, marks, seen.get(convening.id)))
    return out


@bp.route("/my/<token>/agenda")
def my_agenda(token: str):
    """An attendee's agenda through their personal link: their sessions (or ?view=all) with changes marked."""
    viewer = viewer_for(token)
    view = "all" if request.args.get("view") == "all" else "mine"
    agendas = []
    for convening, version, sessions, marks, seen in attendee_agendas(viewer):
        shown = sessions if view == "all" else [s for s in sessions if versions.open_to(viewer.person, s)]
        back = links.my_agenda(token)  # the same link as links.my_agenda(token, uid), built once
        gcal = {s.uid: add_to_calendar_links(s, convening, f"{back}#s-{s.uid}") for s in shown if not s.cancelled}
        days = rendering.rows_by_day(by_day(shown, convening), convening, names_shown=True, me=viewer.person,
                                     viewer_tz=viewer.person.timezone if viewer.person else None, marks=marks)
        agendas.append({"convening": convening, "version": version, "days": days,
                        "marks": marks, "seen": seen, "add_links": gcal})
    return render_template("agenda/my_agenda.html", viewer=viewer, agendas=agendas, token=token, view=view,
                           session_ics=rendering.link_for("ics.my_session", token=token, uid=None),
                           waiting=[c for c in viewer.convenings if c.id not in {a["convening"].id for a in agendas}])


@bp.post("/my/<token>/agenda/seen")
def mark_seen(token: str):
    """Remember the version the attendee has now seen (a POST: link scanners must not do this)."""
    viewer = viewer_for(token)
    if viewer.person is not None:
        for convening, version, *_ in attendee_agendas(viewer):
            seen = db.session.scalar(sa.select(AgendaSeen).where(
                AgendaSeen.person_id == viewer.person.id, AgendaSeen.convening_id == convening.id))
            if seen is None:
                db.session.add(AgendaSeen(person_id=viewer.person.id, convening_id=convening.id,
                                          version_number=version.number))
            else:
                seen.version_number = version.number
        db.session.commit()
        flash("Marked as seen. Changes published from now on will be highlighted.", "success")
    return redirect(url_for("agenda.my_agenda", token=token))


@bp.post("/my/<token>/agenda/subscribe")
def subscribe(token: str):
    """The calendar subscription address for this convening (the same each time; ?renew=1 replaces it)."""
    viewer = viewer_for(token)
    if viewer.person is None:
        abort(404)
    if viewer.invitation is not None:
        renew = bool(request.form.get("renew"))
        urls = (invitation_links.renew_feed if renew else invitation_links.feed_urls)(viewer.invitation)
        agenda_url = links.my_agenda(token)
        if renew:
            record("agenda.feed_renew", viewer.person, actor_label="attendee via personal link",
                   changes={"feed": [None, "renewed"]})
    else:  # a person-wide feed link: renewing it is the only way to show a new address
        raw = tokens.issue("feed", person_id=viewer.person.id, convening_id=None)
        urls = {"https": links.feed(raw), "webcal": links.feed(raw, webcal=True)}
        agenda_url = links.my_agenda(raw)
        record("agenda.feed_issue", viewer.person, actor_label="attendee via personal link",
               changes={"feed": [None, "issued"]})
    db.session.commit()
    return render_template("agenda/feed_links.html", convening=None, person=viewer.person,
                           https=urls["https"], webcal=urls["webcal"], agenda_url=agenda_url,
                           renewable=viewer.invitation is not None, token=token)


@bp.post("/my/<token>/agenda/unsubscribe")
def unsubscribe(token: str):
    """Revoke every calendar link of the person (they can ask for a new one)."""
    viewer = viewer_for(token)
    if viewer.person is None:
        abort(404)
    n = tokens.revoke("feed", person_id=viewer.person.id)
    record("agenda.feed_revoke", viewer.person, actor_label="attendee via personal link",
           changes={"revoked": [None, n]})
    db.session.commit()
    return render_template("errors/error.html", status=200, title="Calendar links revoked",
                           message=f"{n} calendar link(s) stopped working. Calendars subscribed with them no "
                                   "longer update. Use your invitation link to see the agenda.")


@bp.route("/my/<token>/briefing")
def briefing(token: str):
    """A one-document printable briefing pack for one participant."""
    viewer = viewer_for(token)
    packs = briefing_context(viewer, attendee_agendas(viewer))
    for pack in packs:
        pack["days"] = rendering.rows_by_day(
            by_day(pack["sessions"], pack["convening"]), pack["convening"], names_shown=True, me=viewer.person,
            viewer_tz=viewer.person.timezone if viewer.person else None)
    return render_template("agenda/briefing.html", viewer=viewer, token=token, packs=packs)
