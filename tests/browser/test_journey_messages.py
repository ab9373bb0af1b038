"""Issue 17 item 3's journey in a real browser: the organizer opens the convening's Messages page,
edits the reminder in French and in English (a problem is shown and nothing saved), sets the series'
sender name and reply-to, sends the reminders, and each invitee receives the text of their language
from the series' sender name with its Reply-To. Every page is checked for structure and with axe-core.
Screenshots land in test-output/browser/messages/."""
from __future__ import annotations

import re
from datetime import date, timedelta
from email.utils import parseaddr

import pytest

from tests.browser.conftest import signed_in
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

TEXTS = {
    "French": ("Rappel : merci de répondre avant le {reply_by}",
               "Bonjour {name},\n\nVotre réponse, s'il vous plaît :\n\n{rsvp_link}"),
    "English": ("Friendly reminder: please reply by {reply_by}", "Dear {name},\n\nYour answer, please:\n\n{rsvp_link}"),
}


def _edit(staff, j, language: str) -> None:
    staff.get_by_role("row", name=re.compile("^Reminder")).get_by_role("link", name=language).click()
    staff.wait_for_load_state("load")
    j.check(f"reminder {language}, default")
    subject, body = TEXTS[language]
    staff.get_by_label("Subject", exact=True).fill(subject)
    staff.get_by_label("Message", exact=True).fill(body)
    with staff.expect_navigation():
        staff.get_by_role("button", name=f"Save the {language} text").click()
    j.check(f"reminder {language}, saved")
    assert subject.split("{")[0] in staff.locator(".mail-preview").locator("xpath=..").inner_text()


def test_the_organizer_edits_the_reminder_in_french_and_english_and_each_reader_gets_theirs(browser, live, journey,
                                                                                           make):
    organizer = make.user("organizer", name="Olivia Organizer")
    series = make.series(name="Strategy for Peace")
    convening = make.convening(organizers=[organizer], series=series, title="Roundtable on Atrocity Prevention",
                               status="open", reply_by=date.today() + timedelta(days=20))
    people = {code: make.person(name=name, email=f"{code}@example.org", preferred_language=code)
              for code, name in (("fr", "Awa Ndiaye"), ("en", "Ben Carter"))}
    for person in people.values():
        make.invitation(convening, person, status="invited")
    with signed_in(browser, live, organizer, PASSWORD) as staff:
        j = journey("messages", staff)
        staff.goto(f"/convenings/{convening.id}/guests")
        staff.get_by_role("link", name="Messages").click()
        staff.wait_for_load_state("load")
        j.check("messages of the convening")
        _edit(staff, j, "French")
        # A problem is listed on the page and nothing is saved.
        staff.get_by_label("Subject", exact=True).fill("Rappel {date_limite}")
        with staff.expect_navigation():
            staff.get_by_role("button", name="Save the French text").click()
        j.check("reminder French, refused")
        assert "Unknown placeholder {date_limite}" in staff.get_by_role("alert").inner_text()
        staff.get_by_role("link", name="Messages", exact=True).first.click()
        staff.wait_for_load_state("load")
        _edit(staff, j, "English")
        staff.get_by_role("link", name="Messages", exact=True).first.click()
        staff.wait_for_load_state("load")
        assert staff.get_by_role("row", name=re.compile("^Reminder")).inner_text().count("this convening's text") == 2

        staff.goto(f"/series/{series.id}/messages")
        j.check("messages of the series")
        staff.get_by_label("Sender name").fill("Strategy for Peace Secretariat")
        staff.get_by_label("Reply-to address").fill("secretariat@example.org")
        with staff.expect_navigation():
            staff.get_by_role("button", name="Save the sender").click()
        j.check("sender saved")

        staff.goto(f"/convenings/{convening.id}/guests/reminders")
        with staff.expect_navigation():
            staff.get_by_role("button", name="Continue to confirm the reminders").click()
        j.check("reminders to confirm")
        with staff.expect_navigation():
            staff.get_by_role("button", name=re.compile(r"^Send the reminders \(\d+\)$")).click()
        j.check("reminders sent")
    live.deliver_mail()
    [french] = live.mail_to("fr@example.org")
    [english] = live.mail_to("en@example.org")
    assert str(french["Subject"]).startswith("Rappel : merci de répondre avant le")
    assert french.get_body(preferencelist=("plain",)).get_content().startswith("Bonjour Awa Ndiaye")
    assert str(english["Subject"]).startswith("Friendly reminder: please reply by")
    for message in (french, english):
        assert parseaddr(str(message["From"]))[0] == "Strategy for Peace Secretariat"
        assert str(message["Reply-To"]) == "secretariat@example.org"


def test_the_series_and_site_wide_message_pages_are_accessible(browser, live, journey, make):
    admin = make.user("admin", name="Ada Admin")
    series = make.series(name="Strategy for Peace")
    make.convening(organizers=[admin], series=series, status="open")
    with signed_in(browser, live, admin, PASSWORD) as staff:
        j = journey("messages-admin", staff)
        for path, label in ((f"/series/{series.id}/messages/reminder/es", "series reminder, Spanish"),
                            ("/messages/site", "site-wide messages"),
                            ("/messages/site/staff_digest/en", "staff digest")):
            staff.goto(path)
            j.check(label)
        assert "{overdue}" in staff.get_by_label("Message", exact=True).input_value()
