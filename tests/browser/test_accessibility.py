"""Accessibility: the checks themselves, and a sweep of every HTML page the app serves.

The sweep builds its list from the app's URL map, so pages that other areas add are scanned
as soon as they exist: every GET route whose arguments can be filled from a small seeded data
set is visited as an administrator (and the public ones anonymously), then checked for a
language, a title, one <main>, one <h1>, labelled form controls, captioned tables and no serious
or critical axe-core violation (WCAG 2 A and AA).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from convene.mail.services import queue_message
from tests.browser.conftest import AXE_JS, STRUCTURE, axe_available, scan, sign_in_as
from tests.conftest import IN_CI
from tests.fixtures.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def test_axe_core_is_installed():
    """The scans below need axe-core; outside CI its absence is a visible skip, in CI a failure."""
    if not axe_available():
        if IN_CI:
            pytest.fail(f"{AXE_JS} is missing: run `npm install` at the repository root")
        pytest.skip("axe-core is not installed (npm install): accessibility scans are skipped")
    assert AXE_JS.stat().st_size > 100_000


def test_the_checks_catch_an_inaccessible_page(page):
    """A page without lang, title, main or labels, with poor contrast, must fail both checks."""
    page.set_content("""<html><head></head><body>
        <h1>One</h1><h1>Two</h1>
        <form><input name="q"><select name="s"><option>x</option></select></form>
        <table><tr><td>1</td></tr></table>
        <p style="color:#ddd;background:#fff">faint text</p><img src="x.png">
        </body></html>""")
    problems = page.evaluate(STRUCTURE)
    assert any("lang" in p for p in problems)
    assert any("<title>" in p for p in problems)
    assert any("<main>" in p for p in problems)
    assert any("<h1>" in p for p in problems)
    assert any("unlabelled input" in p for p in problems) and any("unlabelled select" in p for p in problems)
    if not axe_available():
        pytest.skip("axe-core is not installed (npm install)")
    with pytest.raises(AssertionError, match="serious/critical"):
        scan(page, "a deliberately broken page")


def _seed(make):
    """A small data set touching every area, so that most pages have something to show."""
    from convene.convenings.models import SeriesBrand
    from convene.models import Brief, BriefRegion
    from convene.extensions import db

    admin = make.user("admin", name="Ada Admin")
    organizer = make.user("organizer", name="Oscar Organizer")
    series = make.series(name="Strategy for Peace")
    conference = make.convening(organizers=[organizer], series=series, kind="conference", status="open",
                                title="Strategy for Peace 2031", starts_on=date.today() + timedelta(days=40))
    dialogue = make.dialogue(conference, title="Climate Roundtable", status="open")
    organization = make.organization(name="Sahel Policy Institute", sector="academia", country="SN")
    people = [make.person(name=f"Guest {n}", organization=organization, country=c, gender=g, sector="academia")
              for n, (c, g) in enumerate([("SN", "woman"), ("NO", "man"), ("IN", "woman"), ("BR", "man"),
                                          ("KE", "woman"), ("US", "non_binary")], start=1)]
    invitations = [make.invitation(dialogue, p, status=s) for p, s in
                   zip(people, ["accepted", "accepted", "invited", "declined", "tentative", "planned"])]
    start = datetime.combine(dialogue.starts_on, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=14)
    session = make.agenda_session(dialogue, title="Opening plenary", starts_at=start, kind="plenary",
                                  description="Why climate security matters now.")
    make.session_role(session, people[0], "speaker")
    make.session_role(session, people[1], "rapporteur")
    theme = make.theme(name="Climate security")
    action = make.action(dialogue, text="Publish a regional early-warning checklist", owner_person=people[0],
                         due_on=date.today() + timedelta(days=30), session=session)
    action.themes = [theme]
    brief = make.brief([dialogue], title="Climate Security in the Sahel", slug="climate-security-sahel",
                       status="published", published_on=date.today(), summary="Three **findings**.")
    brief.themes = [theme]
    db.session.add(BriefRegion(brief_id=brief.id, region="Africa"))
    # The series has its own look, with the lightest accent allowed (4.54:1 under white text), so
    # its public and attendee pages are scanned with it (links are darkened to keep their contrast).
    db.session.add(SeriesBrand(series_id=series.id, organization="Foundation for Peaceful Futures", accent="#767676",
                               footer="Rue de la Paix 1, Geneva", contact="events@fpf.example", revision=1))
    db.session.commit()
    from convene.tokens import services as tokens

    links = {
        "rsvp": tokens.issue("rsvp", invitation_id=invitations[0].id),
        "feed": tokens.issue("feed", person_id=people[0].id),
        "owner": tokens.issue("owner", person_id=people[0].id),
        "review": tokens.issue("review", invitation_id=invitations[0].id),
        "reset": tokens.issue("reset", user_id=organizer.id,
                              expires_at=datetime.now(timezone.utc) + timedelta(hours=1)),
    }
    db.session.commit()
    message_id = queue_message(to_address=people[0].email, subject="Hello", text="Hello").id
    db.session.commit()
    return {
        "admin": admin, "convening_id": dialogue.id, "series_id": series.id, "person_id": people[0].id,
        "organization_id": organization.id, "user_id": organizer.id, "brief_id": brief.id, "slug": brief.slug,
        "action_id": action.id, "session_id": session.id, "invitation_id": invitations[0].id,
        "theme_id": theme.id, "parent_id": conference.id, "uid": session.uid, "number": 1,
        "message_id": message_id, "tokens": links,
    }


#: Which kind of personal link a route with a <token> takes, by the start of its address.
TOKEN_KINDS = (("/my-next-steps/", "owner"), ("/briefs/review/", "review"), ("/reset-password/", "reset"),
               ("/feeds/", "feed"), ("/next-steps/feed/", "feed"))


def _values_for(rule, values: dict) -> dict:
    """URL values for one rule: the seeded ids, and the right kind of token for token routes."""
    filled = {k: v for k, v in values.items() if k != "tokens" and v is not None}
    kind = next((k for prefix, k in TOKEN_KINDS if rule.rule.startswith(prefix)), "rsvp")
    filled["token"] = values["tokens"][kind]
    return filled


#: HTML fragments made to be inserted into a partner site's page, which gives them lang, title, main
#: and a heading: they are checked in tests/api/test_embed.py, not as pages.
FRAGMENTS = {"public.embed_publications"}


def _html_pages(live, values: dict, *, with_tokens: bool = True) -> tuple[list[str], list[str]]:
    """Paths of every GET route that can be filled from `values`, and the rules left out (with why)."""
    from flask import url_for

    paths, left_out = [], []
    with live.app.test_request_context():
        for rule in live.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            if rule.endpoint in FRAGMENTS:
                left_out.append(f"{rule.rule} (a fragment for other sites' pages)")
                continue
            if not with_tokens and "token" in rule.arguments:
                continue  # personal-link pages are scanned by the anonymous sweep
            filled = _values_for(rule, values)
            missing = [a for a in rule.arguments if a not in filled]
            if missing:
                left_out.append(f"{rule.rule} (needs {', '.join(missing)})")
                continue
            paths.append(url_for(rule.endpoint, **{a: filled[a] for a in rule.arguments}))
    return sorted(set(paths)), left_out


def _sweep(page, paths: list[str], *, accept_status=(200,)) -> tuple[list[str], list[str]]:
    """Visit each path; check every HTML page; return (checked, failures)."""
    checked, failures = [], []
    for path in paths:
        # Ask first (with the page's cookies): downloads (.ics, .csv) and redirects are not pages to scan.
        probe = page.request.get(path, max_redirects=0)
        if probe.status >= 500:
            failures.append(f"{path}: HTTP {probe.status}")
            continue
        if probe.status not in accept_status or "text/html" not in (probe.headers.get("content-type") or ""):
            continue
        response = page.goto(path)
        if response is None or response.status not in accept_status:
            continue
        problems = page.evaluate(STRUCTURE)
        if problems:
            failures.append(f"{path}: {problems}")
        if axe_available():
            try:
                scan(page, path)
            except AssertionError as error:
                failures.append(str(error))
        checked.append(path)
    return checked, failures


def test_every_page_is_accessible_to_an_admin(page, live, make):
    values = _seed(make)
    paths, left_out = _html_pages(live, values, with_tokens=False)
    sign_in_as(page, values["admin"], PASSWORD)
    checked, failures = _sweep(page, paths)
    print(f"\nchecked {len(checked)} pages as admin; routes left out: {left_out}")
    assert len(checked) >= 10, f"too few pages reached: {checked}"
    assert not failures, "accessibility failures:\n" + "\n".join(failures)


def test_every_public_page_is_accessible_anonymously(page, live, make):
    values = _seed(make)
    paths, _ = _html_pages(live, values)
    checked, failures = _sweep(page, paths)
    print(f"\nchecked {len(checked)} public pages: {checked}")
    assert "/sign-in" in checked
    assert any(path.startswith("/my/") for path in checked), "the RSVP page should be among the public pages"
    assert not failures, "accessibility failures:\n" + "\n".join(failures)


def test_no_page_breaks_the_content_security_policy(browser, live, make):
    """With the real CSP (not bypassed), no page may trigger a CSP violation (inline script or style,
    event-handler attribute, foreign source) or a script error."""
    values = _seed(make)
    context = browser.new_context(base_url=live.url)  # CSP enforced, unlike the scanning contexts
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(f"{page.url}: {m.text}")
                if m.type == "error" and "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        sign_in_as(page, values["admin"], PASSWORD)
        # Self-check: an inline script added to a served page must be reported.
        page.evaluate("() => document.body.appendChild(Object.assign(document.createElement('script'), "
                      "{textContent: 'window.__inline = 1'}))")
        page.wait_for_timeout(200)
        assert problems and page.evaluate("() => window.__inline") is None, "the CSP listener saw nothing"
        problems.clear()
        paths, _ = _html_pages(live, values, with_tokens=True)
        visited = 0
        for path in paths:
            probe = page.request.get(path, max_redirects=0)
            if probe.status != 200 or "text/html" not in (probe.headers.get("content-type") or ""):
                continue
            page.goto(path)
            visited += 1
        assert visited >= 10
        assert not problems, "CSP violations or script errors:\n" + "\n".join(problems)
    finally:
        context.close()
