"""Calendar files: downloads (one session, a convening, my agenda) and subscription feeds.

Every view is: load and check → build bytes with a pure builder → send as text/calendar.
Feeds answer conditional requests (ETag / Last-Modified → 304) and may be cached privately.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request
from flask_babel import gettext

from ..agenda import links, versions
from ..agenda.access import viewer_for
from ..agenda.models import AgendaSession
from ..auth.policy import load_convening, signed_in
from ..convenings.models import Convening
from ..editing import slugify
from .. import caching
from ..extensions import db
from ..urls import absolute_url
from .addlinks import WEB_CALENDARS
from .builders import sessions_calendar

bp = Blueprint("ics", __name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"
#: Public calendars may be kept by any cache for five minutes, then revalidated with the ETag.
PUBLIC_CACHE = "public, max-age=300"
#: How long a calendar client may reuse a feed before asking again (it revalidates with the ETag).
FEED_MAX_AGE = 300


def calendar_response(data: bytes, filename: str, *, inline: bool = False) -> Response:
    """The bytes as a text/calendar download named `filename`."""
    response = Response(data, content_type=CONTENT_TYPE)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{slugify(filename, 80)}.ics"'
    return response


def _build(groups, name: str, link_for) -> bytes:
    return sessions_calendar(groups, name=name, link_for=link_for, **links.organizer())


def _anchored(page: str):
    """session → page#s-<uid>: the page's absolute URL built once, not once per session."""
    return lambda s: f"{page}#s-{s.uid}"


def _staff_link(convening):
    return _anchored(absolute_url("agenda.index", convening_id=convening.id))


@bp.route("/convenings/<int:convening_id>/agenda.ics")
@signed_in
def convening_agenda(convening_id: int):
    """The whole agenda of a convening: the draft, or ?source=published for the latest version."""
    convening = load_convening(convening_id)
    sessions = versions.sessions_to_show(convening, request.args.get("source"))
    data = _build([(convening, sessions)], convening.title, _staff_link(convening))
    return calendar_response(data, convening.slug)


@bp.route("/convenings/<int:convening_id>/agenda/<int:session_id>.ics")
@signed_in
def session(convening_id: int, session_id: int):
    """One session (as it stands in the draft) for organizers and staff."""
    convening = load_convening(convening_id)
    item = db.session.get(AgendaSession, session_id)
    if item is None or item.convening_id != convening.id:
        abort(404)
    data = _build([(convening, [item])], convening.title, _staff_link(convening))
    return calendar_response(data, f"{convening.slug}-{item.title[:40]}")


def _public_calendar(slug: str, uid: str | None, build, filename):
    """A public agenda's calendar, kept per published version (see convene/caching.py).

    Only the agenda's public stamp is read before the answer is known (one query, outside the
    request's session: versions.public_stamp), and for one session the titles of the version's
    sessions, kept per process; the convening and its sessions are loaded and
    `build(convening, sessions)` runs only when no process has built these bytes yet.
    """
    stamp = versions.public_stamp(slug)
    if stamp is None:  # unknown, not public, or nothing published yet
        abort(404)
    title = None
    if uid is not None:  # one session: it must be in this version (its title names the file)
        title = versions.session_titles(stamp.version_id, stamp.published_at).get(uid)
        if title is None:
            abort(404)

    def make() -> bytes:
        convening = db.session.get(Convening, stamp.convening_id)
        version = db.session.get(versions.AgendaVersion, stamp.version_id)
        if convening is None or version is None:  # removed since the stamp was read
            abort(404)
        sessions = versions.views_of(version.snapshot, convening.id, versions.load_people([version.snapshot]))
        return build(convening, _public_view(convening, [s for s in sessions if uid is None or s.uid == uid]))

    return caching.serve(("public-agenda.ics", uid, *stamp, links.organizer()), make,
                         lambda data: calendar_response(data, filename(stamp.slug, title)),
                         last_modified=versions.stamp_changed(stamp), cache_control=PUBLIC_CACHE)


@bp.route("/c/<slug>/agenda.ics")
def public_agenda(slug: str):
    """The public agenda as a calendar file (only when the organizers made it public)."""
    link = _anchored(absolute_url("agenda.public", slug=slug))
    return _public_calendar(slug, None, lambda c, sessions: _build([(c, sessions)], c.title, link),
                            lambda slug, title: slug)


def _public_view(convening, sessions):
    """On public files, names appear only for on-the-record convenings and consenting people."""
    for s in sessions:
        s.roles = [r for r in s.roles if not convening.attribution.strips_names
                   and getattr(r.person, "listing_consent", False)]
    return sessions


@bp.route("/c/<slug>/agenda/<uid>.ics")
def public_session(slug: str, uid: str):
    """One session of a public agenda."""
    link = lambda s: absolute_url("agenda.public", slug=slug, _anchor=f"s-{s.uid}")  # noqa: E731
    return _public_calendar(slug, uid, lambda c, sessions: _build([(c, sessions)], c.title, link),
                            lambda slug, title: f"{slug}-{title[:40]}")


def _viewer_groups(token: str, *, mine: bool, allow_rsvp: bool):
    viewer = viewer_for(token, allow_rsvp=allow_rsvp)
    found = versions.published_agendas(viewer.convenings)
    groups = []
    for convening in viewer.convenings:
        if convening.id in found:
            sessions = found[convening.id][1]
            if mine and viewer.person is not None:
                sessions = [s for s in sessions if versions.open_to(viewer.person, s)]
            groups.append((convening, sessions))
    return viewer, groups


@bp.route("/my/<token>/agenda.ics")
def my_agenda(token: str):
    """Download 'my agenda' (or ?view=all, every session) as one calendar file."""
    viewer, groups = _viewer_groups(token, mine=request.args.get("view") != "all", allow_rsvp=True)
    name = groups[0][0].title if len(groups) == 1 else "My agenda"
    data = _build(groups, f"{name} — my agenda", _anchored(links.my_agenda(token)))
    return calendar_response(data, f"{name}-my-agenda")


@bp.route("/my/<token>/sessions/<uid>.ics")
def my_session(token: str, uid: str):
    """One session from a personal agenda link."""
    viewer, groups = _viewer_groups(token, mine=False, allow_rsvp=True)
    for convening, sessions in groups:
        chosen = [s for s in sessions if s.uid == uid]
        if chosen:
            data = _build([(convening, chosen)], convening.title, lambda s: links.my_agenda(token, s.uid))
            return calendar_response(data, f"{convening.slug}-{chosen[0].title[:40]}")
    abort(404)


@bp.route("/my/<token>/sessions/<uid>/add/<service>")
def my_session_add(token: str, uid: str, service: str):
    """Send the attendee on to a web calendar's 'add event' page for one session (built on demand, so the
    agenda page carries one short link per calendar instead of the event's whole text three times)."""
    if service not in WEB_CALENDARS:
        abort(404)
    viewer, groups = _viewer_groups(token, mine=False, allow_rsvp=True)
    for convening, sessions in groups:
        chosen = next((s for s in sessions if s.uid == uid and not s.cancelled), None)
        if chosen is not None:
            response = redirect(WEB_CALENDARS[service](chosen, convening, links.my_agenda(token, chosen.uid)))
            response.headers["Cache-Control"] = "no-store"
            return response
    abort(404)


@bp.route("/feeds/<token>.ics")
def feed(token: str):
    """A subscription feed (webcal:// or https://): a person's sessions, or a convening's agenda.

    Served through caching.serve under a tag of everything the feed shows (the person, each
    convening's row version — venue, dates, title, attribution —, each published version and the
    people it names), so a poll with the current ETag or Last-Modified gets a 304 before anything
    is built, and any change gives a new ETag and a later Last-Modified.
    """
    viewer = viewer_for(token, allow_rsvp=False)
    person = viewer.person
    found = versions.latest_for([c.id for c in viewer.convenings])
    shown = [(c, found[c.id]) for c in viewer.convenings if c.id in found]
    people = versions.load_people(v.snapshot for _, v in shown)
    parts = ("feed", token, (person.id, person.name) if person else None, links.organizer(),
             tuple((c.id, c.version, c.updated_at, v.id, v.published_at) for c, v in shown),
             tuple((p.id, p.honorific, p.name, p.listing_consent, p.updated_at) for _, p in sorted(people.items())))

    def make() -> bytes:
        groups = [(c, [s for s in versions.views_of(v.snapshot, c.id, people)
                       if person is None or versions.open_to(person, s)]) for c, v in shown]
        name = gettext("%(name)s — Convene agenda", name=person.name) if person else \
            groups[0][0].title if groups else gettext("Convene agenda")
        link = _anchored(links.my_agenda(token)) if person else (lambda s, url=links.feed(token): url)
        return _build(groups, name, link)

    return caching.serve(parts, make, lambda data: calendar_response(data, "convene-agenda", inline=True),
                         last_modified=caching.WHEN_CHANGED, cache_control=f"private, max-age={FEED_MAX_AGE}")
