"""The outbox: every message Convene sent or will send, as it was sent.

Organizers see the messages of the convenings they manage, admins all of them. Staff see
none: the messages carry invitees' personal RSVP links, which act on the invitee's behalf.
"""
from __future__ import annotations

import nh3
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import defer, joinedload

from ..auth.policy import role_required, visible_convening_ids
from ..edge import on_refusal
from ..extensions import db
from . import services
from .forms import OutboxFilterForm, RetryForm
from .message import build_message
from .models import OutboxMessage, OutboxStatus

bp = Blueprint("mail", __name__)

PAGE_SIZE = 50


def scoped(query: sa.Select) -> sa.Select:
    """Limit a query to the messages the current user may see."""
    if current_user.is_admin:
        return query
    return query.where(OutboxMessage.convening_id.in_(visible_convening_ids(current_user)))


def load_message(message_id: int) -> OutboxMessage:
    """The message, or 404 when absent or outside the user's scope."""
    message = db.session.scalar(scoped(sa.select(OutboxMessage).where(OutboxMessage.id == message_id))
                                .options(joinedload(OutboxMessage.convening)))
    if message is None:
        abort(404)
    return message


def filtered(form: OutboxFilterForm) -> sa.Select:
    """The outbox query for the valid filters of the form, newest first."""
    query = scoped(sa.select(OutboxMessage)).options(
        joinedload(OutboxMessage.convening),
        defer(OutboxMessage.text), defer(OutboxMessage.html), defer(OutboxMessage.calendar))  # not listed
    if form.status.data:
        query = query.where(OutboxMessage.status == form.status.data)
    if form.kind.data:
        query = query.where(OutboxMessage.kind == form.kind.data)
    if form.q.data:
        query = query.where(sa.func.lower(OutboxMessage.to_address).contains(form.q.data.strip().lower(),
                                                                           autoescape=True))
    if form.convening_id.data:
        query = query.where(OutboxMessage.convening_id == form.convening_id.data)
    return query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())


def mime_structure(message) -> list[tuple[int, str]]:
    """(depth, Content-Type with parameters and file name) of every MIME part, in order."""
    rows: list[tuple[int, str]] = []

    def visit(part, depth: int) -> None:
        kind = part.get_content_type()
        params = "".join(f"; {k}={v}" for k, v in part.get_params()[1:] if k not in ("boundary", "name"))
        name = part.get_filename()
        rows.append((depth, kind + params + (f" (attachment {name})" if name else "")))
        if part.is_multipart():
            for child in part.iter_parts():
                visit(child, depth + 1)
    visit(message, 0)
    return rows


@bp.route("/outbox")
@role_required("organizer")
def outbox():
    """Messages queued, sent and failed, filtered by status, kind and recipient."""
    form = OutboxFilterForm(request.args)
    if not form.validate():
        flash("Some filters were not understood and are ignored.", "error")
        for field in (form.status, form.kind, form.q, form.convening_id):
            if field.errors:
                field.data = None
    page = db.paginate(filtered(form), per_page=PAGE_SIZE, error_out=False)
    return render_template("mail/outbox.html", page=page, form=form)


@bp.route("/outbox/<int:message_id>")
@role_required("organizer")
def detail(message_id: int):
    """One message as it was (or will be) sent: headers, text, HTML source and calendar."""
    message = load_message(message_id)
    try:
        built = build_message(message, date=message.locked_at or message.created_at)
        headers, structure = list(built.items()), mime_structure(built)
    except services.MailError as error:  # e.g. MAIL_SENDER misconfigured: show the rest anyway
        headers, structure = [("(error)", str(error))], []
    mask = hide_personal_links
    html = mask(message.html or "")
    return render_template(
        "mail/detail.html", message=message, headers=[(name, mask(str(value))) for name, value in headers],
        text=mask(message.text or ""), html_source=html, html_clean=nh3.clean(html) if html else "",
        calendar=mask(message.calendar.decode("utf-8", "replace")) if message.calendar else "",
        structure=structure, retry_form=RetryForm(), can_retry=message.status == OutboxStatus.FAILED.value)


def hide_personal_links(text: str) -> str:
    """The message with the secret part of every personal link replaced by [token].

    An invitation carries the invitee's RSVP link, which opens their self-identified details and
    answers on their behalf; whoever reads the outbox must not be able to use it (issue 13).
    The same patterns keep tokens out of the access logs (convene.security).
    """
    return current_app.extensions["token_log_filter"].redact(text) if text else text


@bp.route("/outbox/<int:message_id>/retry", methods=("POST",))
@role_required("organizer")
def retry(message_id: int):
    """Queue a failed message again."""
    message = load_message(message_id)
    if not RetryForm().validate_on_submit():
        abort(400)
    on_refusal(redirect_to=url_for("mail.detail", message_id=message.id))
    services.retry(message, actor=current_user)
    db.session.commit()
    flash(f"The message to {message.to_address} is queued again; a worker will send it shortly.", "success")
    return redirect(url_for("mail.detail", message_id=message.id))
