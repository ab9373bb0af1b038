"""Files sent with a message to participants: PDFs only, checked as briefs' uploads are, within limits.

A file is judged by its bytes, never its name: it must start with %PDF-, end with %%EOF, be readable,
and carry no JavaScript or launch action (`briefs.pdf_safety`). Files chosen before a preview are
kept (in the outbox's `mail_attachments`, linked to no message yet) so the organizer does not choose
them again to send; the page carries their ids signed with the server's secret, for one day and for
that organizer and convening only. Kept files never sent are deleted a day later.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..briefs.pdf_safety import pdf_problem
from ..briefs.storage import display_name
from ..db_types import utcnow
from ..errors import DomainError
from ..mail import attachments as mail_files
from ..mail.models import MailAttachment

MAX_FILES = 5
#: Defaults of CORRESPONDENCE_MAX_FILE and CORRESPONDENCE_MAX_TOTAL (bytes); a request is at most 20 MB.
DEFAULT_MAX_FILE = 10 * 1024 * 1024
DEFAULT_MAX_TOTAL = 15 * 1024 * 1024
KEPT_FOR = timedelta(days=1)
_SALT = "correspondence-kept-files"


class CorrespondenceError(DomainError):
    """A message to participants that cannot be sent as it is; the text is shown as it is."""


def limits() -> tuple[int, int]:
    """(largest file, largest total) in bytes."""
    config = current_app.config
    return (int(config.get("CORRESPONDENCE_MAX_FILE", DEFAULT_MAX_FILE)),
            int(config.get("CORRESPONDENCE_MAX_TOTAL", DEFAULT_MAX_TOTAL)))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


#: How a refused attachment is explained (briefs.pdf_safety.pdf_problem's kinds).
ATTACHMENT_REFUSALS = {
    "empty": "“{name}” is empty.",
    "too_large": "“{name}” is larger than the limit of {limit} per file.",
    "not_pdf": "“{name}” is not a PDF (it does not start with %PDF-), whatever its name says. "
               "Only PDF files can be attached.",
    "incomplete": "“{name}” is an incomplete PDF (it has no %%EOF end marker). Attach the whole file.",
    "unreadable": "“{name}” could not be read as a PDF (its structure is damaged). Export or save it again from "
                  "the program that made it.",
    "active": "“{name}” contains {found}, which attachments may not carry. Save it again without scripts or "
              "actions (e.g. print it to PDF).",
}


def check_pdf(name: str, data: bytes, max_size: int) -> None:
    """Refuse anything but a complete PDF without active content, within the size limit."""
    problem = pdf_problem(data, max_size)
    if problem:
        kind, found = problem
        raise CorrespondenceError(ATTACHMENT_REFUSALS[kind].format(name=name, limit=_megabytes(max_size),
                                                                   found=found))


def accept(uploads: list[tuple[str, bytes]], kept: list[MailAttachment], actor) -> list[MailAttachment]:
    """Check the new files with the kept ones (count, each, total) and store the new ones (flushed)."""
    uploads = [(display_name(name) if name else "attachment.pdf", data) for name, data in uploads]
    if len(uploads) + len(kept) > MAX_FILES:
        raise CorrespondenceError(f"Attach at most {MAX_FILES} files to one message.")
    per_file, total = limits()
    for name, data in uploads:
        check_pdf(name, data, per_file)
    size = sum(len(data) for _, data in uploads) + sum(k.size for k in kept)
    if size > total:
        raise CorrespondenceError(f"The files add up to {_megabytes(size)}; a message may carry at most "
                                  f"{_megabytes(total)} in all.")
    stored = [mail_files.store(name if name.lower().endswith(".pdf") else f"{name}.pdf", data, actor=actor)
              for name, data in uploads]
    if stored:
        mail_files.forget_unsent(utcnow() - KEPT_FOR)  # files of messages abandoned a day ago
    return kept + stored


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def sign(files: list[MailAttachment], convening_id: int, user_id: int) -> str:
    """The kept files' ids for the page, signed for this convening and organizer."""
    return _serializer().dumps({"c": convening_id, "u": user_id, "ids": [f.id for f in files]}) if files else ""


def kept_files(signed: str, convening_id: int, user_id: int, keep: list[int] | None = None) -> list[MailAttachment]:
    """The kept files a page carries (those still ticked when `keep` is given); anything forged or stale: none."""
    if not signed:
        return []
    try:
        data = _serializer().loads(signed, max_age=int(KEPT_FOR.total_seconds()))
    except BadSignature:
        return []
    if not isinstance(data, dict) or data.get("c") != convening_id or data.get("u") != user_id:
        return []
    ids = [i for i in data.get("ids", []) if isinstance(i, int) and (keep is None or i in keep)]
    return mail_files.unsent(ids)
