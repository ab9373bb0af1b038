"""Issue 13, finding 9: PDFs that carry JavaScript or launch actions are refused, with a clear message.

The check parses the file with pypdf and visits every object reachable from the trailer
(`convene.briefs.pdf_safety.active_content`), so JavaScript is found wherever it sits.
"""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf.generic import (ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject,
                           TextStringObject)

from convene.briefs.models import BriefFile
from convene.briefs.pdf_safety import active_content
from convene.extensions import db
from tests.briefs.conftest import MINIMAL_PDF, make_pdf


def _action(kind: str) -> DictionaryObject:
    if kind == "/JavaScript":
        return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                 NameObject("/JS"): TextStringObject("app.alert('hello')")})
    return DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                             NameObject("/F"): TextStringObject("calc.exe")})


def _document_javascript(writer):
    """The catalog's /Names /JavaScript tree, run when the document opens."""
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([
        TextStringObject("startup"), writer._add_object(_action("/JavaScript"))])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})


def _open_action(writer):
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_action("/JavaScript"))


def _page_additional_action(writer):
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action("/JavaScript")})


def _launch_on_a_link(writer):
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(50), FloatObject(50)]),
        NameObject("/A"): _action("/Launch")})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def _javascript_deep_in_a_chain(writer):
    """An action whose /Next chain ends in JavaScript, behind two indirect objects."""
    last = writer._add_object(_action("/JavaScript"))
    middle = writer._add_object(DictionaryObject({NameObject("/S"): NameObject("/GoTo"),
                                                  NameObject("/D"): ArrayObject([NumberObject(0)]),
                                                  NameObject("/Next"): last}))
    writer._root_object[NameObject("/OpenAction")] = middle


HOSTILE = {
    "document-level JavaScript": (_document_javascript, "JavaScript"),
    "JavaScript on open": (_open_action, "JavaScript"),
    "JavaScript when a page opens": (_page_additional_action, "JavaScript"),
    "a launch action on a link": (_launch_on_a_link, "launch action"),
    "JavaScript at the end of an action chain": (_javascript_deep_in_a_chain, "JavaScript"),
}


def _upload(client, brief, data: bytes):
    return client.post(f"/briefs/{brief.id}/upload", data={"pdf": (io.BytesIO(data), "brief.pdf")},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_pdf_with_active_content_is_refused_with_a_clear_message(client, make, sign_in, upload_dir, case):
    build, words = HOSTILE[case]
    data = make_pdf(build=build)
    assert active_content(data) is not None
    sign_in(make.user("staff"))
    brief = make.brief()
    response = _upload(client, brief, data)
    assert response.status_code == 400, case
    page = response.get_data(as_text=True)
    assert "This PDF contains" in page and words in page, case
    assert db.session.scalar(sa.select(sa.func.count(BriefFile.id))) == 0
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_a_plain_pdf_is_accepted_and_still_served_as_a_download(client, make, sign_in, upload_dir):
    assert active_content(MINIMAL_PDF) is None
    sign_in(make.user("staff"))
    brief = make.brief()
    assert _upload(client, brief, MINIMAL_PDF).status_code == 302
    stored = db.session.scalar(sa.select(BriefFile))
    response = client.get(f"/briefs/{brief.id}/files/{stored.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    response.close()


def test_a_damaged_pdf_is_refused_with_a_clear_message(client, make, sign_in, upload_dir):
    sign_in(make.user("staff"))
    brief = make.brief()
    response = _upload(client, brief, b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage\n%%EOF\n")
    assert response.status_code == 400
    assert "could not be read" in response.get_data(as_text=True)
