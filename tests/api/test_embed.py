"""The partner-site fragment: latest briefs of a region, with the foundation's name, usable from any origin."""


def test_embed_fragment_lists_the_regions_latest_briefs(client, public_world, app, monkeypatch):
    monkeypatch.setitem(app.config, "FOUNDATION_NAME", "The Peace Foundation")
    response = client.get("/embed/publications?region=South+America&limit=5")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    page = response.get_data(as_text=True)
    assert page.count("<li>") == 1 and "The Peace Foundation" in page and "on South America" in page
    assert "http://localhost/publications/" in page  # absolute links: the fragment lives on another site


def test_embed_fragment_refuses_an_unknown_region(client, public_world):
    assert client.get("/embed/publications?region=Atlantis").status_code == 400


def test_embed_help_previews_the_real_list(client, public_world):
    page = client.get("/embed?region=South+America").get_data(as_text=True)
    assert "Foundation for Peaceful Futures" in page and page.count("<li>") >= 1
