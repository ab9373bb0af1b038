"""Talking SMTP with smtplib: one connection per batch, each failure classed temporary or permanent."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app


class DeliveryError(Exception):
    """The server (or the network) did not accept a message; `answer` is what it said."""

    temporary = True

    def __init__(self, answer: str):
        super().__init__(answer)
        self.answer = answer


class TemporaryFailure(DeliveryError):
    """Worth trying again later: server down, timeout, 4xx reply."""


class PermanentFailure(DeliveryError):
    """Trying again will not help: a 5xx reply such as an unknown recipient."""

    temporary = False


def answer_text(code: int, reply: bytes | str) -> str:
    """'550 5.1.1 user unknown' from smtplib's (code, bytes) pair."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}".strip()


def failure(code: int, reply: bytes | str, stage: str) -> DeliveryError:
    """A 5xx reply is permanent, anything else (4xx, odd codes) temporary."""
    text = f"{stage}: {answer_text(code, reply)}"
    return PermanentFailure(text) if 500 <= code < 600 else TemporaryFailure(text)


def connect(config=None) -> smtplib.SMTP:
    """An open, greeted (and if configured encrypted and logged-in) SMTP connection."""
    config = config or current_app.config
    host, port = config.get("MAIL_HOST", "127.0.0.1"), int(config.get("MAIL_PORT", 25))
    timeout = float(config.get("MAIL_TIMEOUT", 10))
    where = f"{host}:{port}"
    connection = None
    try:
        if config.get("MAIL_USE_SSL"):
            connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
        connection.ehlo()
        if config.get("MAIL_USE_STARTTLS") and not config.get("MAIL_USE_SSL"):
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if config.get("MAIL_USER"):
            connection.login(config["MAIL_USER"], config.get("MAIL_PASSWORD", ""))
    except smtplib.SMTPResponseException as error:
        # A refused greeting or login is a server or configuration problem: try again later.
        close(connection)
        raise TemporaryFailure(f"{where} refused the connection: {answer_text(error.smtp_code, error.smtp_error)}") \
            from error
    except (OSError, smtplib.SMTPException) as error:
        close(connection)
        raise TemporaryFailure(f"cannot connect to {where}: {describe(error)}") from error
    return connection


def describe(error: BaseException) -> str:
    """A short readable description of a network error."""
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}" if type(error).__name__ not in text else text


def transmit(connection: smtplib.SMTP, message: EmailMessage, envelope_from: str, to: str,
             smtputf8: bool = False) -> str:
    """Send one message (MAIL, RCPT, DATA) and return the server's final 250 answer.

    Raises TemporaryFailure or PermanentFailure; the connection is reset after a refusal so the
    next message of the batch can use it.
    """
    options = []
    if smtputf8:
        if not connection.has_extn("smtputf8"):
            raise PermanentFailure(f"the server does not support SMTPUTF8, needed for the address {to}")
        options = ["SMTPUTF8", "BODY=8BITMIME"]
    data = message.as_bytes(policy=message.policy)
    try:
        code, reply = connection.mail(envelope_from, options)
        if code != 250:
            # Refusing the sender (530 STARTTLS or login needed, sender not allowed) is about the
            # configuration, the same for every message: retry, so fixing it lets the queue go out.
            raise _reset(connection, TemporaryFailure(f"sender refused: {answer_text(code, reply)}"))
        code, reply = connection.rcpt(to)
        if code not in (250, 251):
            raise _reset(connection, failure(code, reply, "recipient refused"))
        code, reply = connection.data(data)
        if code != 250:
            raise _reset(connection, failure(code, reply, "message refused"))
    except UnicodeError as error:  # an address smtplib cannot write on this connection
        raise _reset(connection, PermanentFailure(f"cannot send to {to}: {error}")) from error
    except smtplib.SMTPResponseException as error:  # DATA itself refused
        raise _reset(connection, failure(error.smtp_code, error.smtp_error, "message refused")) from error
    except (OSError, smtplib.SMTPException) as error:
        # No final reply: the server may or may not have the message. Trying again is the
        # only way to be sure it arrives (see docs/mail.md, "Delivery guarantees").
        raise TemporaryFailure(f"connection lost while sending: {describe(error)}") from error
    return answer_text(code, reply)


def _reset(connection: smtplib.SMTP, error: DeliveryError) -> DeliveryError:
    """RSET after a refusal so the connection can carry on; a failed RSET just closes it later."""
    try:
        connection.rset()
    except (OSError, smtplib.SMTPException):
        pass
    return error


def close(connection: smtplib.SMTP | None) -> None:
    """QUIT politely; a dead connection is simply dropped."""
    if connection is None:
        return
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def usable(connection: smtplib.SMTP | None) -> bool:
    """Whether a connection is still open (smtplib sets sock to None on close)."""
    return connection is not None and getattr(connection, "sock", None) is not None
