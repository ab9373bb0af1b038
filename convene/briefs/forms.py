from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..convenings.models import Convening
from ..db_types import choices
from ..extensions import db
from ..forms import VersionField, no_control_characters
from ..themes.models import Theme
from .models import BriefKind, BriefStatus
from .regions import region_choices


def web_address(form, field) -> None:
    """Only http(s) links: a javascript: or data: URL must never become a link on a public page."""
    if not field.data:
        return
    parts = urlsplit(field.data.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError("Enter a full web address starting with https:// (or http://).")


class BriefForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=500), no_control_characters])
    kind = SelectField("Kind", choices=choices(BriefKind))
    publisher = StringField("Publisher", validators=[Length(max=300), no_control_characters])
    authors = StringField("Authors", validators=[Length(max=1000), no_control_characters],
                          description="As printed on the brief, e.g. “Jane Doe and John Roe”.")
    published_on = DateField("Publication date", validators=[Optional()],
                             description="Set to today when the brief is published, if left empty.")
    summary = TextAreaField("Summary", validators=[Length(max=50000)],
                            description="Markdown: **bold**, *italic*, lists, links. HTML is shown as text.")
    regions = SelectMultipleField("Regions (UN M49)", choices=region_choices(), validate_choice=True)
    theme_ids = SelectMultipleField("Themes", coerce=int)
    new_themes = StringField("New themes", validators=[Length(max=1000), no_control_characters],
                             description="Comma-separated; they are created when you save.")
    convening_ids = SelectMultipleField("Comes from the convening(s)", coerce=int)
    url = StringField("Link to the full text", validators=[Length(max=1000), no_control_characters, web_address])
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        themes = db.session.execute(sa.select(Theme.id, Theme.name).order_by(Theme.name))
        self.theme_ids.choices = [(t.id, t.name) for t in themes]
        convenings = db.session.execute(
            sa.select(Convening.id, Convening.title, Convening.starts_on).order_by(Convening.starts_on.desc()))
        self.convening_ids.choices = [(c.id, f"{c.title} ({c.starts_on:%b %Y})") for c in convenings]


class StatusForm(FlaskForm):
    status = SelectField("Move to", choices=choices(BriefStatus))
    note = StringField("Note (optional)", validators=[Length(max=1000), no_control_characters])
    version = VersionField()


class UploadForm(FlaskForm):
    pdf = FileField("PDF of the brief", validators=[FileRequired("Choose the PDF file to upload.")])


class ReviewLinksForm(FlaskForm):
    """Only a CSRF token: sending review links is a POST with nothing else to choose."""


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(_l("Write a comment before sending it.")),
                                                     Length(max=5000)])
