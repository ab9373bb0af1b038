"""The mail case: queue 2,000 invitations through the real send path, deliver them to a local sink."""
from __future__ import annotations

import socket
import time
import tracemalloc
from datetime import date

import sqlalchemy as sa

from convene.extensions import db

from .run import Row

BATCH = 500


def _pending(app) -> int:
    from convene.mail.models import OutboxMessage

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending"))


def _drain(app) -> None:
    """Run the worker's delivery function until nothing is pending (it sends in batches)."""
    from convene.mail.worker import deliver_pending

    while _pending(app):
        with app.app_context():
            deliver_pending(limit=BATCH)


class CountingSink:
    """An aiosmtpd handler that only keeps the raw messages (parsing them would slow the worker's process)."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queue_invitations(shapes, phase: str, count: int) -> float:
    """Queue `count` invitations through the invitations area's real send path; return the seconds it took.

    A fresh open convening gets `count` planned invitations (bulk INSERT, not timed), then
    `send_invitations` issues each personal link, renders the text and queues the message, in one
    transaction (timed).
    """
    from convene.invitations.sending import send_invitations
    from convene.models import Convening, Invitation, Person, User

    people = db.session.execute(sa.select(Person.id).where(Person.email.is_not(None))
                                .order_by(Person.id).limit(count)).all()
    convening = Convening(title=f"Mail benchmark ({phase})", slug=f"mail-bench-{phase}", kind="conference",
                          starts_on=date(2031, 10, 14), ends_on=date(2031, 10, 16), reply_by=date(2031, 9, 30),
                          status="open", timezone="America/New_York", city="Warrenton", country="US")
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
    return time.perf_counter() - start


def run_mail(make_app_for_mail, shapes, *, backend: str, count: int = 2000) -> list[Row]:
    """Queue `count` invitation e-mails, then deliver them to a local aiosmtpd sink."""
    from aiosmtpd.controller import Controller

    queue_row = Row(backend, "mail", f"send {count:,} invitations: links, text, outbox (one transaction)")
    deliver_row = Row(backend, "mail", f"deliver {count:,} e-mails to a local SMTP sink")
    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = make_app_for_mail(MAIL_HOST="127.0.0.1", MAIL_PORT=port)
        for phase, traced in (("timed", False), ("traced", True)):
            with app.app_context():
                queued_s = _queue_invitations(shapes, phase, count)
            queued = _pending(app)
            if phase == "timed":
                queue_row.median_ms = queued_s * 1000
                queue_row.note = (f"{queued / queued_s:,.0f} messages/s queued via "
                                  "invitations.sending.send_invitations; total time, not a median")
            before = len(sink.messages)
            if traced:
                tracemalloc.start()
            start = time.perf_counter()
            _drain(app)
            seconds = time.perf_counter() - start
            if traced:
                deliver_row.peak_kib = tracemalloc.get_traced_memory()[1] / 1024
                tracemalloc.stop()
            delivered = len(sink.messages) - before
            if phase == "timed":
                deliver_row.median_ms = seconds * 1000
                deliver_row.note = (f"{delivered / seconds:,.0f} messages/s via mail.worker.deliver_pending; "
                                    f"{delivered} received by the sink; total time, not a median")
                if delivered != queued:
                    deliver_row.met = False
                    deliver_row.note += f" (expected {queued})"
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
        return [queue_row, deliver_row]
    finally:
        controller.stop()


__all__ = ["run_mail"]
