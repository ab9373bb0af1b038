"""The venue-list request: a stated purpose and a format."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import no_control_characters


class VenueListForm(FlaskForm):
    purpose = TextAreaField(
        "What is the list for?", description="Recorded in the audit trail with your name, e.g. “catering and "
        "room set-up at the venue”.",
        validators=[DataRequired("Say what the list is for."),
                    Length(min=10, max=500, message="Between 10 and 500 characters, please."), no_control_characters])
    file_format = RadioField("Format", choices=[("html", "Printable page"), ("csv", "CSV for a spreadsheet")],
                             default="html", validators=[DataRequired()])
