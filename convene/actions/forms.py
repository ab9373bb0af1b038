"""Forms of the next-steps area. Choices are built per convening, so ids from elsewhere are refused."""
from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..agenda.models import AgendaSession
from ..auth.models import User
from ..db_types import choices
from ..extensions import db
from ..forms import VersionField
from ..invitations.models import Invitation
from ..people.models import Organization, Person
from ..themes.models import Theme
from .models import ActionItem, ActionPriority, ActionStatus


def owner_choices(convening, current: ActionItem | None = None) -> dict[str, list[tuple[str, str]]]:
    """Owners offered for a convening: its (and its conference's and dialogues') guests, organizations, accounts."""
    family = [convening.id, *([convening.parent_id] if convening.parent_id else []),
              *[d.id for d in convening.dialogues]]
    people = db.session.execute(
        sa.select(Person.id, Person.name).join(Invitation, Invitation.person_id == Person.id)
        .where(Invitation.convening_id.in_(family), Person.erased_at.is_(None))
        .distinct().order_by(Person.name)).all()
    extra = current.owner_person if current is not None and current.owner_person is not None else None
    person_choices = [(f"person:{p.id}", p.name) for p in people]
    if extra is not None and f"person:{extra.id}" not in dict(person_choices):
        person_choices.append((f"person:{extra.id}", extra.name))
    orgs = db.session.execute(sa.select(Organization.id, Organization.name).order_by(Organization.name)).all()
    users = db.session.execute(
        sa.select(User.id, User.name).where(User.active.is_(True)).order_by(User.name)).all()
    groups = {
        "No owner": [("", "— no owner yet —")],
        "Staff and organizers": [(f"user:{u.id}", u.name) for u in users],
        "People": person_choices,
        "Organizations": [(f"org:{o.id}", o.name) for o in orgs],
    }
    return {label: options for label, options in groups.items() if options}


def session_choices(convening) -> list[tuple[int, str]]:
    sessions = db.session.execute(
        sa.select(AgendaSession.id, AgendaSession.title).where(AgendaSession.convening_id == convening.id)
        .order_by(AgendaSession.starts_at, AgendaSession.position, AgendaSession.id)).all()
    return [(0, "— not from one session —"), *[(s.id, s.title) for s in sessions]]


class ActionForm(FlaskForm):
    """Capture (and edit) a next step. Built for one convening."""

    text = StringField("Next step", validators=[DataRequired(message="Write what the next step is."),
                                                  Length(max=2000)])
    rationale = TextAreaField("Rationale or context", validators=[Length(max=20000)])
    session_id = SelectField("Arose in session", coerce=int, default=0)
    owner = SelectField("Owner", default="", validate_choice=False)
    supporter_ids = SelectMultipleField("Supporting organizations", coerce=int)
    due_on = DateField("Due date", validators=[Optional()],
                       description="Leave empty for “no date”.")
    priority = SelectField("Priority", choices=choices(ActionPriority), default=ActionPriority.NORMAL.value)
    theme_ids = SelectMultipleField("Themes", coerce=int)
    new_themes = StringField("New themes", validators=[Length(max=500)],
                             description="Names separated by commas; created if they do not exist.")
    is_public = BooleanField("Public (may appear on the published brief)")
    note = StringField("Note for the history", validators=[Length(max=1000)], id="history-note",
                       description="Why the owner or due date changed (optional).")
    version = VersionField()

    def __init__(self, *args, convening, action: ActionItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._convening = convening
        self.session_id.choices = session_choices(convening)
        self.owner.choices = owner_choices(convening, action)
        orgs = db.session.execute(sa.select(Organization.id, Organization.name).order_by(Organization.name)).all()
        self.supporter_ids.choices = [(o.id, o.name) for o in orgs]
        themes = db.session.execute(sa.select(Theme.id, Theme.name).order_by(Theme.name)).all()
        self.theme_ids.choices = [(t.id, t.name) for t in themes]

    def validate_text(self, field):
        if not (field.data or "").strip():
            raise ValidationError("Write what the next step is.")

    def validate_due_on(self, field):
        if field.data and field.data < self._convening.starts_on:
            raise ValidationError(
                f"The due date cannot be before the convening ({self._convening.starts_on:%d %B %Y}).")

    def validate_owner(self, field):
        flat = {value for group in field.choices.values() for value, _ in group}
        if field.data not in flat:
            raise ValidationError("The owner chosen does not exist; choose one from the list.")


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=[(s.value, s.label) for s in ActionStatus
                                                if s.value != ActionStatus.DRAFT.value])
    note = TextAreaField("Note", validators=[Length(max=5000)], id="status-note",
                         description="Needed when dropping a next step: say why.")
    version = VersionField(id="status-version")


class ProgressForm(FlaskForm):
    note = TextAreaField("Progress note", id="progress-note",
                         validators=[DataRequired(message="Write the progress note."), Length(max=10000)])


class BulkForm(FlaskForm):
    """Bulk actions on the board; the ids come from checkboxes named `ids`."""

    op = SelectField("With the selected", choices=[("status", "Set status to"), ("reassign", "Reassign to")])
    status = SelectField("Status", choices=[(s.value, s.label) for s in ActionStatus
                                            if s.value != ActionStatus.DRAFT.value], id="bulk-status")
    owner = StringField("New owner", validators=[Length(max=300)], id="bulk-owner",
                        description="A name or e-mail address; “me”, or “none” to remove the owner.")
    note = StringField("Note (a reason is needed to drop)", validators=[Length(max=1000)], id="bulk-note")
    next = HiddenField()


class OwnerReportForm(FlaskForm):
    """What an owner posts through their personal link."""

    action_id = HiddenField(validators=[DataRequired()])
    note = TextAreaField("Progress note", validators=[Length(max=10000)])
    mark_done = BooleanField("Mark this next step as done")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not (self.note.data or "").strip() and not self.mark_done.data:
            self.note.errors.append("Write a progress note, or tick “mark as done”.")
            ok = False
        return ok
