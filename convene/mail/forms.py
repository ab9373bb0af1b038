"""Forms of the mail area."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField, SelectField
from wtforms.validators import Length, NumberRange, Optional

from ..db_types import choices
from .models import MailKind, OutboxStatus


class OutboxFilterForm(FlaskForm):
    """The outbox page's filters, read from the query string (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices=[("", "Any status"), *choices(OutboxStatus)], default="")
    kind = SelectField("Kind", choices=[("", "Any kind"), *choices(MailKind)], default="")
    q = SearchField("Recipient contains", validators=[Optional(), Length(max=254)])
    convening_id = IntegerField("Convening", validators=[Optional(), NumberRange(min=1)])


class RetryForm(FlaskForm):
    """A button: put a failed message back in the queue (the CSRF token is the whole form)."""
