"""Confirmations for personal-data requests."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ConfirmForm(FlaskForm):
    """A plain POST with CSRF protection (exports and retention runs)."""


class EraseSelfIdentificationForm(FlaskForm):
    confirm = BooleanField("I understand that gender, nationality, dietary and access needs of this person "
                           "will be deleted for good", id="erase-confirm",
                           validators=[DataRequired(message="Tick the box to confirm.")])


class AnonymizeForm(FlaskForm):
    confirm = BooleanField("I understand that this person's name, contact details, biography and self-identified "
                           "data will be deleted for good, and their personal links will stop working",
                           id="anonymize-confirm", validators=[DataRequired(message="Tick the box to confirm.")])
