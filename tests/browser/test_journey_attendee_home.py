"""Issue 14's journey, on a phone and on a desktop: one lasting personal link opens everything.

Invitation e-mail → accept → the organizer publishes the agenda (the notice carries the same link)
→ subscribe → every link of every earlier e-mail still works → the organizer reissues the link →
the old link shows the 410 page → the new link works. Every attendee page is checked on the way:
structure, axe-core (no serious or critical finding), and no horizontal scrolling at 375 px.
Screenshots land in test-output/browser/attendee-home-<viewport>/ (docs/attendees.md shows some).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.models import Invitation
from tests.browser.conftest import TIMEOUT_MS, signed_in
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

VIEWPORTS = {
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
SESSIONS = ("Opening plenary: prevention that works", "Early warning that reaches decision-makers",
            "Closing: commitments and next steps")
#: The invitee's pages reached from the navigation, by link text.
NAVIGATION = ("Agenda", "Briefing pack", "Notes", "Drafts to review", "Next steps")


def _token(link: str) -> str:
    return re.search(r"/my/([^/?#\s]+)", link).group(1)


def _no_sideways_scroll(page, where: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert width[0] <= width[1], f"{where} scrolls sideways: content {width[0]} px in a {width[1]} px window: {wide}"


def _setup(live, make):
    organizer = make.user("organizer", name="Olivia Organizer")
    first = date.today() + timedelta(days=45)
    convening = make.convening(organizers=[organizer], title="Roundtable on Atrocity Prevention", status="open",
                               starts_on=first, ends_on=first + timedelta(days=2), reply_by=first - timedelta(days=7),
                               timezone="Africa/Nairobi", venue="Lakeside Conference Centre, Naivasha")
    amina = make.person(name="Amina Diallo", email="amina.diallo@example.org", country="SN", sector="academia")
    invitation = make.invitation(convening, amina)
    for n, title in enumerate(SESSIONS):
        starts = datetime.combine(first + timedelta(days=n), time(7), tzinfo=timezone.utc)
        make.agenda_session(convening, title=title, starts_at=starts, ends_at=starts + timedelta(minutes=90),
                            room="Main hall", kind="plenary", description="Not for attribution.")
    with live.app.app_context():
        from convene.invitations import sending

        sending.send_invitations(db.session.get(type(convening), convening.id),
                                 [db.session.get(Invitation, invitation.id)],
                                 actor=db.session.get(type(organizer), organizer.id))
        db.session.commit()
    assert live.deliver_mail() == 1
    return organizer, convening, amina, invitation


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_one_lasting_link_carries_the_attendee_from_invitation_to_reissue(browser, live, journey, make, viewport):
    organizer, convening, amina, invitation = _setup(live, make)
    context = browser.new_context(base_url=live.url, bypass_csp=True, accept_downloads=True, locale="en-US",
                                  **VIEWPORTS[viewport])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    j = journey(f"attendee-home-{viewport}", page)

    def visit(label: str) -> None:
        j.check(label)
        _no_sideways_scroll(page, label)

    try:
        # 1. The invitation e-mail's link opens the home at the invited stage.
        [invitation_mail] = live.mail_to(amina.email)
        link = live.links_in(invitation_mail, r"/my/")[0]
        page.goto(link)
        visit("invitation")
        assert "Roundtable on Atrocity Prevention" in page.get_by_role("heading", level=1).inner_text()

        # 2. Accept: the same page now says "You are attending", with what an attendee needs.
        page.get_by_label("I accept").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Send my answer").click()
        visit("attending")
        assert page.get_by_text(re.compile("You are attending")).count() >= 1
        assert page.get_by_text("Lakeside Conference Centre, Naivasha").count() >= 1

        # 3. The organizer publishes the agenda; the notice carries the same personal link.
        with signed_in(browser, live, organizer, PASSWORD) as staff:
            staff.goto(f"/convenings/{convening.id}/agenda/publish")
            with staff.expect_navigation():
                staff.get_by_role("button", name=re.compile(r"Publish version 1")).click()
        live.deliver_mail()
        published = [m for m in live.mail_to(amina.email) if "Agenda published" in str(m["Subject"])]
        assert published, "the attendee should be told the agenda is published"
        assert {_token(url) for url in live.links_in(published[0], r"/my/")} == {_token(link)}

        # 4. Every page of the home, from its one navigation.
        page.goto(link)
        for name in NAVIGATION:
            page.get_by_role("navigation", name="Your convening").get_by_role("link", name=name, exact=True).click()
            page.wait_for_load_state("load")
            visit(name.lower())
            if name == "Agenda":
                for title in SESSIONS:
                    assert page.get_by_text(title).count() >= 1

        # 5. Subscribe in a calendar app: the feed answers a calendar client without cookies.
        page.goto(link)
        with page.expect_navigation():
            page.get_by_role("button", name="Subscribe in my calendar app").click()
        visit("subscription")
        feed_url = page.locator('.feed-links a[href^="webcal:"]').get_attribute("href").replace("webcal://", "http://", 1)
        feed = page.request.get(feed_url)
        assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")

        # 6. Every link of every e-mail so far still opens its page.
        live.deliver_mail()
        earlier = [url for message in live.mail_to(amina.email) for url in live.links_in(message, r"/my/")]
        assert len(earlier) >= 2
        for url in earlier:
            assert page.request.get(url).status == 200, url

        # 7. The organizer reissues the link: the old one shows what happened, the new one works.
        sent_before = len(live.mail_to(amina.email))
        with signed_in(browser, live, organizer, PASSWORD) as staff:
            staff.goto(f"/convenings/{convening.id}/guests/{invitation.id}")
            with staff.expect_navigation():
                staff.get_by_role("button", name="Send a new link").click()
        live.deliver_mail()
        newest = live.mail_to(amina.email)[sent_before:]
        assert newest, "the reissued link should be e-mailed"
        new_link = live.links_in(newest[-1], r"/my/")[0]
        assert _token(new_link) != _token(link)
        response = page.goto(link)
        assert response.status == 410
        visit("old link after reissue")
        assert page.get_by_text(re.compile(r"organizers replaced this .*link with a new one")).count() >= 1
        page.goto(new_link)
        visit("new link")
        assert page.get_by_text(re.compile("You are attending")).count() >= 1
        db.session.expire_all()
        assert db.session.scalar(sa.select(Invitation.status).where(Invitation.id == invitation.id)) == "accepted"
    finally:
        context.close()
