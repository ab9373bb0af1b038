"""The public read API: filters as the archive, pagination links, ETags, caching, CORS, JSON errors."""
from __future__ import annotations

import pytest


def test_publications_lists_published_briefs_only_with_sanitized_summary(client, public_world):
    body = client.get("/api/v1/publications").get_json()
    assert body["total"] == 3
    assert [item["slug"] for item in body["items"]] == [b.slug for b in reversed(public_world.briefs)]
    first = body["items"][-1]
    assert first["authors"] == ["A. Author", "B. Author"]
    assert "<strong>Fisheries</strong>" in first["summary_html"] and "<script>" not in first["summary_html"]
    assert first["summary_text"].startswith("Fisheries matter 0.")
    assert first["convenings"][0]["url"] == "http://localhost/c/oceans-roundtable"
    linked_private = body["items"][0]["convenings"][0]
    assert linked_private["url"] is None and linked_private["api_url"] is None  # its page is off


@pytest.mark.parametrize("query, expected", [
    ("region=Eastern+Africa", 2), ("region=South+America", 1), ("kind=dialogue_brief", 0),
    ("theme=maritime-security", 3), ("year=2025", 3), ("year=2024", 0), ("q=fisheries", 3), ("q=ports+nothing", 0),
])
def test_publication_filters_match_the_archive(client, public_world, query, expected):
    assert client.get(f"/api/v1/publications?{query}").get_json()["total"] == expected


@pytest.mark.parametrize("query, words", [
    ("region=Atlantis", "region"), ("kind=novel", "kind must be one of"), ("year=12", "year must be"),
    ("page=0", "page must be"), ("per_page=101", "per_page must be"), ("theme=Not+A+Slug", "theme must be"),
])
def test_bad_parameters_answer_400_with_a_message(client, public_world, query, words):
    response = client.get(f"/api/v1/publications?{query}")
    assert response.status_code == 400
    assert words in response.get_json()["message"]
    assert response.get_json()["error"] == "Bad request"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # the edge answered without flashing into a session


def test_pagination_sends_link_headers_keeping_filters(client, public_world):
    response = client.get("/api/v1/publications?per_page=1&page=2&region=Eastern+Africa")
    body = response.get_json()
    assert (body["page"], body["pages"], len(body["items"])) == (2, 2, 1)
    links = response.headers["Link"]
    assert 'region=Eastern+Africa&page=1>; rel="prev"' in links and 'rel="next"' not in links
    assert 'per_page=1' in links and 'rel="first"' in links and 'rel="last"' in links


def test_etag_and_if_none_match_give_304_and_public_cache(client, public_world):
    response = client.get("/api/v1/publications")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/api/v1/publications", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_cors_preflight_is_answered(client, public_world):
    response = client.options("/api/v1/publications", headers={"Origin": "https://partner.example",
                                                               "Access-Control-Request-Method": "GET"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_draft_and_an_unknown_brief_are_404_json(client, public_world):
    for slug in (public_world.draft.slug, "no-such-brief"):
        response = client.get(f"/api/v1/publications/{slug}")
        assert response.status_code == 404 and response.get_json()["error"] == "Not found"


def test_convenings_list_only_public_pages(client, public_world):
    body = client.get("/api/v1/convenings").get_json()
    assert [c["slug"] for c in body["items"]] == ["oceans-roundtable"]
    assert client.get("/api/v1/convenings/closed-door").status_code == 404
    assert client.get("/api/v1/convenings?series=strategy-for-peace&year=2026").get_json()["total"] == 1
    assert client.get("/api/v1/convenings?year=2020").get_json()["total"] == 0


def test_convening_detail_has_agenda_in_utc_and_local_time_and_aggregates_only(client, public_world):
    body = client.get("/api/v1/convenings/oceans-roundtable").get_json()
    assert body["attribution"]["rule"] == "on_the_record"
    session = body["agenda"]["sessions"][0]
    assert session["starts_at_utc"].endswith("+00:00") and session["starts_at_local"].endswith("+02:00")
    assert {"role": "Chair", "name": "Asha Mwangi"} in session["people"]
    assert {"role": "Speaker", "name": "a participant"} in session["people"]  # no listing consent
    assert [b["slug"] for b in body["briefs"]] == [public_world.briefs[0].slug]  # not the draft
    participation = body["participation"]
    assert participation["participants"] == 8
    # 6 Brazil + 1 Kenya = 7 South, 1 Germany North: the single small cell forces one more to be hidden
    north = next(cell for cell in participation["north_south"] if cell["category"] == "Global North")
    assert north["count"] in ("fewer than 5", "not shown")
    assert "Hidden Person" not in str(body)


def test_series_list_counts_public_editions_only(client, public_world):
    body = client.get("/api/v1/series").get_json()
    assert body["items"] == [{"slug": "strategy-for-peace", "name": "Strategy for Peace", "description": "",
                              "editions": 1, "api_url": "http://localhost/api/v1/series/strategy-for-peace"}]
    editions = client.get("/api/v1/series/strategy-for-peace").get_json()["editions"]
    assert [e["slug"] for e in editions] == ["oceans-roundtable"]


def test_publications_use_a_fixed_number_of_queries(client, make, public_world, count_queries):
    with count_queries() as few:
        client.get("/api/v1/publications")
    for n in range(15):
        make.brief(convenings=[public_world.convening], status="published", slug=f"more-{n}")
    with count_queries() as many:
        assert client.get("/api/v1/publications").get_json()["total"] == 18
    assert many.count == few.count


def test_the_reference_page_renders_every_operation_offline(client, public_world):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    for methods in spec["paths"].values():
        assert methods["get"]["operationId"] in html
    assert "http://" not in html.split("<main", 1)[1].replace("http://localhost", "")  # nothing loaded from elsewhere


def test_pages_keep_the_archive_order_and_the_total_past_the_end(client, make, public_world):
    """The page's ids and the total come from one query (a window count); the rows are loaded after."""
    for n in range(5):
        make.brief(status="published", slug=f"later-{n}", published_on=public_world.briefs[1].published_on)  # ties: id decides
    whole = client.get("/api/v1/publications?per_page=100").get_json()
    one_by_one = [client.get(f"/api/v1/publications?per_page=1&page={p}").get_json() for p in range(1, 9)]
    assert [b["items"][0]["slug"] for b in one_by_one] == [item["slug"] for item in whole["items"]]
    assert {b["total"] for b in one_by_one} == {whole["total"]} == {8}
    past = client.get("/api/v1/publications?per_page=1&page=99").get_json()
    assert (past["items"], past["total"], past["pages"]) == ([], 8, 8)
