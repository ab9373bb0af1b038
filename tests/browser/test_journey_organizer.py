"""Journey (a): an organizer signs in, creates a convening with a dialogue, imports a guest list CSV,
sends invitations and watches the balance dashboard."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.models import Convening, Invitation
from tests.browser.conftest import sign_in_as
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

GUESTS_CSV = """name,email,organization,sector,country,gender
Amina Diallo,amina.diallo@example.org,Sahel Policy Institute,academia,SN,woman
Rafael Ortiz,rafael.ortiz@example.org,Ministry of Foreign Affairs,government,CO,man
Priya Raman,priya.raman@example.org,Coastal Futures,civil_society,IN,woman
Jonas Berg,jonas.berg@example.org,Nordic Peace Fund,philanthropy,NO,man
Grace Wanjiru,grace.wanjiru@example.org,Nairobi Mediation Centre,civil_society,KE,woman
Li Wei,li.wei@example.org,Asia Dialogue Forum,academia,CN,non_binary
"""


def test_organizer_creates_convening_invites_and_watches_balance(page, live, journey, make, tmp_path):
    j = journey("a-organizer")
    organizer = make.user("organizer", name="Olivia Organizer")

    # 1. Sign in through the real form.
    page.goto("/sign-in")
    j.check("sign-in page")
    sign_in_as(page, organizer, PASSWORD)
    j.check("dashboard after sign-in")

    # 2. Create the conference.
    page.goto("/convenings/new")
    j.check("new convening form")
    page.get_by_label("Title").fill("Strategy for Peace 2031")
    page.get_by_label("Kind").select_option("conference")
    page.get_by_label("First day").fill("2031-10-16")
    page.get_by_label("Last day").fill("2031-10-18")
    page.get_by_label("City").fill("Warrenton")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Timezone of the agenda").select_option("America/New_York")
    page.get_by_label("Reply by").fill("2031-09-30")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/convenings/\d+$"))
    j.check("conference created")
    conference_id = int(page.url.rsplit("/", 1)[1])

    # 3. Add a dialogue inside it.
    with page.expect_navigation():
        page.get_by_role("link", name="Add a dialogue").click()
    j.check("new dialogue form")
    page.get_by_label("Title").fill("Climate and Security Roundtable")
    page.get_by_label("Attribution rule").select_option("chatham_house")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/convenings/\d+$"))
    j.check("dialogue created")
    dialogue_id = int(page.url.rsplit("/", 1)[1])
    assert dialogue_id != conference_id
    db.session.expire_all()
    dialogue = db.session.get(Convening, dialogue_id)
    assert dialogue.parent_id == conference_id and dialogue.attribution_rule == "chatham_house"
    assert page.get_by_role("heading", level=1).inner_text() == "Climate and Security Roundtable"

    # 4. Import the guest list from a CSV file.
    page.goto(_url(live, "invitations.guest_list", convening_id=dialogue_id))
    j.check("empty guest list")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"import", re.I)).first.click()
    j.check("guest list import form")
    csv_path = tmp_path / "guests.csv"
    csv_path.write_text(GUESTS_CSV, encoding="utf-8")
    page.locator("input[type=file]").first.set_input_files(str(csv_path))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    j.check("import preview")
    # The preview lists the rows before anything is saved.
    assert page.get_by_text("Amina Diallo").count() >= 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0, "a preview must not save anything"
    with page.expect_navigation():
        page.get_by_role("button", name="Import 6 invitee(s)").click()
    j.check("import confirmed")
    db.session.expire_all()
    invitations = db.session.scalars(sa.select(Invitation).where(Invitation.convening_id == dialogue_id)).all()
    assert len(invitations) == 6, "the six CSV rows should be on the guest list"
    page.goto(_url(live, "invitations.guest_list", convening_id=dialogue_id))
    for name in ("Amina Diallo", "Li Wei"):
        assert page.get_by_text(name).count() >= 1
    j.check("guest list with imported guests")

    # 5. Open the dialogue for replies, then send the invitations.
    page.goto(f"/convenings/{dialogue_id}")
    page.get_by_label("Status").select_option("open")
    with page.expect_navigation():
        page.get_by_role("button", name="Change status").click()
    j.check("dialogue open")
    page.goto(_url(live, "invitations.guest_list", convening_id=dialogue_id))
    boxes = page.locator("input[type=checkbox][name=invitation_ids]")
    assert boxes.count() == 6
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.get_by_label("Action").select_option("send")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to confirm").click()
    j.check("confirm sending")
    assert page.get_by_text("Send invitations to 6 people: the 6 ticked").count() == 1
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invitations (6)").click()
    j.check("invitations queued")
    delivered = live.deliver_mail()
    assert delivered == 6, f"six invitations should reach the SMTP sink, got {delivered}"
    assert live.mail_to("amina.diallo@example.org"), "Amina's invitation was not delivered"
    db.session.expire_all()
    statuses = set(db.session.scalars(sa.select(Invitation.status).where(Invitation.convening_id == dialogue_id)))
    assert statuses == {"invited"}

    # 6. Watch the balance dashboard.
    page.goto(f"/convenings/{dialogue_id}")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Convening sections").get_by_role("link", name="Balance").click()
    j.check("balance dashboard")
    main = page.locator("main")
    assert main.get_by_role("table").count() >= 1, "the balance dashboard should show its figures as tables"
    # Five of the six guests come from Global South countries (SN, CO, IN, KE, CN), one from Norway.
    north_south = main.get_by_role("table").filter(has_text="Global North").first
    south_row = north_south.get_by_role("row").filter(has_text="Global South").first
    assert re.search(r"\b5\b", south_row.inner_text()), south_row.inner_text()
    north_row = north_south.get_by_role("row").filter(has_text="Global North").first
    assert re.search(r"\b1\b", north_row.inner_text()), north_row.inner_text()
    # Sector shares of those invited: two civil-society guests out of six.
    sector = main.get_by_role("table").filter(has_text="Civil society").first
    assert re.search(r"\b2\b", sector.get_by_role("row").filter(has_text="Civil society").first.inner_text())


def _url(live, endpoint: str, **values) -> str:
    """Build a path for an endpoint of the live app."""
    with live.app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)
