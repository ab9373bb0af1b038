"""Where brief PDFs live on disk: instance/uploads/briefs/<uuid>.pdf, never under a name a user chose."""
from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path
from urllib.parse import quote

from flask import current_app

from ..base.files import write_atomically

_STORAGE_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")


def upload_dir() -> Path:
    """The folder for brief PDFs (BRIEF_UPLOAD_DIR, else briefs/ under UPLOADS_DIR, which backups include)."""
    configured = current_app.config.get("BRIEF_UPLOAD_DIR")
    if configured:
        return Path(configured)
    uploads = current_app.config.get("UPLOADS_DIR")
    return (Path(uploads) if uploads else Path(current_app.instance_path) / "uploads") / "briefs"


def new_storage_name() -> str:
    return f"{uuid.uuid4().hex}.pdf"


def path_of(storage_name: str) -> Path:
    """The file for a stored name; refuses anything that is not one of our generated names."""
    if not _STORAGE_NAME.match(storage_name or ""):
        raise ValueError("Not a stored brief file name.")
    return upload_dir() / storage_name


def write(storage_name: str, data: bytes) -> Path:
    """Write the bytes atomically (a temporary file renamed into place)."""
    return write_atomically(path_of(storage_name), data)


def delete(storage_name: str) -> None:
    path_of(storage_name).unlink(missing_ok=True)


def display_name(uploaded: str | None) -> str:
    """The uploaded file name reduced to something safe to show: no folders, no control characters."""
    name = (uploaded or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    name = name[:200]
    return name or "brief.pdf"


def content_disposition(ascii_name: str, full_name: str | None = None, inline: bool = False) -> str:
    """A Content-Disposition value with an ASCII filename and an RFC 5987 filename* (UTF-8)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", ascii_name)
                  .encode("ascii", "ignore").decode("ascii")).strip("-.") or "brief"
    if not safe.lower().endswith(".pdf"):
        safe += ".pdf"
    full = full_name or safe
    if not full.lower().endswith(".pdf"):
        full += ".pdf"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{safe}\"; filename*=UTF-8''{quote(full, safe='')}"
