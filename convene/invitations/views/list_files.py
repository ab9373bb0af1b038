"""The guest list as a file: importing a CSV or spreadsheet (preview, then confirm) and exporting it."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, flash, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...auth.policy import load_convening, role_required
from ...edge import on_refusal
from ...extensions import db
from ...people.models import Person
from .. import importing
from ..forms import ImportConfirmForm, ImportForm
from ..models import Invitation
from .common import back_to_list, bp


@bp.route("/convenings/<int:convening_id>/guests/import", methods=("GET", "POST"))
@role_required("organizer")
def import_csv(convening_id: int):
    """Upload a guest list file and see what would be created and matched; nothing is written yet."""
    convening = load_convening(convening_id, need="manage")
    form = ImportForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: render_template("invitations/import.html", convening=convening, form=form),
                   form=form, field="file")
        preview = importing.parse(form.file.data.read(), convening, filename=form.file.data.filename or "",
                                  encoding=form.encoding.data, delimiter=form.delimiter.data)
        return _import_preview(convening, preview, form.role.data, form.priority.data, form=form)
    return render_template("invitations/import.html", convening=convening, form=form), 422 if form.errors else 200


def _import_preview(convening, preview, role: str, priority: str, status: int | None = None, **context):
    payload = importing.sign(convening, preview, role, priority)
    return render_template("invitations/import_preview.html", convening=convening, preview=preview,
                           confirm=ImportConfirmForm(payload=payload), role=role, priority=priority,
                           shown_value=importing.shown_value, **context), status or (422 if preview.errors else 200)


@bp.route("/convenings/<int:convening_id>/guests/import/confirm", methods=("POST",))
@role_required("organizer")
def import_confirm(convening_id: int):
    """Commit a previewed import: everything (or the valid rows, if asked); if anything changed since
    the preview, nothing."""
    convening = load_convening(convening_id, need="manage")
    form = ImportConfirmForm()
    valid_only = form.mode.data == "valid"
    on_refusal(redirect_to=url_for("invitations.import_csv", convening_id=convening.id))
    signed = _signed_preview(form, convening, whole=not valid_only)
    preview = importing.check_rows(signed["records"], convening)
    if preview.errors:
        return _import_preview(convening, preview, signed["role"], signed["priority"], 409, changed=True)
    added = importing.commit(convening, preview, role=signed["role"], priority=signed["priority"],
                             actor=current_user, valid_only=valid_only)
    db.session.commit()
    skipped = f" {len(signed['refused'])} refused row(s) were left out." if valid_only and signed["refused"] else ""
    flash(f"Imported {len(added)} invitee(s): {len(preview.new_people)} new in the directory, "
          f"{len(preview.matched)} matched.{skipped}", "success")
    return back_to_list(convening.id)


def _signed_preview(form: ImportConfirmForm, convening, *, whole: bool) -> dict:
    """The preview signed into the confirm form; CsvImportError when the form expired or was tampered
    with, or when a whole import is asked of a file with refused rows."""
    if not form.validate_on_submit():
        raise importing.CsvImportError("The form expired; please upload the file again.")
    signed = importing.unsign(form.payload.data, convening)
    if signed["refused"] and whole:
        raise importing.CsvImportError("The file has rows to correct; nothing was imported.")
    return signed


@bp.route("/convenings/<int:convening_id>/guests/import/refused.csv", methods=("POST",))
@role_required("organizer")
def import_refused(convening_id: int):
    """The refused rows of a preview with their reasons, as a CSV to correct and upload again."""
    convening = load_convening(convening_id, need="manage")
    on_refusal(redirect_to=url_for("invitations.import_csv", convening_id=convening.id))
    refused = _signed_preview(ImportConfirmForm(), convening, whole=False)["refused"]
    return Response(importing.refused_csv(refused), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="refused-rows-{convening.id}.csv"'})


@bp.route("/convenings/<int:convening_id>/guests/export.csv")
@role_required("organizer")
def export_csv(convening_id: int):
    """The guest list's people in the import's format (gender included: only managers get here)."""
    convening = load_convening(convening_id, need="manage")
    people = db.session.scalars(sa.select(Person).join(Invitation, Invitation.person_id == Person.id)
                                .where(Invitation.convening_id == convening.id, Person.erased_at.is_(None))
                                .options(joinedload(Person.organization)).order_by(Person.name, Person.id))
    return Response(importing.people_csv(people, with_gender=True), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="guest-list-{convening.id}.csv"'})
