"""Venue list (audited, sensitive needs only where the rule allows), public-safe list, name tents and badges."""
import csv
import io
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from convene.db_types import utcnow
from convene.extensions import db
from convene.models import AuditEvent

NAMES = {
    "arabic": "ليلى حداد",
    "chinese": "王小明",
    "devanagari": "अनीता शर्मा",
    "vietnamese": "Nguyễn Thị Hương",
    "latin": "Zoë Ångström-Pérez",
}

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None and not __import__("os").environ.get("CI"),
                                   reason="poppler-utils (pdftotext, pdffonts, pdftoppm) is not installed")


@pytest.fixture
def room(make, sign_in):
    organizer = make.user("organizer")
    convening = make.convening(organizers=[organizer], title="Roundtable on Atrocity Prevention")
    people = {}
    for key, name in NAMES.items():
        org = make.organization(name=f"Institute {key}")
        people[key] = make.person(name=name, organization=org, listing_consent=key != "chinese",
                                  dietary_needs=f"{key} meal", access_needs="" if key != "latin" else "step-free")
        make.invitation(convening, people[key], status="accepted",
                        invitee_confirmed_at=utcnow() if key != "vietnamese" else None)
    make.invitation(convening, make.person(name="Declined Person"), status="declined")
    return {"organizer": organizer, "convening": convening, "people": people}


def test_venue_list_needs_a_purpose_and_is_audited(client, sign_in, room):
    sign_in(room["organizer"])
    c = room["convening"]
    refused = client.post(f"/convenings/{c.id}/printables/venue-list", data={"purpose": "x", "file_format": "csv"})
    assert refused.status_code == 422 and "Between 10 and 500 characters" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "participants.venue_export")) == 0
    response = client.post(f"/convenings/{c.id}/printables/venue-list",
                           data={"purpose": "Catering and room set-up at the venue", "file_format": "csv"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["Name"] for r in rows} == set(NAMES.values())  # the declined person is not coming
    by_name = {r["Name"]: r for r in rows}
    assert by_name[NAMES["latin"]]["Access needs"] == "step-free"
    # Needs the person never confirmed through their own link are not shown to an organizer.
    assert by_name[NAMES["vietnamese"]]["Dietary needs"] == "(not shared with you)"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "participants.venue_export"))
    assert "Catering and room set-up" in str(event.changes) and event.actor_id == room["organizer"].id


def test_venue_list_page_and_who_may_have_it(app, client, make, sign_in, room):
    c = room["convening"]
    sign_in(make.user("staff"))
    assert client.get(f"/convenings/{c.id}/printables").status_code == 200
    assert client.post(f"/convenings/{c.id}/printables/venue-list",
                       data={"purpose": "Catering and room set-up", "file_format": "html"}).status_code == 403
    other = app.test_client()
    sign_in(make.user("organizer"), target=other)
    assert other.get(f"/convenings/{c.id}/printables").status_code == 404
    admin = app.test_client()
    sign_in(make.user("admin"), target=admin)
    response = admin.post(f"/convenings/{c.id}/printables/venue-list",
                          data={"purpose": "Catering and room set-up", "file_format": "html"})
    assert response.status_code == 201  # an audited export, answered in place
    page = response.get_data(as_text=True)
    assert "vietnamese meal" in page  # admins see every person's needs
    assert "Destroy after the event" in page


def test_formula_cells_are_neutralised():
    from convene.printables.services import Participant, venue_csv

    text = venue_csv([Participant(1, "=cmd", "=cmd", "+org", "Participant", "@SUM(1)", None)])
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[:3] == ["'=cmd", "'+org", "Participant"] and row[3:5] == ["", ""]  # no travel dates given
    assert row[5:] == ["'@SUM(1)", "(not shared with you)"]


def test_public_safe_list_has_only_consenting_people(client, sign_in, room):
    sign_in(room["organizer"])
    page = client.get(f"/convenings/{room['convening'].id}/printables/participants").get_data(as_text=True)
    assert NAMES["arabic"] in page and "Institute arabic" in page
    assert NAMES["chinese"] not in page and "meal" not in page


def pdf_text(data: bytes, tmp_path) -> tuple[str, str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return text, fonts


@needs_poppler
@pytest.mark.parametrize("kind", ["name-tents", "badges"])
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_pdfs_carry_every_name_in_real_glyphs(client, sign_in, room, tmp_path, kind, paper):
    sign_in(room["organizer"])
    response = client.get(f"/convenings/{room['convening'].id}/printables/{kind}.pdf?paper={paper}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.get_data().startswith(b"%PDF-")
    text, fonts = pdf_text(response.get_data(), tmp_path)
    flat = re.sub(r"[\s-]", "", text)  # names may wrap over two lines (at a space or a hyphen)
    for key in ("chinese", "vietnamese", "latin"):
        assert re.sub(r"[\s-]", "", NAMES[key]) in flat, key
    assert "अनीता" in text  # (extractors split the conjunct of the second word: the glyphs are right)
    assert "حداد" in text or "حداد"[::-1] in text  # extraction order of right-to-left text varies
    # Each script was set in a font that has its letters (no empty boxes from a fallback font).
    assert all(f in fonts for f in ("Noto-Sans-Arabic", "Noto-Sans-Devanagari", "WenQuanYi", "Noto-Sans-Bold"))
    if kind == "name-tents":  # the name is on both faces of each tent: once per face
        assert flat.count("ÅngströmPérez") == 2


@needs_poppler
def test_a_name_tent_page_renders_with_ink_on_both_halves(client, sign_in, room, tmp_path):
    sign_in(room["organizer"])
    data = client.get(f"/convenings/{room['convening'].id}/printables/name-tents.pdf").get_data()
    (tmp_path / "tents.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "20", "-f", "1", "-l", "1", str(tmp_path / "tents.pdf"),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    gray = subprocess.run(["pdftoppm", "-gray", "-r", "20", "-f", "1", "-l", "1", str(tmp_path / "tents.pdf")],
                          capture_output=True, check=True).stdout  # PGM: header, then one byte a pixel
    header_end = gray.index(b"255\n") + 4
    width, height = map(int, gray.split(b"\n")[1].split())
    pixels = gray[header_end:]
    top, bottom = pixels[:width * height // 2], pixels[width * height // 2:]
    assert png.stat().st_size > 0
    assert min(top) < 128 and min(bottom) < 128  # dark text on each face of the fold


def test_bad_paper_is_a_clear_refusal(client, sign_in, room):
    sign_in(room["organizer"])
    response = client.get(f"/convenings/{room['convening'].id}/printables/badges.pdf?paper=a3")
    assert response.status_code == 422 and "Paper must be A4 or Letter" in response.get_data(as_text=True)
