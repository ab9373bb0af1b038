"""Rapporteur notes: saving revisions, remarks under the attribution rule, sharing, comments.

The attribution rule is applied here, in one place: every participant-facing or public view
and export goes through `remark_for_audience`, which strips the speaker and affiliation
unless the convening is on the record or the remark was cleared for quoting.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext, gettext as _
from sqlalchemy.orm import selectinload

from ..agenda.models import AgendaSession
from ..audit.services import record
from ..convenings.models import Convening
from ..db_types import utcnow
from ..editing import check_version
from ..errors import DomainError
from ..extensions import db
from ..i18n.locale import attendee_language, language
from ..invitations import links as invitation_links
from ..invitations.models import Invitation
from ..mail.services import queue_message
from ..messages.services import compose
from ..people.models import Person
from .models import NOTE_TRANSITIONS, NoteComment, NoteRemark, NoteRevision, NoteStatus, SessionNote

#: Autosaves of one editor within this many minutes update the same revision; after a longer
#: pause the next save starts a new revision (a long-idle tab never overwrites older text).
DEFAULT_COALESCE_MINUTES = 10
MAX_TEXT = 200_000


class NoteError(DomainError):
    """A rule about notes was broken; the message is shown to the user."""


@dataclass
class SaveResult:
    revision: NoteRevision
    #: True when the save became a new revision because the editor was stale or idle.
    kept_apart: bool = False
    created: bool = True
    message: str = "Saved."


def _coalesce_window() -> timedelta:
    minutes = DEFAULT_COALESCE_MINUTES
    if has_app_context():
        minutes = current_app.config.get("NOTES_AUTOSAVE_COALESCE_MINUTES", minutes)
    return timedelta(minutes=minutes)


def note_for(session: AgendaSession) -> SessionNote | None:
    """The note of a session, if one was started."""
    return db.session.scalar(sa.select(SessionNote).where(SessionNote.session_id == session.id))


def start_note(session: AgendaSession, actor) -> SessionNote:
    """The session's note, created (empty, in draft) when it does not exist yet."""
    note = note_for(session)
    if note is None:
        note = SessionNote(session=session, convening_id=session.convening_id)
        db.session.add(note)
        record("note.create", note, actor=actor, changes={"session_id": [None, session.id]})
    return note


def _describe(revision: NoteRevision) -> str:
    who = revision.author.name if revision.author is not None else "someone"
    return f"revision {revision.number} by {who} at {revision.saved_at:%H:%M} UTC"


def save_revision(note: SessionNote, *, summary: str, body: str, base: int | None, actor,
                  autosave: bool = False, now: datetime | None = None) -> SaveResult:
    """Keep what the editor sent. Never overwrites another save; a stale or idle editor gets a new revision."""
    if note.locked:
        raise NoteError("These notes are final and locked; they can no longer be edited.")
    if len(summary) > MAX_TEXT or len(body) > MAX_TEXT:
        raise NoteError("The notes are too long to save in one piece.")
    now = now or utcnow()
    latest = note.latest
    base = note.revision_count if base is None else base
    stale = base != note.revision_count
    if latest is not None and not stale and latest.summary == summary and latest.body == body:
        if not autosave and latest.autosave:
            latest.autosave = False  # an explicit save confirms the autosaved text
        return SaveResult(latest, created=False, message="No changes since the last save.")
    own_autosave = (latest is not None and latest.autosave and not stale
                    and actor is not None and latest.author_id == getattr(actor, "id", None))
    idle = own_autosave and now - latest.saved_at > _coalesce_window()
    if own_autosave and not idle:
        latest.summary, latest.body, latest.saved_at, latest.autosave = summary, body, now, autosave
        note.updated_at = now
        return SaveResult(latest, created=False, message=f"Saved (revision {latest.number}).")
    revision = NoteRevision(note=note, number=note.revision_count + 1, summary=summary, body=body,
                            author_id=getattr(actor, "id", None), created_at=now, saved_at=now,
                            based_on=base, autosave=autosave)
    note.revision_count = revision.number
    note.updated_at = now
    db.session.add(revision)
    record("note.revision", note, actor=actor,
           changes={"revision": [base, revision.number], "stale": [None, stale], "autosave": [None, autosave]})
    if stale:
        other = latest
        return SaveResult(revision, kept_apart=True, message=(
            f"Someone saved these notes while you were editing ({_describe(other)}). Nothing was "
            f"overwritten: your text was kept as a new revision {revision.number}. Compare the two "
            "revisions and merge them if needed."))
    if idle:
        return SaveResult(revision, kept_apart=True, message=(
            f"This editor had been idle for a while, so your text was saved as a new revision "
            f"{revision.number}; the earlier text stays in revision {latest.number}."))
    return SaveResult(revision, message=f"Saved as revision {revision.number}.")


def change_status(note: SessionNote, status: str, actor, seen_version: int | None = None) -> SessionNote:
    """Draft → shared (participants may comment) → final (locked)."""
    check_version(note, seen_version)
    if status == note.status:
        return note
    if status not in NOTE_TRANSITIONS.get(note.status, set()):
        raise NoteError(f"Notes that are {NoteStatus(note.status).label.lower()} cannot become "
                        f"{NoteStatus(status).label.lower() if status in NoteStatus._value2member_map_ else status}.")
    if status == NoteStatus.FINAL.value and note.revision_count == 0:
        raise NoteError("Write and save the notes before making them final.")
    before = note.status
    note.status = status
    if status == NoteStatus.SHARED.value:
        note.shared_at = utcnow()
        tell_participants(note)
    if status == NoteStatus.FINAL.value:
        note.finalised_at = utcnow()
        _confirm_autosave(note)
    record("note.status", note, actor=actor, changes={"status": [before, status]})
    return note


#: Who is told that notes are shared: those who took part (the same rule as reading them).
PARTICIPANT_STATUSES = ("accepted", "attended")


def readers_of(convening: Convening) -> list[Invitation]:
    """Invitations whose participants may read this convening's shared notes: its own, its
    conference's (a conference participant reads every dialogue's notes) and its dialogues'."""
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.convening_id.in_(convening.family_ids), Invitation.status.in_(PARTICIPANT_STATUSES))
        .options(selectinload(Invitation.person)).order_by(Invitation.id)))


def tell_participants(note: SessionNote) -> int:
    """E-mail each participant that notes are shared for their review, with their one personal link.

    A rapporteur shares session after session: each participant gets at most one such e-mail per
    day (the outbox's dedupe key), naming the session that opened it. Returns how many were queued.
    """
    convening = db.session.get(Convening, note.convening_id)
    day = utcnow().date().isoformat()
    queued = 0
    for invitation in readers_of(convening):
        person = invitation.person
        if not person.email or person.erased_at is not None:
            continue
        with language(attendee_language(person, invitation.convening)):
            words = compose("notes_shared", invitation.convening, name=person.display_name,
                            convening=invitation.convening.title,
                            sessions=gettext("“%(title)s”", title=note.session.title),
                            link=invitation_links.home_url(invitation, "notes.participant_index"))
        queue_message(to_address=person.email, to_name=person.display_name, kind="notes_shared",
                      subject=words.subject[:300], text=words.text, html=words.html,
                      convening_id=invitation.convening_id, invitation_id=invitation.id, person_id=person.id,
                      dedupe_key=f"notes-shared:{invitation.id}:{day}")
        queued += 1
    return queued


def _confirm_autosave(note: SessionNote) -> None:
    if note.latest is not None:
        note.latest.autosave = False


def _speaker(speaker_id: int | None) -> Person | None:
    if not speaker_id:
        return None
    person = db.session.get(Person, speaker_id)
    if person is None:
        raise NoteError("The speaker chosen does not exist.")
    return person


def add_remark(note: SessionNote, data: dict[str, Any], actor) -> NoteRemark:
    """Add a remark; the speaker and affiliation go to the staff-only layer."""
    if note.locked:
        raise NoteError("These notes are final and locked; remarks can no longer be added.")
    text = (data.get("text") or "").strip()
    if not text:
        raise NoteError("Write the remark before saving it.")
    speaker = _speaker(data.get("speaker_id"))
    affiliation = (data.get("affiliation") or "").strip()
    if speaker is not None and not affiliation and speaker.organization is not None:
        affiliation = speaker.organization.name
    position = max((r.position for r in note.remarks), default=0) + 1
    remark = NoteRemark(note=note, text=text, speaker=speaker, affiliation=affiliation[:300], position=position,
                        cleared_for_quoting=bool(data.get("cleared_for_quoting")),
                        created_by_id=getattr(actor, "id", None))
    db.session.add(remark)
    record("note.remark.add", remark, actor=actor, changes={"note_id": [None, note.id]})
    return remark


def set_cleared(remark: NoteRemark, cleared: bool, actor) -> NoteRemark:
    """Mark whether the speaker agreed that this remark may be attributed to them."""
    if remark.note.locked:
        raise NoteError("These notes are final and locked.")
    if remark.cleared_for_quoting != cleared:
        remark.cleared_for_quoting = cleared
        record("note.remark.cleared", remark, actor=actor, changes={"cleared_for_quoting": [not cleared, cleared]})
    return remark


def delete_remark(remark: NoteRemark, actor) -> None:
    if remark.note.locked:
        raise NoteError("These notes are final and locked.")
    record("note.remark.delete", remark, actor=actor, changes={"text": [remark.text[:200], None]})
    db.session.delete(remark)


def add_comment(note: SessionNote, invitation, text: str) -> NoteComment:
    """A participant's comment, allowed only while the notes are shared for comment."""
    if note.status != NoteStatus.SHARED.value:
        raise NoteError(_("Comments are closed: these notes are not open for comment."))
    text = (text or "").strip()
    if not text:
        raise NoteError(_("Write a comment before sending it."))
    if len(text) > 10_000:
        raise NoteError(_("Please keep a comment under 10,000 characters."))
    comment = NoteComment(note=note, invitation_id=invitation.id, person_id=invitation.person_id, text=text)
    db.session.add(comment)
    record("note.comment", comment, actor_label=f"participant via personal link (person {invitation.person_id})",
           changes={"note_id": [None, note.id]})
    return comment


# --- the attribution rule -------------------------------------------------------------------

@dataclass
class RemarkView:
    text: str
    speaker: str = ""
    affiliation: str = ""

    @property
    def attribution(self) -> str:
        return ", ".join(part for part in (self.speaker, self.affiliation) if part)


def shows_names(remark: NoteRemark, convening) -> bool:
    """Participant-facing and public views name a speaker only on the record or when cleared."""
    return not convening.attribution.strips_names or remark.cleared_for_quoting


def remark_for_audience(remark: NoteRemark, convening) -> RemarkView:
    """The remark as participants and the public may see it."""
    if not shows_names(remark, convening):
        return RemarkView(text=remark.text)
    speaker = remark.speaker.display_name if remark.speaker is not None and remark.speaker.erased_at is None else ""
    return RemarkView(text=remark.text, speaker=speaker, affiliation=remark.affiliation)


def remark_for_staff(remark: NoteRemark) -> RemarkView:
    speaker = remark.speaker.display_name if remark.speaker is not None else ""
    return RemarkView(text=remark.text, speaker=speaker, affiliation=remark.affiliation)


def notes_query(convening_id: int, statuses: tuple[str, ...] | None = None):
    query = (sa.select(SessionNote).join(AgendaSession, AgendaSession.id == SessionNote.session_id)
             .where(SessionNote.convening_id == convening_id)
             .options(selectinload(SessionNote.revisions),
                      selectinload(SessionNote.remarks).selectinload(NoteRemark.speaker),
                      selectinload(SessionNote.session))
             .order_by(AgendaSession.starts_at, AgendaSession.position, AgendaSession.id))
    if statuses:
        query = query.where(SessionNote.status.in_(statuses))
    return query


def audience_text(note: SessionNote, convening, *, include_body: bool = True) -> str:
    """One session's notes as plain text for participants or the public (names stripped as the rule says)."""
    latest = note.latest
    parts = [f"## {note.session.title}", ""]
    if latest is not None and latest.summary.strip():
        parts += [latest.summary.strip(), ""]
    if include_body and latest is not None and latest.body.strip():
        parts += [latest.body.strip(), ""]
    views = [remark_for_audience(r, convening) for r in note.remarks]
    if views:
        parts.append("Remarks:")
        for view in views:
            parts.append(f"- {view.text}" + (f" ({view.attribution})" if view.attribution else ""))
        parts.append("")
    return "\n".join(parts)


def final_summary(convening) -> str:
    """The final notes' summaries of a convening's sessions, attribution-stripped, for the brief."""
    notes = db.session.scalars(notes_query(convening.id, (NoteStatus.FINAL.value,))).all()
    blocks = [audience_text(note, convening, include_body=False).strip() for note in notes]
    return "\n\n".join(block for block in blocks if block)


def participant_export(convening) -> str:
    """Shared and final notes as plain text, as participants may see them."""
    notes = db.session.scalars(
        notes_query(convening.id, (NoteStatus.SHARED.value, NoteStatus.FINAL.value))).all()
    header = [f"# {convening.title}: session notes", "", convening.attribution_text, ""]
    return "\n".join(header) + "\n".join(audience_text(note, convening) for note in notes)
