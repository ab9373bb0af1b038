"""Rapporteur notes: revisions, stale editors, the attribution rule, sharing, comments, final summary."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.notes import services
from convene.notes.models import NoteComment, NoteRemark, NoteRevision, SessionNote
from convene.tokens import services as tokens


@pytest.fixture
def setting(make):
    convening = make.convening(attribution_rule="chatham_house")
    session = make.agenda_session(convening, title="Early warning")
    org = make.organization(name="Ministry of Peace")
    speaker = make.person(name="Ambassador Quoted", organization=org)
    quiet = make.person(name="Minister Unnamed", organization=make.organization(name="Secret Agency"))
    participant = make.person(name="Participant P")
    invitation = make.invitation(convening, participant, status="accepted")
    for p in (speaker, quiet):
        make.invitation(convening, p, status="attended")
    return convening, session, speaker, quiet, invitation


def _revisions(note_id):
    return db.session.scalars(sa.select(NoteRevision).where(NoteRevision.note_id == note_id)
                              .order_by(NoteRevision.number)).all()


def test_every_save_is_a_revision_with_author(client, make, sign_in, setting):
    convening, session, *_ = setting
    user = sign_in(make.user("staff"))
    url = f"/convenings/{convening.id}/notes/{session.id}"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"summary": "S1", "body": "B1", "base": "0"}).status_code == 302
    assert client.post(url, data={"summary": "S1", "body": "B2", "base": "1"}).status_code == 302
    db.session.expire_all()
    note = db.session.scalar(sa.select(SessionNote))
    revisions = _revisions(note.id)
    assert [(r.number, r.body, r.author_id, r.stale) for r in revisions] == [(1, "B1", user.id, False),
                                                                             (2, "B2", user.id, False)]
    page = client.get(url).get_data(as_text=True)
    assert "Revision 2" in page and "Revision 1" in page and "B2</textarea>" in page


def test_stale_editor_saves_a_new_revision_and_says_so(client, make, sign_in, setting, app):
    convening, session, *_ = setting
    url = f"/convenings/{convening.id}/notes/{session.id}"
    alice = sign_in(make.user("staff", name="Alice"))
    other = app.test_client()
    sign_in(make.user("staff", name="Bob"), target=other)
    client.post(url, data={"summary": "", "body": "Base text", "base": "0"})
    # both editors opened revision 1; Alice saves first, then Bob's editor is stale
    client.post(url, data={"summary": "", "body": "Alice's text", "base": "1"})
    response = other.post(url, data={"summary": "", "body": "Bob's text", "base": "1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "while you were editing" in page and "new revision 3" in page
    assert "Alice&#39;s text" in page  # the other revision is shown for comparison
    db.session.expire_all()
    revisions = _revisions(db.session.scalar(sa.select(SessionNote.id)))
    assert [r.body for r in revisions] == ["Base text", "Alice's text", "Bob's text"]
    assert revisions[2].stale and revisions[2].based_on == 1 and not revisions[1].stale
    assert revisions[1].author_id == alice.id


def test_autosave_coalesces_own_drafts_but_never_overwrites_others(client, make, sign_in, setting, app):
    convening, session, *_ = setting
    sign_in(make.user("staff"))
    autosave = f"/convenings/{convening.id}/notes/{session.id}/autosave"
    first = client.post(autosave, data={"summary": "", "body": "Typing", "base": "0"}).get_json()
    assert first["ok"] and first["revision"] == 1 and not first["kept_apart"]
    second = client.post(autosave, data={"summary": "", "body": "Typing more", "base": "1"}).get_json()
    assert second["revision"] == 1  # the same editor's autosaves update one draft revision
    other = app.test_client()
    sign_in(make.user("staff"), target=other)
    theirs = other.post(autosave, data={"summary": "", "body": "Other editor", "base": "1"}).get_json()
    assert theirs["revision"] == 2 and not theirs["kept_apart"]  # someone else's autosave: a new revision
    stale = client.post(autosave, data={"summary": "", "body": "Typing even more", "base": "1"}).get_json()
    assert stale["ok"] and stale["kept_apart"] and stale["revision"] == 3
    assert "while you were editing" in stale["message"]
    db.session.expire_all()
    assert [r.body for r in _revisions(db.session.scalar(sa.select(SessionNote.id)))] == [
        "Typing more", "Other editor", "Typing even more"]


def test_long_idle_tab_starts_a_new_revision(make, setting):
    convening, session, *_ = setting
    user = make.user("staff")
    note = services.start_note(session, user)
    start = datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)
    services.save_revision(note, summary="", body="Morning", base=0, actor=user, autosave=True, now=start)
    result = services.save_revision(note, summary="", body="After lunch", base=1, actor=user, autosave=True,
                                    now=start + timedelta(hours=2))
    assert result.kept_apart and result.revision.number == 2 and "idle" in result.message
    db.session.commit()
    assert [r.body for r in _revisions(note.id)] == ["Morning", "After lunch"]


def test_autosave_when_signed_out_is_not_json_and_saves_nothing(client, setting):
    convening, session, *_ = setting
    response = client.post(f"/convenings/{convening.id}/notes/{session.id}/autosave",
                           data={"summary": "", "body": "x", "base": "0"})
    assert response.status_code == 302  # notes.js keeps the text in the browser and offers it back
    assert db.session.scalar(sa.select(sa.func.count(NoteRevision.id))) == 0


def _remarks(client, convening, session, speaker, quiet):
    url = f"/convenings/{convening.id}/notes/{session.id}/remarks"
    client.post(url, data={"text": "Prevention is cheaper than cure", "speaker_id": speaker.id,
                           "cleared_for_quoting": "y"})
    client.post(url, data={"text": "Our early-warning system failed", "speaker_id": quiet.id})


def test_chatham_house_strips_names_except_cleared_remarks(client, make, sign_in, setting):
    convening, session, speaker, quiet, invitation = setting
    sign_in(make.user("staff"))
    base = f"/convenings/{convening.id}/notes/{session.id}"
    client.post(base, data={"summary": "Agreed to pool warnings", "body": "Discussion", "base": "0"})
    _remarks(client, convening, session, speaker, quiet)
    staff_page = client.get(base).get_data(as_text=True)
    assert "Minister Unnamed" in staff_page and "Secret Agency" in staff_page  # the staff layer
    note = db.session.scalar(sa.select(SessionNote))
    client.post(f"{base}/status", data={"status": "shared", "version": note.version})
    raw = tokens.issue("rsvp", invitation_id=invitation.id)
    db.session.commit()
    page = client.application.test_client().get(f"/my/{raw}/notes/{session.id}").get_data(as_text=True)
    assert "Our early-warning system failed" in page and "Prevention is cheaper than cure" in page
    assert "Minister Unnamed" not in page and "Secret Agency" not in page
    assert "Ambassador Quoted" in page and "Ministry of Peace" in page  # cleared for quoting
    export = client.get(f"/convenings/{convening.id}/notes/export.txt").get_data(as_text=True)
    assert "Our early-warning system failed" in export
    assert "Minister Unnamed" not in export and "Secret Agency" not in export
    assert "Ambassador Quoted" in export


def test_on_the_record_shows_names(make, setting):
    convening, session, speaker, quiet, _ = setting
    convening.attribution_rule = "on_the_record"
    user = make.user("staff")
    note = services.start_note(session, user)
    services.add_remark(note, {"text": "On record", "speaker_id": quiet.id}, user)
    db.session.commit()
    view = services.remark_for_audience(note.remarks[0], convening)
    assert view.speaker == "Minister Unnamed" and view.affiliation == "Secret Agency"


def test_participant_comments_only_while_shared(client, make, sign_in, setting):
    convening, session, speaker, quiet, invitation = setting
    sign_in(make.user("staff"))
    base = f"/convenings/{convening.id}/notes/{session.id}"
    client.post(base, data={"summary": "S", "body": "B", "base": "0"})
    raw = tokens.issue("rsvp", invitation_id=invitation.id)
    db.session.commit()
    participant = client.application.test_client()
    url = f"/my/{raw}/notes/{session.id}"
    assert participant.get(url).status_code == 404  # drafts are not shown
    note = db.session.scalar(sa.select(SessionNote))
    client.post(f"{base}/status", data={"status": "shared", "version": note.version})
    assert participant.get(url).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(NoteComment.id))) == 0  # GET changed nothing
    assert participant.post(url, data={"text": "Please add the point on funding"}).status_code == 302
    assert participant.post(url, data={"text": "  "}).status_code == 400
    assert "Please add the point on funding" in client.get(base).get_data(as_text=True)
    assert "Early warning" in participant.get(f"/my/{raw}/notes").get_data(as_text=True)
    db.session.expire_all()
    note = db.session.scalar(sa.select(SessionNote))
    client.post(f"{base}/status", data={"status": "final", "version": note.version})
    assert participant.post(url, data={"text": "Too late"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(NoteComment.id))) == 1
    # bad tokens, non-participants, other convenings' sessions
    assert participant.get(f"/n/not-a-token/notes/{session.id}").status_code == 404
    elsewhere = make.agenda_session(make.convening())
    assert participant.get(f"/my/{raw}/notes/{elsewhere.id}").status_code == 404
    declined = make.invitation(convening, make.person(), status="declined")
    declined_raw = tokens.issue("rsvp", invitation_id=declined.id)
    tokens.revoke("rsvp", invitation_id=invitation.id)
    db.session.commit()
    assert participant.get(f"/my/{declined_raw}/notes/{session.id}").status_code == 403
    assert participant.get(url).status_code == 410


def test_final_notes_are_locked_and_feed_the_summary(client, make, sign_in, setting):
    convening, session, speaker, quiet, _ = setting
    sign_in(make.user("staff"))
    base = f"/convenings/{convening.id}/notes/{session.id}"
    client.post(base, data={"summary": "States agreed to share early-warning data.", "body": "Long notes",
                            "base": "0"})
    _remarks(client, convening, session, speaker, quiet)
    draft_session = make.agenda_session(convening, title="Still a draft")
    client.post(f"/convenings/{convening.id}/notes/{draft_session.id}",
                data={"summary": "Draft only", "body": "", "base": "0"})
    assert services.final_summary(convening) == ""
    note = db.session.scalar(sa.select(SessionNote).where(SessionNote.session_id == session.id))
    client.post(f"{base}/status", data={"status": "final", "version": note.version})
    summary = services.final_summary(convening)
    assert "Early warning" in summary and "States agreed to share early-warning data." in summary
    assert "Draft only" not in summary and "Long notes" not in summary
    assert "Minister Unnamed" not in summary and "Secret Agency" not in summary
    assert "Ambassador Quoted" in summary
    # locked: no new revision, no remark, no status change
    assert client.post(base, data={"summary": "x", "body": "y", "base": "1"}).status_code == 409
    client.post(f"{base}/remarks", data={"text": "Late remark"})
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(NoteRemark.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(NoteRevision.id)).where(
        NoteRevision.note_id == note.id)) == 1
    with pytest.raises(services.NoteError):
        services.change_status(db.session.get(SessionNote, note.id), "draft", None)


def test_remark_speaker_must_exist_and_sessions_of_other_convenings_404(client, make, sign_in, setting):
    convening, session, *_ = setting
    sign_in(make.user("staff"))
    response = client.post(f"/convenings/{convening.id}/notes/{session.id}/remarks",
                           data={"text": "x", "speaker_id": "999999"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    other_session = make.agenda_session(make.convening())
    assert client.get(f"/convenings/{convening.id}/notes/{other_session.id}").status_code == 404
    organizer = make.user("organizer")
    sign_in(organizer)
    assert client.get(f"/convenings/{convening.id}/notes/{session.id}").status_code == 404


def test_notes_index_lists_sessions(client, make, sign_in, setting):
    convening, session, *_ = setting
    sign_in(make.user("staff"))
    page = client.get(f"/convenings/{convening.id}/notes").get_data(as_text=True)
    assert "Early warning" in page and "not started" in page


def test_participants_are_told_when_notes_are_shared_once_a_day_with_their_one_link(client, make, sign_in, setting):
    """Issue 14: participants were never told when notes were shared for their review."""
    import re
    from convene.invitations import links
    from convene.mail.models import OutboxMessage
    convening, session, speaker, quiet, invitation = setting
    declined = make.invitation(convening, make.person(name="Said No", email="no@example.org"), status="declined")
    home = links.home_url(invitation)  # the link of the invitation e-mail
    db.session.commit()
    second = make.agenda_session(convening, title="Second session")
    sign_in(make.user("staff"))
    for s in (session, second):
        base = f"/convenings/{convening.id}/notes/{s.id}"
        client.post(base, data={"summary": "S", "body": "B", "base": "0"})
        note = db.session.scalar(sa.select(SessionNote).where(SessionNote.session_id == s.id))
        assert client.post(f"{base}/status", data={"status": "shared", "version": note.version}).status_code == 302
    db.session.expire_all()
    sent = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "notes_shared")).all()
    # the three participants (accepted and attended), once each although two sessions were shared; not the decliner
    from convene.invitations.models import Invitation
    participants = db.session.scalars(sa.select(Invitation.id).where(
        Invitation.convening_id == convening.id, Invitation.status.in_(("accepted", "attended")))).all()
    assert len(participants) == 3 and sorted(m.invitation_id for m in sent) == sorted(participants)
    assert declined.id not in {m.invitation_id for m in sent}
    mine = next(m for m in sent if m.invitation_id == invitation.id)
    assert "Early warning" in mine.text and convening.title in mine.subject
    link = re.search(r"https?://\S+/my/\S+/notes", mine.text).group(0)
    assert link == home + "/notes"  # the same personal link as every other e-mail, on the notes page
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.application.test_client().get("/" + path)
    assert page.status_code == 200 and "Early warning" in page.get_data(as_text=True)
