"""Organizers' pages: write to participants (choose, write, preview, send) and the messages sent so far."""
from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.policy import load_convening, role_required
from ..edge import on_refusal
from ..extensions import db
from ..invitations.invitation_template import default_language
from .attachments import MAX_FILES, accept, kept_files, limits, sign
from .forms import ACTIONS, ComposeForm
from .history import message_of, messages_of, recipients_of
from .recipients import STATUS_CHOICES, Selection, select_recipients
from .services import PLACEHOLDERS, Draft, check_draft, preview, send

bp = Blueprint("correspondence", __name__)


@bp.route("/convenings/<int:convening_id>/write", methods=("GET", "POST"))
@role_required("organizer")
def compose(convening_id: int):
    """Choose who (picked on the guest list: ?invitation=…, or by status and role), write, preview, send."""
    convening = load_convening(convening_id, need="manage")
    form = ComposeForm(request.args) if request.method == "GET" else ComposeForm()  # a GET may preselect
    if not form.language.raw_data:  # not chosen yet: the convening's language
        form.language.data = default_language(convening)
    selection = Selection.of(form.statuses.data or [], form.roles.data or [], form.dialogues.data,
                             form.invitation.data or [])
    recipients = select_recipients(convening, selection)
    action = request.form.get("action") if request.method == "POST" else None
    if action not in ACTIONS:
        return _page(convening, form, recipients)
    kept = kept_files(form.kept.data or "", convening.id, current_user.id, keep=form.keep.data or [])
    page = partial(_page, convening, form, recipients, kept)
    if not form.validate():
        return page(), 422
    draft = Draft.of(form.subject.data, form.body.data, form.language.data, form.include_link.data)
    on_refusal(render=lambda error: page(problems=[str(error)]), flashed=False)
    if action == "count":
        return page()
    files = accept(_uploads(form), kept, actor=current_user)
    if action == "preview":
        shown = _preview(draft, convening, recipients, files)
        db.session.commit()  # the files chosen are kept for sending
        return _page(convening, form, recipients, files, shown=shown)
    message, _ = send(convening, selection, draft, files, actor=current_user,
                      expected=request.form.get("expected", type=int))
    db.session.commit()
    flash(f"Your message is on its way to {message.recipients_count} "
          f"{'person' if message.recipients_count == 1 else 'people'}.", "success")
    return redirect(url_for("correspondence.detail", convening_id=convening.id, participant_message_id=message.id))


def _uploads(form: ComposeForm) -> list[tuple[str, bytes]]:
    """The files chosen, read up to one byte over the limit (so that a larger file is refused, not cut)."""
    per_file, _ = limits()
    return [(upload.filename, upload.stream.read(per_file + 1)) for upload in form.files.data or []
            if getattr(upload, "filename", "")]


def _preview(draft: Draft, convening, recipients, files) -> dict | None:
    """The e-mail as the chosen recipient (?preview_for, default the first) would receive it."""
    check_draft(draft)
    chosen = request.form.get("preview_for", type=int)
    invitation = next((i for i in recipients.invitations if i.id == chosen), None) or next(
        iter(recipients.invitations), None)
    if invitation is None:
        return None
    return {"invitation": invitation, "words": preview(draft, convening, invitation, [f.filename for f in files])}


def _page(convening, form: ComposeForm, recipients, files=(), shown=None, problems=()) -> str:
    per_file, total = limits()
    return render_template("correspondence/compose.html", convening=convening, form=form, recipients=recipients,
                           files=list(files), kept=sign(list(files), convening.id, current_user.id), shown=shown,
                           problems=problems, placeholders=PLACEHOLDERS, max_files=MAX_FILES,
                           status_names=dict(STATUS_CHOICES),
                           max_file_mb=per_file // (1024 * 1024), max_total_mb=total // (1024 * 1024))


@bp.route("/convenings/<int:convening_id>/write/sent")
@role_required("organizer")
def history(convening_id: int):
    """Every message written to this convening's participants, with its delivery counts."""
    convening = load_convening(convening_id, need="manage")
    return render_template("correspondence/history.html", convening=convening, sent=messages_of(convening))


@bp.route("/convenings/<int:convening_id>/write/sent/<int:participant_message_id>")
@role_required("organizer")
def detail(convening_id: int, participant_message_id: int):
    """One message: its text, files, and each recipient with their e-mail's delivery state."""
    convening = load_convening(convening_id, need="manage")
    message = message_of(convening, participant_message_id)
    if message is None:
        abort(404)
    return render_template("correspondence/detail.html", convening=convening, message=message,
                           deliveries=recipients_of(message))
