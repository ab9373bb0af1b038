"""Fixtures for the briefs tests: a private upload folder and PDF bytes."""
from __future__ import annotations

import pytest

#: The smallest file our check accepts: a PDF header and an end-of-file marker.
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


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
        """A valid-looking PDF padded to about `size` bytes."""
        padding = max(0, size - len(MINIMAL_PDF))
        return MINIMAL_PDF[:-7] + b"%" + b"x" * padding + b"\n%%EOF\n"
    return make
