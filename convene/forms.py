"""Form pieces shared by several areas."""
from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, ValidationError

from .base.countries import is_country
from .base.text import has_control_characters


class VersionField(HiddenField):
    """Carries the row version the user started editing, to refuse stale saves."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        try:
            self.data = int(self.data) if self.data not in (None, "") else None
        except ValueError:
            self.data = None


class OptionalSelectField(SelectField):
    """A choice that may be empty: a NULL column shows (and validates) as the blank choice."""

    def process_data(self, value):
        super().process_data("" if value is None else value)


def valid_country(form, field) -> None:
    if field.data and not is_country(field.data):
        raise ValidationError(_l("Unknown country code; choose a country from the list."))


def valid_timezone(form, field) -> None:
    if field.data not in _timezones():
        raise ValidationError("Unknown timezone; use an IANA name such as Europe/Zurich.")


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def timezone_choices() -> list[tuple[str, str]]:
    return [(tz, tz.replace("_", " ")) for tz in sorted(_timezones())]


def no_control_characters(form, field) -> None:
    """Single-line text never holds CR, LF, NUL or other control characters (header injection)."""
    if field.data and has_control_characters(field.data):
        raise ValidationError(_l("Use a single line without control characters."))


def submitted_data(form) -> dict:
    """The form's data for the fields the request carried, for an edit: services leave a field that
    is missing here unchanged, so a partial POST (a field absent from the request) never blanks it.

    Checkboxes are the exception: a browser sends nothing for an unticked box, so a checkbox
    counts as submitted (unticked) whenever the form was.
    """
    sent = set(request.form) | set(request.files)
    return {field.short_name: field.data for field in form
            if field.name in sent or isinstance(field, BooleanField)}
