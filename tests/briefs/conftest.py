"""Fixtures for the briefs tests: a private upload folder and PDF bytes."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter


def make_pdf(padding: int = 0, build=None) -> bytes:
    """A real one-page PDF written by pypdf, with `padding` bytes of metadata; `build(writer)` may add more."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if padding:
        writer.add_metadata({"/Padding": "x" * padding})
    if build is not None:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


#: The smallest file our check accepts: a real PDF with one blank page.
MINIMAL_PDF = make_pdf()


@pytest.fixture
def upload_dir(app, tmp_path):
    """Point the brief uploads at a temporary folder for this test."""
    before = app.config.get("BRIEF_UPLOAD_DIR")
    app.config["BRIEF_UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    if before is None:
        app.config.pop("BRIEF_UPLOAD_DIR", None)
    else:
        app.config["BRIEF_UPLOAD_DIR"] = before


@pytest.fixture
def pdf_bytes():
    def make(size: int = 0) -> bytes:
        """A valid PDF of about `size` bytes (at least the minimal one)."""
        return make_pdf(max(0, size - len(MINIMAL_PDF) - 20))
    return make
