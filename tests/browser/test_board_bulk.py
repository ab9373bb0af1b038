"""Issue 17, item 1, on the next-step board in a phone-sized browser: staff filter the board to one
convening's open steps (12, shown 10 to a page), select all 12 matching, set them done through the
confirmation, and every one of them is done."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.models import ActionItem
from tests.browser.conftest import sign_in_as
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def test_select_all_matching_next_steps_and_mark_them_done_on_a_phone(page, live, journey, make):
    staff = make.user("staff", name="Sam Staff")
    convening = make.convening(title="Sahel Water")
    for i in range(12):
        make.action(convening, text=f"Share the water map {i:02d}", status="open")
    make.action(make.convening(title="Elsewhere"), text="Not on this board's filter", status="open")
    page.set_viewport_size({"width": 390, "height": 844})
    j = journey("board-bulk")
    sign_in_as(page, staff, PASSWORD)

    page.goto(f"/next-steps/?status=open&convening={convening.id}&per_page=10")
    j.check("board filtered to one convening's open steps")
    assert page.locator("input[type=checkbox][name=ids]").count() == 10  # page 1 of 2
    page.get_by_label("Select all 12 matching ‘status: open, convening: Sahel Water’, on every page").check()
    page.get_by_label("With the selected").select_option("status")
    page.locator("#bulk-status").select_option("done")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to confirm").click()
    j.check("confirmation")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Set status to done for 12 next steps: all matching"), heading
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).where(ActionItem.status == "done")) == 0  # not yet
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm (12)").click()
    j.check("back on the board")
    db.session.expire_all()
    statuses = dict(db.session.execute(sa.select(ActionItem.status, sa.func.count()).group_by(ActionItem.status)).all())
    assert statuses == {"done": 12, "open": 1}  # the other convening's step is untouched
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), \
        "the board scrolls sideways at 390 px"
