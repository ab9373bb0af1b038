"""The agenda as participants and the public see it: the public page and changelog, an attendee's
agenda through their personal link, seen marks, calendar subscriptions, the briefing pack."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import defer
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from ... import caching
from ...convenings.brand import brand_revision, use_brand
from ...convenings.models import Convening
from ...extensions import db
from ...i18n.locale import current_language
from ...ics.addlinks import WEB_CALENDAR_NAMES
from .. import links, rendering, sharing, versions
from ..access import viewer_for
from ..briefing import briefing_context
from ..models import AgendaSeen, AgendaSettings
from .common import bp, by_day


def _public_convening(slug: str):
    convening = db.session.scalar(sa.select(Convening).where(Convening.slug == slug))
    settings = db.session.get(AgendaSettings, convening.id) if convening else None
    if convening is None or settings is None or not settings.public:
        abort(404)
    return convening


@bp.route("/c/<slug>/agenda")
def public(slug: str):
    """The published agenda, without sign-in, when the organizers made it public.

    Anonymous visitors get the whole page kept per content version (caching.anonymous_page) under
    the agenda's public stamp (versions.public_stamp: one query outside the request's session),
    so a repeat visit or a 304 reads nothing else. The page itself is built only when no process
    has it: for signed-in visitors it is rendered around day tables kept per version
    (rendering.public_days), since those are the same for everyone.
    """
    stamp = versions.public_stamp(slug)
    if stamp is None:  # unknown, not public, or nothing published yet
        abort(404)

    def render_page() -> str:
        convening = db.session.get(Convening, stamp.convening_id)
        version = db.session.get(versions.AgendaVersion, stamp.version_id)
        if convening is None or version is None:  # removed since the stamp was read
            abort(404)
        use_brand(convening)  # the series' look (its revision is in the stamp)
        names_shown = not convening.attribution.strips_names
        people = versions.people_fingerprint(version) if names_shown else ()
        key = rendering.fingerprint("public", convening.id, version.id, version.number, version.published_at,
                                    convening.timezone, convening.slug, names_shown, people, request.script_root,
                                    current_language())  # the day tables' words and dates are the reader's

        def render_days() -> str:
            sessions = versions.views_of(version.snapshot, convening.id, versions.load_people([version.snapshot]))
            days = rendering.rows_by_day(by_day(sessions, convening), convening, names_shown=names_shown)
            return render_template("agenda/_public_days.html", convening=convening, days=days,
                                   session_ics=rendering.link_for("ics.public_session", slug=convening.slug, uid=None))

        return render_template("agenda/public.html", convening=convening, version=version,
                               days_html=rendering.public_days.get_or_render(key, render_days))

    return caching.anonymous_page(("agenda", *stamp), render_page, last_modified=versions.stamp_changed(stamp))


@bp.route("/c/<slug>/agenda/changes")
def public_changes(slug: str):
    """The public changelog of a public agenda (whole for anonymous visitors, per published version)."""
    convening = _public_convening(slug)
    use_brand(convening)
    latest = versions.latest_for([convening.id]).get(convening.id)
    stamps = [convening.updated_at] + ([latest.published_at] if latest else [])
    parts = ("changes", convening.id, convening.version, latest and (latest.id, latest.published_at),
             brand_revision(convening))
    return caching.anonymous_page(parts, lambda: render_template(
        "agenda/changes.html", convening=convening, history=versions.history(convening.id), public=True),
        last_modified=max(stamps))


def attendee_agendas(viewer):
    """[(convening, version, sessions, marks, seen)] for every convening the viewer may see."""
    found = versions.published_agendas(viewer.convenings)
    seen = {}
    history = {}
    if viewer.person is not None and found:
        ids = list(found)
        seen = {s.convening_id: s.version_number for s in db.session.scalars(
            sa.select(AgendaSeen).where(AgendaSeen.person_id == viewer.person.id, AgendaSeen.convening_id.in_(ids)))}
        for v in db.session.scalars(sa.select(versions.AgendaVersion).where(  # changelogs only: no snapshot
                versions.AgendaVersion.convening_id.in_(ids)).options(defer(versions.AgendaVersion.snapshot))):
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
        days = rendering.rows_by_day(by_day(shown, convening), convening, names_shown=True, me=viewer.person,
                                     viewer_tz=viewer.person.timezone if viewer.person else None, marks=marks)
        agendas.append({"convening": convening, "version": version, "days": days,
                        "marks": marks, "seen": seen})
    session_page = rendering.link_for("agenda.my_session", token=token, uid=None)
    details = lambda s: session_page(s.uid)  # noqa: E731
    for a in agendas:  # kept under everything the tables show: the viewer's rows ("you", own times, marks), the link
        parts = (token, a["convening"].id, a["convening"].timezone, rendering.rows_key(a["days"]))
        a["days_html"] = rendering.kept_days("attendee", parts, partial(
            render_template, "agenda/_my_days.html", convening=a["convening"], days=a["days"], details=details))
    return render_template("agenda/my_agenda.html", viewer=viewer, agendas=agendas, token=token, view=view,
                           details=details,
                           waiting=[c for c in viewer.convenings if c.id not in {a["convening"].id for a in agendas}])


@bp.route("/my/<token>/sessions/<uid>")
def my_session(token: str, uid: str):
    """One session of the viewer's published agendas: its description, who takes part, and the links
    that add it to a calendar. The agenda's rows link here instead of carrying all that for every
    session (a 200-session agenda stays light); a plain page, so it works without JavaScript."""
    viewer = viewer_for(token)
    for convening, version, sessions, marks, _seen in attendee_agendas(viewer):
        found = next((s for s in sessions if s.uid == uid), None)
        if found is not None:
            break
    else:
        abort(404)
    day = found.starts_at.astimezone(convening.zone).date()
    [(_day, [row])] = rendering.rows_by_day([(day, [found])], convening, names_shown=True, me=viewer.person,
                                            viewer_tz=viewer.person.timezone if viewer.person else None,
                                            marks=marks)
    add = rendering.link_for("ics.my_session_add", token=token, uid=uid, service=None)
    return render_template("agenda/my_session.html", viewer=viewer, token=token, convening=convening,
                           version=version, r=row, day=day,
                           web_calendars=[(add(service), name) for service, name in WEB_CALENDAR_NAMES.items()],
                           mine=viewer.person is not None and versions.open_to(viewer.person, found))


@bp.post("/my/<token>/agenda/seen")
def mark_seen(token: str):
    """Remember the version the attendee has now seen (a POST: link scanners must not do this)."""
    viewer = viewer_for(token)
    if viewer.person is not None:
        sharing.mark_seen(viewer.person, [(convening, version) for convening, version, *_rest in attendee_agendas(viewer)])
        db.session.commit()
        flash(_("Marked as seen. Changes published from now on will be highlighted."), "success")
    return redirect(url_for("agenda.my_agenda", token=token))


@bp.post("/my/<token>/agenda/subscribe")
def subscribe(token: str):
    """The calendar subscription address for this convening (the same each time; ?renew=1 replaces it)."""
    viewer = viewer_for(token)
    if viewer.person is None:
        abort(404)
    urls = sharing.subscription(viewer.person, viewer.invitation, token, renew=bool(request.form.get("renew")))
    db.session.commit()
    return render_template("agenda/feed_links.html", convening=None, person=viewer.person, **urls,
                           renewable=viewer.invitation is not None, token=token)


@bp.post("/my/<token>/agenda/unsubscribe")
def unsubscribe(token: str):
    """Revoke every calendar link of the person (they can ask for a new one)."""
    viewer = viewer_for(token)
    if viewer.person is None:
        abort(404)
    n = sharing.unsubscribe(viewer.person)
    db.session.commit()
    return render_template("errors/error.html", status=200, title=_("Calendar links revoked"), message=ngettext(
        "%(num)d calendar link stopped working. Calendars subscribed with it no longer update. Use your "
        "invitation link to see the agenda.", "%(num)d calendar links stopped working. Calendars subscribed with "
        "them no longer update. Use your invitation link to see the agenda.", n))


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
