"""The invitation text per language (issue 15, item 4): one text per convening and language, each
invitee gets their language's text or the convening's default one, and organizers are told who
gets the fallback before they send."""
from convene.extensions import db
from convene.invitations import invitation_template
from convene.invitations.invitation_template import InvitationTemplate

from .conftest import outbox

FRENCH = {"subject": "Merci de répondre avant le {reply_by} : invitation à {convening}",
          "body": "Madame, Monsieur {name},\n\nNous vous invitons à {convening}, {dates}.\n\n{rsvp_link}"}
SPANISH = {"subject": "Le rogamos responder antes del {reply_by}: invitación a {convening}",
           "body": "Estimado/a {name}:\n\nLe invitamos a {convening}, {dates}.\n\n{rsvp_link}"}
ENGLISH = {"subject": "Please reply by {reply_by}: {convening}", "body": "Dear {name}, {dates}: {rsvp_link}"}


def _save(client, convening, language, text):
    return client.post(f"/convenings/{convening.id}/guests/template?language={language}", data=text)


def _send(client, convening, *invitations):
    return client.post(f"/convenings/{convening.id}/guests/bulk", follow_redirects=True,
                       data={"invitation_ids": [str(i.id) for i in invitations], "action": "send", "confirmed": "1"})


def test_each_invitee_gets_the_text_of_their_language_with_dates_in_it(client, make, convening):
    for language, text in (("en", ENGLISH), ("fr", FRENCH), ("es", SPANISH)):
        assert _save(client, convening, language, text).status_code == 302
    people = {code: make.invitation(convening, make.person(name=f"Reader {code}", preferred_language=code))
              for code in ("en", "fr", "es")}
    nobody = make.invitation(convening, make.person(name="No Choice"))
    _send(client, convening, *people.values(), nobody)
    sent = {m.to_name: m for m in outbox(kind="invitation")}
    month = convening.starts_on.month
    french_month = ("janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
                    .split()[month - 1])
    spanish_month = ("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
                     .split()[month - 1])
    assert sent["Reader fr"].subject.startswith("Merci de répondre avant le")
    assert "Nous vous invitons" in sent["Reader fr"].text and french_month in sent["Reader fr"].text
    assert sent["Reader es"].subject.startswith("Le rogamos responder")
    assert "Le invitamos" in sent["Reader es"].text and spanish_month in sent["Reader es"].text
    assert sent["Reader en"].subject.startswith("Please reply by") and sent["Reader en"].text.startswith("Dear")
    assert sent["No Choice"].text.startswith("Dear")  # no choice: the convening's default (English here)
    assert {t.language for t in db.session.query(InvitationTemplate).filter_by(convening_id=convening.id)} == {
        "en", "fr", "es"}


def test_a_missing_language_gets_the_default_text_and_the_organizer_is_told_before_sending(client, make, convening):
    assert _save(client, convening, "en", ENGLISH).status_code == 302
    french = [make.invitation(convening, make.person(name=n, preferred_language="fr"))
              for n in ("Amélie Diallo", "Bernard Ndiaye")]
    spanish = make.invitation(convening, make.person(name="Carmen Quispe", preferred_language="es"))
    already = make.invitation(convening, make.person(name="Denise Sent", preferred_language="fr"), status="accepted")
    guests = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert "2 invitees prefer French; there is no French text, they will get the English one." in guests
    assert "Amélie Diallo, Bernard Ndiaye" in guests and "Denise Sent" not in guests.split("language-fallbacks")[1][:600]
    assert "1 invitee prefers Spanish; there is no Spanish text, they will get the English one." in guests
    assert f"/convenings/{convening.id}/guests/template?language=fr" in guests
    page = client.get(f"/convenings/{convening.id}/guests/template?language=fr").get_data(as_text=True)
    assert "There is no French text yet" in page and "2 invitees prefer French" in page
    assert "Please reply by {reply_by}: {convening}" in page  # the form starts from the default text
    _send(client, convening, *french, spanish)
    assert all(m.subject.startswith("Please reply by") for m in outbox(kind="invitation"))
    assert already.status == "accepted"
    # Once the French text is written, only the Spanish readers are announced.
    db.session.expire_all()
    assert _save(client, convening, "fr", FRENCH).status_code == 302
    more = make.invitation(convening, make.person(name="Émile Faye", preferred_language="fr"))
    spanish_too = make.invitation(convening, make.person(name="Diego Rojas", preferred_language="es"))
    guests = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert "prefer French" not in guests and "1 invitee prefers Spanish" in guests and "Diego Rojas" in guests
    _send(client, convening, more, spanish_too)
    sent = {m.to_name: m for m in outbox(kind="invitation")}
    assert sent["Émile Faye"].subject.startswith("Merci de répondre")
    assert sent["Diego Rojas"].subject.startswith("Please reply by")


def test_no_text_saved_at_all_falls_back_to_the_default_wording_and_says_so(client, make, convening):
    reader = make.invitation(convening, make.person(name="Fatou Sow", preferred_language="fr"))
    guests = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert "1 invitee prefers French; there is no French text, they will get the English one." in guests
    _send(client, convening, reader)
    (message,) = outbox(kind="invitation")
    assert message.subject.startswith("Please reply by") and "We would be honoured" in message.text


def test_each_language_is_checked_as_the_english_text_is(client, make, convening):
    notice = _save(client, convening, "fr", {"subject": "Invitation à {convening}", "body": "{name} {rsvp_link}"})
    page = notice.get_data(as_text=True)
    assert notice.status_code == 422 and "say that an answer is needed" in page and "Merci de répondre" in page
    unknown = _save(client, convening, "es", {"subject": "Responda antes del {fecha}", "body": "{nombre} {rsvp_link}"})
    page = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and "Unknown placeholder {fecha}" in page and "Unknown placeholder {nombre}" in page
    no_link = _save(client, convening, "es", {"subject": "Le rogamos responder", "body": "Estimado/a {name}"})
    assert no_link.status_code == 422 and "include {rsvp_link}" in no_link.get_data(as_text=True)
    line_break = _save(client, convening, "fr", {"subject": "Merci de répondre\r\nBcc: x@example.org",
                                                 "body": "{rsvp_link}"})
    assert line_break.status_code in (200, 422) and "without control characters" in line_break.get_data(as_text=True)
    assert db.session.query(InvitationTemplate).filter_by(convening_id=convening.id).count() == 0
    assert _save(client, convening, "fr", {"subject": "Réponse souhaitée : {convening}",
                                           "body": "{name} {rsvp_link}"}).status_code == 302
    # The saved French text leaves the other languages as they were (the English default wording).
    db.session.expire_all()
    assert invitation_template.template_for(convening, "en").id is None
    assert invitation_template.template_for(convening, "fr").subject == "Réponse souhaitée : {convening}"


def test_the_editor_shows_one_language_at_a_time_and_keeps_it(client, make, convening):
    assert _save(client, convening, "es", SPANISH).status_code == 302
    page = client.get(f"/convenings/{convening.id}/guests/template?language=es").get_data(as_text=True)
    assert "Le rogamos responder" in page and 'aria-current="page">Spanish' in page
    assert "French – not written" in page and "English (default)" in page
    assert "Save the Spanish text" in page
    response = _save(client, convening, "es", {**SPANISH, "body": "Otro texto {rsvp_link}", "version": "1"})
    assert response.status_code == 302 and "language=es" in response.headers["Location"]
    db.session.expire_all()
    assert invitation_template.template_for(convening, "es").body == "Otro texto {rsvp_link}"
    unknown = client.get(f"/convenings/{convening.id}/guests/template?language=xx")
    assert unknown.status_code == 200 and 'aria-current="page">English' in unknown.get_data(as_text=True)


def test_a_new_link_is_sent_in_the_invitees_language(client, make, convening):
    assert _save(client, convening, "fr", FRENCH).status_code == 302
    invitation = make.invitation(convening, make.person(name="Gisèle Kaboré", preferred_language="fr"))
    _send(client, convening, invitation)
    assert client.post(f"/convenings/{convening.id}/guests/{invitation.id}/reissue").status_code == 302
    assert [m.subject[:18] for m in outbox(kind="invitation")] == ["Merci de répondre "] * 2


def test_the_convenings_default_language_decides_for_those_who_chose_none(client, make, convening):
    convening.default_language = "fr"
    db.session.commit()
    page = client.get(f"/convenings/{convening.id}/guests/template").get_data(as_text=True)
    assert 'aria-current="page">French (default)' in page  # the editor opens on the default language
    assert _save(client, convening, "fr", FRENCH).status_code == 302
    nobody = make.invitation(convening, make.person(name="Hana No Choice"))
    english = make.invitation(convening, make.person(name="Ivy English", preferred_language="en"))
    guests = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    notice = guests.split('id="language-fallbacks"')[1].split("</div>")[0]
    assert "1 invitee prefers English; there is no English text, they will get the French one." in notice
    assert "Ivy English" in notice and "Hana No Choice" not in notice
    _send(client, convening, nobody, english)
    sent = {m.to_name: m for m in outbox(kind="invitation")}
    assert sent["Hana No Choice"].subject.startswith("Merci de répondre")
    assert sent["Ivy English"].subject.startswith("Merci de répondre")  # the convening's default text


def test_a_series_language_is_inherited_by_its_convenings_invitation(client, make, organizer, convening):
    convening.series = make.series(default_language="es")
    db.session.commit()
    reader = make.invitation(convening, make.person(name="Jorge Sin Preferencia"))
    guests = client.get(f"/convenings/{convening.id}/guests").get_data(as_text=True)
    assert "1 invitee prefers Spanish; there is no Spanish text, they will get the English one." in guests
    assert _save(client, convening, "es", SPANISH).status_code == 302
    _send(client, convening, reader)
    (message,) = outbox(kind="invitation")
    assert message.subject.startswith("Le rogamos responder")


def test_the_placeholders_words_of_their_own_are_in_the_texts_language(app, make, organizer):
    """{venue} without a place and {reply_by} without a date are Convene's words: in the text's language."""
    convening = make.convening(organizers=[organizer], venue="", city="", country=None)
    invitation = make.invitation(convening, make.person(preferred_language="fr"))
    text = InvitationTemplate(convening_id=convening.id, language="fr", subject="Répondez", body="{venue} {reply_by}")
    assert invitation_template.render_invitation(text, invitation, "LINK")[1] == "un lieu à confirmer dès que possible"
    text.language = "es"
    assert invitation_template.render_invitation(text, invitation, "LINK")[1] == "un lugar por confirmar lo antes posible"


def test_two_organizers_writing_a_new_language_at_once_the_second_is_told_not_a_500(client, make, convening,
                                                                                      monkeypatch):
    """Both opened the empty French tab; the first saves. The second save finds the row the first made
    (the unique convening and language) and answers 409 with the first text, saving nothing."""
    assert _save(client, convening, "fr", FRENCH).status_code == 302
    # the second organizer's request read the French tab before the first save: it holds no saved text
    unsaved = InvitationTemplate(convening_id=convening.id, language="fr", subject="", body="")
    real = invitation_template.template_for
    monkeypatch.setattr(invitation_template, "template_for",
                        lambda c, language=None: unsaved if language == "fr" else real(c, language))
    second = _save(client, convening, "fr", {"subject": "Merci de répondre : {convening}",
                                             "body": "Autre texte {rsvp_link}"})
    assert second.status_code == 409, second.status_code
    assert "Another organizer saved the template meanwhile" in second.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.query(InvitationTemplate).filter_by(convening_id=convening.id, language="fr").all()
    assert [t.subject for t in saved] == [FRENCH["subject"]]
