"""Delivery across faults, on a real PostgreSQL whose backends are terminated and a real SMTP server.

The database connection is cut from inside the SMTP server's DATA handler, i.e. after the
worker handed the message over and before it can record the server's 250: the worst moment.
"""
from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.mail.models import OutboxMessage
from convene.mail.worker import deliver_pending
from tests.ops.conftest import terminate_backends


@pytest.fixture(autouse=True)
def _postgres_only(backend):
    if backend != "postgresql":
        pytest.skip("backends are terminated on the PostgreSQL server")


def cut_database_during_data(sink, url, times: int = 1) -> list[int]:
    """Terminate every backend while the sink holds the next `times` DATA commands; returns the kill counts."""
    accept = type(sink).handle_DATA
    cuts: list[int] = []

    async def cut_then_accept(server, session, envelope):
        if len(cuts) < times:
            cuts.append(terminate_backends(url))
        return await accept(sink, server, session, envelope)
    sink.handle_DATA = cut_then_accept
    return cuts


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_message_accepted_before_the_database_failed_is_recorded_not_sent_again(app, smtp_sink, queue):
    queued = [queue() for _ in range(5)]
    cuts = cut_database_during_data(smtp_sink, db.engine.url)
    deliver_pending(limit=5, worker_id="worker-a")
    assert cuts and cuts[0] >= 1, "the worker's connection was terminated"
    first, *rest = rows()
    assert (first.status, first.attempts, first.smtp_response) == ("sent", 1, "250 Message accepted for delivery")
    assert first.sent_at is not None and first.locked_by is None
    # (b) the rest of the claim is handed back at once, uncharged, instead of waiting out the lock.
    assert {(m.status, m.attempts, m.locked_by) for m in rest} == {("pending", 0, None)}
    assert deliver_pending(worker_id="worker-b") == (4, 0)
    delivered = Counter(m["Message-ID"] for m in smtp_sink.messages)
    assert delivered == Counter({m.message_id: 1 for m in queued}), "each message exactly once"


def test_repeated_cuts_lose_and_duplicate_nothing(app, smtp_sink, queue):
    queued = [queue() for _ in range(12)]
    cuts = cut_database_during_data(smtp_sink, db.engine.url, times=4)
    for _ in range(10):
        try:
            deliver_pending(limit=3, worker_id="worker-c")
        except sa.exc.OperationalError:  # a cut while claiming: the run loop waits and tries again
            db.session.rollback()
        if {m.status for m in rows()} == {"sent"}:
            break
    assert len(cuts) == 4
    assert {m.status for m in rows()} == {"sent"}
    delivered = Counter(m["Message-ID"] for m in smtp_sink.messages)
    assert delivered == Counter({m.message_id: 1 for m in queued})
    assert all(m.attempts == 1 for m in rows()), "no attempt charged for the database's faults"
