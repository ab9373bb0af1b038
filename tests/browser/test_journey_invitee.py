"""Journey (b): an invitee opens the emailed link, accepts, fixes their profile, downloads the agenda
.ics and copies the calendar subscription link. Also: the RSVP page answered with the keyboard only."""
from __future__ import annotations

import re
from pathlib import Path
from datetime import date, datetime, time, timedelta, timezone

import icalendar
import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.models import Invitation, Person
from tests.browser.conftest import signed_in
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

SESSIONS = ("Opening plenary: why climate security now", "Early warning that reaches decision-makers",
           "Closing: commitments and next steps")


def _invited(live, make):
    """An open convening with a three-session agenda and one invitee whose invitation e-mail is delivered."""
    organizer = make.user("organizer", name="Olivia Organizer")
    first = date.today() + timedelta(days=45)
    convening = make.convening(organizers=[organizer], title="Climate and Security Roundtable", status="open",
                               starts_on=first, ends_on=first + timedelta(days=1), reply_by=first - timedelta(days=7),
                               timezone="America/New_York", venue="Airlie Center")
    organization = make.organization(name="Sahel Policy Institute", sector="academia", country="SN")
    amina = make.person(name="Amina Diallo", email="amina.diallo@example.org", organization=organization,
                        country="SN", sector="academia", position="Researcher")
    invitation = make.invitation(convening, amina)
    for n, title in enumerate(SESSIONS):
        starts = datetime.combine(first, time(13 + 2 * n), tzinfo=timezone.utc)
        make.agenda_session(convening, title=title, starts_at=starts, ends_at=starts + timedelta(minutes=90),
                            room="Main hall", kind="plenary", description="Chatham House Rule applies.")
    with live.app.app_context():  # the live app's BASE_URL goes into the personal link
        from convene.invitations import sending

        convening_live = db.session.get(type(convening), convening.id)
        invitation_live = db.session.get(Invitation, invitation.id)
        organizer_live = db.session.get(type(organizer), organizer.id)
        sending.send_invitations(convening_live, [invitation_live], actor=organizer_live)
        db.session.commit()
    assert live.deliver_mail() == 1
    return organizer, convening, amina, invitation


def _rsvp_link(live, address: str) -> str:
    messages = live.mail_to(address)
    assert messages, f"no e-mail reached {address}"
    links = live.links_in(messages[0], r"/my/")
    assert links, "the invitation has no personal RSVP link"
    assert links[0].startswith(live.url), f"the link should point at the server: {links[0]}"
    return links[0]


def test_invitee_accepts_fixes_profile_and_takes_the_agenda_to_their_calendar(browser, page, live, journey, make):
    j = journey("b-invitee")
    organizer, convening, amina, invitation = _invited(live, make)

    # 1. The invitation e-mail's personal link opens the RSVP page (no account needed).
    page.goto(_rsvp_link(live, amina.email))
    j.check("rsvp page from the e-mail")
    assert "Climate and Security Roundtable" in page.get_by_role("heading", level=1).inner_text()

    # 2. Accept.
    page.get_by_label("I accept").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").click()
    j.check("answer accepted")
    assert page.get_by_text(re.compile("your place is confirmed", re.I)).count() >= 1
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "accepted"

    # 3. Fix the profile: new position and organization, dietary needs, listing consent.
    page.get_by_label("Organization", exact=True).fill("Sahel Institute for Policy Research")
    page.get_by_label("Position", exact=True).fill("Senior Researcher")
    page.get_by_label("Dietary needs").fill("Vegetarian")
    page.get_by_label("Gender (as you identify)").select_option("woman")
    page.get_by_label(re.compile("I agree to appear on the participant list")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save my details").click()
    j.check("profile saved")
    db.session.expire_all()
    person = db.session.get(Person, amina.id)
    assert person.position == "Senior Researcher"
    assert person.dietary_needs == "Vegetarian" and person.gender == "woman" and person.listing_consent
    assert person.organization.name == "Sahel Institute for Policy Research"

    # The acceptance sends a calendar invitation (iTIP REQUEST) by e-mail.
    live.deliver_mail()
    confirmation = [m for m in live.mail_to(amina.email) if any(
        part.get_content_type() == "text/calendar" for part in m.walk())]
    assert confirmation, "the acceptance should e-mail a calendar invitation"
    calendar_part = next(p for p in confirmation[-1].walk() if p.get_content_type() == "text/calendar")
    itip = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True))
    assert str(itip["METHOD"]) == "REQUEST"

    # 4. The organizer publishes the agenda; the invitee gets an e-mail with their agenda link.
    with signed_in(browser, live, organizer, PASSWORD) as staff:
        staff.goto(f"/convenings/{convening.id}/agenda/publish")
        with staff.expect_navigation():
            staff.get_by_role("button", name=re.compile(r"Publish version 1")).click()
        assert staff.get_by_text(re.compile(r"Published version 1")).count() >= 1
    live.deliver_mail()
    published = [m for m in live.mail_to(amina.email) if "Agenda published" in str(m["Subject"])]
    assert published, "the invitee should be told the agenda is published"
    agenda_links = live.links_in(published[0], r"/my/[^/]+/agenda")
    assert agenda_links, "the agenda e-mail should link to the invitee's agenda"

    # 5. The invitee's agenda page.
    page.goto(agenda_links[0])
    j.check("my agenda")
    for title in SESSIONS:
        assert page.get_by_text(title).count() >= 1

    # 6. Download the agenda .ics and read it back.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download my sessions \(\.ics\)")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    events = calendar.walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(SESSIONS)
    opening = next(e for e in events if str(e["SUMMARY"]) == SESSIONS[0])
    assert opening.decoded("DTSTART").astimezone(timezone.utc) == datetime.combine(
        convening.starts_on, time(13), tzinfo=timezone.utc)
    assert all(str(e["UID"]) for e in events)

    # 7. Get the calendar subscription link and copy it to the clipboard.
    with page.expect_navigation():
        page.get_by_role("button", name="Get my calendar subscription link").click()
    j.check("subscription link")
    https_link = page.locator(".feed-links code").first
    https_link.click(click_count=3)  # select the whole link, as a person would before copying
    page.keyboard.press("Control+C")
    copied = page.evaluate("() => navigator.clipboard.readText()").strip()  # a triple-click takes the line end
    assert copied.startswith(live.url) and copied.endswith(".ics"), copied
    # The copied link serves the person's calendar to a calendar app (no cookies).
    feed = page.request.get(copied)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    feed_events = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert {str(e["SUMMARY"]) for e in feed_events} >= set(SESSIONS)
    webcal = page.locator('.feed-links a[href^="webcal:"]')
    assert webcal.count() == 1 and webcal.get_attribute("href") == "webcal://" + copied.split("://", 1)[1]


def test_rsvp_page_works_with_the_keyboard_only(page, live, journey, make):
    """Tab to the answer, Space to choose it, Tab to the button, Enter to send: no mouse."""
    j = journey("b-invitee-keyboard")
    _organizer, _convening, amina, invitation = _invited(live, make)
    page.goto(_rsvp_link(live, amina.email))
    j.check("rsvp page")
    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    focused = None
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.type, document.activeElement.value]")
        if focused[0] == "radio":
            break
    assert focused and focused[0] == "radio", "Tab never reached the answer choices"
    # Arrow keys move within a radio group; Space selects the focused choice.
    for _ in range(3):
        if page.evaluate("() => document.activeElement.value") == "accepted":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked && document.activeElement.value") == "accepted"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.tagName === 'BUTTON'"):
            break
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Send my answer"
    outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
       return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none'; }""")
    assert outline, "the focused button should show a visible focus indicator"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    j.check("accepted with the keyboard")
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "accepted"
