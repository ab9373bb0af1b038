"""Routes of the webhooks area: administrators register hooks, read their delivery log, send a test event."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.policy import role_required
from ..edge import on_refusal
from ..extensions import db
from . import services
from .forms import ActionForm, WebhookForm
from .models import Webhook, WebhookDelivery

bp = Blueprint("webhooks", __name__)

#: Deliveries shown on a hook's page, newest first.
LOG_SIZE = 50


def _load(webhook_id: int) -> Webhook:
    return db.session.get(Webhook, webhook_id) or abort(404)


@bp.route("/admin/webhooks", methods=("GET", "POST"))
@role_required("admin")
def index():
    """Every webhook, and the form to add one; the new hook's secret is shown once, on this answer.

    A refused address or event list (safety.UnsafeURL, services.WebhookError) is shown under its field."""
    form = WebhookForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: _index_page(form), form=form, status=400)
        hook, secret = services.create_webhook(form.data, actor=current_user)
        db.session.commit()
        flash(f"Webhook added for {hook.url}. Copy its signing secret now: it is not shown again.", "success")
        return _index_page(WebhookForm(formdata=None), secret), 201
    return _index_page(form), (400 if form.errors else 200)


def _index_page(form: WebhookForm, secret: str | None = None) -> str:
    hooks = db.session.scalars(sa.select(Webhook).order_by(Webhook.created_at.desc(), Webhook.id.desc())).all()
    return render_template("webhooks/index.html", form=form, hooks=hooks, secret=secret,
                           action_form=ActionForm(formdata=None))


@bp.get("/admin/webhooks/<int:webhook_id>")
@role_required("admin")
def detail(webhook_id: int):
    """A hook's settings and its delivery log."""
    hook = _load(webhook_id)
    log = db.session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
                             .order_by(WebhookDelivery.id.desc()).limit(LOG_SIZE)).all()
    return render_template("webhooks/detail.html", hook=hook, log=log, action_form=ActionForm(formdata=None))


def _post_action(webhook_id: int, act, message: str):
    hook = _load(webhook_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    act(hook)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("webhooks.detail", webhook_id=hook.id) if db.session.get(Webhook, webhook_id)
                    else url_for("webhooks.index"))


@bp.post("/admin/webhooks/<int:webhook_id>/test")
@role_required("admin")
def send_test(webhook_id: int):
    """Queue a signed "ping" event for this hook; the worker sends it like any other."""
    return _post_action(webhook_id, lambda hook: services.send_test(hook, current_user),
                        "Test event queued; it appears in the log below once the worker has sent it.")


@bp.post("/admin/webhooks/<int:webhook_id>/switch")
@role_required("admin")
def switch(webhook_id: int):
    """Switch a hook off (nothing more is queued or sent) or back on."""
    hook = _load(webhook_id)
    return _post_action(webhook_id, lambda h: services.set_active(h, not h.active, current_user),
                        "Webhook switched " + ("off." if hook.active else "on."))


@bp.post("/admin/webhooks/<int:webhook_id>/delete")
@role_required("admin")
def delete(webhook_id: int):
    """Remove a hook and its delivery log."""
    return _post_action(webhook_id, lambda hook: services.delete_webhook(hook, current_user), "Webhook removed.")
