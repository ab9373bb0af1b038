"""The webhook worker: claim due deliveries, POST them signed, retry with backoff, keep the log.

The same guarantees as the mail outbox (mail/worker.py): a delivery is claimed (pending →
sending, by a conditional UPDATE whose row count tells who won) and the claim committed before
any HTTP traffic; the outcome is committed per delivery; a claim left by a dead worker is taken
back after WEBHOOK_LOCK_TIMEOUT. A 2xx answer is delivered; anything else (an error status, a
timeout, a refused connection, an address that is no longer allowed) is retried after
WEBHOOK_RETRY_BASE × 2^(attempt−1) seconds, capped at WEBHOOK_RETRY_MAX, until
WEBHOOK_MAX_ATTEMPTS, then failed.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..db_types import utcnow
from ..extensions import db
from ..mail.worker import new_worker_id
from . import safety
from .models import DeliveryStatus, WebhookDelivery
from .services import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign

log = logging.getLogger(__name__)
PENDING, SENDING, DELIVERED, FAILED = (s.value for s in DeliveryStatus)


def _setting(name: str):
    return current_app.config[name]


def backoff(attempts: int) -> timedelta:
    base, cap = float(_setting("WEBHOOK_RETRY_BASE")), float(_setting("WEBHOOK_RETRY_MAX"))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def reclaim_stale() -> int:
    """Put back deliveries whose worker stopped mid-attempt.

    Runs on every pass of every worker (the mail worker's loop included), so the usual case — none
    stale — is a read: no write lock is taken, which on SQLite would queue the web requests' writes."""
    cutoff = utcnow() - timedelta(seconds=float(_setting("WEBHOOK_LOCK_TIMEOUT")))
    stale = (WebhookDelivery.status == SENDING) & (WebhookDelivery.locked_at < cutoff)
    if not db.session.scalar(sa.select(sa.exists().where(stale))):
        db.session.commit()
        return 0
    result = db.session.execute(
        sa.update(WebhookDelivery).where(stale)
        .values(status=PENDING, locked_by=None, next_attempt_at=utcnow(),
                last_error="the worker stopped while sending; delivery is unconfirmed")
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def claim(limit: int, worker_id: str) -> list[int]:
    """Mark up to `limit` due deliveries `sending` for this worker, commit, and return their ids."""
    candidates = list(db.session.scalars(
        sa.select(WebhookDelivery.id).where(WebhookDelivery.status == PENDING,
                                            WebhookDelivery.next_attempt_at <= utcnow())
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))
    db.session.commit()
    ids = []
    for delivery_id in candidates:
        result = db.session.execute(
            sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == PENDING)
            .values(status=SENDING, locked_by=worker_id, locked_at=utcnow(), attempts=WebhookDelivery.attempts + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            ids.append(delivery_id)
    db.session.commit()
    return ids


def attempt(delivery: WebhookDelivery) -> None:
    """One signed POST; the outcome is recorded on the row (the caller commits)."""
    body = delivery.body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Convene-Webhooks/1",
               SIGNATURE_HEADER: sign(delivery.webhook.secret, int(time.time()), body),
               EVENT_HEADER: delivery.event, DELIVERY_HEADER: str(delivery.id)}
    try:
        status, answer = safety.post(delivery.webhook.url, body, headers, float(_setting("WEBHOOK_TIMEOUT")))
    except (safety.UnsafeURL, OSError, ValueError) as error:
        _failed(delivery, None, str(error) or type(error).__name__)
        return
    if 200 <= status < 300:
        delivery.status, delivery.delivered_at, delivery.last_status_code = DELIVERED, utcnow(), status
        delivery.last_error, delivery.locked_by = "", None
    else:
        _failed(delivery, status, answer.decode("utf-8", "replace")[:500])


def _failed(delivery: WebhookDelivery, status: int | None, error: str) -> None:
    delivery.last_status_code, delivery.last_error, delivery.locked_by = status, error[:2000], None
    if delivery.attempts >= int(_setting("WEBHOOK_MAX_ATTEMPTS")):
        delivery.status = FAILED
        log.warning("webhook delivery %s failed for good: %s %s", delivery.id, status, error[:200])
    else:
        delivery.status = PENDING
        delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)


def deliver_due(limit: int | None = None, worker_id: str | None = None) -> tuple[int, int]:
    """Send what is due now; (delivered, not delivered). Commits per delivery."""
    worker_id = worker_id or new_worker_id()
    reclaim_stale()
    delivered = failed = 0
    for delivery_id in claim(limit or int(_setting("WEBHOOK_BATCH")), worker_id):
        delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
        if delivery is None or not delivery.webhook.active:
            if delivery is not None:
                delivery.status, delivery.locked_by, delivery.last_error = FAILED, None, "the webhook is switched off"
            db.session.commit()
            continue
        attempt(delivery)
        delivered, failed = (delivered + 1, failed) if delivery.status == DELIVERED else (delivered, failed + 1)
        db.session.commit()
    return delivered, failed


def run(*, once: bool = False, poll: float = 5.0, stop=None) -> tuple[int, int]:
    """Deliver until stopped, or until nothing is due when `once`."""
    worker_id = new_worker_id()
    totals = [0, 0]
    while stop is None or not stop.is_set():
        try:
            done, failed = deliver_due(worker_id=worker_id)
        finally:
            db.session.remove()
        totals[0] += done
        totals[1] += failed
        if done or failed:
            continue
        if once:
            break
        (stop.wait if stop is not None else time.sleep)(poll)
    return totals[0], totals[1]
