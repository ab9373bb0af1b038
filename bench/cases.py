"""The benchmark cases: which pages, on which objects, against which targets (issue 9)."""
from __future__ import annotations

import importlib
import inspect
import time
import tracemalloc
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from convene.extensions import db

from .run import Row, counting, measure_callable, measure_get, url_for_endpoint


@dataclass
class PageCase:
    """A GET page: label, endpoint candidates, how to fill its URL, its target."""

    label: str
    endpoints: tuple[str, ...]
    values: callable  # (shapes) -> dict of URL values, or None when it cannot be built
    target_ms: float | None = None
    max_queries: int | None = None
    query_string: str = ""
    scale: bool = False  # a page of the scale data set (compared with the small set for query growth)
    prepare: callable = None  # (app, shapes) -> None: one-off set-up through the app's own services


def publish_conference(app, shapes) -> None:
    """Publish the conference agenda (version 1, via agenda.versions.publish) and switch its public page on.

    The participant-facing agenda pages show the latest *published* version; the data set only
    holds the draft. Done once per data set; sets `shapes.conference_slug` and `shapes.attendee_token`.
    """
    if getattr(shapes, "conference_slug", None):
        return
    from convene.agenda import versions
    from convene.agenda.models import AgendaSettings
    from convene.invitations.models import Invitation
    from convene.models import Convening, User
    from convene.tokens import services as tokens

    with app.app_context():
        convening = db.session.get(Convening, shapes.conference_id)
        if versions.latest(convening.id) is None:
            versions.publish(convening, actor=db.session.get(User, shapes.admin_id), note="bench")
        settings = db.session.get(AgendaSettings, convening.id) or AgendaSettings(convening_id=convening.id)
        settings.public = True
        db.session.add(settings)
        person_id = db.session.scalar(sa.select(Invitation.person_id).where(
            Invitation.convening_id == convening.id, Invitation.status == "accepted").order_by(Invitation.id))
        shapes.attendee_token = tokens.issue("feed", person_id=person_id, convening_id=None)
        db.session.commit()
        shapes.conference_slug = convening.slug


#: The .ics export of a convening's whole agenda: the first existing endpoint is used.
ICS_ENDPOINTS = ("ics.convening_agenda", "ics.agenda", "ics.convening", "agenda.ics", "agenda.export_ics",
                 "ics.export", "agenda.calendar")

COMPARISON_CASES = [
    # The meeting agenda page is the timetable participants open: the published agenda's public page
    # (what a conference system's event timetable is). The organizers' editing view and an attendee's
    # personal page are extra rows.
    PageCase("meeting agenda page (conference, 200 sessions; public timetable)", ("agenda.public",),
             lambda s: {"slug": s.conference_slug}, target_ms=25, prepare=publish_conference),
    PageCase("attendee agenda, personal link, full agenda (conference, 200 sessions)", ("agenda.my_agenda",),
             lambda s: {"token": s.attendee_token}, query_string="?view=all", target_ms=25,
             prepare=publish_conference),
    PageCase("organizers' agenda editor (conference, 200 sessions; draft with edit controls)", ("agenda.index",),
             lambda s: {"convening_id": s.conference_id}, target_ms=25),
    PageCase("meeting agenda page (roundtable, 30 items)", ("agenda.index",),
             lambda s: {"convening_id": s.roundtable_id}, target_ms=25),
    PageCase("convening home (conference)", ("convenings.detail",),
             lambda s: {"convening_id": s.conference_id}, target_ms=20),
    PageCase("convening home (roundtable)", ("convenings.detail",),
             lambda s: {"convening_id": s.roundtable_id}, target_ms=20),
]

SCALE_CASES = [
    PageCase("guest list (edition of 1,000 invitations)", ("invitations.guest_list",),
             lambda s: {"convening_id": s.big_edition_id}, target_ms=50, scale=True),
    PageCase("balance dashboard (edition of 1,000 invitations)", ("diversity.dashboard",),
             lambda s: {"convening_id": s.big_edition_id}, target_ms=50, scale=True),
    PageCase("series trend (60 editions)", ("diversity.series_trends",),
             lambda s: {"series_id": s.series_id}, target_ms=50, scale=True),
    PageCase("guest list, filtered (status accepted, name search)", ("invitations.guest_list",),
             lambda s: {"convening_id": s.big_edition_id}, query_string="?status=accepted&find=a",
             target_ms=50, scale=True),
    PageCase("series trend CSV (60 editions, every dimension and stage)", ("diversity.series_trends_csv",),
             lambda s: {"series_id": s.series_id}, scale=True),
    PageCase("next-step board (20,000 next steps)", ("actions.board",), lambda s: {}, target_ms=50, scale=True),
    PageCase("next-step board, filtered (status open, theme)", ("actions.board",), lambda s: {},
             query_string="?status=open&theme=climate-security", target_ms=50, scale=True),
    PageCase("convening next steps (edition)", ("actions.for_convening",),
             lambda s: {"convening_id": s.big_edition_id}, target_ms=50, scale=True),
    PageCase("archive search (5,000 briefs, region + words)", ("briefs.archive",), lambda s: {},
             query_string="?q=security+dialogue&region=Africa", target_ms=50, scale=True),
    PageCase("archive (5,000 briefs, first page)", ("briefs.archive",), lambda s: {}, target_ms=50, scale=True),
    PageCase("convening home (edition of 1,000 invitations)", ("convenings.detail",),
             lambda s: {"convening_id": s.big_edition_id}, target_ms=50, scale=True),
    PageCase("meeting agenda page (edition)", ("agenda.index",),
             lambda s: {"convening_id": s.big_edition_id}, target_ms=50, scale=True),
]


def page_path(app, case: PageCase, shapes) -> tuple[str | None, str]:
    for endpoint in case.endpoints:
        values = case.values(shapes)
        path = url_for_endpoint(app, endpoint, **values)
        if path is not None:
            return path + case.query_string, endpoint
    return None, case.endpoints[0]


def run_page(app, client, case: PageCase, shapes, *, backend: str, dataset: str, repeat: int, warmup: int,
             small_queries: int | None = None) -> Row:
    row = Row(backend, dataset, case.label)
    if case.prepare is not None:
        case.prepare(app, shapes)
    if case.target_ms is not None:
        row.target = f"≤ {case.target_ms:g} ms median" + (f", ≤ {case.max_queries} queries" if case.max_queries else "")
    path, endpoint = page_path(app, case, shapes)
    if path is None:
        row.note = f"skipped: page not built yet ({endpoint})"
        return row
    measured = measure_get(app, client, path, repeat=repeat, warmup=warmup)
    if measured.status != 200:
        row.note = f"skipped: GET {path} answered HTTP {measured.status}"
        return row
    row.median_ms, row.p95_ms = measured.median, measured.p95
    row.queries, row.peak_kib, row.small_queries = measured.queries, measured.peak_kib, small_queries
    row.size_kib = len(measured.body) / 1024
    row.note = f"GET {path}"
    if case.target_ms is not None:
        row.met = measured.median <= case.target_ms and (case.max_queries is None or measured.queries <= case.max_queries)
    if small_queries is not None and measured.queries > small_queries:
        row.met = False
        row.note += f"; queries grow with the data ({small_queries} → {measured.queries})"
    return row


def query_count(app, client, case: PageCase, shapes) -> int | None:
    """SQL statements of one request of this page (on the small data set), or None if unavailable."""
    path, _ = page_path(app, case, shapes)
    if path is None:
        return None
    client.get(path)  # warm caches that may run one-off queries
    with counting(app) as counter:
        response = client.get(path)
    return counter.count if response.status_code == 200 else None


# ---------------------------------------------------------------- the .ics export and its reference

def ics_path(app, shapes) -> tuple[str | None, str]:
    """The .ics of the whole conference agenda: a staff export route, or a personal feed."""
    for endpoint in ICS_ENDPOINTS:
        path = url_for_endpoint(app, endpoint, convening_id=shapes.conference_id) \
            if endpoint in app.view_functions and "convening_id" in _arguments(app, endpoint) else None
        if path:
            return path, endpoint
    # Fall back to any GET rule of the ics/agenda areas ending in .ics that takes only convening_id.
    for rule in app.url_map.iter_rules():
        if rule.rule.endswith(".ics") and set(rule.arguments) == {"convening_id"} and "GET" in rule.methods:
            return url_for_endpoint(app, rule.endpoint, convening_id=shapes.conference_id), rule.endpoint
    return None, "a convening agenda .ics route"


def _arguments(app, endpoint: str) -> set[str]:
    return {a for rule in app.url_map.iter_rules(endpoint) for a in rule.arguments}


def direct_icalendar(app, convening_id: int):
    """A function that serialises the same sessions with icalendar alone (data loaded beforehand)."""
    import icalendar

    from convene.models import AgendaSession, Convening, Person, SessionRole

    with app.app_context():
        convening = db.session.get(Convening, convening_id)
        sessions = db.session.execute(
            sa.select(AgendaSession.uid, AgendaSession.title, AgendaSession.starts_at, AgendaSession.ends_at,
                      AgendaSession.room, AgendaSession.description, AgendaSession.ical_sequence,
                      AgendaSession.status, AgendaSession.id)
            .where(AgendaSession.convening_id == convening_id).order_by(AgendaSession.starts_at)).all()
        speakers: dict[int, list[str]] = {}
        for session_id, name in db.session.execute(
                sa.select(SessionRole.session_id, Person.name).join(Person)
                .join(AgendaSession).where(AgendaSession.convening_id == convening_id)):
            speakers.setdefault(session_id, []).append(name)
        title, venue = convening.title, convening.venue
    stamp = datetime(2031, 1, 1, tzinfo=timezone.utc)

    def serialise() -> bytes:
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Convene//bench//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", title)
        for s in sessions:
            event = icalendar.Event()
            event.add("uid", s.uid)
            event.add("dtstamp", stamp)
            event.add("dtstart", s.starts_at)
            event.add("dtend", s.ends_at)
            event.add("summary", s.title)
            event.add("location", f"{s.room}, {venue}" if s.room else venue)
            people = speakers.get(s.id, [])
            event.add("description", s.description + ("\n\nSpeakers: " + ", ".join(people) if people else ""))
            event.add("sequence", s.ical_sequence)
            event.add("status", "CANCELLED" if s.status == "cancelled" else "CONFIRMED")
            calendar.add_component(event)
        return calendar.to_ical()

    return serialise, len(sessions)


def run_ics(app, client, shapes, *, backend: str, repeat: int, warmup: int) -> list[Row]:
    rows = []
    page = Row(backend, "comparison", ".ics of the conference agenda (200 sessions)",
               target="≤ 100 ms median, ≤ 5 queries")
    path, endpoint = ics_path(app, shapes)
    serialise, n_events = direct_icalendar(app, shapes.conference_id)
    reference = measure_callable(serialise, repeat=repeat, warmup=warmup)
    ref_row = Row(backend, "comparison", f"reference: icalendar alone, same {n_events} events",
                  median_ms=reference.median, p95_ms=reference.p95, peak_kib=reference.peak_kib,
                  size_kib=len(reference.body) / 1024,
                  note="no database, no Flask: the floor the export is compared with")
    if path is None:
        page.note = f"skipped: page not built yet ({endpoint})"
        return [page, ref_row]
    measured = measure_get(app, client, path, repeat=repeat, warmup=warmup)
    if measured.status != 200:
        page.note = f"skipped: GET {path} answered HTTP {measured.status}"
        return [page, ref_row]
    import icalendar

    events = icalendar.Calendar.from_ical(measured.body).walk("VEVENT")
    page.median_ms, page.p95_ms, page.queries, page.peak_kib = (measured.median, measured.p95, measured.queries,
                                                                measured.peak_kib)
    page.size_kib = len(measured.body) / 1024
    page.met = measured.median <= 100 and measured.queries <= 5
    page.note = f"GET {path}; {len(events)} VEVENTs"
    rows.append(page)
    rows.append(ref_row)
    ratio = measured.median / reference.median
    rows.append(Row(backend, "comparison", ".ics export ÷ icalendar alone (median ratio)",
                    median_ms=None, target="≤ 2×", met=ratio <= 2, note=f"{ratio:.2f}×"))
    return rows


# ---------------------------------------------------------------- mail: queue and deliver 2,000 invitations

WORKER_NAMES = ("deliver_due", "deliver_pending", "send_due", "send_pending", "process_outbox", "run_once",
                "deliver_batch", "work_once", "drain")


def find_worker():
    for module_name in ("convene.mail.worker", "convene.mail.services", "convene.mail.delivery"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in WORKER_NAMES:
            function = getattr(module, name, None)
            if callable(function):
                return function, f"{module_name}.{name}"
    return None, ""


def _pending(app) -> int:
    from convene.mail.models import OutboxMessage

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending"))


def _drain(app, worker) -> None:
    """Call the worker until nothing is pending (it may send in batches)."""
    for _ in range(10_000):
        with app.app_context():
            result = _call_worker(worker, app)
        if not result and _pending(app) == 0:
            return
        if _pending(app) == 0:
            return


def _call_worker(worker, app):
    parameters = inspect.signature(worker).parameters
    kwargs = {}
    if "limit" in parameters:
        kwargs["limit"] = 500
    elif "batch_size" in parameters:
        kwargs["batch_size"] = 500
    if "app" in parameters:
        kwargs["app"] = app
    return worker(**kwargs)


class CountingSink:
    """An aiosmtpd handler that only keeps the raw messages (parsing them would slow the worker's process)."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queue_invitations(shapes, phase: str, count: int, queue_message) -> tuple[str, float]:
    """Queue `count` invitations through the invitations area's real send path when it exists.

    A fresh open convening gets `count` planned invitations (bulk INSERT, not timed), then
    `send_invitations` issues each personal link, renders the text and queues the message, in one
    transaction (timed). Without that service, queue_message is called directly (timed).
    Returns (what was used, seconds).
    """
    from convene.models import Convening, Invitation, Person, User

    people = db.session.execute(sa.select(Person.id, Person.email, Person.name).where(Person.email.is_not(None))
                                .order_by(Person.id).limit(count)).all()
    try:
        from convene.invitations.services import send_invitations
    except ImportError:
        send_invitations = None
    if send_invitations is None:
        start = time.perf_counter()
        for person in people:
            queue_message(to_address=person.email, to_name=person.name,
                          subject="Please reply: invitation to the Strategy for Peace Conference",
                          text="You are invited. Answer here: http://bench.localhost/rsvp/x\n" * 5,
                          kind="invitation", person_id=person.id, dedupe_key=f"bench:{phase}:{person.id}")
        db.session.commit()
        return "mail.services.queue_message", time.perf_counter() - start
    convening = Convening(title=f"Mail benchmark ({phase})", slug=f"mail-bench-{phase}", kind="conference",
                          starts_on=datetime(2031, 10, 14).date(), ends_on=datetime(2031, 10, 16).date(),
                          reply_by=datetime(2031, 9, 30).date(), status="open", timezone="America/New_York",
                          city="Warrenton", country="US")
    db.session.add(convening)
    db.session.flush()
    db.session.execute(sa.insert(Invitation), [
        {"convening_id": convening.id, "person_id": p.id, "status": "planned"} for p in people])
    db.session.commit()
    invitations = db.session.scalars(sa.select(Invitation).where(Invitation.convening_id == convening.id)
                                     .order_by(Invitation.id)).all()
    admin = db.session.get(User, shapes.admin_id)
    start = time.perf_counter()
    send_invitations(convening, invitations, actor=admin)
    db.session.commit()
    return "invitations.services.send_invitations", time.perf_counter() - start


def run_mail(make_app_for_mail, shapes, *, backend: str, count: int = 2000) -> list[Row]:
    """Queue `count` invitation e-mails, then deliver them to a local aiosmtpd sink."""
    queue_row = Row(backend, "mail", f"send {count:,} invitations: links, text, outbox (one transaction)")
    deliver_row = Row(backend, "mail", f"deliver {count:,} e-mails to a local SMTP sink")
    try:
        from convene.mail.services import queue_message
    except ImportError:
        queue_row.note = deliver_row.note = "skipped: mail area not built yet (queue_message)"
        return [queue_row, deliver_row]
    worker, worker_name = find_worker()
    from aiosmtpd.controller import Controller

    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = make_app_for_mail(MAIL_HOST="127.0.0.1", MAIL_PORT=port)
        rows = []
        for phase, traced in (("timed", False), ("traced", True)):
            with app.app_context():
                how, queued_s = _queue_invitations(shapes, phase, count, queue_message)
            queued = _pending(app)
            if phase == "timed":
                queue_row.median_ms = queued_s * 1000
                queue_row.note = f"{queued / queued_s:,.0f} messages/s queued via {how}; total time, not a median"
            if worker is None:
                deliver_row.note = "skipped: mail worker not built yet (no deliver function in convene.mail)"
                return [queue_row, deliver_row]
            before = len(sink.messages)
            if traced:
                tracemalloc.start()
            start = time.perf_counter()
            _drain(app, worker)
            seconds = time.perf_counter() - start
            if traced:
                deliver_row.peak_kib = tracemalloc.get_traced_memory()[1] / 1024
                tracemalloc.stop()
            delivered = len(sink.messages) - before
            if phase == "timed":
                deliver_row.median_ms = seconds * 1000
                deliver_row.note = (f"{delivered / seconds:,.0f} messages/s via {worker_name}; {delivered} received "
                                    f"by the sink; total time, not a median")
                if delivered != queued:
                    deliver_row.met = False
                    deliver_row.note += f" (expected {queued})"
        rows = [queue_row, deliver_row]
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
        return rows
    finally:
        controller.stop()


__all__ = ["COMPARISON_CASES", "SCALE_CASES", "run_page", "query_count", "run_ics", "run_mail"]
