"""Series logos: checked by decoding them (PNG, JPEG or WebP only), stored under UPLOADS_DIR/logos/<uuid>.<ext>.

The file name is always one we generated, never a name a user chose; the type is the one Pillow
found by decoding the bytes, whatever the uploaded file was called. SVG is refused: it can carry
script, and a logo is shown on pages, printables and (by name only) e-mails.
"""
from __future__ import annotations

import base64
import io
import re
import threading
import uuid
import warnings
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from PIL import Image, ImageFile, UnidentifiedImageError

from ..base.files import write_atomically
from ..errors import DomainError

#: Largest logo file accepted.
MAX_BYTES = 1024 * 1024
#: Largest width and height, in pixels (a header shows it a few dozen pixels high).
MAX_SIDE = 2000
#: Pillow's format name → (file extension, Content-Type).
FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
MIME_BY_EXTENSION = {ext: mime for ext, mime in FORMATS.values()}

#: WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported (by the printables),
#: which would let a truncated upload through; the check loads strictly, one check at a time.
_STRICT = threading.Lock()

_STORAGE_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp)$")


class LogoError(DomainError):
    field = "logo"


class CheckedLogo(NamedTuple):
    extension: str
    width: int
    height: int


def check(data: bytes) -> CheckedLogo:
    """The logo's type and size, found by decoding it; LogoError when it is not a PNG, JPEG or WebP
    image that decodes whole, is larger than MAX_BYTES or wider or taller than MAX_SIDE."""
    if not data:
        raise LogoError("The logo file is empty.")
    if len(data) > MAX_BYTES:
        raise LogoError(f"The logo is {size_text(len(data))}; the limit is {size_text(MAX_BYTES)}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                kind, (width, height) = image.format, image.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise LogoError(f"The logo is {width}×{height} pixels; at most {MAX_SIDE}×{MAX_SIDE} is accepted.")
                _load_strictly(image)  # decode every pixel: a truncated or corrupt file fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError) as error:
        if isinstance(error, LogoError):
            raise
        raise LogoError("The logo must be a PNG, JPEG or WebP image (SVG and other types are refused); "
                        "this file could not be read as one.") from error
    if kind not in FORMATS or width < 1 or height < 1:
        raise LogoError("The logo must be a PNG, JPEG or WebP image.")
    return CheckedLogo(FORMATS[kind][0], width, height)


def _load_strictly(image) -> None:
    with _STRICT:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def size_text(size: int) -> str:
    """1 MB, 1.5 MB, 200 kB."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} kB"


def logo_dir() -> Path:
    """The folder for logos: logos/ under UPLOADS_DIR (which backups include), else under instance/uploads."""
    uploads = current_app.config.get("UPLOADS_DIR")
    return (Path(uploads) if uploads else Path(current_app.instance_path) / "uploads") / "logos"


def new_storage_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


def is_storage_name(name: str | None) -> bool:
    return bool(_STORAGE_NAME.match(name or ""))


def path_of(storage_name: str) -> Path:
    """The file for a stored name; refuses anything that is not one of our generated names."""
    if not is_storage_name(storage_name):
        raise ValueError("Not a stored logo file name.")
    return logo_dir() / storage_name


def mime_of(storage_name: str) -> str:
    return MIME_BY_EXTENSION[storage_name.rsplit(".", 1)[1]]


def write(storage_name: str, data: bytes) -> Path:
    """Write the bytes atomically (a temporary file renamed into place)."""
    return write_atomically(path_of(storage_name), data)


def delete(storage_name: str | None) -> None:
    if is_storage_name(storage_name):
        path_of(storage_name).unlink(missing_ok=True)


def data_url(storage_name: str | None) -> str | None:
    """The logo inline as a data: URL (for PDFs, which never fetch anything over the network); None if absent."""
    if not is_storage_name(storage_name):
        return None
    path = path_of(storage_name)
    if not path.is_file():
        return None
    return f"data:{mime_of(storage_name)};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
