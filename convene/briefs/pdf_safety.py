"""Which PDFs Convene accepts (`pdf_problem`: complete, within a size, no active content), judged by
the bytes; active content is found by parsing the file with pypdf.

A brief's PDF is served to participants and the public. A PDF can carry JavaScript (run by
Acrobat and some browsers' viewers when the file opens, a page is shown or a link is clicked)
or a Launch action (asks the viewer to start a program or open another file). Briefs need
neither, so a file with either is refused, wherever in the document it sits: the catalog's
OpenAction or additional actions, the document-level JavaScript name tree, pages, annotations
and form fields. Every object reachable from the trailer is visited, so a nesting we did not
think of is still seen.
"""
from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

#: Action types a brief never needs: /S of an action dictionary.
REFUSED_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "a launch action (it starts a program or opens a file)"}
#: Keys that hold JavaScript directly (an action's /JS, the names tree's /JavaScript).
JAVASCRIPT_KEYS = ("/JS", "/JavaScript")
#: Enough for any real brief; a file nested deeper than this is refused rather than walked forever.
MAX_OBJECTS = 200_000


class UnreadablePdf(ValueError):
    """pypdf could not read the file's structure."""


def _children(value):
    if isinstance(value, DictionaryObject):
        return list(value.values())
    if isinstance(value, ArrayObject):
        return list(value)
    return []


def active_content(data: bytes) -> str | None:
    """What active content the PDF carries ("JavaScript", "a launch action ..."), or None."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed uploads are expected; say it once, here
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadablePdf("it is protected by a password")
        pending = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        visited = 0
        while pending:
            value = pending.pop()
            if isinstance(value, IndirectObject):
                key = (value.idnum, value.generation)
                if key in seen:
                    continue
                seen.add(key)
                value = value.get_object()
            visited += 1
            if visited > MAX_OBJECTS:
                raise UnreadablePdf("too many objects")
            if isinstance(value, DictionaryObject):
                found = _refused_in(value)
                if found:
                    return found
            pending.extend(_children(value))
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as error:
        raise UnreadablePdf(str(error)) from error
    return None


def _refused_in(dictionary: DictionaryObject) -> str | None:
    action = dictionary.get("/S")
    if isinstance(action, NameObject) and str(action) in REFUSED_ACTIONS:
        return REFUSED_ACTIONS[str(action)]
    if any(key in dictionary for key in JAVASCRIPT_KEYS):
        return "JavaScript"
    return None


def pdf_problem(data: bytes, max_size: int) -> tuple[str, str] | None:
    """Why these bytes are not a PDF Convene accepts (a brief's file, an e-mail attachment), judged by the
    bytes, never the name: (kind, detail) or None. Each caller words the kinds for its own readers:
    'empty', 'too_large', 'not_pdf', 'incomplete', 'unreadable', and 'active' (detail: what it carries).
    """
    if not data:
        return "empty", ""
    if len(data) > max_size:
        return "too_large", ""
    # The header may follow a few bytes of junk (PDF 1.7 §7.5.2 tolerates up to 1024).
    if b"%PDF-" not in data[:1024]:
        return "not_pdf", ""
    if b"%%EOF" not in data[-1024:]:
        return "incomplete", ""
    try:
        found = active_content(data)
    except UnreadablePdf:
        return "unreadable", ""
    return ("active", found) if found else None
