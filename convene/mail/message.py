"""Building the MIME message for an outbox row (stdlib `email`, no hand-written MIME)."""
from __future__ import annotations

from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from email_validator import EmailNotValidError, validate_email
from flask import current_app

from ..db_types import utcnow
from .attachments import files_of
from .services import MailError

#: The attachment name calendar clients recognise.
ICS_FILENAME = "invite.ics"


def sender() -> tuple[str, str]:
    """(From header value, envelope sender address) from MAIL_SENDER."""
    configured = current_app.config.get("MAIL_SENDER", "") or "Convene <convene@localhost>"
    name, address = parseaddr(configured)
    if not address or "@" not in address:
        raise MailError(f"MAIL_SENDER “{configured}” has no e-mail address.")
    return configured, address


def ascii_address(address: str) -> str | None:
    """The address with an ASCII (IDNA) domain, or None when its local part needs SMTPUTF8."""
    if address.isascii():
        return address
    try:
        result = validate_email(address, check_deliverability=False, globally_deliverable=False,
                                test_environment=True)
    except EmailNotValidError as error:
        raise MailError(f"“{address}” is not a valid e-mail address: {error}") from error
    return result.ascii_email


def envelope_recipient(address: str) -> str:
    """The RCPT TO address: ASCII (IDNA domain) whenever possible."""
    return ascii_address(address) or address


def needs_smtputf8(address: str) -> bool:
    """True when the recipient's address cannot be written in ASCII."""
    return ascii_address(address) is None


def recipient(to_address: str, to_name: str) -> Address | str:
    """The To address; the display name is quoted or encoded by the email package, never pasted in."""
    spec = ascii_address(to_address)
    if spec is None:  # the email package's Address refuses non-ASCII local parts; quote it ourselves
        if not to_name:
            return f"<{to_address}>"
        quoted = to_name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{to_address}>'  # SMTPUTF8 headers carry UTF-8 as is
    return Address(display_name=to_name or "", addr_spec=spec)


def build_message(row, *, date: datetime | None = None) -> EmailMessage:
    """The message for an outbox row: text, optional HTML and iMIP calendar, its files, stable Message-ID."""
    smtputf8 = needs_smtputf8(row.to_address)
    message = EmailMessage(policy=policy.SMTPUTF8 if smtputf8 else policy.SMTP)
    from_header, address = sender()
    # A series' sender name replaces the configured one; the address stays MAIL_SENDER's (SPF, DKIM).
    from_name, reply_to = getattr(row, "from_name", ""), getattr(row, "reply_to", "")
    message["From"] = Address(display_name=from_name, addr_spec=address) if from_name else from_header
    if reply_to:
        message["Reply-To"] = recipient(reply_to, "")
    message["To"] = recipient(row.to_address, row.to_name)
    message["Subject"] = row.subject
    message["Date"] = format_datetime(date or utcnow())
    message["Message-ID"] = row.message_id
    message["MIME-Version"] = "1.0"
    message.set_content(row.text or "", subtype="plain", charset="utf-8")
    if row.html:
        message.add_alternative(row.html, subtype="html", charset="utf-8")
    if row.calendar:
        add_calendar(message, row.calendar, row.calendar_method)
    if row.id is not None:  # a stored message: its files (a transient test message has none)
        for attached in files_of(row.id):
            maintype, _, subtype = attached.content_type.partition("/")
            message.add_attachment(attached.content, maintype=maintype, subtype=subtype or "octet-stream",
                                   filename=attached.filename)
    return message


def add_calendar(message: EmailMessage, calendar: bytes, method: str) -> None:
    """iMIP (RFC 6047): a text/calendar alternative plus an invite.ics attachment, same method."""
    text = calendar.decode("utf-8")
    message.add_alternative(text, subtype="calendar", charset="utf-8", params={"method": method})
    message.add_attachment(calendar, maintype="application", subtype="ics", filename=ICS_FILENAME,
                           params={"method": method})


def parts(message: EmailMessage) -> dict[str, str]:
    """The text, HTML and calendar bodies of a built message, for display."""
    found: dict[str, str] = {}
    for part in message.walk():
        if part.is_multipart() or part.get_filename():
            continue
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html", "text/calendar") and kind not in found:
            found[kind] = part.get_content()
    return found
