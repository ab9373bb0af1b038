"""The publications pages served whole to anonymous visitors: nothing built twice, never stale, never personal."""
from __future__ import annotations

from datetime import date

import pytest

from convene.briefs import services
from convene.briefs.models import BriefRegion
from convene.extensions import db

PAGES = ["/publications/", "/publications/?q=drought", "/publications/?region=Africa&kind=policy_memo",
         "/publications/?year=2023"]


@pytest.fixture
def published(make):
    staff = make.user("staff")
    convening = make.convening(title="Sahel roundtable")
    people = [make.person(country="KE", sector="civil_society") for _ in range(6)]
    invitations = [make.invitation(convening, person, status="accepted") for person in people]
    brief = make.brief([convening], title="Sahel climate memo", status="published", kind="policy_memo",
                       published_on=date(2023, 4, 1), summary="Drought and conflict in the Sahel.")
    brief.regions = [BriefRegion(region="Africa")]
    waiting = make.brief(title="Drought finance brief", status="approved", kind="policy_memo",
                         published_on=date(2023, 5, 1), summary="Drought finance.", url="https://example.org/f")
    db.session.commit()
    return {"staff": staff, "convening": convening, "brief": brief, "waiting": waiting, "invitations": invitations}


@pytest.mark.parametrize("url", PAGES + ["/publications/sahel-climate-memo"])
def test_a_second_anonymous_request_builds_nothing(app, published, count_queries, url):
    if url.endswith("memo"):
        url = f"/publications/{published['brief'].slug}"
    visitor = app.test_client()
    first = visitor.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in first.headers["Vary"] and first.headers["ETag"] and first.headers["Last-Modified"]
    with count_queries() as again:
        second = visitor.get(url)
    assert second.get_data() == first.get_data()
    assert again.count <= 1  # the stamp query alone
    assert visitor.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def _edit(brief, **changes) -> dict:
    """The edit form's data: every field as it is, with `changes`."""
    return {**{name: getattr(brief, name) for name in services.FIELDS}, "version": brief.version, **changes}


def _archive(visitor, query: str = "") -> str:
    response = visitor.get("/publications/" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_publishing_updating_and_withdrawing_change_the_archive(app, published):
    staff, waiting, brief = published["staff"], published["waiting"], published["brief"]
    visitor = app.test_client()
    for query in ("", "?q=drought"):
        assert "Drought finance brief" not in _archive(visitor, query)
    services.change_status(waiting, "published", staff)
    db.session.commit()
    for query in ("", "?q=drought"):
        assert "Drought finance brief" in _archive(visitor, query)
    services.update_brief(waiting, _edit(waiting, title="Drought finance, revised"), staff)
    db.session.commit()
    assert "Drought finance, revised" in _archive(visitor)
    assert "Sahel climate memo" not in _archive(visitor, "?region=Americas")
    assert "Sahel climate memo" in _archive(visitor, "?region=Africa")
    services.update_brief(brief, _edit(brief, regions=["Americas"]), staff)  # another table: the brief still changed
    db.session.commit()
    assert "Sahel climate memo" in _archive(visitor, "?region=Americas")
    assert "Sahel climate memo" not in _archive(visitor, "?region=Africa")
    services.change_status(brief, "approved", staff)  # withdrawn
    db.session.commit()
    assert "Sahel climate memo" not in _archive(visitor)
    assert visitor.get(f"/publications/{brief.slug}").status_code == 404


def test_the_brief_page_follows_its_convening_facts_and_next_steps(app, make, published):
    brief, convening = published["brief"], published["convening"]
    visitor = app.test_client()
    url = f"/publications/{brief.slug}"
    assert "<dd>6</dd>" in visitor.get(url).get_data(as_text=True)
    published["invitations"][0].status = "declined"
    db.session.commit()
    assert "<dd>5</dd>" in visitor.get(url).get_data(as_text=True)
    make.action(convening, text="Fund the early-warning desk", is_public=True)
    db.session.commit()
    assert "Fund the early-warning desk" in visitor.get(url).get_data(as_text=True)
    convening.title = "Sahel roundtable, renamed"
    db.session.commit()
    assert "Sahel roundtable, renamed" in visitor.get(url).get_data(as_text=True)


def test_a_signed_in_visitor_gets_the_live_page(app, client, sign_in, published):
    staff = sign_in(published["staff"])
    visitor = app.test_client()
    for url in ("/publications/", f"/publications/{published['brief'].slug}"):
        anonymous = visitor.get(url).get_data(as_text=True)
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "public" not in response.headers.get("Cache-Control", "")
        assert staff.name in page and staff.name not in anonymous
        assert staff.name not in visitor.get(url).get_data(as_text=True)  # what the signed-in view built is not kept
