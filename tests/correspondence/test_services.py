"""Writing to participants, the rules: who is selected, what a text may hold, which files may go."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from convene.audit.models import AuditEvent
from convene.correspondence import attachments, services
from convene.correspondence.models import ParticipantMessage
from convene.correspondence.recipients import Selection, select_recipients
from convene.correspondence.services import CorrespondenceError, Draft, draft_problems
from convene.extensions import db
from convene.mail.models import MailAttachment, OutboxMessage, outbox_message_attachments
from convene.tokens.models import AccessToken
from tests.briefs.test_active_content import _open_action
from tests.briefs.conftest import make_pdf


def names(recipients):
    return [i.person.name for i in recipients.invitations]


def test_selection_by_status(guests):
    found = select_recipients(guests.convening, Selection.of(statuses=["accepted"]))
    assert names(found) == ["Ana Alves"]
    assert [why for _, why in found.skipped] == ["Ben Bauer: no e-mail address in the directory."]
    found = select_recipients(guests.convening, Selection.of(statuses=["invited", "attended", "declined"]))
    assert names(found) == ["Chloé Colin", "Dan Diaz", "Gus Grant"]


def test_selection_by_role_and_by_status_and_role(guests):
    assert names(select_recipients(guests.convening, Selection.of(roles=["speaker", "rapporteur"]))) == [
        "Ana Alves", "Chloé Colin"]
    assert names(select_recipients(guests.convening, Selection.of(statuses=["accepted"], roles=["rapporteur"]))) == []
    assert names(select_recipients(guests.convening, Selection.of(statuses=["invited"], roles=["rapporteur"]))) == [
        "Chloé Colin"]
    # a cancelled session's roles do not count
    guests.session.status = "cancelled"
    db.session.commit()
    assert names(select_recipients(guests.convening, Selection.of(roles=["speaker"]))) == []


def test_selection_by_picked_ids_leaves_out_the_planned_withdrawn_and_other_lists(guests):
    picked = [guests.ana.id, guests.eve.id, guests.fay.id, guests.stranger.id, guests.gus.id, 999999]
    found = select_recipients(guests.convening, Selection.of(picked=picked))
    assert names(found) == ["Ana Alves", "Gus Grant"]
    assert "2 picked people are not on this guest list." in found.left_out
    assert any("Eve Evans: not invited yet" in why for why in found.left_out)
    assert any("Fay Fox: withdrawn" in why for why in found.left_out)


def test_unknown_statuses_and_roles_are_dropped_and_nothing_chosen_is_nobody(guests):
    assert Selection.of(statuses=["planned", "withdrawn", "x"], roles=["boss"]).empty
    assert select_recipients(guests.convening, Selection.of()).count == 0


def test_a_dialogue_guest_is_written_to_once(guests, make):
    dialogue = make.dialogue(guests.convening)
    make.invitation(dialogue, guests.ana.person, status="accepted")
    only = make.invitation(dialogue, status="accepted")
    found = select_recipients(guests.convening, Selection.of(statuses=["accepted"], dialogues=True))
    assert sorted(i.id for i in found.invitations) == sorted([guests.ana.id, only.id])
    assert select_recipients(guests.convening, Selection.of(statuses=["accepted"])).count == 1


@pytest.mark.parametrize("subject, body, include_link, expected", [
    ("Shuttle", "Dear {name}, the shuttle leaves at 8.", False, []),
    ("", "Body", False, ["Subject: write a subject."]),
    ("Line\nbreak", "Body", False, ["Subject: keep it on one line"]),
    ("x" * 301, "Body", False, ["Subject: at most 300 characters"]),
    ("Hello {nom}", "Body", False, ["Subject: Unknown placeholder {nom}. Use {name}, {convening}, {dates}, {venue}, "
                                    "{personal_link}."]),
    ("Link {personal_link}", "Body", True, ["Subject: a personal link belongs in the message"]),
    ("Shuttle", "Your page: {personal_link}", False, ["Message: {personal_link} is only filled in when"]),
    ("Shuttle", "Your page: {personal_link}", True, []),
    ("Shuttle", "Dear {name!r} {0} {", False, ["Message: A brace is not closed."]),
    ("Shuttle", "{dates:>10}", False, ["Message: The placeholder {dates} cannot carry a format"]),
    ("Shuttle", "   ", False, ["Message: write the message."]),
    ("Shuttle", "x" * 20001, False, ["Message: at most 20,000 characters"]),
])
def test_text_checks(app, subject, body, include_link, expected):
    problems = draft_problems(Draft.of(subject, body, "en", include_link))
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problem


def test_the_invitation_keeps_its_own_placeholders(app):
    from convene.invitations.invitation_template import template_problems

    assert template_problems("{rsvp_link}") == []
    assert template_problems("{personal_link}")  # not an invitation placeholder
    assert template_problems("{rsvp_link}", placeholders=services.PLACEHOLDERS)


def test_placeholders_are_filled_in_the_texts_language_and_our_lines_in_the_readers(guests):
    draft = Draft.of("Navette – {convening}", "Bonjour {name}, le {dates} à {venue}.", "fr", True)
    words = services.preview(draft, guests.convening, guests.chloe, ["visa.pdf"])
    assert words.subject == "Navette – Water Roundtable"
    assert "Bonjour Chloé Colin" in words.text and "Hotel Lac, Geneva, Suisse" in words.text
    assert "Votre page personnelle pour Water Roundtable :" in words.text  # Chloé reads French
    assert "Pièces jointes : visa.pdf" in words.text and "EXAMPLE-LINK" in words.text
    english = services.preview(Draft.of("Shuttle", "Hi {name}", "en", False), guests.convening, guests.ana, [])
    assert "You receive this message from the organizers of Water Roundtable" in english.text
    assert "personal" not in english.text and "Attached" not in english.text


def test_check_pdf_refuses_a_renamed_file_an_oversized_one_and_active_content(app, pdf):
    with pytest.raises(CorrespondenceError, match="is not a PDF"):
        attachments.check_pdf("visa.pdf", b"MZ\x90\x00 this is an executable, renamed", 10_000_000)
    with pytest.raises(CorrespondenceError, match="larger than the limit"):
        attachments.check_pdf("big.pdf", make_pdf(padding=3000), 2000)
    with pytest.raises(CorrespondenceError, match="JavaScript"):
        attachments.check_pdf("js.pdf", make_pdf(build=_open_action), 10_000_000)
    with pytest.raises(CorrespondenceError, match="incomplete"):
        attachments.check_pdf("cut.pdf", pdf[: len(pdf) // 2] + b"\n" * 2000, 10_000_000)
    with pytest.raises(CorrespondenceError, match="empty"):
        attachments.check_pdf("none.pdf", b"", 10_000_000)
    attachments.check_pdf("fine.pdf", pdf, 10_000_000)


def test_total_size_and_number_of_files_are_limited(app, guests, pdf):
    app.config["CORRESPONDENCE_MAX_TOTAL"] = len(pdf) * 2
    try:
        with pytest.raises(CorrespondenceError, match="add up to"):
            attachments.accept([("a.pdf", pdf), ("b.pdf", pdf), ("c.pdf", pdf)], [], actor=guests.org)
    finally:
        app.config.pop("CORRESPONDENCE_MAX_TOTAL")
    with pytest.raises(CorrespondenceError, match="at most 5 files"):
        attachments.accept([(f"{n}.pdf", pdf) for n in range(6)], [], actor=guests.org)


def test_send_queues_one_mail_each_with_the_file_stored_once_and_audits_counts(guests, pdf):
    files = attachments.accept([("../../Visa letter.pdf", pdf)], [], actor=guests.org)
    draft = Draft.of("Shuttle at 8", "Dear {name},\n\nThe shuttle leaves at 8: {personal_link}", "en", True)
    selection = Selection.of(statuses=["accepted", "invited", "attended"])
    tokens_before = db.session.scalar(sa.select(sa.func.count(AccessToken.id)))
    message, recipients = services.send(guests.convening, selection, draft, files, actor=guests.org, expected=3)
    db.session.commit()
    assert recipients.count == 3 and message.skipped_count == 1  # Ben has no address
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    assert len(rows) == 3 and {r.kind for r in rows} == {"participant_message"}
    assert db.session.scalar(sa.select(sa.func.count(MailAttachment.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(outbox_message_attachments)) == 3
    assert files[0].filename == "Visa letter.pdf"
    to_ana = next(r for r in rows if r.person_id == guests.ana.person_id)
    assert "Dear Ana Alves" in to_ana.text and "/my/" in to_ana.text and "/my/" in to_ana.html
    # the lasting home link: issued once per invitation, never revoking another
    assert db.session.scalar(sa.select(sa.func.count(AccessToken.id))) == tokens_before + 3
    assert db.session.scalar(sa.select(sa.func.count(AccessToken.id)).where(AccessToken.revoked_at.is_not(None))) == 0
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "participant_message.send"))
    assert event.object_id == message.id and event.changes["recipients"] == [None, 3]
    assert "shuttle" not in str(event.changes).lower()  # counts, not the text
    assert [r.skipped_because for r in message.recipients if not r.outbox_message_id] == [
        "Ben Bauer: no e-mail address in the directory."]


def test_send_refuses_a_changed_selection_and_an_empty_one_and_saves_nothing(guests):
    draft = Draft.of("Shuttle", "At 8", "en", False)
    with pytest.raises(CorrespondenceError, match="now holds 1 people"):
        services.send(guests.convening, Selection.of(statuses=["accepted"]), draft, [], actor=guests.org, expected=2)
    db.session.rollback()
    with pytest.raises(CorrespondenceError, match="Nobody to write to"):
        services.send(guests.convening, Selection.of(picked=[guests.ben.id]), draft, [], actor=guests.org,
                      expected=0)
    db.session.rollback()
    with pytest.raises(CorrespondenceError, match="Unknown placeholder"):
        services.send(guests.convening, Selection.of(statuses=["accepted"]), Draft.of("{x}", "b", "en", False), [],
                      actor=guests.org, expected=1)
    db.session.rollback()
    with pytest.raises(CorrespondenceError, match="Count the recipients"):
        services.send(guests.convening, Selection.of(statuses=["accepted"]), draft, [], actor=guests.org, expected=None)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ParticipantMessage.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_kept_files_are_signed_for_one_organizer_and_convening(guests, pdf):
    files = attachments.accept([("a.pdf", pdf)], [], actor=guests.org)
    db.session.commit()
    signed = attachments.sign(files, guests.convening.id, guests.org.id)
    assert attachments.kept_files(signed, guests.convening.id, guests.org.id) == files
    assert attachments.kept_files(signed, guests.convening.id, guests.other.id) == []
    assert attachments.kept_files(signed, guests.other_convening.id, guests.org.id) == []
    assert attachments.kept_files(signed + "x", guests.convening.id, guests.org.id) == []
    assert attachments.kept_files(signed, guests.convening.id, guests.org.id, keep=[]) == []


def test_erasing_a_person_blanks_their_name_in_the_history(guests):
    from convene.privacy.services import anonymize_person

    message, _ = services.send(guests.convening, Selection.of(statuses=["accepted"]), Draft.of("S", "B", "en", False),
                               [], actor=guests.org, expected=1)
    db.session.commit()
    anonymize_person(guests.ana.person)
    db.session.commit()
    db.session.refresh(message)
    assert [r.name for r in message.recipients if r.person_id == guests.ana.person_id] == [""]


def test_files_kept_for_a_message_never_sent_are_deleted_a_day_later(guests, pdf):
    from datetime import timedelta

    from convene.db_types import utcnow
    from convene.mail import attachments as mail_files

    old, sent = attachments.accept([("old.pdf", pdf), ("sent.pdf", pdf)], [], actor=guests.org)
    services.send(guests.convening, Selection.of(statuses=["accepted"]), Draft.of("S", "B", "en", False), [sent],
                  actor=guests.org, expected=1)
    old.created_at = sent.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    attachments.accept([("new.pdf", pdf)], [], actor=guests.org)  # storing a file clears the abandoned ones
    db.session.commit()
    assert sorted(db.session.scalars(sa.select(MailAttachment.filename))) == ["new.pdf", "sent.pdf"]
    assert mail_files.unsent([sent.id]) == []  # a file a message carries is never offered as kept
