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
    db.session.commit()
    return {
        "admin": admin, "convening_id": dialogue.id, "series_id": series.id, "person_id": people[0].id,
        "organization_id": organization.id, "user_id": organizer.id, "brief_id": brief.id, "slug": brief.slug,
        "action_id": action.id, "session_id": session.id, "invitation_id": invitations[0].id,
        "theme_id": theme.id, "parent_id": conference.id,
    }


def _html_pages(live, values: dict) -> tuple[list[str], list[str]]:
    """Paths of every GET route that can be filled from `values`, and the rules left out (with why)."""
    from flask import url_for

    paths, left_out = [], []
    with live.app.test_request_context():
        for rule in live.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            missing = [a for a in rule.arguments if a not in values]
            if missing:
                left_out.append(f"{rule.rule} (needs {', '.join(missing)})")
                continue
            paths.append(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
    return sorted(set(paths)), left_out


def _sweep(page, paths: list[str], *, accept_status=(200,)) -> tuple[list[str], list[str]]:
    """Visit each path; check every HTML page; return (checked, failures)."""
    checked, failures = [], []
    for path in paths:
        response = page.goto(path)
        if response is None:
            continue
        if response.status >= 500:
            failures.append(f"{path}: HTTP {response.status}")
            continue
        if "text/html" not in (response.headers.get("content-type") or "") or response.status not in accept_status:
            continue
        if response.request.redirected_from is not None:
            continue  # e.g. anonymous → sign-in page: checked under its own address
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
    paths, left_out = _html_pages(live, values)
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
    assert not failures, "accessibility failures:\n" + "\n".join(failures)
