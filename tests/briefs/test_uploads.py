"""PDF uploads: checked by content, size-limited, stored under generated names, versions kept."""
from __future__ import annotations

import io
import os

import pytest
import sqlalchemy as sa

from convene.briefs import storage
from convene.briefs.models import Brief, BriefFile
from convene.extensions import db


def _upload(client, brief, data: bytes, name: str = "memo.pdf"):
    return client.post(f"/briefs/{brief.id}/upload", data={"pdf": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _stored(folder) -> list[str]:
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def test_upload_is_stored_under_a_generated_name_and_served_safely(client, make, sign_in, upload_dir, pdf_bytes):
    sign_in(make.user("staff"))
    brief = make.brief(title="Memo on mediation")
    data = pdf_bytes(2000)
    response = _upload(client, brief, data, name="Rapport final – médiation.pdf")
    assert response.status_code == 302, response.get_data(as_text=True)
    brief_file = db.session.scalar(sa.select(BriefFile))
    assert brief_file.original_name == "Rapport final – médiation.pdf"
    assert _stored(upload_dir) == [brief_file.storage_name]
    assert len(brief_file.storage_name) == 36 and brief_file.storage_name.endswith(".pdf")
    assert (upload_dir / brief_file.storage_name).read_bytes() == data
    response = client.get(f"/briefs/{brief.id}/files/{brief_file.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{brief.slug}-v')
    assert "filename*=UTF-8''Rapport%20final%20%E2%80%93%20m%C3%A9diation.pdf" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data() == data
    response.close()


def test_non_pdf_with_a_pdf_name_is_refused(client, make, sign_in, upload_dir):
    sign_in(make.user("staff"))
    brief = make.brief()
    for data, message in [(b"<html><script>alert(1)</script></html>", "not a PDF"),
                          (b"MZ\x90\x00 executable %%EOF", "not a PDF"),
                          (b"%PDF-1.7\n truncated without the end marker", "incomplete"),
                          (b"", "empty")]:
        response = _upload(client, brief, data, name="report.pdf")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(BriefFile.id))) == 0
    assert _stored(upload_dir) == []


def test_oversized_file_is_refused(client, make, sign_in, upload_dir, pdf_bytes, app):
    sign_in(make.user("staff"))
    brief = make.brief()
    before = app.config["BRIEF_MAX_UPLOAD"]
    app.config["BRIEF_MAX_UPLOAD"] = 10_000
    try:
        response = _upload(client, brief, pdf_bytes(10_500))
        assert response.status_code == 400
        assert "larger than the limit" in response.get_data(as_text=True)
        assert _upload(client, brief, pdf_bytes(9_000)).status_code == 302
    finally:
        app.config["BRIEF_MAX_UPLOAD"] = before
    assert db.session.scalar(sa.select(sa.func.count(BriefFile.id))) == 1


@pytest.mark.sqlite_only
def test_request_over_max_content_length_gets_the_styled_413(make_app, make, upload_dir, pdf_bytes):
    small = make_app(MAX_CONTENT_LENGTH=5_000, BRIEF_UPLOAD_DIR=str(upload_dir))
    staff = make.user("staff")
    brief = make.brief()
    client = small.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = staff.get_id()
        session["_fresh"] = True
    response = _upload(client, brief, pdf_bytes(20_000))
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(BriefFile.id))) == 0


@pytest.mark.parametrize("name", ["../../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf", "/tmp/x.pdf",
                                  "\x00evil.pdf", ".htaccess.pdf", "a\r\nSet-Cookie: x=1.pdf", "tab\there.pdf"])
def test_path_traversal_names_never_become_paths(client, make, sign_in, upload_dir, pdf_bytes, name):
    sign_in(make.user("staff"))
    brief = make.brief()
    response = _upload(client, brief, pdf_bytes(), name=name)
    if response.status_code == 400:  # a name that breaks the multipart header: the file never arrives
        assert "Choose the PDF file" in response.get_data(as_text=True)
        assert _stored(upload_dir) == [] and db.session.scalar(sa.select(BriefFile)) is None
        return
    assert response.status_code == 302
    brief_file = db.session.scalar(sa.select(BriefFile))
    assert "/" not in brief_file.original_name and "\\" not in brief_file.original_name
    assert not any(ord(c) < 32 for c in brief_file.original_name)
    assert _stored(upload_dir) == [brief_file.storage_name]
    response = client.get(f"/briefs/{brief.id}/files/{brief_file.id}")
    response.close()
    assert "\r" not in response.headers["Content-Disposition"] and "\n" not in response.headers["Content-Disposition"]


def test_storage_refuses_names_it_did_not_generate(app):
    for name in ("../x.pdf", "x.pdf", "0" * 32 + ".exe", "", "/etc/passwd"):
        with pytest.raises(ValueError):
            storage.path_of(name)


def test_replacing_keeps_the_old_version(client, make, sign_in, upload_dir, pdf_bytes):
    sign_in(make.user("staff"))
    brief = make.brief(title="Versions")
    first, second = pdf_bytes(1500), pdf_bytes(2500)
    assert _upload(client, brief, first, "v1.pdf").status_code == 302
    assert _upload(client, brief, second, "v2.pdf").status_code == 302
    db.session.expire_all()
    brief = db.session.get(Brief, brief.id)
    assert [f.original_name for f in brief.files] == ["v2.pdf", "v1.pdf"]
    assert brief.current_file.original_name == "v2.pdf"
    assert brief.files[1].replaced_at is not None
    assert len(_stored(upload_dir)) == 2
    old = client.get(f"/briefs/{brief.id}/files/{brief.files[1].id}")
    assert old.get_data() == first
    old.close()
    page = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    assert "v1.pdf" in page and "replaced" in page and "current" in page


def test_failed_commit_removes_the_written_file(client, make, sign_in, upload_dir, pdf_bytes, monkeypatch):
    """A commit that fails after the file was written leaves neither a row nor bytes behind."""
    sign_in(make.user("staff"))
    brief = make.brief()
    original = storage.write

    def write_then_break_the_transaction(name, data):
        path = original(name, data)
        # Two rows with one unique storage name: the real database refuses the commit.
        for _ in range(2):
            db.session.add(BriefFile(brief_id=brief.id, storage_name="clash.pdf", size=1, sha256=""))
        return path

    monkeypatch.setattr(storage, "write", write_then_break_the_transaction)
    with pytest.raises(sa.exc.IntegrityError):
        _upload(client, brief, pdf_bytes())
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(BriefFile.id))) == 0
    assert _stored(upload_dir) == []


def test_organizer_may_download_but_not_upload(client, make, sign_in, upload_dir, pdf_bytes):
    organizer = make.user("organizer")
    brief = make.brief(convenings=[make.convening(organizers=[organizer])])
    sign_in(make.user("staff"))
    _upload(client, brief, pdf_bytes())
    brief_file = db.session.scalar(sa.select(BriefFile))
    sign_in(organizer)
    download = client.get(f"/briefs/{brief.id}/files/{brief_file.id}")
    assert download.status_code == 200
    download.close()
    assert _upload(client, brief, pdf_bytes()).status_code == 403
    assert os.listdir(upload_dir) == [brief_file.storage_name]


def test_the_brief_page_says_where_the_full_text_is(client, make, sign_in, upload_dir, pdf_bytes):
    """Issue 17, item 8: a brief whose PDF is uploaded no longer says "Full text: no link"."""
    sign_in(make.user("staff"))
    brief = make.brief(title="Memo on early warning")
    page = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    assert "neither a link nor a PDF yet" in page
    _upload(client, brief, pdf_bytes(1500), name="early-warning.pdf")
    brief_file = db.session.scalar(sa.select(BriefFile))
    page = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    full_text = page[page.index("<dt>Full text</dt>"):page.index("</dd>", page.index("<dt>Full text</dt>"))]
    assert f'href="/briefs/{brief.id}/files/{brief_file.id}">the uploaded PDF</a> (early-warning.pdf)' in full_text
    assert "no link" not in page
