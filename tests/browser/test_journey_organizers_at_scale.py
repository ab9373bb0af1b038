"""Issue 17's "done when", as one organizer's day in chromium.

An organizer runs a roundtable of thirty: selects all 30 matching invitees (of 45, across
pages) and sends; writes to the accepted ones with a PDF attached; edits the reminder text in
French and English; downloads the venue list (with the travel dates an attendee gave) and the
name tents (text extracted, a page rendered to an image); sets the series' logo and colour and
sees them on the public agenda and in the next e-mail; and finds that the dashboard's figures
match the lists they open. Every page is checked for structure and with axe-core as it is reached.
Screenshots in docs/organizers.md come from this journey (test-output/browser/organizers-at-scale/).
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date, timedelta
from email.utils import parseaddr

import pytest
import sqlalchemy as sa

from convene.agenda import versions
from convene.agenda.models import AgendaSettings
from convene.extensions import db
from convene.invitations import links as invitation_links
from convene.invitations.answers import answer
from convene.models import Invitation
from tests.browser.conftest import new_context, sign_in_as
from tests.convenings.test_brand import image_bytes
from tests.briefs.conftest import make_pdf
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

#: Names in the scripts a room of thirty brings (the tents must print each with real letters).
WORLD_NAMES = ["ليلى حداد", "王小明", "अनीता शर्मा", "Nguyễn Thị Hương", "Zoë Ångström-Pérez"]
START = date.today() + timedelta(days=45)
ACCEPTING = 12


def _room(make, organizer):
    """A roundtable with 45 people on the guest list: 30 first choice, 15 reserves, all still planned."""
    series = make.series(name="Strategy for Peace", slug="strategy-for-peace")
    convening = make.convening(organizers=[organizer], series=series, title="Roundtable on Climate and Security",
                               slug="climate-security", starts_on=START, ends_on=START + timedelta(days=1),
                               reply_by=START - timedelta(days=20), venue="Airlie Center", status="open")
    for i in range(45):
        name = WORLD_NAMES[i] if i < len(WORLD_NAMES) else f"Guest {i:02d} Example"
        person = make.person(name=name, email=f"guest{i:02d}@example.org", listing_consent=True,
                             organization=make.organization(name=f"Institute {i:02d}"),
                             preferred_language="fr" if i % 10 == 7 else None,
                             country=("KE", "BR", "IN", "DE", "US")[i % 5])
        first = i < 30
        make.invitation(convening, person, priority="first_choice" if first else "reserve",
                        reserve_rank=None if first else i - 29)
    make.agenda_session(convening, title="Session I: Warning signs")
    db.session.merge(AgendaSettings(convening_id=convening.id, public=True))
    versions.publish(convening, actor=organizer)
    db.session.commit()
    return series, convening


def _invitations(convening, status=None) -> list[Invitation]:
    db.session.expire_all()
    query = sa.select(Invitation).where(Invitation.convening_id == convening.id).order_by(Invitation.id)
    if status:
        query = query.where(Invitation.status == status)
    return list(db.session.scalars(query))


def test_an_organizer_runs_a_roundtable_of_thirty(page, browser, live, journey, make, tmp_path, monkeypatch):
    monkeypatch.setitem(live.app.config, "GUEST_LIST_PER_PAGE", 20)
    j = journey("organizers-at-scale")
    organizer = make.user("organizer", name="Olivia Organizer")
    series, convening = _room(make, organizer)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, organizer, PASSWORD)

    # 1. Select all 30 matching invitees (first choice, across pages) and send.
    _select_all_matching_and_send(page, j, convening)
    assert live.deliver_mail() == 30
    assert len(_invitations(convening, "invited")) == 30

    # Twelve accept through their links (the service their page calls); one gives travel dates in the browser.
    invited = _invitations(convening, "invited")
    for invitation in invited[:ACCEPTING]:
        answer(invitation, "accepted")
    db.session.commit()
    live.deliver_mail()
    home = invitation_links.home_url(invited[0]).removeprefix("http://localhost")
    db.session.commit()
    attendee = new_context(browser, live)
    try:
        their_page = attendee.new_page()
        their_page.goto(home)
        their_page.get_by_label("Arrival").fill((START - timedelta(days=1)).isoformat())
        their_page.get_by_label("Departure").fill((START + timedelta(days=2)).isoformat())
        with their_page.expect_navigation():
            their_page.get_by_role("button", name="Save my travel dates").click()
        assert "saved" in their_page.locator(".flash").first.inner_text()
    finally:
        attendee.close()

    # 2. Write to the accepted ones, with a PDF attached.
    visa = make_pdf(padding=5_000)
    (tmp_path / "Visa letters.pdf").write_bytes(visa)
    page.goto(f"/convenings/{convening.id}/write")
    page.get_by_label("Accepted").check()
    page.get_by_label("Subject").fill("Visa letters for {convening}")
    page.get_by_role("textbox", name="Message").fill("Dear {name},\n\nYour visa letter is attached. "
                                                     "The shuttle leaves at 8.\n\n{personal_link}")
    page.get_by_label("Include each recipient's personal link").check()
    page.get_by_label("Attach PDF files (optional)").set_input_files(str(tmp_path / "Visa letters.pdf"))
    page.get_by_role("button", name="Preview").click()
    j.check("write to the accepted ones")
    page.get_by_role("button", name=f"Send to {ACCEPTING} people").click()
    assert f"on its way to {ACCEPTING} people" in page.locator(".flash").first.inner_text()
    live.deliver_mail()
    for invitation in invited[:ACCEPTING]:
        assert live.mail_to(invitation.person.email)[-1]["Subject"] == "Visa letters for " + convening.title
    mail = live.mail_to(invited[1].person.email)[-1]
    files = list(mail.iter_attachments())
    assert [f.get_filename() for f in files] == ["Visa letters.pdf"] and files[0].get_content() == visa

    # 3. The reminder, in French and in English; those still invited get theirs in their language.
    page.goto(f"/convenings/{convening.id}/guests")
    page.get_by_role("link", name="Messages", exact=True).first.click()
    page.wait_for_load_state("load")
    j.check("messages of the convening")
    for language, subject, body in (
            ("French", "Rappel : merci de répondre avant le {reply_by}", "Bonjour {name},\n\n{rsvp_link}"),
            ("English", "Friendly reminder: please reply by {reply_by}", "Dear {name},\n\n{rsvp_link}")):
        page.get_by_role("row", name=re.compile("^Reminder")).get_by_role("link", name=language).click()
        page.wait_for_load_state("load")
        page.get_by_label("Subject", exact=True).fill(subject)
        page.get_by_label("Message", exact=True).fill(body)
        with page.expect_navigation():
            page.get_by_role("button", name=f"Save the {language} text").click()
        j.check(f"reminder in {language}")
        page.get_by_role("link", name="Messages", exact=True).first.click()
        page.wait_for_load_state("load")
    page.goto(f"/convenings/{convening.id}/guests/reminders")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to confirm the reminders").click()
    with page.expect_navigation():
        page.get_by_role("button", name=f"Send the reminders ({30 - ACCEPTING})").click()
    live.deliver_mail()
    still_invited = _invitations(convening, "invited")
    french = next(i for i in still_invited if i.person.preferred_language == "fr")
    english = next(i for i in still_invited if i.person.preferred_language is None)
    assert str(live.mail_to(french.person.email)[-1]["Subject"]).startswith("Rappel : merci de répondre")
    assert str(live.mail_to(english.person.email)[-1]["Subject"]).startswith("Friendly reminder")

    # 4. The venue list (CSV, with the travel dates) and the name tents (PDF), downloaded.
    page.goto(f"/convenings/{convening.id}/printables")
    j.check("lists and printables")
    page.get_by_label(re.compile("what.*for", re.I)).fill("Rooms, meals and access at the Airlie Center")
    page.get_by_label("CSV for a spreadsheet").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the venue list").click()
    with open(download.value.path(), encoding="utf-8-sig") as saved:
        rows = list(csv.DictReader(io.StringIO(saved.read())))
    assert len(rows) == ACCEPTING
    traveller = next(r for r in rows if r["Name"] == invited[0].person.name)
    assert (traveller["Arrival"], traveller["Departure"]) == ((START - timedelta(days=1)).isoformat(),
                                                              (START + timedelta(days=2)).isoformat())
    with page.expect_download() as download:
        page.get_by_role("link", name="A4").first.click()
    tents = tmp_path / "tents.pdf"
    download.value.save_as(tents)
    coming = {i.person.name for i in _invitations(convening, "accepted")}
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tents), "-"], capture_output=True, text=True, check=True).stdout
        # pdftotext splits Devanagari clusters and reverses Arabic: those are checked in tests/printables.
        for name in coming - set(WORLD_NAMES[0:1] + WORLD_NAMES[2:3]):
            assert name in text, name
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(tents), str(tmp_path / "tent")],
                       check=True)
        rendered = next(tmp_path.glob("tent*.png"))
        assert rendered.stat().st_size > 2000
        shutil.copy(rendered, j.folder / "name-tent-page-1.png")

    # 5. The series' own look: a colour too light for white text is refused; logo and colour saved.
    (tmp_path / "logo.png").write_bytes(image_bytes("PNG", size=(160, 48), colour=(31, 78, 140)))
    page.goto(f"/series/{series.id}/look")
    page.get_by_label("Accent colour").fill("#ffd700")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    j.check("look refused colour")
    assert "4.5" in page.locator("main").inner_text()
    page.get_by_label("Organization name").fill("Aurora Peace Foundation")
    page.get_by_label("Logo").set_input_files(str(tmp_path / "logo.png"))
    page.get_by_label("Accent colour").fill("#1f4e8c")
    page.get_by_label("Footer text").fill("Aurora Peace Foundation · 12 Harbour Road · Dakar")
    page.get_by_label("Contact address").fill("roundtables@aurora.example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    j.check("look saved")

    visitor = new_context(browser, live)
    try:
        public = visitor.new_page()
        public.goto(f"/c/{convening.slug}/agenda")
        j_public = journey("organizers-at-scale-public", public)
        j_public.check("public agenda with the foundation's look")
        header = public.locator("header").first
        assert "Aurora Peace Foundation" in header.inner_text()
        assert public.locator("img.brand-logo").evaluate("img => img.complete && img.naturalWidth") == 160
        assert public.locator('link[href*="/brand/"]').count() == 1
        assert public.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()") \
            .lower() == "#1f4e8c"
    finally:
        visitor.close()

    # The next e-mail carries the look: a note to the accepted ones.
    page.goto(f"/convenings/{convening.id}/write")
    page.get_by_label("Accepted").check()
    page.get_by_label("Subject").fill("Dinner moved to 19:30")
    page.get_by_role("textbox", name="Message").fill("Dear {name},\n\nDinner on the first day is at 19:30.")
    page.get_by_role("button", name="Count the recipients").click()
    page.get_by_role("button", name=f"Send to {ACCEPTING} people").click()
    live.deliver_mail()
    note = live.mail_to(invited[2].person.email)[-1]
    text = note.get_body(("plain",)).get_content()
    html = note.get_body(("html",)).get_content()
    assert "Aurora Peace Foundation · 12 Harbour Road · Dakar" in text and "roundtables@aurora.example.org" in text
    assert "Aurora Peace Foundation" in html and "#1f4e8c" in html.lower()

    # 6. The dashboard: each figure of "Where you stand" opens the list it counts.
    page.goto("/")
    j.check("dashboard where you stand")
    row = page.locator("table.standing").get_by_role("row").filter(has_text="Roundtable on Climate and Security")
    accepted_link = row.get_by_role("link", name=re.compile(r"^\d+ accepted"))
    assert int(accepted_link.inner_text().split()[0]) == ACCEPTING
    awaiting = row.get_by_role("link", name=re.compile(r"^\d+ invited"))
    assert int(awaiting.inner_text().split()[0]) == 30 - ACCEPTING
    with page.expect_navigation():
        accepted_link.click()
    j.check("guest list filtered to accepted")
    assert page.locator("main tbody tr").filter(has=page.locator("input[type=checkbox]")).count() == ACCEPTING
    j.finish()


def _select_all_matching_and_send(page, j, convening) -> None:
    """Filter to the planned first choices, select all 30 matching (the list shows 20 a page), confirm, send."""
    page.goto(f"/convenings/{convening.id}/guests")
    page.get_by_label("Status", exact=True).select_option("planned")
    page.get_by_label("Priority", exact=True).select_option("first_choice")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter the list").click()
    assert page.locator("input[type=checkbox][name=invitation_ids]").count() == 20  # page 1 of 2
    page.get_by_label("Select all 30 matching ‘status: planned, first choice’, on every page").check()
    page.get_by_label("Action").select_option("send")
    j.check("all 30 matching selected")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to confirm").click()
    j.check("confirmation names the count and the filter")
    assert page.get_by_role("heading", level=2).first.inner_text() == \
        "Send invitations to 30 people: all matching ‘status: planned, first choice’"
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invitations (30)").click()
    assert page.get_by_text("Invitations queued: 30.").count() == 1
