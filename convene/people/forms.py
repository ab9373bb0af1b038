from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..base.countries import country_choices
from ..db_types import choices
from ..extensions import db
from ..i18n.locale import LANGUAGES
from ..forms import OptionalSelectField, VersionField, no_control_characters, timezone_choices, valid_country
from .models import Gender, Organization, Person, Sector

SECTOR_CHOICES = [("", _l("— not known —")), *choices(Sector)]
GENDER_CHOICES = [("", _l("— not given —")), *choices(Gender)]


class PersonForm(FlaskForm):
    honorific = StringField("Honorific", validators=[Length(max=40), no_control_characters])
    name = StringField("Full name", validators=[DataRequired(), Length(max=200), no_control_characters])
    email = EmailField("Email", validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    position = StringField("Position", validators=[Length(max=300), no_control_characters])
    organization_name = StringField("Organization", validators=[Length(max=300), no_control_characters],
                                    description="An existing organization is matched by name; a new name creates it.")
    sector = OptionalSelectField("Sector", choices=SECTOR_CHOICES, default="")
    country = OptionalSelectField("Country of affiliation", choices=country_choices(), default="", validators=[valid_country])
    timezone = OptionalSelectField("Home timezone", choices=[("", "— same as the convening —"), *timezone_choices()], default="")
    expertise = StringField("Expertise (comma-separated)", validators=[Length(max=500)])
    bio = TextAreaField("Short bio", validators=[Length(max=5000)])
    preferred_language = OptionalSelectField(
        "Preferred language", choices=[("", "— not chosen (the convening's) —"), *LANGUAGES.items()], default="",
        description="The language of their invitation pages and e-mails; they can change it on their page.")
    version = VersionField()

    def __init__(self, *args, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._person = person

    def validate_email(self, field):
        if not field.data:
            return
        clash = db.session.scalar(sa.select(Person).where(Person.email == field.data.strip().lower()))
        if clash is not None and clash is not self._person:
            raise ValidationError("Another person in the directory already has this email.")


class SensitiveFieldsForm(FlaskForm):
    """Self-identified data: shown and edited only by those allowed to see it individually."""

    gender = OptionalSelectField("Gender (self-identified)", choices=GENDER_CHOICES, default="")
    gender_self_described = StringField("Gender, in their own words", validators=[Length(max=100)])
    nationality = OptionalSelectField("Nationality", choices=country_choices(), default="", validators=[valid_country])
    dietary_needs = StringField("Dietary needs", validators=[Length(max=500)])
    access_needs = StringField("Access needs", validators=[Length(max=500)])
    listing_consent = BooleanField("Agrees to appear on the participant list shown to other participants")


class PersonWithSensitiveForm(PersonForm, SensitiveFieldsForm):
    pass


class OrganizationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=300), no_control_characters])
    sector = OptionalSelectField("Type / sector", choices=SECTOR_CHOICES, default="")
    country = OptionalSelectField("Country", choices=country_choices(), default="", validators=[valid_country])

    def __init__(self, *args, organization: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._organization = organization

    def validate_name(self, field):
        clash = db.session.scalar(
            sa.select(Organization).where(sa.func.lower(Organization.name) == field.data.strip().lower()))
        if clash is not None and clash is not self._organization:
            raise ValidationError("An organization with this name already exists.")
