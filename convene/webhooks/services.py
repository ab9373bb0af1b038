"""Registering webhooks and queueing their events.

`emit(event, data)` is called by the area where the event happens, inside its transaction: a
delivery row per subscribed, active hook is added to the session, so an event is queued exactly
when its change is committed (the mail outbox's rule). The worker (delivery.py) sends them.

Payloads carry only what is public or about to be (slugs, titles, dates, public URLs): a hook
is an address outside the app.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

import sqlalchemy as sa

from ..agenda.models import AgendaSettings
from ..audit.services import record
from ..db_types import utcnow
from ..errors import DomainError
from ..extensions import db
from ..urls import absolute_url
from .models import PING, Event, Webhook, WebhookDelivery
from .safety import check_url

SIGNATURE_HEADER = "Convene-Signature"
EVENT_HEADER = "Convene-Event"
DELIVERY_HEADER = "Convene-Delivery"


class WebhookError(DomainError):
    """A webhook cannot be saved as asked."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (documented in docs/api.md; the tests use it): check the MAC and the time."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if not parts.get("t", "").isdigit() or abs(now - int(parts["t"])) > tolerance:
        return False
    expected = sign(secret, int(parts["t"]), body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def _events(names) -> list[str]:
    known = {e.value for e in Event}
    chosen = [name for name in names or () if name in known]
    if not chosen:
        raise WebhookError("Choose at least one event to send.", field="events")
    return sorted(set(chosen))


def create_webhook(data: dict[str, Any], actor) -> tuple[Webhook, str]:
    """A new active hook and its signing secret (shown once)."""
    url = check_url(data.get("url") or "")
    hook = Webhook(url=url, description=(data.get("description") or "").strip()[:200],
                   events=_events(data.get("events")), secret=new_secret(), active=True,
                   created_by_id=getattr(actor, "id", None))
    db.session.add(hook)
    record("webhook.create", hook, actor=actor, changes={"url": [None, url], "events": [None, hook.events]})
    return hook, hook.secret


def set_active(hook: Webhook, active: bool, actor) -> Webhook:
    if hook.active != active:
        record("webhook.update", hook, actor=actor, changes={"active": [hook.active, active]})
        hook.active = active
    return hook


def delete_webhook(hook: Webhook, actor) -> None:
    record("webhook.delete", hook, actor=actor, changes={"url": [hook.url, None]})
    db.session.delete(hook)


def _body(event: str, data: dict[str, Any]) -> str:
    return json.dumps({"id": str(uuid.uuid4()), "event": event, "created_at": utcnow().isoformat(), "data": data},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def emit(event: Event | str, data: dict[str, Any]) -> int:
    """Queue the event for every active hook that subscribes to it; return how many deliveries."""
    name = Event(event).value
    hooks = db.session.scalars(sa.select(Webhook).where(Webhook.active)).all()
    chosen = [hook for hook in hooks if name in (hook.events or [])]
    for hook in chosen:
        db.session.add(WebhookDelivery(webhook_id=hook.id, event=name, body=_body(name, data)))
    return len(chosen)


def send_test(hook: Webhook, actor) -> WebhookDelivery:
    """Queue a "ping" for this hook, whatever it subscribes to (the "Send test event" button)."""
    delivery = WebhookDelivery(webhook_id=hook.id, event=PING, body=_body(PING, {
        "webhook_id": hook.id, "message": "A test event from Convene. Check the signature as in the docs."}))
    db.session.add(delivery)
    record("webhook.test", hook, actor=actor)
    return delivery


# --- what each event says ---------------------------------------------------------------------

def brief_data(brief) -> dict[str, Any]:
    return {"slug": brief.slug, "title": brief.title, "kind": brief.kind,
            "published_on": brief.published_on.isoformat() if brief.published_on else None,
            "regions": brief.region_names, "url": absolute_url("briefs.public_detail", slug=brief.slug),
            "api_url": absolute_url("api.publication", slug=brief.slug)}


def convening_data(convening) -> dict[str, Any]:
    """The convening's public facts; its URLs only when its public page is on."""
    settings = db.session.get(AgendaSettings, convening.id)
    public = settings is not None and settings.public
    return {"slug": convening.slug, "title": convening.title, "starts_on": convening.starts_on.isoformat(),
            "ends_on": convening.ends_on.isoformat(), "timezone": convening.timezone,
            "url": absolute_url("public.convening", slug=convening.slug) if public else None,
            "api_url": absolute_url("api.convening", slug=convening.slug) if public else None}
