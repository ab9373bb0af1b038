"""Issue 15's "done when": the attendee journey in French and in Spanish, in a real browser.

The organizer sees, before sending, that the invitee would get the English text, writes the
invitation in the invitee's language on the Invitation text page and sends it; the invitation
e-mail arrives in that language (the person's preferred language, whatever the browser says:
the attendee's browser is English); the attendee accepts and the confirmation is in their
language; their home and agenda pages are served in it; they switch their language in the home
page's settings and the next e-mail (the calendar update when the agenda is published) comes in
the new one. The public archive serves French (Spanish) to a browser that asks for it. Every page
is checked as the other journeys do: structure and axe-core.
Screenshots land in test-output/browser/languages-<code>/.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

import pytest

from tests.browser.conftest import TIMEOUT_MS, signed_in
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

#: A Saturday, so that the localized dates are known words: "samedi 16 janvier 2027".
FIRST_DAY = date(2027, 1, 16)
SESSIONS = ("Opening plenary: prevention that works", "Closing: commitments and next steps")
LANGUAGES = {
    "fr": {
        "name": "French", "browser": "fr-FR", "switch_to": "es",
        "subject": "Merci de répondre avant le {reply_by} : invitation à {convening}",
        "body": "Madame, Monsieur {name},\n\nNous vous invitons à {convening}, du {dates}, à {venue}.\n\n"
                "Merci de nous répondre avant le {reply_by} par votre lien personnel :\n\n{rsvp_link}",
        "mail_words": ("Nous vous invitons", "16–18 janvier 2027", "samedi 9 janvier 2027", "Sénégal"),
        "first_day": "samedi 16 janvier 2027", "attending": "votre participation est confirmée",
        "settings": "Vos préférences", "plenary": "Plénière", "agenda_line": "Programme :",
        "confirmed": "Confirmée : votre place à",
        "skip_link": "Aller au contenu", "publications": "Publications",
    },
    "es": {
        "name": "Spanish", "browser": "es-ES", "switch_to": "fr",
        "subject": "Le rogamos responder antes del {reply_by}: invitación a {convening}",
        "body": "Estimado/a {name}:\n\nLe invitamos a {convening}, del {dates}, en {venue}.\n\n"
                "Le rogamos responder antes del {reply_by} con su enlace personal:\n\n{rsvp_link}",
        "mail_words": ("Le invitamos", "16–18 de enero de 2027", "sábado, 9 de enero de 2027", "Senegal"),
        "first_day": "sábado, 16 de enero de 2027", "attending": "su participación está confirmada",
        "settings": "Sus preferencias", "plenary": "Sesión plenaria", "agenda_line": "Programa:",
        "confirmed": "Confirmada: su plaza en",
        "skip_link": "Ir al contenido", "publications": "Publicaciones",
    },
}
#: The first words of the calendar update's subject when the agenda is published, in each language.
UPDATED = {"fr": "Invitation d’agenda mise à jour", "es": "Invitación de calendario actualizada"}
#: The calendar update's subject (before its colon) when the convening's place changes.
CHANGED = {"fr": "Mis à jour ", "es": "Actualizado"}


def _setup(make, code: str):
    organizer = make.user("organizer", name="Olivia Organizer")
    convening = make.convening(organizers=[organizer], title="Roundtable on Atrocity Prevention", status="open",
                               starts_on=FIRST_DAY, ends_on=date(2027, 1, 18), reply_by=date(2027, 1, 9),
                               timezone="Africa/Dakar", venue="Centre de conférences", city="Dakar", country="SN")
    person = make.person(name="Awa Ndiaye" if code == "fr" else "Lucía Mamani", email=f"invitee-{code}@example.org",
                         country="SN" if code == "fr" else "BO", sector="academia", preferred_language=code)
    invitation = make.invitation(convening, person)
    for n, title in enumerate(SESSIONS):
        starts = datetime.combine(date(2027, 1, 16 + 2 * n), time(9), tzinfo=timezone.utc)
        make.agenda_session(convening, title=title, starts_at=starts, ends_at=starts.replace(hour=10, minute=30),
                            room="Salle A", kind="plenary")
    return organizer, convening, person, invitation


def _token(link: str) -> str:
    return re.search(r"/my/([^/?#\s]+)", link).group(1)


def _subject(message) -> str:
    return str(message["Subject"])


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _organizer_writes_and_sends(staff, j, convening, person, words) -> None:
    """Told of the fallback before sending; writes the text in the invitee's language; sends."""
    staff.goto(f"/convenings/{convening.id}/guests")
    j.check("guest list announces the fallback")
    notice = staff.locator("#language-fallbacks").inner_text()
    assert f"1 invitee prefers {words['name']}; there is no {words['name']} text, they will get the English one" \
        in notice and person.name in notice
    staff.get_by_role("link", name=f"Write the {words['name']} text").click()
    staff.wait_for_load_state("load")
    j.check("invitation text, not written yet")
    assert staff.get_by_role("link", name=re.compile(f"^{words['name']}")).get_attribute("aria-current") == "page"
    staff.get_by_label("Subject").fill(words["subject"])
    staff.get_by_label("Message").fill(words["body"])
    with staff.expect_navigation():
        staff.get_by_role("button", name=f"Save the {words['name']} text").click()
    j.check("invitation text saved")
    assert staff.locator("#language-fallbacks").count() == 0
    assert words["mail_words"][0] in staff.locator(".mail-preview").inner_text()
    staff.goto(f"/convenings/{convening.id}/guests")
    assert staff.locator("#language-fallbacks").count() == 0
    staff.get_by_label(f"Select {person.name}").check()
    staff.get_by_label("Action").select_option("send")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Continue to confirm").click()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Send the invitations (1)").click()
    j.check("invitation sent")


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_the_attendee_journey_in_their_own_language(browser, live, journey, make, code):
    words = LANGUAGES[code]
    organizer, convening, person, invitation = _setup(make, code)
    context = browser.new_context(base_url=live.url, bypass_csp=True, accept_downloads=True, locale="en-US",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    j = journey(f"languages-{code}", page)
    try:
        # 1. The organizer is told before sending, writes the invitee's language, sends.
        with signed_in(browser, live, organizer, PASSWORD) as staff:
            _organizer_writes_and_sends(staff, journey(f"languages-{code}-organizer", staff), convening, person, words)
        live.deliver_mail()
        [invitation_mail] = live.mail_to(person.email)
        assert _subject(invitation_mail).startswith(words["subject"].split("{")[0])
        for expected in words["mail_words"]:
            assert expected in _text(invitation_mail), expected

        # 2. The attendee (an English browser) opens the link: the page is in their language; they accept.
        link = live.links_in(invitation_mail, r"/my/")[0]
        page.goto(link)
        j.check("invitation")
        assert page.locator("html").get_attribute("lang") == code
        assert page.get_by_role("link", name=words["skip_link"]).count() == 1
        assert page.get_by_role("heading", name=words["settings"]).count() == 1
        page.locator('input[name="answer"][value="accepted"]').check()
        with page.expect_navigation():
            page.locator("form.rsvp-answer button[type=submit]").click()
        j.check("accepted")
        assert page.get_by_text(re.compile(words["attending"])).count() >= 1
        live.deliver_mail()
        confirmation = live.mail_to(person.email)[-1]
        assert _subject(confirmation).startswith(words["confirmed"])
        assert any(part.get_content_type() == "text/calendar" for part in confirmation.walk())

        # 3. The organizer publishes the agenda: the calendar update comes in the attendee's language,
        #    and the agenda page opens.
        sent_before = len(live.mail_to(person.email))
        with signed_in(browser, live, organizer, PASSWORD) as staff:
            staff.goto(f"/convenings/{convening.id}/agenda/publish")
            with staff.expect_navigation():
                staff.get_by_role("button", name=re.compile(r"Publish version 1")).click()
        live.deliver_mail()
        newest = live.mail_to(person.email)[sent_before:]
        assert [m for m in newest if _subject(m).startswith(UPDATED[code])], [_subject(m) for m in newest]
        page.goto(link)
        page.locator(f'a[href$="/my/{_token(link)}/agenda"]').first.click()
        page.wait_for_load_state("load")
        j.check("agenda")
        assert page.locator("html").get_attribute("lang") == code
        assert words["first_day"] in page.locator("main").inner_text()
        for title in SESSIONS:
            assert page.get_by_text(title).count() >= 1

        # The calendar file of their sessions, from the home page, is in their language too.
        page.goto(link)
        ics = page.request.get(page.locator(f'a[href$="/my/{_token(link)}/agenda.ics"]').first.get_attribute("href"))
        calendar = ics.text().replace("\r\n ", "")
        assert ics.status == 200 and words["plenary"] in calendar and words["agenda_line"] in calendar

        # 4. They switch their language on the home page's settings: the next e-mail (the organizers
        #    move the venue: a calendar update) is in the new one.
        page.goto(link)
        page.locator('select[name="preferred_language"]').select_option(words["switch_to"])
        with page.expect_navigation():
            page.locator("#settings form button[type=submit]").click()
        j.check("language switched")
        assert page.locator("html").get_attribute("lang") == words["switch_to"]
        assert page.get_by_role("heading", name=LANGUAGES[words["switch_to"]]["settings"]).count() == 1
        sent_before = len(live.mail_to(person.email))
        with signed_in(browser, live, organizer, PASSWORD) as staff:
            staff.goto(f"/convenings/{convening.id}/edit")
            staff.get_by_label("Venue", exact=True).fill("Hôtel du Plateau")
            with staff.expect_navigation():
                staff.get_by_role("button", name="Save", exact=True).click()
        live.deliver_mail()
        newest = live.mail_to(person.email)[sent_before:]
        assert [_subject(m).split(":")[0] for m in newest] == [CHANGED[words["switch_to"]]], \
            [_subject(m) for m in newest]
    finally:
        context.close()


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_the_public_archive_speaks_the_browsers_language(browser, live, journey, code):
    words = LANGUAGES[code]
    context = browser.new_context(base_url=live.url, bypass_csp=True, locale=words["browser"])
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        j = journey(f"publications-{code}", page)
        page.goto("/publications/")
        j.check("publications")
        assert page.locator("html").get_attribute("lang") == code
        assert page.get_by_role("link", name=words["skip_link"]).count() == 1
        assert page.get_by_role("link", name=words["publications"]).count() >= 1
    finally:
        context.close()
