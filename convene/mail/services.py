"""Queuing e-mail in the outbox, and the few actions people take on queued messages.

Callers add a message with `queue_message` in the same transaction as the change that causes
it (an invitation marked sent, an answer recorded): the message exists if and only if the
change is committed. A worker (`convene.mail.worker`) delivers it later.
"""
from __future__ import annotations

import re
from email.utils import make_msgid

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from ..audit.services import record
from ..convenings.models import Convening
from ..db_types import utcnow
from ..errors import DomainError
from ..extensions import db
from .models import OutboxMessage, OutboxStatus


class MailError(DomainError):
    """A message that cannot be queued or sent; the text is shown to people as it is."""


#: Characters that would let a value start a new header line (header injection).
_HEADER_BREAKERS = re.compile(r"[\r\n\x00]")
#: iTIP methods are tokens such as REQUEST, CANCEL, PUBLISH, REPLY.
_METHOD = re.compile(r"^[A-Z][A-Z-]{0,19}$")
SUBJECT_MAX = 500
NAME_MAX = 200


def check_header_value(value: str, what: str, max_length: int) -> str:
    """Refuse line breaks and NULs (header injection) and overlong values."""
    if not isinstance(value, str):
        raise MailError(f"The {what} must be text.")
    if _HEADER_BREAKERS.search(value):
        raise MailError(f"The {what} must be on one line (it contains a line break).")
    if len(value) > max_length:
        raise MailError(f"The {what} is too long (at most {max_length} characters).")
    return value


def normalise_address(address: str, *, allow_local: bool = False) -> str:
    """A syntactically valid e-mail address (no DNS look-up), normalised; MailError otherwise.

    `allow_local` also accepts addresses such as someone@localhost, for `flask mail test`.
    """
    if not isinstance(address, str) or not address.strip():
        raise MailError("An e-mail address is required.")
    if _HEADER_BREAKERS.search(address):
        raise MailError("The e-mail address must be on one line.")
    address = address.strip()
    local, _, domain = address.rpartition("@")
    if allow_local and domain.lower() == "localhost":
        # email-validator refuses special-use domains outright; check the rest of the address.
        return normalise_address(f"{local}@localhost.test", allow_local=True).rpartition("@")[0] + "@localhost"
    try:
        result = validate_email(address, check_deliverability=False,
                                globally_deliverable=not allow_local, test_environment=allow_local)
    except EmailNotValidError as error:
        raise MailError(f"“{address}” is not a valid e-mail address: {error}") from error
    return result.normalized


def calendar_method_of(calendar: bytes) -> str | None:
    """The METHOD property of an iCalendar object, upper-cased, or None."""
    from icalendar import Calendar

    try:
        parsed = Calendar.from_ical(calendar)
    except ValueError as error:
        raise MailError(f"The calendar attachment cannot be read: {error}") from error
    method = parsed.get("METHOD")
    return str(method).upper() if method is not None else None


def sender_domain() -> str:
    """The domain of MAIL_SENDER, used in Message-IDs."""
    sender = current_app.config.get("MAIL_SENDER", "") or "convene@localhost"
    from email.utils import parseaddr

    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


def new_message_id() -> str:
    """A globally unique Message-ID, in angle brackets."""
    return make_msgid(domain=sender_domain())


def queue_message(*, to_address: str, subject: str, text: str, html: str | None = None, to_name: str = "",
                  calendar: bytes | None = None, calendar_method: str | None = None, kind: str = "other",
                  convening_id: int | None = None, invitation_id: int | None = None,
                  person_id: int | None = None, dedupe_key: str | None = None) -> OutboxMessage:
    """Add a message to the outbox and flush (the caller commits with its own change).

    A repeated non-null dedupe_key returns the row already queued instead of queuing twice.
    """
    address = normalise_address(to_address)
    check_header_value(subject, "subject", SUBJECT_MAX)
    if not subject.strip():
        raise MailError("The subject is empty.")
    check_header_value(to_name or "", "recipient’s name", NAME_MAX)
    if not isinstance(text, str):
        raise MailError("The message text is missing.")
    if isinstance(calendar, str):
        calendar = calendar.encode("utf-8")
    method = _checked_method(calendar, calendar_method)
    from_name, reply_to = series_sender(convening_id)
    if dedupe_key is not None:
        check_header_value(dedupe_key, "deduplication key", 200)
        existing = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    message = OutboxMessage(
        kind=(kind or "other")[:40], to_address=address, to_name=(to_name or "").strip(), subject=subject.strip(),
        from_name=from_name, reply_to=reply_to,
        text=text, html=html or None, calendar=calendar, calendar_method=method,
        convening_id=convening_id, invitation_id=invitation_id, person_id=person_id, dedupe_key=dedupe_key,
        status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=utcnow(), message_id=new_message_id(),
        last_error="", smtp_response="",
    )
    return _insert(message)


def series_sender(convening_id: int | None) -> tuple[str, str]:
    """(From display name, Reply-To) of a message about this convening: its series' (a dialogue's, its
    conference's series'), set on the series' Messages page; ('', '') for none."""
    convening = db.session.get(Convening, convening_id) if convening_id is not None else None
    if convening is not None and convening.series is None and convening.parent is not None:
        convening = convening.parent
    series = convening.series if convening is not None else None
    if series is None:
        return "", ""
    return series.mail_from_name or "", series.mail_reply_to or ""


def _checked_method(calendar: bytes | None, calendar_method: str | None) -> str | None:
    """The calendar's iTIP method: given, or read from the calendar; the two must agree."""
    if calendar is None:
        if calendar_method:
            raise MailError("A calendar method was given without a calendar.")
        return None
    found = calendar_method_of(calendar)
    method = (calendar_method or found or "").upper()
    if not method:
        raise MailError("The calendar has no METHOD (REQUEST, CANCEL, ...); iTIP needs one.")
    if not _METHOD.match(method):
        raise MailError(f"“{method}” is not a calendar method.")
    if found and found != method:
        raise MailError(f"The calendar says METHOD:{found} but the message was queued as {method}.")
    return method


def _insert(message: OutboxMessage) -> OutboxMessage:
    """Flush the new row; if another transaction queued the same dedupe_key first, return theirs."""
    if message.dedupe_key is None or db.session.get_bind().dialect.name != "postgresql":
        db.session.add(message)
        db.session.flush()
        return message
    try:
        with db.session.begin_nested():  # a savepoint, so a duplicate does not spoil the caller's transaction
            db.session.add(message)
    except sa.exc.IntegrityError:
        existing = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == message.dedupe_key))
        if existing is None:
            raise
        return existing
    return message


def retry(message: OutboxMessage, *, actor) -> None:
    """Put a failed message back in the queue, to be sent as soon as a worker is free."""
    if message.status != OutboxStatus.FAILED.value:
        raise MailError("Only a message whose delivery failed can be retried.")
    before = message.attempts
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.locked_by = None
    message.locked_at = None
    record("mail.retry", message, actor=actor,
           changes={"status": ["failed", "pending"], "attempts": [before, 0]})
    db.session.flush()


def erase_person_messages(person_id: int, *, actor=None, actor_label: str = "") -> int:
    """Blank the personal content of every message to a person (for erasure); return how many.

    Unsent messages are cancelled (marked failed) so nothing goes out afterwards. The rows stay,
    so the outbox still shows that something was sent, and when.
    """
    messages = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.person_id == person_id)))
    for message in messages:
        if message.status in (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value):
            message.status = OutboxStatus.FAILED.value
            message.last_error = "cancelled: the recipient's data was erased"
        message.to_address = "erased@erased.invalid"
        message.to_name = ""
        message.subject = "(erased)"
        message.text = ""
        message.html = None
        message.calendar = None
        message.calendar_method = None
    if messages:
        record("mail.erase_person", None, actor=actor, actor_label=actor_label, object_type="Person",
               object_id=person_id, changes={"messages": [len(messages), 0]})
    db.session.flush()
    return len(messages)
