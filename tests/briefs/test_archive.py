"""The public archive: no login, published only, filters, search, pagination, brief pages, Atom feed."""
from __future__ import annotations

import io
from datetime import date
from xml.etree import ElementTree as ET

import pytest
import sqlalchemy as sa

from convene.briefs.facts import FEWER, WITHHELD, suppress
from convene.briefs.models import Brief, BriefRegion
from convene.extensions import db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def archive(make):
    climate = make.theme(name="Climate security", slug="climate-security")
    atrocity = make.theme(name="Atrocity prevention", slug="atrocity-prevention")
    a = make.brief(title="Sahel climate memo", status="published", kind="policy_memo",
                   published_on=date(2023, 4, 1), summary="Drought & conflict <in> the Sahel.")
    a.themes = [climate]
    a.regions = [BriefRegion(region="Africa"), BriefRegion(region="Western Africa")]
    b = make.brief(title="Atrocity prevention report", status="published", kind="conference_report",
                   published_on=date(2024, 10, 19), summary="Assisting states to prevent atrocities.")
    b.themes = [atrocity]
    b.regions = [BriefRegion(region="Americas")]
    make.brief(title="Secret draft", status="draft", summary="Drought")
    make.brief(title="Approved not yet public", status="approved", summary="Drought")
    db.session.commit()
    return a, b


def _titles(client, query: str = "") -> list[str]:
    response = client.get("/publications/" + query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return [t for t in ("Sahel climate memo", "Atrocity prevention report", "Secret draft",
                        "Approved not yet public") if t in page]


def test_archive_is_public_and_shows_published_only(client, archive):
    response = client.get("/publications/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert _titles(client) == ["Sahel climate memo", "Atrocity prevention report"]


def test_filters(client, archive):
    assert _titles(client, "?region=Western+Africa") == ["Sahel climate memo"]
    assert _titles(client, "?theme=atrocity-prevention") == ["Atrocity prevention report"]
    assert _titles(client, "?kind=policy_memo") == ["Sahel climate memo"]
    assert _titles(client, "?year=2024") == ["Atrocity prevention report"]
    assert _titles(client, "?year=2024&kind=policy_memo") == []
    assert _titles(client, "?q=drought") == ["Sahel climate memo"]
    assert _titles(client, "?q=drought&region=Americas") == []


@pytest.mark.parametrize("query", ["?year=abc", "?year=99999", "?region=Atlantis", "?kind=<script>",
                                   "?theme=../../etc", "?q=%00", "?q=%22%22%22", "?q=NEAR(", "?page=-4",
                                   "?page=999", "?q=" + "x" * 3000, "?q=", "?q=+++",
                                   "?q=%3Cscript%3Ealert(1)%3C/script%3E"])
def test_bad_filters_never_error(client, archive, query):
    response = client.get("/publications/" + query)
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_punctuation_only_search_explains_itself(client, archive):
    page = client.get("/publications/?q=%2A%22%28%29").get_data(as_text=True)
    assert "no words to look for" in page
    assert "Sahel climate memo" in page


def test_pagination(client, make):
    for n in range(45):
        make.brief(title=f"Published brief {n:02d}", status="published", published_on=date(2020, 1, 1 + n % 28))
    first = client.get("/publications/").get_data(as_text=True)
    assert "Page 1 of 3" in first and "45 in all" in first
    third = client.get("/publications/?page=3").get_data(as_text=True)
    assert third.count("Published brief") == 5


def test_public_page_shows_aggregates_only(client, make, archive):
    brief = archive[1]
    convening = make.convening(title="Strategy for Peace", city="Warrenton", country="US")
    south = [make.person(name=f"South {i}", country="KE", sector="civil_society") for i in range(6)]
    north = [make.person(name=f"North {i}", country="NO", sector="government") for i in range(5)]
    few = [make.person(name=f"Few {i}", country="BR", sector="academia") for i in range(2)]
    for person in south + north + few:
        make.invitation(convening, person, status="attended")
    make.invitation(convening, make.person(name="Declined Person", country="FR"), status="declined")
    brief.convenings = [convening]
    db.session.commit()
    response = client.get(f"/publications/{brief.slug}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    page = response.get_data(as_text=True)
    assert "Strategy for Peace" in page and "Warrenton" in page and "United States" in page
    assert "<dd>13</dd>" in page  # participants
    assert "Global South" in page and "Global North" in page
    assert FEWER in page  # 2 academics are not shown exactly
    for person in south + north + few:
        assert person.name not in page
    assert "Declined Person" not in page


def test_small_meetings_show_no_mix(client, make, archive):
    brief = archive[0]
    convening = make.convening(title="Small roundtable")
    for i in range(3):
        make.invitation(convening, make.person(country="KE"), status="accepted")
    brief.convenings = [convening]
    db.session.commit()
    page = client.get(f"/publications/{brief.slug}").get_data(as_text=True)
    assert f"<dd>{FEWER}</dd>" in page and "Global South" not in page


def test_suppression_hides_a_lone_small_cell_and_its_complement():
    assert suppress({"a": 10, "b": 3}) == [("a", WITHHELD), ("b", FEWER)]
    assert suppress({"a": 10, "b": 7, "c": 2}) == [("a", 10), ("b", WITHHELD), ("c", FEWER)]
    assert suppress({"a": 10, "b": 2, "c": 1}) == [("a", 10), ("b", FEWER), ("c", FEWER)]
    assert suppress({"a": 10, "b": 6, "c": 0}) == [("a", 10), ("b", 6)]


def test_unpublished_and_unknown_slugs_are_404(client, archive):
    draft = db.session.scalar(sa.select(Brief).where(Brief.status == "draft"))
    assert client.get(f"/publications/{draft.slug}").status_code == 404
    assert client.get("/publications/no-such-brief").status_code == 404
    assert client.get("/publications/%2e%2e%2fetc").status_code == 404


def test_public_pdf(client, make, sign_in, archive, upload_dir, pdf_bytes):
    brief = archive[0]
    sign_in(make.user("staff"))
    data = pdf_bytes(3000)
    client.post(f"/briefs/{brief.id}/upload", data={"pdf": (io.BytesIO(data), "internal name.pdf")},
                content_type="multipart/form-data")
    anonymous = type(client)(client.application, client.response_wrapper)
    page = anonymous.get(f"/publications/{brief.slug}").get_data(as_text=True)
    assert f"/publications/{brief.slug}/full-text.pdf" in page
    response = anonymous.get(f"/publications/{brief.slug}/full-text.pdf")
    assert response.status_code == 200 and response.get_data() == data
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"{brief.slug}.pdf\"; filename*=UTF-8''{brief.slug}.pdf")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    response.close()
    draft = db.session.scalar(sa.select(Brief).where(Brief.status == "draft"))
    assert anonymous.get(f"/publications/{draft.slug}/full-text.pdf").status_code == 404


def test_atom_feed_is_valid_and_escaped(client, make, archive):
    tricky = make.brief(title='Fish & chips <b>"quoted"</b>', status="published", authors="A. Author, B. Author",
                        summary="Text with \x0b a control character & <script>x</script>")
    from convene.db_types import utcnow
    tricky.published_at = utcnow()
    db.session.commit()
    response = client.get("/publications/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    root = ET.fromstring(response.get_data())  # parses: well-formed XML
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0] == 'Fish & chips <b>"quoted"</b>'
    assert "Secret draft" not in titles and len(entries) == 3
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("tag:localhost,")
        assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/publications/")
        assert entry.find(f"{ATOM}updated").text.endswith("Z")
    content = entries[0].find(f"{ATOM}content")
    assert content.get("type") == "html" and "<script>" not in content.text
    assert [a.find(f"{ATOM}name").text for a in entries[0].findall(f"{ATOM}author")] == ["A. Author", "B. Author"]
    etag = response.headers["ETag"]
    assert client.get("/publications/feed.atom", headers={"If-None-Match": etag}).status_code == 304


def test_signed_in_pages_are_not_publicly_cached(client, make, sign_in, archive):
    sign_in(make.user("staff"))
    response = client.get("/publications/")
    assert response.headers["Cache-Control"] == "no-store"


def test_archive_and_search_run_a_fixed_number_of_queries(client, make, count_queries):
    themes = [make.theme() for _ in range(3)]
    counts = []
    for total in (10, 60):
        while db.session.scalar(sa.select(sa.func.count(Brief.id))) < total:
            n = db.session.scalar(sa.select(sa.func.count(Brief.id)))
            brief = make.brief(title=f"Water brief {n}", status="published", published_on=date(2024, 1, 1),
                               summary="water and peace")
            brief.themes = themes[: n % 3 + 1]
            brief.regions = [BriefRegion(region="Africa")]
            db.session.commit()
        measured = []
        for query in ("", "?q=water", "?q=water&region=Africa&year=2024&theme=" + themes[0].slug):
            with count_queries() as counter:
                assert client.get("/publications/" + query).status_code == 200
            measured.append(counter.count)
        counts.append(measured)
    assert counts[0] == counts[1], counts


def test_classification_follows_the_diversity_configuration(app):
    from convene.briefs.facts import _diversity_classifier, north_or_south

    classifier = _diversity_classifier()
    assert north_or_south("KE", classifier) == "Global South"
    assert north_or_south("NO", classifier) == "Global North"
    assert north_or_south("", classifier) == "Not stated"
    before = app.config.get("CLASSIFICATION_OVERRIDES")
    app.config["CLASSIFICATION_OVERRIDES"] = {"KE": "north"}
    try:
        assert north_or_south("KE", _diversity_classifier()) == "Global North"
    finally:
        app.config["CLASSIFICATION_OVERRIDES"] = before


def test_public_page_lists_public_next_steps_only(client, make, archive):
    brief = archive[1]
    convening = make.convening(title="Meeting with next steps")
    make.action(convening, text="Publish a prevention toolkit", is_public=True, status="open")
    make.action(convening, text="Internal: call the ministry", is_public=False, status="open")
    brief.convenings = [convening]
    db.session.commit()
    page = client.get(f"/publications/{brief.slug}").get_data(as_text=True)
    assert "Publish a prevention toolkit" in page
    assert "Internal: call the ministry" not in page
