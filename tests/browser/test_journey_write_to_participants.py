"""Issue 17 item 2's "done when", in chromium: an organizer writes to the accepted ones with an attachment.

From the guest list's pages: choose "Accepted", write with placeholders and the personal link,
attach a PDF, preview for one person, send; the worker delivers to a real SMTP server, each
mail with the PDF intact and the person's own link (in French for the French reader); the
history shows the message delivered. Every page is checked for structure and with axe-core.
"""
from __future__ import annotations

import pytest

from convene.db_types import utcnow
from tests.browser.conftest import sign_in_as
from tests.briefs.conftest import make_pdf
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def test_an_organizer_writes_to_the_accepted_ones_with_an_attachment(page, live, journey, make, tmp_path):
    j = journey("write-to-participants")
    organizer = make.user("organizer", name="Olivia Organizer")
    convening = make.convening(organizers=[organizer], title="Roundtable on Water", venue="Hotel Lac",
                               city="Geneva", country="CH", status="open")
    accepted = [make.invitation(convening, make.person(name=name, email=email, preferred_language=language),
                                status="accepted", invited_at=utcnow())
                for name, email, language in (("Amina Diallo", "amina@example.org", "fr"),
                                              ("Bruno Costa", "bruno@example.org", None))]
    make.invitation(convening, make.person(name="Carla Declined", email="carla@example.org"), status="declined",
                    invited_at=utcnow())
    visa = make_pdf(padding=20_000)
    path = tmp_path / "Visa letters.pdf"
    path.write_bytes(visa)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, organizer, PASSWORD)

    page.goto(f"/convenings/{convening.id}/guests")
    page.get_by_role("link", name="Write to participants").click()
    j.check("compose")
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Count the recipients").click()
    assert "2 people will receive this message" in page.get_by_role("status").first.inner_text()
    page.get_by_label("Subject").fill("Shuttle to {venue}")
    page.get_by_role("textbox", name="Message").fill("Dear {name},\n\nThe shuttle leaves at 8. Your visa letter is attached.\n\n"
                                      "Details: {personal_link}")
    page.get_by_label("Include each recipient's personal link").check()
    page.get_by_label("Attach PDF files (optional)").set_input_files(str(path))
    page.get_by_label("Preview for").select_option(label="Bruno Costa")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".mail-preview").inner_text()
    assert "Dear Bruno Costa" in preview and "EXAMPLE-LINK" in preview and "Attached: Visa letters.pdf" in preview
    j.check("preview")
    page.get_by_role("button", name="Send to 2 people").click()
    assert "on its way to 2 people" in page.locator(".flash").first.inner_text()
    j.check("message sent")

    assert live.deliver_mail() == 2
    for invitation in accepted:
        mail = live.mail_to(invitation.person.email)[0]
        assert mail["Subject"] == "Shuttle to Hotel Lac, Geneva, Switzerland"
        files = list(mail.iter_attachments())
        assert [f.get_filename() for f in files] == ["Visa letters.pdf"] and files[0].get_content() == visa
        assert live.links_in(mail, "/my/")  # their own page
    french = live.mail_to("amina@example.org")[0].get_body(("plain",)).get_content()
    assert "Pièces jointes : Visa letters.pdf" in french
    assert not live.mail_to("carla@example.org")

    page.get_by_role("link", name="Messages to participants").click()
    j.check("history")
    row = page.get_by_role("row").filter(has_text="Shuttle to {venue}")
    assert row.locator("td").nth(4).inner_text() == "2"  # delivered
    row.get_by_role("link").click()
    assert page.get_by_role("row").filter(has_text="Amina Diallo").get_by_text("delivered").is_visible()
    j.check("message detail")
