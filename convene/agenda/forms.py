"""Forms of the agenda area."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField,
                     TimeField)
from wtforms.validators import DataRequired, Length, Optional

from ..db_types import choices
from ..forms import VersionField, no_control_characters, valid_timezone
from .models import SessionKind, SessionRoleKind

#: Blank role rows offered under the existing ones.
EXTRA_ROLE_ROWS = 3


def _int_or_zero(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class RoleRow(Form):
    """One person holding one role (no CSRF of its own: it lives inside SessionForm)."""

    person_id = SelectField("Person", coerce=_int_or_zero, validate_choice=False)
    role = SelectField("Role", choices=[("", "—")] + choices(SessionRoleKind), validate_choice=False)


class SessionForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=1000)])
    kind = SelectField("Kind", choices=choices(SessionKind))
    day = DateField("Day", validators=[DataRequired(message="Give the day.")])
    start_time = TimeField("Starts at", validators=[Optional()], format="%H:%M")
    end_time = TimeField("Ends at", validators=[Optional()], format="%H:%M")
    end_day = DateField("Ends on (if another day)", validators=[Optional()])
    all_day = BooleanField("All day")
    timezone = StringField("Timezone of the times above", validators=[DataRequired(), valid_timezone],
                           description="Normally the convening's own timezone.")
    room = StringField("Room", validators=[Length(max=200), no_control_characters])
    description = TextAreaField("Description", validators=[Length(max=20000)])
    open_to_all = BooleanField("Open to all participants", default=True,
                               description="Untick to limit the session to the people named below.")
    roles = FieldList(FormField(RoleRow), min_entries=0)
    version = VersionField()

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        while len(self.roles.entries) < len([e for e in self.roles.entries if e.person_id.data]) + EXTRA_ROLE_ROWS:
            self.roles.append_entry()
        person_choices = [(0, "—")] + [(p.id, p.name) for p in people]
        for entry in self.roles.entries:
            entry.person_id.choices = person_choices

    def role_pairs(self) -> list[tuple[int, str]]:
        return [(e.person_id.data, e.role.data) for e in self.roles.entries if e.person_id.data and e.role.data]


class MoveForm(FlaskForm):
    day = DateField("New day", validators=[DataRequired(message="Give the day.")])
    start_time = TimeField("New start", validators=[Optional()], format="%H:%M")
    version = VersionField()


class PublishForm(FlaskForm):
    note = TextAreaField("Note for participants (optional)", validators=[Length(max=1000)])
    notify = BooleanField("E-mail the people affected", default=True)


class SettingsForm(FlaskForm):
    public = BooleanField("Show the published agenda on a public page (no sign-in)")
