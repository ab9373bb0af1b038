"""Journey (c): a rapporteur captures three next steps during a session; staff assign owners and due dates;
an owner reports progress from their link; staff publish the brief and find it in the public archive by
region. Also: the next-step capture form used with the keyboard only."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from convene.extensions import db
from convene.models import ActionItem, ActionUpdate, Brief
from tests.browser.conftest import new_context, sign_in_as
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

STEPS = ("Publish a regional early-warning checklist for Sahel governments",
         "Convene a follow-up meeting of AU and ECOWAS envoys",
         "Share the climate-risk dataset with the UN regional office")


def _held_roundtable(make):
    """A roundtable with one session, a rapporteur account and three guests who can own next steps."""
    organizer = make.user("organizer", name="Olivia Organizer")
    rapporteur = make.user("staff", name="Rita Rapporteur")
    staff = make.user("staff", name="Sam Staff")
    first = date.today() - timedelta(days=1)
    convening = make.convening(organizers=[organizer], title="Climate and Security Roundtable", status="open",
                               starts_on=first, ends_on=first + timedelta(days=1), timezone="UTC",
                               attribution_rule="chatham_house")
    start = datetime.combine(first, time(14), tzinfo=timezone.utc)
    session = make.agenda_session(convening, title="Early warning that reaches decision-makers",
                                  starts_at=start, kind="roundtable")
    organization = make.organization(name="Nairobi Mediation Centre", sector="civil_society", country="KE")
    owners = [make.person(name=name, email=email, organization=organization, country="KE")
              for name, email in (("Grace Wanjiru", "grace.wanjiru@example.org"),
                                  ("Jonas Berg", "jonas.berg@example.org"),
                                  ("Priya Raman", "priya.raman@example.org"))]
    for person in owners:
        make.invitation(convening, person, status="accepted")
    return organizer, rapporteur, staff, convening, session, owners


def _capture_path(convening, session) -> str:
    return f"/convenings/{convening.id}/sessions/{session.id}/next-steps"


def test_next_steps_from_capture_to_published_brief(browser, page, live, journey, make):
    _organizer, rapporteur, staff, convening, session, owners = _held_roundtable(make)
    grace = owners[0]

    # 1. The rapporteur captures three next steps during the session: type, Enter, type, Enter...
    r = journey("c-follow-up-rapporteur")
    sign_in_as(page, rapporteur, PASSWORD)
    page.goto(_capture_path(convening, session))
    r.check("capture form")
    for text in STEPS:
        box = page.get_by_label("Next step", exact=True)
        box.fill(text)
        with page.expect_navigation():
            box.press("Enter")
        assert page.get_by_text(re.compile(r"Saved .* as a draft")).count() >= 1
        assert page.get_by_label("Next step", exact=True).input_value() == "", "the form should come back empty"
    r.check("three next steps captured")
    db.session.expire_all()
    actions = db.session.scalars(sa.select(ActionItem).where(ActionItem.convening_id == convening.id)
                                 .order_by(ActionItem.id)).all()
    assert [a.text for a in actions] == list(STEPS)
    assert {a.status for a in actions} == {"draft"} and {a.session_id for a in actions} == {session.id}

    # 2. Staff review them: owner, due date, status open; and e-mail the owner their personal link.
    staff_context = new_context(browser, live)
    try:
        staff_page = staff_context.new_page()
        s = journey("c-follow-up-staff", staff_page)
        sign_in_as(staff_page, staff, PASSWORD)
        due = date.today() + timedelta(days=60)
        for action, owner in zip(actions, owners):
            staff_page.goto(f"/next-steps/{action.id}")
            s.check(f"next step {action.id}", axe=action is actions[0])  # one template: scanned once
            staff_page.get_by_label("Owner", exact=True).select_option(label=owner.name)
            staff_page.get_by_label("Due date", exact=True).fill(due.isoformat())
            with staff_page.expect_navigation():
                staff_page.get_by_role("button", name="Save changes").click()
            assert staff_page.get_by_text("Saved.").count() >= 1
            staff_page.get_by_label("New status").select_option("open")
            with staff_page.expect_navigation():
                staff_page.get_by_role("button", name="Change status").click()
        s.check("next step assigned and open")
        db.session.expire_all()
        for action, owner in zip(actions, owners):
            fresh = db.session.get(ActionItem, action.id)
            assert (fresh.owner_person_id, fresh.due_on, fresh.status) == (owner.id, due, "open")
        staff_page.goto(f"/next-steps/{actions[0].id}")
        with staff_page.expect_navigation():
            staff_page.get_by_role("button", name="E-mail their link").click()  # Grace was invited
        s.check("owner link e-mailed")

        # 3. The owner reports progress from the link in their e-mail, without an account.
        live.deliver_mail()
        messages = live.mail_to(grace.email)
        assert messages, "the owner link should be e-mailed to Grace"
        # Grace took part: her one personal link for the convening, opening on her next steps (issue 14)
        links = live.links_in(messages[-1], r"/my/[^/]+/next-steps")
        assert links, "the e-mail should hold the owner's personal link"
        owner_context = new_context(browser, live)
        try:
            owner_page = owner_context.new_page()
            o = journey("c-follow-up-owner", owner_page)
            owner_page.goto(links[0])
            o.check("owner page")
            step = owner_page.locator(f"#step-{actions[0].id}")
            step.get_by_label("Progress note").fill("Draft checklist shared with three ministries; comments due.")
            with owner_page.expect_navigation():
                step.get_by_role("button", name="Send update").click()
            o.check("progress reported")
        finally:
            owner_context.close()
        db.session.expire_all()
        updates = db.session.scalars(sa.select(ActionUpdate).where(ActionUpdate.action_id == actions[0].id)).all()
        notes = [u for u in updates if "checklist shared" in u.note]
        assert notes and notes[0].author_person_id == grace.id

        # 4. Staff write and publish the brief.
        staff_page.goto("/briefs/new")
        s.check("new brief form")
        staff_page.get_by_label("Title").fill("Early Warning for Climate Security in the Sahel")
        staff_page.get_by_label("Kind").select_option("dialogue_brief")
        staff_page.get_by_label("Publisher").fill("The Stanley Center")
        staff_page.get_by_label("Publication date").fill(date.today().isoformat())
        staff_page.get_by_label("Comes from the convening(s)").select_option(str(convening.id))
        staff_page.get_by_label("Regions (UN M49)").select_option(["Africa", "Western Africa"])
        staff_page.get_by_label("Link to the full text").fill("https://example.org/briefs/early-warning-sahel.pdf")
        staff_page.get_by_label("Summary").fill("Three **findings** on making early warning reach decision-makers.")
        staff_page.get_by_role("button", name="Save").click()
        staff_page.wait_for_url(re.compile(r"/briefs/\d+$"))
        s.check("brief saved as draft")
        brief_id = int(staff_page.url.rsplit("/", 1)[1])
        for status in ("approved", "published"):
            staff_page.get_by_label("Move to").select_option(status)
            with staff_page.expect_navigation():
                staff_page.get_by_role("button", name="Change status").click()
        s.check("brief published")
        db.session.expire_all()
        brief = db.session.get(Brief, brief_id)
        assert brief.status == "published" and set(brief.region_names) == {"Africa", "Western Africa"}
    finally:
        staff_context.close()

    # 5. Anyone finds it in the public archive by region.
    public_context = new_context(browser, live)
    try:
        public = public_context.new_page()
        p = journey("c-follow-up-public", public)
        public.goto("/publications/")
        p.check("public archive")
        public.get_by_label("Region").select_option("Western Africa")
        with public.expect_navigation():
            public.get_by_role("button", name="Show").click()
        p.check("archive filtered by region")
        assert "region=Western+Africa" in public.url
        assert public.get_by_text("1 publication").count() >= 1
        with public.expect_navigation():
            public.get_by_role("link", name="Early Warning for Climate Security in the Sahel").click()
        p.check("public brief page")
        assert public.get_by_role("heading", level=1).inner_text() == "Early Warning for Climate Security in the Sahel"
        # Under the Chatham House Rule nobody's name appears on the public page.
        assert "Rita Rapporteur" not in public.content()
        # A region with no brief finds nothing.
        public.goto("/publications/?region=Oceania")
        assert public.get_by_text("No publications match.").count() == 1
    finally:
        public_context.close()


def test_capture_form_works_with_the_keyboard_only(page, live, journey, make):
    """Type a next step, Tab to the owner and pick one with the arrow keys, type a due date, Enter: no mouse."""
    _organizer, rapporteur, _staff, convening, session, owners = _held_roundtable(make)
    j = journey("c-capture-keyboard")
    sign_in_as(page, rapporteur, PASSWORD)
    page.goto(_capture_path(convening, session))
    j.check("capture form")
    # The text box has focus on arrival (autofocus), so the rapporteur can type at once.
    assert page.evaluate("() => document.activeElement.name") == "text"
    page.keyboard.type(STEPS[0])
    seen = []
    for _ in range(10):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.name"))
        if seen[-1] == "owner":
            break
    assert seen[-1] == "owner", f"Tab order from the text box: {seen}"
    for _ in range(20):  # arrow keys change a focused <select> without opening it
        page.keyboard.press("ArrowDown")
        label = page.evaluate("() => document.activeElement.selectedOptions[0].textContent.trim()")
        if label == owners[1].name:
            break
    assert label == owners[1].name
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "due_on"
    due = date.today() + timedelta(days=30)
    # A date input takes its digits in the locale's order (the browser context is en-US: month, day, year).
    page.keyboard.type(due.strftime("%m%d%Y"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    j.check("saved from the keyboard")
    db.session.expire_all()
    action = db.session.scalar(sa.select(ActionItem).where(ActionItem.convening_id == convening.id))
    assert (action.text, action.owner_person_id, action.due_on, action.session_id) == (
        STEPS[0], owners[1].id, due, session.id)
    # The next one: the page returns at #capture. Browsers skip `autofocus` when the address has a
    # fragment, so the text box is reached with (at most) one Tab from the capture section.
    if page.evaluate("() => document.activeElement.name") != "text":
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "text", "one Tab should reach the text box"
    page.keyboard.type(STEPS[1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    j.check("second saved from the keyboard")
    db.session.expire_all()
    texts = db.session.scalars(sa.select(ActionItem.text).where(ActionItem.convening_id == convening.id)
                               .order_by(ActionItem.id)).all()
    assert texts == [STEPS[0], STEPS[1]]
