"""Forms of the messages area: one text (subject, body), and a series' sender."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField

from ..forms import VersionField


class MessageTextForm(FlaskForm):
    """Checked by messages.rules (every problem listed above the form), not by field validators."""

    subject = StringField("Subject")
    body = TextAreaField("Message")
    version = VersionField()


class SenderForm(FlaskForm):
    from_name = StringField("Sender name", description="Shown as the sender of every e-mail about this series' "
                            "convenings, e.g. “Strategy for Peace Conference”. Empty: the site's own.")
    reply_to = EmailField("Reply-to address", description="Where replies to those e-mails go, e.g. the "
                          "secretariat's mailbox. Empty: replies go to the site's sender address.")
