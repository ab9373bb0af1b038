"""A series' sender name and reply-to: the From display name and Reply-To of every e-mail about its
convenings (mail.services.series_sender puts them on each outbox row; mail.message builds the headers).
The From address stays MAIL_SENDER's, so SPF and DKIM keep passing."""
from __future__ import annotations

from typing import Any

from ..audit.services import apply_changes, record
from ..base.text import has_control_characters
from ..convenings.models import Series
from ..mail.services import MailError, check_header_value, normalise_address
from .rules import MessageTextError

FROM_NAME_MAX = 100


def save_sender(series: Series, data: dict[str, Any], actor) -> dict[str, list]:
    """Check and set the series' sender name and reply-to ('' clears either); the changes made."""
    from_name = data.get("from_name") or ""
    reply_to = (data.get("reply_to") or "").strip()
    problems = []
    if has_control_characters(from_name):
        problems.append("Sender name: write it on one line (no line breaks or control characters).")
    from_name = " ".join(from_name.split())
    try:
        check_header_value(from_name, "sender name", FROM_NAME_MAX)
    except MailError as error:
        problems.append(f"Sender name: {error}")
    if reply_to:
        try:
            reply_to = normalise_address(check_header_value(reply_to, "reply-to address", 254))
        except MailError as error:
            problems.append(f"Reply-to: {error}")
    if problems:
        raise MessageTextError(" ".join(problems))
    changes = apply_changes(series, {"mail_from_name": from_name, "mail_reply_to": reply_to},
                            ("mail_from_name", "mail_reply_to"))
    if changes:
        record("series.mail_sender", series, actor=actor, changes=changes)
    return changes
