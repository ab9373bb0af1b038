"""notes.js in a real browser with the real CSP: autosave, and text typed while signed out is offered back."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.notes.models import NoteRevision
from tests.browser.conftest import TIMEOUT_MS, sign_in_as
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


@pytest.fixture
def strict_page(browser, live):
    """A page with the Content-Security-Policy enforced (no bypass), collecting console errors."""
    context = browser.new_context(base_url=live.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    try:
        yield page
    finally:
        context.close()


def _bodies():
    db.session.expire_all()
    return [r.body for r in db.session.scalars(sa.select(NoteRevision).order_by(NoteRevision.number))]


def test_autosave_and_restore_after_sign_out(strict_page, live, make):
    page = strict_page
    user = make.user("staff")
    convening = make.convening(attribution_rule="chatham_house")
    session = make.agenda_session(convening, title="Early warning")
    sign_in_as(page, user, PASSWORD)
    page.goto(f"/convenings/{convening.id}/notes/{session.id}")
    body = page.get_by_label("Notes", exact=True)
    body.fill("Participants agreed that warnings must reach ministers.")
    status = page.locator(".autosave-status")
    status.filter(has_text="Autosaved").wait_for()
    assert _bodies() == ["Participants agreed that warnings must reach ministers."]
    body.fill("Participants agreed that warnings must reach ministers within a day.")
    status.filter(has_text="Autosaved").wait_for()
    page.wait_for_function("document.querySelector('.autosave-status').textContent.includes('revision 1')")
    assert _bodies() == ["Participants agreed that warnings must reach ministers within a day."]  # coalesced

    # signed out (cookie gone) while typing: nothing saved, the text stays in the browser
    page.context.clear_cookies()
    body.fill("Text typed after the sign-in expired.")
    status.filter(has_text="Not autosaved").wait_for()
    assert len(_bodies()) == 1
    sign_in_as(page, user, PASSWORD)
    page.goto(f"/convenings/{convening.id}/notes/{session.id}")
    page.get_by_role("button", name="Put it back in the editor").click()
    assert page.get_by_label("Notes", exact=True).input_value() == "Text typed after the sign-in expired."
    status.filter(has_text="Autosaved").wait_for()
    assert _bodies()[-1] == "Text typed after the sign-in expired."
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
