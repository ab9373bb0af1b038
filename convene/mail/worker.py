"""The outbox worker: claim due messages, send them by SMTP, record what the server said.

Guarantees (see docs/mail.md):
- A message is claimed (pending → sending) and the claim committed BEFORE any SMTP traffic;
  on PostgreSQL with `FOR UPDATE SKIP LOCKED`, on SQLite with a conditional UPDATE whose
  rowcount tells who won. Two workers never hold the same message.
- Just before sending, the worker re-confirms it still holds the lock; a message whose lock
  expired and was taken over is skipped.
- `sent` is written and committed right after the server's 250 answer, one commit per message.
- A message left `sending` by a worker that died is put back after MAIL_LOCK_TIMEOUT seconds.
- When the database fails mid-batch, what the server already accepted is kept in memory and
  recorded as sent once the database answers again, and the unsent rest of the claim is handed
  back at once (not after the lock timeout).
- When the SMTP server cannot be reached (or refuses the connection or login), the claim is
  handed back without charging any message an attempt, and the worker backs off as a whole.
- What remains at-least-once: a worker killed between the server's 250 and the commit (or a
  database that stays down for longer than the lock timeout) leaves a message that is sent again.
"""
from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..db_types import utcnow
from ..extensions import db
from . import smtp
from .message import build_message, envelope_recipient, needs_smtputf8, sender
from .models import OutboxMessage, OutboxStatus
from .services import MailError, new_message_id, normalise_address
from .wording import render_message

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = (s.value for s in OutboxStatus)
#: Defaults for config keys that config.py does not define.
DEFAULT_LOCK_TIMEOUT = 300
DEFAULT_RETRY_BASE = 60
DEFAULT_RETRY_MAX = 6 * 3600
DEFAULT_OUTAGE_MAX_WAIT = 300
#: Errors that mean "the database connection is gone or busy", not "this data is wrong".
DATABASE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError)


class BatchResult(tuple):
    """(sent, not sent), plus `server_down` when the SMTP server could not be reached at all."""

    server_down: bool

    def __new__(cls, sent: int, not_sent: int, server_down: bool = False):
        result = super().__new__(cls, (sent, not_sent))
        result.server_down = server_down
        return result


def new_worker_id() -> str:
    """host:pid:random, unique per worker process or thread."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def setting(name: str, default):
    return current_app.config.get(name, default)


def backoff(attempts: int) -> timedelta:
    """Exponential wait after the n-th failed attempt: base, 2×base, 4×base, … capped."""
    base = float(setting("MAIL_RETRY_BASE", DEFAULT_RETRY_BASE))
    cap = float(setting("MAIL_RETRY_MAX", DEFAULT_RETRY_MAX))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def deliver_pending(limit: int | None = None, worker_id: str | None = None, stop=None) -> BatchResult:
    """Claim up to `limit` due messages and send them; return (sent, not sent).

    "Not sent" counts messages that failed for good and those put back for a later retry.
    Must run inside an app context; commits the session. When `stop` (a threading.Event) is
    set mid-batch, the messages not yet attempted are handed back to the queue.
    """
    worker_id = worker_id or new_worker_id()
    reclaim_stale()
    ids = claim(limit or int(setting("MAIL_BATCH", 20)), worker_id)
    if not ids:
        return BatchResult(0, 0)
    return send_claimed(ids, worker_id, stop=stop)


def hand_back(ids: list[int], worker_id: str, note: str | None = None) -> None:
    """Put claimed messages back in the queue, due now, without charging the attempt (not committed)."""
    if not ids:
        return
    values = dict(status=PENDING, locked_by=None, locked_at=None, attempts=OutboxMessage.attempts - 1)
    if note is not None:
        values["last_error"] = note[:2000]
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == SENDING, OutboxMessage.locked_by == worker_id)
        .values(**values).execution_options(synchronize_session=False))


def release(ids: list[int], worker_id: str) -> None:
    """Hand claimed but unattempted messages back to the queue (worker shutting down)."""
    hand_back(ids, worker_id)
    db.session.commit()


def reclaim_stale() -> int:
    """Put back messages whose worker died mid-delivery (still `sending` after the lock timeout)."""
    cutoff = utcnow() - timedelta(seconds=float(setting("MAIL_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)))
    stale = (OutboxMessage.status == SENDING) & (OutboxMessage.locked_at < cutoff)
    if not db.session.scalar(sa.select(sa.exists().where(stale))):
        return 0  # the usual case: a read, no write lock taken
    max_attempts = int(setting("MAIL_MAX_ATTEMPTS", 5))
    note = "the worker stopped while sending; delivery is unconfirmed"
    gave_up = db.session.execute(
        sa.update(OutboxMessage).where(stale, OutboxMessage.attempts >= max_attempts)
        .values(status=FAILED, locked_by=None, last_error=note).execution_options(synchronize_session=False))
    put_back = db.session.execute(
        sa.update(OutboxMessage).where(stale)
        .values(status=PENDING, locked_by=None, next_attempt_at=utcnow(), last_error=note)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if put_back.rowcount or gave_up.rowcount:
        log.warning("reclaimed %s message(s) from stopped workers, %s failed", put_back.rowcount, gave_up.rowcount)
    return put_back.rowcount


def due_query(limit: int) -> sa.Select:
    """Ids of messages due now, oldest first."""
    return (sa.select(OutboxMessage.id)
            .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= utcnow())
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))


def claimed_values(worker_id: str) -> dict:
    return dict(status=SENDING, locked_by=worker_id, locked_at=utcnow(), attempts=OutboxMessage.attempts + 1)


def claim(limit: int, worker_id: str) -> list[int]:
    """Mark up to `limit` due messages `sending` for this worker and commit; return their ids."""
    if db.session.get_bind().dialect.name != "postgresql":
        while True:
            candidates = list(db.session.scalars(due_query(limit)))
            db.session.commit()  # end the read so SQLite can take the write lock without a deadlock
            ids = claim_ids(candidates, worker_id)
            if ids or not candidates:
                return ids
            # Another worker won every candidate; they are no longer due, so look again.
    # Rows another worker is claiming right now are skipped, not waited for.
    ids = list(db.session.scalars(due_query(limit).with_for_update(skip_locked=True)))
    if ids:
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                           .values(**claimed_values(worker_id)).execution_options(synchronize_session=False))
    db.session.commit()
    return ids


def claim_ids(candidates: list[int], worker_id: str) -> list[int]:
    """Claim each candidate with a conditional UPDATE; a rowcount of 0 means another worker won it."""
    ids = []
    for message_id in candidates:
        result = db.session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
            .values(**claimed_values(worker_id)).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            ids.append(message_id)
    db.session.commit()
    return ids


def still_mine(message_id: int, worker_id: str) -> bool:
    """Refresh the lock just before sending; False when the lock was taken over meanwhile.

    Each message's lock is refreshed, so a batch that runs long keeps the rest of its claim."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING,
               OutboxMessage.locked_by == worker_id)
        .values(locked_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def send_claimed(ids: list[int], worker_id: str, stop=None) -> BatchResult:
    """Send the claimed messages over one SMTP connection, committing after each.

    Every claimed message ends committed as sent, failed or pending again: on a database error
    the batch is settled by `settle` (accepted ones recorded, the rest handed back); when the
    server cannot be reached the whole claim is handed back uncharged."""
    sent = failed = 0
    connection = None
    unsettled = list(ids)  # claimed, outcome not committed yet
    accepted: dict[int, tuple[str, object]] = {}  # the server said 250; "sent" not committed yet
    # Our claim cannot be taken over before the lock timeout; confirm (and refresh) it only
    # once a third of that has passed, instead of spending a commit per message.
    confirm_after = float(setting("MAIL_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)) / 3
    claimed_at = time.monotonic()
    try:
        for message_id in ids:
            if stop is not None and stop.is_set():
                release(unsettled, worker_id)
                break
            if time.monotonic() - claimed_at > confirm_after and not still_mine(message_id, worker_id):
                unsettled.remove(message_id)
                continue
            row = db.session.get(OutboxMessage, message_id, populate_existing=True)
            if not smtp.usable(connection):
                try:
                    connection = smtp.connect()
                except smtp.DeliveryError as error:
                    return server_unreachable(unsettled, worker_id, error, sent, failed)
            if send_one(connection, row):
                accepted[message_id] = (row.smtp_response, row.sent_at)
                sent += 1
            else:
                failed += 1
            db.session.commit()
            accepted.pop(message_id, None)
            unsettled.remove(message_id)
    except DATABASE_ERRORS as error:
        db.session.rollback()
        log.error("outbox worker: database error mid-batch (%s sent, not yet recorded): %s", len(accepted), error)
        settle(accepted, [i for i in unsettled if i not in accepted], worker_id)
    finally:
        smtp.close(connection)
    return BatchResult(sent, failed)


def server_unreachable(unsettled: list[int], worker_id: str, error: smtp.DeliveryError, sent: int,
                       failed: int) -> BatchResult:
    """The server is down or refuses us: no message is to blame, so none is charged an attempt."""
    hand_back(unsettled, worker_id, note=error.answer)
    db.session.commit()
    log.warning("outbox worker: SMTP server unavailable, %s message(s) handed back: %s", len(unsettled), error.answer)
    return BatchResult(sent, failed + len(unsettled), server_down=True)


def settle(accepted: dict[int, tuple[str, object]], unsent: list[int], worker_id: str) -> None:
    """Once the database answers again: record what the server accepted and hand back the rest.

    Retried with backoff for up to MAIL_LOCK_TIMEOUT; after that the claim may be taken over, and
    the accepted messages fall in the documented at-least-once window (they are logged)."""
    give_up_at = time.monotonic() + float(setting("MAIL_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
    delay = 0.2
    while True:
        try:
            for message_id, (answer, sent_at) in accepted.items():
                db.session.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, OutboxMessage.status.in_((PENDING, SENDING)))
                    .values(status=SENT, sent_at=sent_at, smtp_response=answer, locked_by=None)
                    .execution_options(synchronize_session=False))
            hand_back(unsent, worker_id)
            db.session.commit()
        except DATABASE_ERRORS as error:
            db.session.rollback()
            if time.monotonic() > give_up_at:
                log.error("outbox worker: could not record %s sent message(s) %s; they may be sent again: %s",
                          len(accepted), sorted(accepted), error)
                return
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
            continue
        if accepted:
            log.warning("outbox worker: recorded %s message(s) sent during a database outage", len(accepted))
        return


def send_one(connection, row: OutboxMessage) -> bool:
    """Build and transmit one message; record the outcome on the row (not committed)."""
    try:
        message = build_message(row, date=row.locked_at)
        _, envelope_from = sender()
        answer = smtp.transmit(connection, message, envelope_from, envelope_recipient(row.to_address),
                               smtputf8=needs_smtputf8(row.to_address))
    except MailError as error:
        record_failure(row, smtp.PermanentFailure(f"cannot build the message: {error}"))
        return False
    except smtp.DeliveryError as error:
        record_failure(row, error)
        return False
    row.status = SENT
    row.sent_at = utcnow()
    row.smtp_response = answer
    return True


def record_failure(row: OutboxMessage, error: smtp.DeliveryError) -> None:
    """Retry later with backoff, or give up after MAIL_MAX_ATTEMPTS or on a permanent refusal."""
    row.last_error = error.answer[:2000]
    row.locked_by = None
    if not error.temporary or row.attempts >= int(setting("MAIL_MAX_ATTEMPTS", 5)):
        row.status = FAILED
        log.warning("message %s to %s failed: %s", row.id, row.to_address, error.answer)
    else:
        row.status = PENDING
        row.next_attempt_at = utcnow() + backoff(row.attempts)
        log.info("message %s to %s will be retried: %s", row.id, row.to_address, error.answer)


def outage_wait(outages: int, poll: float) -> float:
    """Seconds to wait after the n-th SMTP outage in a row: poll, doubled each time, capped."""
    cap = float(setting("MAIL_OUTAGE_MAX_WAIT", DEFAULT_OUTAGE_MAX_WAIT))
    return min(cap, max(poll, 1.0) * 2 ** max(0, outages - 1))


def run(*, once: bool = False, batch: int | None = None, poll: float = 5.0, stop=None, worker_id: str | None = None,
        on_batch=None, also=()) -> tuple[int, int]:
    """Deliver until stopped (`stop` is a threading.Event or similar), or until nothing is due if `once`.

    `also` are other queues served in the same loop (the webhook deliveries): after each mail batch
    every one is called as `job(worker_id=...)` and returns (done, not done); the loop only waits
    when neither the outbox nor any of them had anything due."""
    worker_id = worker_id or new_worker_id()
    total_sent = total_failed = outages = 0
    while stop is None or not stop.is_set():
        wait = poll
        try:
            result = deliver_pending(limit=batch, worker_id=worker_id, stop=stop)
        except DATABASE_ERRORS as error:  # database briefly unavailable: wait and carry on
            db.session.rollback()
            log.error("outbox worker: database error, retrying: %s", error)
            result = BatchResult(0, 0)
            if once:
                raise
        finally:
            db.session.remove()
        sent, failed = result
        total_sent, total_failed = total_sent + sent, total_failed + failed
        if on_batch and (sent or failed):
            on_batch(sent, failed)
        others_busy = any([serve_other_queue(job, worker_id, once) for job in also])
        if result.server_down:
            outages += 1
            wait = outage_wait(outages, poll)
        else:
            outages = 0
            if sent or failed or others_busy:
                continue
        if once:
            break
        if stop is not None:
            stop.wait(wait)
        else:
            time.sleep(wait)
    return total_sent, total_failed


def serve_other_queue(job, worker_id: str, once: bool) -> bool:
    """One pass of another queue in the worker's loop; True when it handled something.

    A database error is logged and waited out like the outbox's own (raised with `once`)."""
    try:
        done, not_done = job(worker_id=worker_id)
    except DATABASE_ERRORS as error:
        db.session.rollback()
        log.error("worker: database error in %s, retrying: %s", getattr(job, "__qualname__", job), error)
        if once:
            raise
        return False
    finally:
        db.session.remove()
    return bool(done or not_done)


def send_test_message(address: str) -> str:
    """Send one message straight to `address`, bypassing the outbox; return the server's answer."""
    words = render_message("test", host=setting("MAIL_HOST", ""), port=setting("MAIL_PORT", ""))
    # A transient row, never added to the session: nothing is queued.
    row = OutboxMessage(
        kind="test", to_address=normalise_address(address, allow_local=True), to_name="",
        subject=words.subject, message_id=new_message_id(), calendar=None, html=None, text=words.text,
    )
    message = build_message(row)
    _, envelope_from = sender()
    connection = smtp.connect()
    try:
        return smtp.transmit(connection, message, envelope_from, envelope_recipient(row.to_address),
                             smtputf8=needs_smtputf8(row.to_address))
    finally:
        smtp.close(connection)
