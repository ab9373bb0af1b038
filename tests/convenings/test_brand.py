"""A series' own look (issue 17 item 6): the rules, the edit page, the stylesheet and logo routes,
and where it shows (public agenda, attendee pages)."""
from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image, ImageFile

from convene.audit.models import AuditEvent
from convene.convenings import brand, logos
from convene.convenings.models import SeriesBrand
from convene.extensions import db
from convene.tokens import services as tokens


def image_bytes(kind: str = "PNG", size=(120, 40), colour=(31, 78, 140)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=kind)
    return out.getvalue()


@pytest.fixture
def uploads(app, tmp_path):
    """Logos go to a temporary UPLOADS_DIR for the test."""
    before = app.config.get("UPLOADS_DIR")
    app.config["UPLOADS_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["UPLOADS_DIR"] = before


@pytest.fixture
def world(make, sign_in):
    organizer = make.user("organizer")
    series = make.series(name="Strategy for Peace")
    convening = make.convening(organizers=[organizer], series=series, starts_on=date(2031, 3, 8),
                               ends_on=date(2031, 3, 10), status="open")
    return {"organizer": organizer, "series": series, "convening": convening}


def post_look(client, series, **fields):
    data = {"organization": "", "accent": "", "footer": "", "contact": "", **fields}
    return client.post(f"/series/{series.id}/look", data=data, content_type="multipart/form-data")


# --- the rules ---------------------------------------------------------------------------

@pytest.mark.parametrize("colour, ratio", [("#767676", 4.54), ("#777777", 4.48), ("#000000", 21.0),
                                           ("#ffffff", 1.0), ("#1f4e8c", 8.31), ("#FF0000", 4.0)])
def test_contrast_with_white_at_known_values(colour, ratio):
    assert brand.contrast_ratio(colour) == pytest.approx(ratio, abs=0.005)


def test_accent_below_aa_is_refused_with_its_ratio():
    assert brand.check_accent("#767676") == "#767676"
    assert brand.check_accent("1F4E8C") == "#1f4e8c"
    with pytest.raises(brand.BrandError, match=r"4\.48:1.*4\.5:1"):
        brand.check_accent("#777777")
    with pytest.raises(brand.BrandError, match="six hexadecimal digits"):
        brand.check_accent("blue")
    assert brand.check_accent("") == ""


def test_text_colour_keeps_links_readable_on_light_backgrounds():
    assert brand.text_colour("#1f4e8c") == "#1f4e8c"
    darker = brand.text_colour("#767676")
    assert all(brand.contrast_ratio(darker, bg) >= 4.5 for bg in brand.TEXT_BACKGROUNDS)


@pytest.mark.parametrize("lenient", [False, True])
def test_logo_is_checked_by_decoding_it(lenient, monkeypatch):
    """Also once WeasyPrint (imported for printables) has made Pillow lenient with truncated files."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient)
    assert logos.check(image_bytes("PNG")) == (("png", 120, 40))
    assert logos.check(image_bytes("JPEG")).extension == "jpg"
    assert logos.check(image_bytes("WEBP")).extension == "webp"
    for bad in (b"just some text, named logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                image_bytes("GIF"), image_bytes("PNG")[:60]):
        with pytest.raises(logos.LogoError, match="PNG, JPEG or WebP"):
            logos.check(bad)
    with pytest.raises(logos.LogoError, match="pixels"):
        logos.check(image_bytes("PNG", size=(2001, 10)))
    with pytest.raises(logos.LogoError, match="limit is 1 MB"):
        logos.check(b"\x89PNG" + b"0" * logos.MAX_BYTES)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is lenient  # as it was


def test_footer_and_contact_are_plain_and_checked():
    assert brand.checked({"footer": " Line one\r\nLine two ", "contact": "Events@Example.org"}) == {
        "footer": "Line one\nLine two", "contact": "Events@example.org"}
    for data, field in (({"footer": "<b>bold</b>"}, "footer"), ({"contact": "not an address"}, "contact"),
                        ({"organization": "x" * 201}, "organization"), ({"accent": "#eeeeee"}, "accent")):
        with pytest.raises(brand.BrandError) as refused:
            brand.checked(data)
        assert refused.value.field == field


# --- the edit page -----------------------------------------------------------------------

def test_organizer_sets_the_look_and_replaces_and_removes_the_logo(client, world, sign_in, uploads):
    sign_in(world["organizer"])
    series = world["series"]
    assert client.get(f"/series/{series.id}/look").status_code == 200
    response = post_look(client, series, organization="Foundation for Peaceful Futures", accent="#1F4E8C",
                         footer="Rue de la Paix 1, Geneva", contact="events@fpf.example",
                         logo=(io.BytesIO(image_bytes("PNG")), "logo.jpg"))  # a PNG named .jpg: fine, it decodes
    assert response.status_code == 302, response.get_data(as_text=True)
    row = db.session.get(SeriesBrand, series.id)
    assert (row.organization, row.accent, row.contact, row.revision) == (
        "Foundation for Peaceful Futures", "#1f4e8c", "events@fpf.example", 1)
    assert row.logo_name.endswith(".png") and (uploads / "logos" / row.logo_name).is_file()
    first = row.logo_name
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "series.brand")) is not None

    post_look(client, series, organization="Foundation for Peaceful Futures", accent="#1f4e8c",
              logo=(io.BytesIO(image_bytes("WEBP")), "new.webp"))
    db.session.expire_all()
    row = db.session.get(SeriesBrand, series.id)
    assert row.logo_name.endswith(".webp") and not (uploads / "logos" / first).exists()
    second = row.logo_name

    post_look(client, series, organization="Foundation for Peaceful Futures", remove_logo="y")
    db.session.expire_all()
    row = db.session.get(SeriesBrand, series.id)
    assert row.logo_name is None and not (uploads / "logos" / second).exists()


@pytest.mark.parametrize("fields, message", [
    ({"accent": "#777777"}, "4.48:1"),
    ({"logo": lambda: (io.BytesIO(b"hello, not an image"), "logo.png")}, "PNG, JPEG or WebP"),
    ({"logo": lambda: (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"/>'), "logo.svg")}, "SVG"),
    ({"logo": lambda: (io.BytesIO(b"\x89PNG" + b"0" * 5000), "big.png")}, "the limit is 4 kB"),
    ({"contact": "nobody"}, "not a valid e-mail address"),
    ({"footer": "<script>alert(1)</script>"}, "HTML tags are not allowed"),
])
def test_refused_look_says_why_and_changes_nothing(client, world, sign_in, uploads, fields, message, monkeypatch):
    monkeypatch.setattr(logos, "MAX_BYTES", 4096)  # a larger body would be spooled by the test client and leak a file
    sign_in(world["organizer"])
    fields = {key: value() if callable(value) else value for key, value in fields.items()}  # a fresh file each run
    response = post_look(client, world["series"], organization="FPF", **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.get(SeriesBrand, world["series"].id) is None
    assert not (uploads / "logos").exists() or not any((uploads / "logos").iterdir())


def test_only_those_who_manage_the_series_edit_its_look(client, world, make, sign_in, uploads):
    series = world["series"]
    elsewhere = make.user("organizer")
    make.convening(organizers=[elsewhere], series=make.series(name="Another series"))
    sign_in(elsewhere)
    assert client.get(f"/series/{series.id}/look").status_code == 403
    assert post_look(client, series, organization="Hijack").status_code == 403
    sign_in(make.user("staff"))
    assert post_look(client, series, organization="Hijack").status_code == 403
    assert db.session.get(SeriesBrand, series.id) is None
    sign_in(make.user("admin"))
    assert post_look(client, series, organization="Admin's choice").status_code == 302


# --- the stylesheet and the logo ---------------------------------------------------------

def save(series, uploads=None, **fields):
    data = {"organization": "Foundation for Peaceful Futures", "accent": "#1f4e8c", "footer": "Geneva",
            "contact": "events@fpf.example", **fields}
    logo = data.pop("logo", None)
    swap = brand.save_brand(series, data, actor=None, logo=logo)
    if swap.new:
        logos.write(swap.new, logo)
    db.session.commit()
    return db.session.get(SeriesBrand, series.id)


def test_brand_stylesheet_is_served_per_revision_and_cached_for_good(client, world):
    row = save(world["series"], accent="#8a1538")
    response = client.get(f"/brand/{row.series_id}-{row.revision}.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    assert "--accent: #8a1538;" in css and "--masthead: #8a1538;" in css and "Foundation" not in css
    assert "immutable" in response.headers["Cache-Control"] and response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(response.request.path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get(f"/brand/{row.series_id}-{row.revision + 1}.css").status_code == 404
    assert client.get(f"/brand/{row.series_id + 99}-1.css").status_code == 404


def test_logo_is_served_locally_with_its_checked_type(client, world, uploads):
    row = save(world["series"], logo=image_bytes("JPEG"))
    response = client.get(f"/brand/logos/{row.logo_name}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["ETag"]
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get(f"/brand/logos/{row.logo_name}", headers={"If-None-Match": response.headers["ETag"]}
                      ).status_code == 304
    assert client.get("/brand/logos/" + "0" * 32 + ".png").status_code == 404
    assert client.get("/brand/logos/..%2F..%2Fconfig.py").status_code == 404


# --- where it shows ----------------------------------------------------------------------

def publish_public_agenda(client, make, sign_in, world):
    sign_in(world["organizer"])
    make.agenda_session(world["convening"], title="Opening plenary")
    client.post(f"/convenings/{world['convening'].id}/agenda/settings", data={"public": "y"})
    assert client.post(f"/convenings/{world['convening'].id}/agenda/publish", data={"notify": ""}).status_code == 302
    with client.session_transaction() as session:
        session.clear()


def test_public_agenda_shows_the_look_and_changes_with_it(client, world, make, sign_in, uploads):
    publish_public_agenda(client, make, sign_in, world)
    slug = world["convening"].slug
    plain = client.get(f"/c/{slug}/agenda").get_data(as_text=True)
    assert "/brand/" not in plain and ">Convene</a>" in plain and "· Convene</title>" in plain
    row = save(world["series"], logo=image_bytes("PNG"))
    page = client.get(f"/c/{slug}/agenda").get_data(as_text=True)  # the kept anonymous page is not reused
    assert f'href="/brand/{row.series_id}-{row.revision}.css"' in page
    assert f'src="/brand/logos/{row.logo_name}"' in page
    assert "Foundation for Peaceful Futures</a>" in page and "· Foundation for Peaceful Futures</title>" in page
    assert "Geneva" in page and 'href="mailto:events@fpf.example"' in page


def test_attendee_page_shows_the_look_in_the_attendee_language(client, world, make):
    save(world["series"])
    person = make.person(preferred_language="fr")
    invitation = make.invitation(world["convening"], person, status="accepted")
    raw = tokens.issue("rsvp", invitation_id=invitation.id)
    db.session.commit()
    page = client.get(f"/my/{raw}").get_data(as_text=True)
    assert "Foundation for Peaceful Futures</a>" in page and "/brand/" in page
    assert "Contact :" in page or "Contact:" in page


def test_pages_without_a_branded_series_stay_convenes(client, world, make):
    person = make.person()
    invitation = make.invitation(world["convening"], person, status="accepted")
    raw = tokens.issue("rsvp", invitation_id=invitation.id)
    db.session.commit()
    page = client.get(f"/my/{raw}").get_data(as_text=True)
    assert "/brand/" not in page and ">Convene</a>" in page
    assert "invitation-only convenings, from first invitation" in page or "Convene —" in page
