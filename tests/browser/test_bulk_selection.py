"""Issue 17, item 1, in a phone-sized browser: an organizer filters a guest list of 45, selects all on the
page, then all 30 matching across pages, confirms, and the 30 invitations are delivered."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.models import Invitation
from tests.browser.conftest import sign_in_as
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def test_select_all_matching_across_pages_and_send_on_a_phone(page, live, journey, make, monkeypatch):
    monkeypatch.setitem(live.app.config, "GUEST_LIST_PER_PAGE", 20)
    organizer = make.user("organizer", name="Olivia Organizer")
    convening = make.convening(organizers=[organizer], title="Sahel Water Dialogue",
                               reply_by=date.today() + timedelta(days=30))
    for i in range(30):
        make.invitation(convening, make.person(name=f"First {i:02d}", email=f"first{i}@example.org"))
    for i in range(10):
        make.invitation(convening, make.person(name=f"Reserve {i:02d}"), priority="reserve", reserve_rank=i + 1)
    for i in range(5):
        make.invitation(convening, make.person(name=f"Invited {i:02d}"), status="invited",
                        invited_at=convening.created_at)
    page.set_viewport_size({"width": 390, "height": 844})
    j = journey("bulk-selection")
    sign_in_as(page, organizer, PASSWORD)

    page.goto(f"/convenings/{convening.id}/guests")
    j.check("guest list of 45 on a phone")
    page.get_by_label("Status", exact=True).select_option("planned")
    page.get_by_label("Priority", exact=True).select_option("first_choice")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter the list").click()
    j.check("filtered to planned first choices")
    boxes = page.locator("input[type=checkbox][name=invitation_ids]")
    assert boxes.count() == 20  # page 1 of 2

    page.get_by_role("button", name="Select all on this page").click()  # selection.js: in place, no reload
    assert page.locator("input[name=invitation_ids]:checked").count() == 20
    assert page.locator("[data-selection-summary]").inner_text() == "20 of 20 on this page selected."
    page.get_by_role("button", name="None").click()
    assert page.locator("input[name=invitation_ids]:checked").count() == 0
    page.get_by_label("Select all 30 matching ‘status: planned, first choice’, on every page").check()
    assert page.locator("input[name=invitation_ids]:checked").count() == 20
    assert "All 30 matching are selected" in page.locator("[data-selection-summary]").inner_text()
    page.get_by_label("Action").select_option("send")
    j.check("all 30 matching selected")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to confirm").click()
    j.check("confirmation")
    heading = page.get_by_role("heading", level=2).first.inner_text()
    assert heading == "Send invitations to 30 people: all matching ‘status: planned, first choice’"
    assert live.deliver_mail() == 0  # nothing is sent before the confirmation
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invitations (30)").click()
    j.check("invitations queued")
    assert page.get_by_text("Invitations queued: 30.").count() == 1
    assert live.deliver_mail() == 30
    assert live.mail_to("first29@example.org")
    db.session.expire_all()
    statuses = db.session.execute(sa.select(Invitation.status, sa.func.count()).where(
        Invitation.convening_id == convening.id).group_by(Invitation.status)).all()
    assert dict(statuses) == {"invited": 35, "planned": 10}
    no_overflow = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert no_overflow, "the guest list page scrolls sideways at 390 px"
