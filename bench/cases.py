"""The benchmark's page cases: which pages, on which objects, seen by whom, against which targets.

Every page is measured as its visitor meets it: public pages and personal-link pages with no
session cookie, staff pages signed in as an administrator. Times are also given as a multiple of
the run's yardstick (icalendar alone serialising the conference's 200 events, see calendars.py),
so runs on machines of different speed compare; the issue 18 targets are written that way.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from convene.extensions import db

from .run import Row, counting, measure_get, url_for_endpoint


@dataclass
class PageCase:
    """A GET page: label, endpoint, how to fill its URL, who asks for it, its target."""

    label: str
    endpoint: str
    values: callable  # (shapes) -> dict of URL values
    target_ms: float | None = None  # issue 9's absolute target, where no relative one replaced it
    target_yardstick: float | None = None  # issue 18's target: at most this multiple of the yardstick
    max_kib: float | None = None  # body size limit
    query_string: str = ""
    scale: bool = False  # a page of the scale data set (compared with the small set for query growth)
    prepare: callable = None  # (app, shapes) -> None: one-off set-up through the app's own services
    anonymous: bool = False  # a public or personal-link page: measured with no session cookie
    #: The query string of the same page on the small data set, where the scale set's page does not exist
    #: (page 40 of 20 briefs is empty and skips the per-relation queries a full page makes).
    small_query_string: str | None = None


def publish_conference(app, shapes) -> None:
    """Publish the conference's and the roundtable's agendas and switch their public pages on.

    The participant-facing agenda pages show the latest *published* version; the data set only
    holds drafts. Done once per data set, through the app's own services; sets
    `shapes.conference_slug`, `shapes.roundtable_slug` and `shapes.attendee_token`.
    """
    if getattr(shapes, "conference_slug", None):
        return
    from convene.agenda import versions
    from convene.agenda.models import AgendaSettings
    from convene.invitations.models import Invitation
    from convene.models import Convening, User
    from convene.tokens import services as tokens

    with app.app_context():
        admin = db.session.get(User, shapes.admin_id)
        for convening_id in (shapes.conference_id, shapes.roundtable_id):
            convening = db.session.get(Convening, convening_id)
            if versions.latest(convening.id) is None:
                versions.publish(convening, actor=admin, note="bench")
            settings = db.session.get(AgendaSettings, convening.id) or AgendaSettings(convening_id=convening.id)
            settings.public = True
            db.session.add(settings)
        conference = db.session.get(Convening, shapes.conference_id)
        person_id = db.session.scalar(sa.select(Invitation.person_id).where(
            Invitation.convening_id == conference.id, Invitation.status == "accepted").order_by(Invitation.id))
        shapes.attendee_token = tokens.issue("feed", person_id=person_id, convening_id=None)
        db.session.commit()
        shapes.conference_slug = conference.slug
        shapes.roundtable_slug = db.session.get(Convening, shapes.roundtable_id).slug


COMPARISON_CASES = [
    # The meeting agenda page is the timetable participants open: the published agenda's public page
    # (what a conference system's event timetable is). The organizers' editing view and an attendee's
    # personal page are extra rows.
    PageCase("meeting agenda page (conference, 200 sessions; public timetable, anonymous)", "agenda.public",
             lambda s: {"slug": s.conference_slug}, target_ms=25, prepare=publish_conference, anonymous=True),
    PageCase("meeting agenda page (roundtable, 30 items; public timetable, anonymous)", "agenda.public",
             lambda s: {"slug": s.roundtable_slug}, target_ms=25, prepare=publish_conference, anonymous=True),
    PageCase("attendee agenda, personal link, full agenda (conference, 200 sessions)", "agenda.my_agenda",
             lambda s: {"token": s.attendee_token}, query_string="?view=all", target_yardstick=0.5, max_kib=150,
             prepare=publish_conference, anonymous=True),
    PageCase("organizers' agenda editor (conference, 200 sessions; draft with edit controls)", "agenda.index",
             lambda s: {"convening_id": s.conference_id}, target_yardstick=0.5, max_kib=200),
    PageCase("organizers' agenda (roundtable, 30 items)", "agenda.index",
             lambda s: {"convening_id": s.roundtable_id}, target_ms=25),
    PageCase("convening home (conference)", "convenings.detail",
             lambda s: {"convening_id": s.conference_id}, target_ms=20),
    PageCase("convening home (roundtable)", "convenings.detail",
             lambda s: {"convening_id": s.roundtable_id}, target_ms=20),
]


def _scale(label: str, endpoint: str, values, query_string: str = "", *, target: float | None = 0.5,
           anonymous: bool = False, small_query_string: str | None = None) -> PageCase:
    return PageCase(label, endpoint, values, target_yardstick=target, query_string=query_string, scale=True,
                    anonymous=anonymous, small_query_string=small_query_string)


SCALE_CASES = [
    _scale("guest list (edition of 1,000 invitations)", "invitations.guest_list",
           lambda s: {"convening_id": s.big_edition_id}),
    _scale("guest list, filtered (status accepted, name search)", "invitations.guest_list",
           lambda s: {"convening_id": s.big_edition_id}, "?status=accepted&find=a"),
    _scale("balance dashboard (edition of 1,000 invitations)", "diversity.dashboard",
           lambda s: {"convening_id": s.big_edition_id}),
    _scale("series trend (60 editions)", "diversity.series_trends", lambda s: {"series_id": s.series_id}),
    _scale("series trend CSV (60 editions, every dimension and stage)", "diversity.series_trends_csv",
           lambda s: {"series_id": s.series_id}, target=None),
    _scale("next-step board (20,000 next steps)", "actions.board", lambda s: {}),
    _scale("next-step board, filtered (status open, theme)", "actions.board", lambda s: {},
           "?status=open&theme=climate-security"),
    _scale("convening next steps (edition)", "actions.for_convening", lambda s: {"convening_id": s.big_edition_id}),
    _scale("archive search (5,000 briefs, region + words; anonymous)", "briefs.archive", lambda s: {},
           "?q=security+dialogue&region=Africa", anonymous=True),
    _scale("archive (5,000 briefs, first page; anonymous)", "briefs.archive", lambda s: {}, anonymous=True),
    # The read API lists the same briefs as the archive, with the archive's target (issue 20).
    _scale("publications API (5,000 briefs, first page of 20; anonymous)", "api.publications", lambda s: {},
           anonymous=True),
    _scale("publications API search (5,000 briefs, region + words; anonymous)", "api.publications", lambda s: {},
           "?q=security+dialogue&region=Africa", anonymous=True),
    _scale("publications API (5,000 briefs, page 40 at 100 a page; anonymous)", "api.publications", lambda s: {},
           "?per_page=100&page=40", anonymous=True, small_query_string="?per_page=100"),
    _scale("convening home (edition of 1,000 invitations)", "convenings.detail",
           lambda s: {"convening_id": s.big_edition_id}),
    _scale("organizers' agenda (edition)", "agenda.index", lambda s: {"convening_id": s.big_edition_id}),
]


def page_path(app, case: PageCase, shapes, *, small: bool = False) -> str:
    """The path of the case's page; a renamed endpoint is an error of the bench, never a skipped row."""
    path = url_for_endpoint(app, case.endpoint, **case.values(shapes))
    if path is None:
        raise LookupError(f"bench case {case.label!r}: the app has no endpoint {case.endpoint!r}")
    if small and case.small_query_string is not None:
        return path + case.small_query_string
    return path + case.query_string


def target_text(case: PageCase) -> str:
    parts = []
    if case.target_ms is not None:
        parts.append(f"≤ {case.target_ms:g} ms median")
    if case.target_yardstick is not None:
        parts.append(f"≤ {case.target_yardstick:g}× yardstick")
    if case.max_kib is not None:
        parts.append(f"≤ {case.max_kib:g} KiB")
    return ", ".join(parts)


def run_page(app, clients, case: PageCase, shapes, *, backend: str, dataset: str, repeat: int, warmup: int,
             yardstick_ms: float, small_queries: int | None = None) -> Row:
    """Measure one page. `clients` = (anonymous client, signed-in client)."""
    row = Row(backend, dataset, case.label, target=target_text(case))
    if case.prepare is not None:
        case.prepare(app, shapes)
    path = page_path(app, case, shapes)
    client = clients[0] if case.anonymous else clients[1]
    measured = measure_get(app, client, path, repeat=repeat, warmup=warmup)
    who = "anonymous" if case.anonymous else "signed in"
    if measured.status != 200:
        row.met = False
        row.note = f"FAILED: GET {path} ({who}) answered HTTP {measured.status}"
        return row
    row.median_ms, row.p95_ms = measured.median, measured.p95
    row.queries, row.peak_kib, row.small_queries = measured.queries, measured.peak_kib, small_queries
    row.size_kib = len(measured.body) / 1024
    row.yardstick_ratio = measured.median / yardstick_ms
    row.note = f"GET {path} ({who})"
    checks = []
    if case.target_ms is not None:
        checks.append(measured.median <= case.target_ms)
    if case.target_yardstick is not None:
        checks.append(row.yardstick_ratio <= case.target_yardstick)
    if case.max_kib is not None:
        checks.append(row.size_kib <= case.max_kib)
    if checks:
        row.met = all(checks)
    if small_queries is not None and measured.queries > small_queries:
        row.met = False
        row.note += f"; queries grow with the data ({small_queries} → {measured.queries})"
    return row


def query_count(app, clients, case: PageCase, shapes) -> int | None:
    """SQL statements of one request of this page (on the small data set), or None if it fails there."""
    path = page_path(app, case, shapes, small=True)
    client = clients[0] if case.anonymous else clients[1]
    client.get(path)  # warm caches that may run one-off queries
    with counting(app) as counter:
        response = client.get(path)
    return counter.count if response.status_code == 200 else None


__all__ = ["COMPARISON_CASES", "SCALE_CASES", "PageCase", "publish_conference", "run_page", "query_count"]
