"""Every message editable (issue 17, item 3): texts per kind and language at convening, series and site
level, chosen convening → series → default, checked before saving, reset, previewed, audited."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from convene.actions.followup import send_staff_digest
from convene.audit.models import AuditEvent
from convene.extensions import db
from convene.i18n.locale import LANGUAGES
from convene.invitations import reminders
from convene.invitations.calendar_mail import queue_itip
from convene.messages import services
from convene.messages.kinds import KINDS
from convene.messages.models import MessageText
from convene.messages.rules import text_problems

from .conftest import outbox

FRENCH = {"subject": "Rappel : merci de répondre avant le {reply_by} – {convening}",
          "body": "Bonjour {name},\n\nNous attendons votre réponse pour {convening} ({dates}).\n\n{rsvp_link}"}
ENGLISH = {"subject": "Gentle reminder: please reply by {reply_by}",
           "body": "Hello {name},\n\nWe still hope to see you at {convening}.\n\n{rsvp_link}"}


def _edit_url(convening, kind, language):
    return f"/convenings/{convening.id}/messages/{kind}/{language}"


def _texts():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(MessageText).order_by(MessageText.id)))


def test_reminder_texts_written_in_french_and_english_reach_each_reader_in_their_language(client, convening,
                                                                                          invited):
    assert client.post(_edit_url(convening, "reminder", "fr"), data=FRENCH).status_code == 302
    assert client.post(_edit_url(convening, "reminder", "en"), data=ENGLISH).status_code == 302
    reminders.send_reminders(convening, list(invited.values()), actor=None)
    db.session.commit()
    sent = {m.to_name: m for m in outbox(kind="reminder")}
    french, english = sent[invited["fr"].person.display_name], sent[invited["en"].person.display_name]
    assert french.subject.startswith("Rappel : merci de répondre avant le") and "Atrocity" in french.subject
    assert french.text.startswith("Bonjour Amélie Diallo") and "/my/" in french.text
    assert "<a href=" in french.html and "Nous attendons votre réponse" in french.html
    assert english.subject.startswith("Gentle reminder: please reply by") and english.text.startswith("Hello Brian")


def test_a_reader_gets_the_convenings_text_else_the_series_else_the_default(app, make, convening, series, invited,
                                                                           organizer):
    kind = KINDS["reminder"]
    services.save_text(kind, {"subject": "Série : merci de répondre", "body": "Série {rsvp_link}"}, organizer, "fr",
                       series=series)
    services.save_text(kind, FRENCH, organizer, "fr", convening=convening)
    db.session.commit()

    def reminded() -> str:
        reminders.send_reminder(invited["fr"])
        db.session.commit()
        return outbox(kind="reminder")[-1].subject

    assert reminded().startswith("Rappel : merci de répondre avant le")  # the convening's
    assert services.reset_text(kind, "fr", organizer, convening=convening)
    db.session.commit()
    assert reminded() == "Série : merci de répondre"  # the series'
    assert services.reset_text(kind, "fr", organizer, series=series)
    db.session.commit()
    assert reminded().startswith("Rappel – merci de répondre d’ici le")  # the default wording, in French
    # The English reader never had a text: the English default all along.
    reminders.send_reminder(invited["en"])
    db.session.commit()
    assert outbox(kind="reminder")[-1].subject.startswith("Reminder – please reply by")


def test_a_dialogue_uses_its_conferences_series_texts(app, make, convening, series, organizer):
    dialogue = make.convening(organizers=[organizer], parent=convening, series=None)
    kind = KINDS["notes_shared"]
    assert services.scopes_of(kind, dialogue) == [f"convening:{dialogue.id}", f"series:{series.id}"]


@pytest.mark.parametrize("data, problem", [
    ({"subject": "Please reply {fecha}", "body": "{rsvp_link}"}, "Unknown placeholder {fecha}"),
    ({"subject": "Please reply", "body": "{rsvp_link} {name"}, "A brace is not closed"),
    ({"subject": "Please reply\r\nBcc: x@example.org", "body": "{rsvp_link}"}, "write it on one line"),
    ({"subject": "Please reply " + "x" * 300, "body": "{rsvp_link}"}, "at most 300 characters"),
    ({"subject": "A note about {convening}", "body": "{rsvp_link}"}, "say that an answer is needed"),
    ({"subject": "Please reply", "body": "Dear {name}"}, "include {rsvp_link}"),
    ({"subject": "Please reply", "body": "{name!r} {rsvp_link}"}, "cannot carry a format"),
])
def test_a_text_with_a_problem_is_refused_on_the_page_and_nothing_is_saved(client, convening, data, problem):
    response = client.post(_edit_url(convening, "reminder", "en"), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and problem in page
    assert _texts() == []
    assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "message_text.save")).all()


def test_a_list_placeholder_is_refused_in_a_subject(client, convening):
    response = client.post(_edit_url(convening, "agenda_change", "en"), data={"subject": "New: {changes}",
                                                                              "body": "{changes}"})
    assert response.status_code == 422 and "{changes} is a list of several lines" in response.get_data(as_text=True)
    assert _texts() == []


def test_every_kinds_default_wording_is_a_valid_starting_text_in_every_language(app):
    for kind in KINDS.values():
        for code in (LANGUAGES if kind.to_attendees else ("en",)):
            subject, body = services.default_text(kind, code)
            assert text_problems(kind, subject, body, code) == [], (kind.name, code, subject, body)
    with app.test_request_context():
        subject, body = services.default_text(KINDS["reminder"], "fr")
    assert subject.startswith("Rappel – merci de répondre d’ici le {reply_by}") and "{rsvp_link}" in body
    assert "{open_steps}" in services.default_text(KINDS["owner_link"], "es")[1]
    assert "{changes}" in services.default_text(KINDS["agenda_change"], "en")[1]


def test_the_edit_page_starts_from_the_default_previews_a_real_recipient_and_resets(client, convening, invited,
                                                                                   organizer):
    page = client.get(_edit_url(convening, "reminder", "fr")).get_data(as_text=True)
    assert "Rappel – merci de répondre d’ici le {reply_by}" in page  # the form starts from the French default
    assert "readers get the default wording" in page and "Reset to default" not in page
    assert "Amélie Diallo" in page.split('id="preview-heading"')[1]  # a real invitee, filled in
    assert client.post(_edit_url(convening, "reminder", "fr"), data=FRENCH).status_code == 302
    chosen = client.get(_edit_url(convening, "reminder", "fr") + f"?preview={invited['en'].id}").get_data(as_text=True)
    preview = chosen.split('id="preview-heading"')[1]
    assert "Bonjour Brian Osei" in preview and "EXAMPLE-LINK" in preview and "Reset to default" in chosen
    response = client.post(_edit_url(convening, "reminder", "fr") + "/reset")
    assert response.status_code == 303 and _texts() == []
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "message_text.reset")).all()
    assert event.changes["kind"] == ["reminder", None] and event.changes["language"] == ["fr", None]
    saved = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "message_text.save")).one()
    assert saved.changes["scope"] == [None, f"convening:{convening.id}"]


def test_a_text_saved_meanwhile_is_not_overwritten_unknowingly(client, convening):
    url = _edit_url(convening, "reminder", "en")
    assert client.post(url, data=ENGLISH).status_code == 302
    (text,) = _texts()
    assert client.post(url, data={**ENGLISH, "body": "Theirs {rsvp_link}", "version": text.version}).status_code == 302
    mine = client.post(url, data={**ENGLISH, "body": "Mine {rsvp_link}", "version": text.version})
    assert mine.status_code == 409 and "saved this text meanwhile" in mine.get_data(as_text=True)
    assert _texts()[0].body == "Theirs {rsvp_link}"


def test_the_messages_page_lists_every_kind_per_language_in_a_fixed_number_of_queries(client, make, convening,
                                                                                     series, organizer,
                                                                                     count_queries):
    url = f"/convenings/{convening.id}/messages"
    with count_queries() as few:
        page = client.get(url).get_data(as_text=True)
    for kind in KINDS.values():
        assert kind.label in page
    assert "Staff digest" in page and "no convening or series text" in page
    services.save_text(KINDS["reminder"], FRENCH, organizer, "fr", convening=convening)
    for name in ("notes_shared", "brief_review", "owner_link"):
        for code in ("en", "es"):
            services.save_text(KINDS[name], {"subject": "S", "body": "{link}"}, organizer, code, series=series)
    for n in range(30):
        make.invitation(convening, make.person(name=f"Guest {n}"))
    db.session.commit()
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert many.count == few.count, (few.statements, many.statements)
    assert "this convening&#39;s text" in page and "the series&#39; text" in page


def test_series_texts_are_edited_by_the_series_organizers_with_a_sample_preview(client, make, sign_in, series,
                                                                               convening, invited):
    url = f"/series/{series.id}/messages/reminder/en"
    page = client.get(url).get_data(as_text=True)
    assert "Dr Amina Diallo" in page  # no real reader on a series: a sample one
    assert client.post(url, data=ENGLISH).status_code == 302
    reminders.send_reminder(invited["en"])
    db.session.commit()
    assert outbox(kind="reminder")[-1].subject.startswith("Gentle reminder")
    sign_in(make.user("organizer"))  # organizes none of its convenings
    assert client.get(url).status_code == 403
    assert client.get(f"/series/{series.id}/messages").status_code == 403


def test_the_staff_digest_has_one_site_wide_text_edited_by_admins(client, make, sign_in, convening):
    assert client.get("/messages/site").status_code == 403  # an organizer
    assert client.get(f"/convenings/{convening.id}/messages/staff_digest/en").status_code == 404
    sign_in(make.user("admin"))
    page = client.get("/messages/site/staff_digest/en").get_data(as_text=True)
    assert "{overdue}" in page and "English text only" in page
    assert client.get("/messages/site/staff_digest/fr").status_code == 404
    data = {"subject": "Digest: {overdue_count} overdue", "body": "Late:\n{overdue}\n\nBoard: {board_link}"}
    assert client.post("/messages/site/staff_digest/en", data=data).status_code == 302
    assert _texts()[0].scope == "site"



def test_the_invitation_is_one_kind_of_it_a_series_text_is_used_where_the_convening_has_none(client, make, series,
                                                                                           convening, organizer):
    page = client.get(f"/series/{series.id}/messages/invitation/fr")
    assert "Please reply by {reply_by}: invitation to {convening}" in page.get_data(as_text=True)
    french = {"subject": "Merci de répondre avant le {reply_by} : {convening}", "body": "Série {name} {rsvp_link}"}
    assert client.post(f"/series/{series.id}/messages/invitation/fr", data=french).status_code == 302
    reader = make.invitation(convening, make.person(name="Chantal Fall", preferred_language="fr"))
    client.post(f"/convenings/{convening.id}/guests/bulk", data={"invitation_ids": [str(reader.id)], "action": "send", "confirmed": "1"})
    (message,) = outbox(kind="invitation")
    assert message.subject.startswith("Merci de répondre avant le") and message.text.startswith("Série Chantal Fall")
    # The convening's Messages page sends the invitation to its own page, which can reset the convening's text.
    assert client.get(f"/convenings/{convening.id}/messages/invitation/fr").headers["Location"].endswith(
        f"/convenings/{convening.id}/guests/template?language=fr")
    own = {"subject": "Merci de répondre : {convening}", "body": "Propre {rsvp_link}"}
    assert client.post(f"/convenings/{convening.id}/guests/template?language=fr", data=own).status_code == 302
    assert "Reset to default" in client.get(f"/convenings/{convening.id}/guests/template?language=fr").get_data(
        as_text=True)
    assert client.post(f"/convenings/{convening.id}/messages/invitation/fr/reset").status_code == 303
    assert [(t.scope, t.body) for t in _texts()] == [(f"series:{series.id}", "Série {name} {rsvp_link}")]


def test_an_agenda_notice_text_lists_the_readers_changes_in_its_place(app, make, convening, organizer):
    kind = KINDS["agenda_change"]
    services.save_text(kind, {"subject": "Programme v{number}", "body": "Changements :\n{changes}\n{agenda_link}"},
                       organizer, "en", convening=convening)
    db.session.commit()
    change = {"change": "removed", "title": "Opening plenary", "roles": [], "room": "", "moved": False,
              "room_changed": False, "details": [], "all_day": False, "starts": None, "old_starts": None}
    words = services.compose("agenda_change", convening, name="X", title="T", number=3, note=None, zone="UTC",
                             changes=[change], agenda_link="https://example.org/a", feed_link="f", attribution="")
    assert words.subject == "Programme v3"
    assert words.text == "Changements :\n- “Opening plenary” has been removed from the agenda.\nhttps://example.org/a"


def test_the_invitation_page_says_when_its_readers_get_the_series_text(client, series, convening, organizer):
    french = {"subject": "Merci de répondre : {convening}", "body": "Série {rsvp_link}"}
    services.save_text(KINDS["invitation"], french, organizer, "fr", series=series)
    db.session.commit()
    page = client.get(f"/convenings/{convening.id}/guests/template?language=fr").get_data(as_text=True)
    assert "French readers get the text written for the series" in page and "Série {rsvp_link}" in page
    series.mail_from_name = "Strategy for Peace Secretariat"
    db.session.commit()
    index = client.get(f"/convenings/{convening.id}/messages").get_data(as_text=True)
    assert "Sent as “Strategy for Peace Secretariat”" in index


def test_the_confirmation_and_the_staff_digest_use_the_texts_written_for_them(app, make, convening, invited,
                                                                              organizer):
    services.save_text(KINDS["invitation_confirmed"], {"subject": "C'est noté : {convening}",
                                                      "body": "Merci {name} ! {dates}\n{rsvp_link}"},
                       organizer, "fr", convening=convening)
    services.save_text(KINDS["staff_digest"], {"subject": "Digest ({overdue_count} late)",
                                               "body": "Late:\n{overdue}\n{board_link}"}, organizer, "en")
    make.action(convening, text="Send the report", due_on=date.today() - timedelta(days=3),
                owner_person=invited["fr"].person)
    make.user("staff", email="staff@example.org")
    db.session.commit()
    assert queue_itip(invited["fr"], "REQUEST", message="invitation_confirmed", kind="confirmation")
    assert send_staff_digest(datetime.now(timezone.utc)) >= 1
    db.session.commit()
    (confirmation,) = outbox(kind="confirmation")
    assert confirmation.subject == "C'est noté : Atrocity Prevention Roundtable"
    assert confirmation.text.startswith("Merci Amélie Diallo !") and confirmation.calendar
    digest = outbox(kind="staff_digest", to_address="staff@example.org")[0]
    assert digest.subject == "Digest (1 late)"
    assert digest.text.startswith("Late:\n- Send the report — ") and "/next-steps" in digest.text
