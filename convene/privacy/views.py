"""Admin pages for personal-data rights: export, erase, anonymize, and the retention purge."""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..audit.services import record
from ..auth.policy import role_required
from ..extensions import db
from ..people.models import Person
from . import services
from .forms import AnonymizeForm, ConfirmForm, EraseSelfIdentificationForm

bp = Blueprint("privacy", __name__)


def _load_person(person_id: int) -> Person:
    return db.session.get(Person, person_id) or abort(404)


@bp.route("/admin/people/<int:person_id>/privacy")
@role_required("admin")
def person(person_id: int):
    """What Convene holds about a person, and the export and erasure actions."""
    person = _load_person(person_id)
    summary = {table: len(rows) for table, rows in services.export_person(person)["records"].items()}
    return render_template("privacy/person.html", person=person, summary=summary, export_form=ConfirmForm(),
                           erase_form=EraseSelfIdentificationForm(), anonymize_form=AnonymizeForm())


@bp.route("/admin/people/<int:person_id>/privacy/export", methods=("POST",))
@role_required("admin")
def export(person_id: int):
    """Download everything about the person as JSON (a POST: it is recorded in the audit trail)."""
    person = _load_person(person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    data = services.export_person(person)
    record("person.export", person, actor=current_user)
    db.session.commit()
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="person-{person.id}-export.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/admin/people/<int:person_id>/privacy/erase", methods=("POST",))
@role_required("admin")
def erase(person_id: int):
    """Delete the person's self-identified data (gender, nationality, dietary and access needs)."""
    person = _load_person(person_id)
    form = EraseSelfIdentificationForm()
    if not form.validate_on_submit():
        flash("Tick the box to confirm the erasure; nothing was deleted.", "error")
        return redirect(url_for("privacy.person", person_id=person.id))
    services.erase_self_identification(person, actor=current_user)
    db.session.commit()
    flash("Self-identified data deleted.", "success")
    return redirect(url_for("privacy.person", person_id=person.id))


@bp.route("/admin/people/<int:person_id>/privacy/anonymize", methods=("POST",))
@role_required("admin")
def anonymize(person_id: int):
    """Erase the person: identifying data goes, the row and invitations stay for past counts."""
    person = _load_person(person_id)
    form = AnonymizeForm()
    if not form.validate_on_submit():
        flash("Tick the box to confirm the erasure; nothing was deleted.", "error")
        return redirect(url_for("privacy.person", person_id=person.id))
    services.anonymize_person(person, actor=current_user)
    db.session.commit()
    flash(f"The person was erased and is now shown as “{person.name}”.", "success")
    return redirect(url_for("privacy.person", person_id=person.id))


@bp.route("/admin/privacy/retention", methods=("GET", "POST"))
@role_required("admin")
def retention():
    """Who is past the retention period, and purging their self-identified data now."""
    months = int(current_app.config.get("RETENTION_MONTHS", 24))
    form = ConfirmForm()
    if form.validate_on_submit():
        purged = services.purge_expired(date.today(), months, actor=current_user)
        db.session.commit()
        flash(f"Self-identified data of {len(purged)} people deleted.", "success")
        return redirect(url_for("privacy.retention"))
    due = db.session.scalars(services.people_past_retention(date.today(), months)).all()
    return render_template("privacy/retention.html", months=months, due=due, form=form,
                           cutoff=services.retention_cutoff(date.today(), months))
