from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..auth.models import Role, User
from ..base.countries import country_choices
from ..db_types import choices
from ..extensions import db
from ..i18n.locale import LANGUAGES
from ..forms import OptionalSelectField, VersionField, no_control_characters, timezone_choices, valid_country, valid_timezone
from . import brand, logos
from .models import AttributionRule, ConveningKind, ConveningStatus, Series


class SeriesForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200), no_control_characters])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    default_language = OptionalSelectField(
        "Attendees' language", choices=[("", "— English —"), *LANGUAGES.items()], default="",
        description="Pages and e-mails of its convenings' attendees, unless a convening or the attendee chose another.")

    def __init__(self, *args, series: Series | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._series = series

    def validate_name(self, field):
        clash = db.session.scalar(sa.select(Series).where(sa.func.lower(Series.name) == field.data.strip().lower()))
        if clash is not None and clash is not self._series:
            raise ValidationError("A series with this name already exists.")


class SeriesBrandForm(FlaskForm):
    """A series' own look; the rules (contrast, plain text, the logo's type and size) are in brand.py and logos.py."""
    organization = StringField("Organization name", validators=[Length(max=brand.ORGANIZATION_MAX), no_control_characters],
                               description="Shown instead of “Convene” on its convenings' pages, printables and e-mails.")
    logo = FileField("Logo", description=f"PNG, JPEG or WebP (no SVG), at most {logos.MAX_BYTES // 1024 // 1024} MB "
                                         f"and {logos.MAX_SIDE}×{logos.MAX_SIDE} pixels. Leave empty to keep the current one.")
    remove_logo = BooleanField("Remove the logo")
    accent = StringField("Accent colour", validators=[Length(max=20)],
                         description="# and six hexadecimal digits, e.g. #1f4e8c. White text on it needs a contrast "
                                     "ratio of at least 4.5:1 (WCAG AA). Leave empty for Convene's.")
    footer = TextAreaField("Footer text", validators=[Length(max=brand.FOOTER_MAX)],
                           description="Plain text (no HTML), shown at the foot of pages and e-mails.")
    contact = StringField("Contact address", validators=[Length(max=brand.CONTACT_MAX)],
                          description="An e-mail address attendees may write to, shown with the footer.")


class ConveningForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300), no_control_characters])
    series_id = SelectField("Series", coerce=int, validators=[Optional()])
    kind = SelectField("Kind", choices=choices(ConveningKind))
    theme = StringField("Theme", validators=[Length(max=300), no_control_characters])
    description = TextAreaField("Description", validators=[Length(max=20000)])
    starts_on = DateField("First day", validators=[DataRequired(message="Enter the first day.")])
    ends_on = DateField("Last day", validators=[DataRequired(message="Enter the last day.")])
    venue = StringField("Venue", validators=[Length(max=300), no_control_characters])
    city = StringField("City", validators=[Length(max=120), no_control_characters])
    country = OptionalSelectField("Country", choices=country_choices(), default="", validators=[valid_country])
    timezone = SelectField("Timezone of the agenda", choices=timezone_choices(), default="UTC",
                           validators=[valid_timezone])
    attribution_rule = SelectField("Attribution rule", choices=choices(AttributionRule))
    default_language = OptionalSelectField(
        "Attendees' language", choices=[("", "— as the series (or conference); else English —"), *LANGUAGES.items()],
        default="", description="Pages and e-mails of attendees who did not choose a language themselves.")
    reply_by = DateField("Reply by", validators=[Optional()])
    capacity = IntegerField("Seats (leave empty for no limit)",
                            validators=[Optional(), NumberRange(min=1, max=100000)])
    organizer_ids = SelectMultipleField("Organizers", coerce=int)
    version = VersionField()

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._parent = parent
        series = db.session.execute(sa.select(Series.id, Series.name).order_by(Series.name)).all()
        self.series_id.choices = [(0, "— no series —"), *[(s.id, s.name) for s in series]]
        organizers = db.session.execute(
            sa.select(User.id, User.name, User.email)
            .where(User.role.in_([Role.ORGANIZER.value, Role.ADMIN.value]), User.active.is_(True))
            .order_by(User.name)).all()
        self.organizer_ids.choices = [(u.id, f"{u.name} ({u.email})") for u in organizers]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        start, end = self.starts_on.data, self.ends_on.data
        if start and end and end < start:
            self.ends_on.errors.append("The last day cannot be before the first day.")
            ok = False
        if self.reply_by.data and end and self.reply_by.data > end:
            self.reply_by.errors.append("The reply-by date must be on or before the last day.")
            ok = False
        parent = self._parent
        if parent is not None and start and end and (start < parent.starts_on or end > parent.ends_on):
            self.starts_on.errors.append(
                f"A dialogue must fall within its conference ({parent.starts_on} to {parent.ends_on}).")
            ok = False
        return ok


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=choices(ConveningStatus))
    version = VersionField()
