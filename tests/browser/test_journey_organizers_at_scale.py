"""Issue 17's "done when": an organizer at the scale of a real roundtable, in chromium.

The organizer's day, in order: the dashboard's figures match the lists they open; the venue
list (CSV, with the travel dates an attendee gave on their home page) and the name tents (PDF,
text extracted and a page rendered to an image) are downloaded through the browser.
Screenshots in docs/organizers.md come from this journey (test-output/browser/organizers-at-scale/).
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest

from convene.db_types import utcnow
from convene.extensions import db
from tests.browser.conftest import sign_in_as
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

#: Names in the scripts a room of thirty brings (the tents must print each with real letters).
WORLD_NAMES = ["ليلى حداد", "王小明", "अनीता शर्मा", "Nguyễn Thị Hương", "Zoë Ångström-Pérez"]
START = date.today() + timedelta(days=45)


def _room(make, organizer):
    """A roundtable with 45 people on the guest list: 30 first choice, 15 reserves; 12 have accepted."""
    series = make.series(name="Strategy for Peace", slug="strategy-for-peace")
    convening = make.convening(organizers=[organizer], series=series, title="Roundtable on Climate and Security",
                               slug="climate-security", starts_on=START, ends_on=START + timedelta(days=1),
                               reply_by=START - timedelta(days=20), venue="Airlie Center", status="open")
    invitations = []
    for i in range(45):
        name = WORLD_NAMES[i] if i < len(WORLD_NAMES) else f"Guest {i:02d} Example"
        person = make.person(name=name, email=f"guest{i:02d}@example.org",
                             organization=make.organization(name=f"Institute {i:02d}"),
                             country=("KE", "BR", "IN", "DE", "US")[i % 5], listing_consent=True)
        first = i < 30
        invitations.append(make.invitation(
            convening, person, priority="first_choice" if first else "reserve",
            reserve_rank=None if first else i - 29,
            status="accepted" if i < 12 else "planned",
            invitee_confirmed_at=utcnow() if i < 12 else None))
    db.session.commit()
    return convening, invitations


def test_an_organizer_runs_a_roundtable_of_thirty(page, live, journey, make, tmp_path):
    j = journey("organizers-at-scale")
    organizer = make.user("organizer", name="Olivia Organizer")
    convening, invitations = _room(make, organizer)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, organizer, PASSWORD)

    # An attendee gives their travel dates on their home page (the venue list shows them).
    from convene.invitations import links as invitation_links
    home = invitation_links.home_url(invitations[0]).removeprefix("http://localhost")
    db.session.commit()
    attendee = page.context.browser.new_context(base_url=live.url)
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

    # The dashboard: each figure of "Where you stand" opens the list it counts.
    page.goto("/")
    j.check("dashboard where you stand")
    standing = page.locator("table.standing")
    row = standing.get_by_role("row").filter(has_text="Roundtable on Climate and Security")
    accepted_link = row.get_by_role("link", name=re.compile(r"^\d+ accepted"))
    shown = int(accepted_link.inner_text().split()[0])
    assert shown == 12
    with page.expect_navigation():
        accepted_link.click()
    j.check("guest list filtered to accepted")
    assert page.locator("main tbody tr").filter(has=page.locator("input[type=checkbox]")).count() == shown

    # The venue list (CSV) with the travel dates, downloaded as the venue will receive it.
    page.goto(f"/convenings/{convening.id}/printables")
    j.check("lists and printables")
    page.get_by_label(re.compile("what.*for", re.I)).fill("Rooms, meals and access at the Airlie Center")
    page.get_by_label("CSV for a spreadsheet").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the venue list").click()
    with open(download.value.path(), encoding="utf-8-sig") as saved:
        rows = list(csv.DictReader(io.StringIO(saved.read())))
    assert len(rows) == 12 and {r["Name"] for r in rows} >= set(WORLD_NAMES)
    laila = next(r for r in rows if r["Name"] == WORLD_NAMES[0])
    assert (laila["Arrival"], laila["Departure"]) == ((START - timedelta(days=1)).isoformat(),
                                                      (START + timedelta(days=2)).isoformat())

    # Name tents: every name's letters are in the PDF, and a page renders (pdftoppm) with ink on it.
    with page.expect_download() as download:
        page.get_by_role("link", name="A4").first.click()
    tents = tmp_path / "tents.pdf"
    download.value.save_as(tents)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tents), "-"], capture_output=True, text=True, check=True).stdout
        for name in WORLD_NAMES[1:2] + WORLD_NAMES[3:]:  # pdftotext splits Devanagari clusters, reverses Arabic
            assert name in text, name
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(tents), str(tmp_path / "tent")],
                       check=True)
        rendered = next(tmp_path.glob("tent*.png"))
        assert rendered.stat().st_size > 2000
    j.finish()
