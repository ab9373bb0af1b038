"""Routes of the notes area: the rapporteur's editor, remarks, sharing, and participants' comments."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..agenda.models import AgendaSession
from ..auth.policy import load_convening, signed_in
from ..edge import on_refusal
from ..extensions import db, limiter
from ..convenings.brand import use_attendee_page
from ..invitations.models import Invitation
from ..tokens.models import Purpose
from ..tokens.services import LinkProblem, open_link
from . import services
from .forms import CommentForm, NoteForm, NoteStatusForm, RemarkForm
from .models import NOTE_TRANSITIONS, NoteRemark, NoteRevision, NoteStatus, SessionNote

bp = Blueprint("notes", __name__)

#: Invitation statuses of the participants who may read and comment on shared notes.
PARTICIPANT_STATUSES = ("accepted", "attended")


def _session_of(convening, session_id: int) -> AgendaSession:
    """The agenda session, or 404 when it is not part of this convening (no ids from elsewhere)."""
    session = db.session.get(AgendaSession, session_id)
    if session is None or session.convening_id != convening.id:
        abort(404)
    return session


@bp.route("/convenings/<int:convening_id>/notes")
@signed_in
def index(convening_id: int):
    """Every session of the convening with the state of its notes."""
    convening = load_convening(convening_id)
    sessions = db.session.scalars(
        sa.select(AgendaSession).where(AgendaSession.convening_id == convening.id)
        .order_by(AgendaSession.starts_at, AgendaSession.position, AgendaSession.id)).all()
    notes = {n.session_id: n for n in db.session.scalars(
        sa.select(SessionNote).where(SessionNote.convening_id == convening.id))}
    return render_template("notes/index.html", convening=convening, sessions=sessions, notes=notes,
                           statuses=NoteStatus)


def _editor_page(convening, session, note: SessionNote | None, form: NoteForm | None = None, status: int = 200,
                 remark_form: RemarkForm | None = None):
    if note is not None:
        note = db.session.scalars(sa.select(SessionNote).where(SessionNote.id == note.id).options(
            selectinload(SessionNote.revisions).selectinload(NoteRevision.author),
            selectinload(SessionNote.remarks).selectinload(NoteRemark.speaker),
            selectinload(SessionNote.comments))).one()
    latest = note.latest if note else None
    if form is None:
        form = NoteForm(formdata=None, data={"summary": latest.summary if latest else "",
                                             "body": latest.body if latest else "",
                                             "base": note.revision_count if note else 0})
    compare = None
    wanted = request.args.get("compare", type=int)
    if note is not None and wanted:
        compare = next((r for r in note.revisions if r.number == wanted), None)
    status_form = NoteStatusForm(formdata=None, data={"version": note.version if note else None})
    if note is not None:
        status_form.status.choices = [(s, NoteStatus(s).label) for s in sorted(NOTE_TRANSITIONS[note.status])]
    return render_template(
        "notes/edit.html", convening=convening, session=session, note=note, form=form, compare=compare,
        remark_form=remark_form or RemarkForm(formdata=None, convening=convening), status_form=status_form,
        statuses=NoteStatus, strips=convening.attribution.strips_names,
        audience=[services.remark_for_audience(r, convening) for r in note.remarks] if note else [],
        staff_view=services.remark_for_staff), status


@bp.route("/convenings/<int:convening_id>/notes/<int:session_id>", methods=("GET", "POST"))
@signed_in
def edit(convening_id: int, session_id: int):
    """The rapporteur's editor; each save is a revision; a stale editor's save is kept apart, never lost."""
    convening = load_convening(convening_id)
    session = _session_of(convening, session_id)
    note = services.note_for(session)
    if request.method == "GET":
        return _editor_page(convening, session, note)
    form = NoteForm()
    if not form.validate_on_submit():
        return _editor_page(convening, session, note, form, 400)
    on_refusal(render=lambda error: _editor_page(convening, session, services.note_for(session), form), status=409)
    note = note or services.start_note(session, current_user)
    result = services.save_revision(note, summary=form.summary.data or "", body=form.body.data or "",
                                    base=form.base.data, actor=current_user)
    db.session.commit()
    flash(result.message, "warning" if result.kept_apart else "success")
    compare = result.revision.number - 1 if result.kept_apart else None
    return redirect(url_for("notes.edit", convening_id=convening.id, session_id=session.id, compare=compare)
                    + "#editor")


@bp.route("/convenings/<int:convening_id>/notes/<int:session_id>/autosave", methods=("POST",))
@signed_in
def autosave(convening_id: int, session_id: int):
    """Autosave from notes.js (JSON answer). Same rules as a save: nothing is ever overwritten by someone else."""
    convening = load_convening(convening_id)
    session = _session_of(convening, session_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return jsonify(ok=False, message="The notes could not be autosaved: " +
                       "; ".join(e for errs in form.errors.values() for e in errs)), 400
    on_refusal(render=lambda error: jsonify(ok=False, message=str(error)), status=409, flashed=False)
    note = services.note_for(session) or services.start_note(session, current_user)
    result = services.save_revision(note, summary=form.summary.data or "", body=form.body.data or "",
                                    base=form.base.data, actor=current_user, autosave=True)
    db.session.commit()
    return jsonify(ok=True, revision=result.revision.number, kept_apart=result.kept_apart,
                   message=result.message, saved_at=result.revision.saved_at.isoformat())


@bp.route("/convenings/<int:convening_id>/notes/<int:session_id>/status", methods=("POST",))
@signed_in
def change_status(convening_id: int, session_id: int):
    """Share the notes with participants for comment, take them back, or make them final (locked)."""
    convening = load_convening(convening_id)
    session = _session_of(convening, session_id)
    note = services.note_for(session) or abort(404)
    form = NoteStatusForm()
    editor = url_for("notes.edit", convening_id=convening.id, session_id=session.id)
    if form.validate_on_submit():
        on_refusal(redirect_to=editor)
        services.change_status(note, form.status.data, current_user, form.version.data)
        db.session.commit()
        flash(f"The notes are now: {NoteStatus(note.status).label.lower()}.", "success")
    return redirect(editor)


@bp.route("/convenings/<int:convening_id>/notes/<int:session_id>/remarks", methods=("POST",))
@signed_in
def add_remark(convening_id: int, session_id: int):
    """Add a remark; who made it goes to the staff-only layer."""
    convening = load_convening(convening_id)
    session = _session_of(convening, session_id)
    form = RemarkForm(convening=convening)
    note = services.note_for(session)
    if not form.validate_on_submit():
        return _editor_page(convening, session, note, remark_form=form, status=400)
    remarks = url_for("notes.edit", convening_id=convening.id, session_id=session.id, _anchor="remarks")
    on_refusal(redirect_to=remarks)
    services.add_remark(note or services.start_note(session, current_user), form.data, current_user)
    db.session.commit()
    flash("Remark added.", "success")
    return redirect(remarks)


def _remark_of(convening, remark_id: int) -> NoteRemark:
    remark = db.session.get(NoteRemark, remark_id)
    if remark is None or remark.note.convening_id != convening.id:
        abort(404)
    return remark


@bp.route("/convenings/<int:convening_id>/notes/remarks/<int:remark_id>", methods=("POST",))
@signed_in
def change_remark(convening_id: int, remark_id: int):
    """Clear a remark for quoting (or withdraw that), or delete it."""
    convening = load_convening(convening_id)
    remark = _remark_of(convening, remark_id)
    remarks = url_for("notes.edit", convening_id=convening.id, session_id=remark.note.session_id, _anchor="remarks")
    on_refusal(redirect_to=remarks)
    if request.form.get("do") == "delete":
        services.delete_remark(remark, current_user)
        message = "Remark deleted."
    else:
        services.set_cleared(remark, request.form.get("cleared") == "1", current_user)
        message = "Cleared for quoting." if remark.cleared_for_quoting else "No longer cleared for quoting."
    db.session.commit()
    flash(message, "success")
    return redirect(remarks)


@bp.route("/convenings/<int:convening_id>/notes/<int:session_id>/revisions/<int:number>")
@signed_in
def revision(convening_id: int, session_id: int, number: int):
    """One earlier revision, as saved."""
    convening = load_convening(convening_id)
    session = _session_of(convening, session_id)
    note = services.note_for(session) or abort(404)
    found = db.session.scalar(sa.select(NoteRevision).where(NoteRevision.note_id == note.id,
                                                            NoteRevision.number == number)) or abort(404)
    return render_template("notes/revision.html", convening=convening, session=session, note=note, revision=found)


@bp.route("/convenings/<int:convening_id>/notes/export.txt")
@signed_in
def export(convening_id: int):
    """Shared and final notes as participants may see them (names stripped as the attribution rule says)."""
    convening = load_convening(convening_id)
    response = make_response(services.participant_export(convening))
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="notes-{convening.slug}.txt"'
    return response


# --- participants, through their personal invitation link ------------------------------------

def _participant(token: str) -> tuple[Invitation | None, tuple | None]:
    """The invitation behind an RSVP link (LinkProblem if it opens none), or a 403 page for a non-participant."""
    invitation = db.session.get(Invitation, open_link(token, Purpose.RSVP).invitation_id)
    if invitation is None:
        raise LinkProblem("unknown", Purpose.RSVP)
    use_attendee_page(invitation.person, invitation.convening)
    if invitation.status not in PARTICIPANT_STATUSES:
        return None, (render_template("errors/error.html", status=403, title=_("Notes not available"),
                                      message=_("Session notes are shared with the participants of the convening "
                                                "only.")), 403)
    return invitation, None


@bp.route("/my/<token>/notes")
@limiter.limit("60/minute")
def participant_index(token: str):
    """The notes shared with a participant."""
    invitation, problem = _participant(token)
    if problem:
        return problem
    notes = db.session.scalars(
        sa.select(SessionNote).join(AgendaSession, AgendaSession.id == SessionNote.session_id)
        .where(SessionNote.convening_id.in_(invitation.convening.family_ids),
               SessionNote.status.in_([NoteStatus.SHARED.value, NoteStatus.FINAL.value]))
        .options(selectinload(SessionNote.session)).order_by(AgendaSession.starts_at)).all()
    return render_template("notes/participant_index.html", invitation=invitation, notes=notes, token=token,
                           statuses=NoteStatus)


@bp.route("/my/<token>/notes/<int:session_id>", methods=("GET", "POST"))
@limiter.limit("60/minute")
def participant_note(token: str, session_id: int):
    """One session's notes for a participant, names stripped per the rule; a comment form while shared."""
    invitation, problem = _participant(token)
    if problem:
        return problem
    note = _shared_note(invitation, session_id)
    form = CommentForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: _participant_page(invitation, note, form, token), status=400)
        services.add_comment(note, invitation, form.text.data)
        db.session.commit()
        flash(_("Thank you: your comment was sent to the rapporteur."), "success")
        return redirect(url_for("notes.participant_note", token=token, session_id=session_id))
    return _participant_page(invitation, note, form, token), 400 if request.method == "POST" else 200


def _shared_note(invitation, session_id: int) -> SessionNote:
    """The shared or final notes of a session of the participant's convenings, or 404."""
    session = db.session.get(AgendaSession, session_id)
    if session is None or session.convening_id not in invitation.convening.family_ids:
        abort(404)
    note = services.note_for(session)
    if note is None or note.status == NoteStatus.DRAFT.value:
        abort(404)
    return note


def _participant_page(invitation, note: SessionNote, form: CommentForm, token: str) -> str:
    own = [c for c in note.comments if c.invitation_id == invitation.id]
    return render_template("notes/participant_note.html", invitation=invitation, note=note, session=note.session,
                           convening=note.convening, form=form, token=token, own_comments=own,
                           remarks=[services.remark_for_audience(r, note.convening) for r in note.remarks],
                           statuses=NoteStatus)
