"""Forms of the next-steps area. Lists are built per convening (sessions from elsewhere are refused); owners and
supporters outside the lists are typed and matched on the server, so no list grows with the whole directory."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import (BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import Select

from ..agenda.models import AgendaSession
from ..auth.models import User
from ..db_types import choices
from ..extensions import db
from ..forms import VersionField
from ..invitations.models import Invitation
from ..people.models import Organization, Person
from ..themes.models import Theme
from . import owners as owner_lookup
from .bulk import OPS
from .models import ActionItem, ActionPriority, ActionStatus, action_supporters
from .services import ActionError, resolve_owner


class LeanSelect(Select):
    """WTForms' <select>, same HTML, with options built as plain strings: a long list stays cheap to render."""

    @classmethod
    def render_option(cls, value, label, selected, **kwargs):
        if kwargs:
            return super().render_option(value, label, selected, **kwargs)
        value = "True" if value is True else value
        return f'<option {"selected " if selected else ""}value="{escape(value)}">{escape(label)}</option>'


def guests(convening) -> list:
    """The guests of the convening's family with their organizations' names: one query, one row per guest."""
    return db.session.execute(
        sa.select(Person.id, Person.name, Person.organization_id, Organization.name.label("org_name"))
        .join(Invitation, Invitation.person_id == Person.id)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .where(Invitation.convening_id.in_(convening.family_ids), Person.erased_at.is_(None))
        .distinct().order_by(Person.name, Person.id)).all()


def candidate_organizations(convening, extra_ids=(), guest_rows=None) -> list[tuple[int, str]]:
    """Organizations worth listing for a convening: its guests', those already on its next steps, `extra_ids`.

    Anyone else can still be named in the "another owner" / "other supporting organizations" boxes,
    so the lists stay as long as a guest list, not as long as the whole directory.
    """
    guest_rows = guests(convening) if guest_rows is None else guest_rows
    found = {g.organization_id: g.org_name for g in guest_rows if g.organization_id is not None}
    owning = sa.select(ActionItem.owner_organization_id).where(ActionItem.convening_id == convening.id,
                                                               ActionItem.owner_organization_id.is_not(None))
    supporting = (sa.select(action_supporters.c.organization_id)
                  .join(ActionItem, ActionItem.id == action_supporters.c.action_id)
                  .where(ActionItem.convening_id == convening.id))
    wanted = [Organization.id.in_(owning), Organization.id.in_(supporting)]
    if extra_ids:
        wanted.append(Organization.id.in_(list(extra_ids)))
    found.update(db.session.execute(sa.select(Organization.id, Organization.name).where(sa.or_(*wanted))).all())
    return sorted(found.items(), key=lambda item: (item[1], item[0]))


def owner_choices(convening, current: ActionItem | None = None, organizations: list[tuple[int, str]] | None = None,
                  guest_rows=None) -> dict[str, list[tuple[str, str]]]:
    """Owners offered for a convening: accounts, its (and its conference's and dialogues') guests, their
    organizations and the current owner. Anyone else is typed in the "another owner" box."""
    guest_rows = guests(convening) if guest_rows is None else guest_rows
    extra = current.owner_person if current is not None and current.owner_person is not None else None
    person_choices = [(f"person:{p.id}", p.name) for p in guest_rows]
    if extra is not None and f"person:{extra.id}" not in dict(person_choices):
        person_choices.append((f"person:{extra.id}", extra.name))
    if organizations is None:
        organizations = candidate_organizations(
            convening, [current.owner_organization_id] if current is not None and current.owner_organization_id
            else [], guest_rows)
    users = db.session.execute(
        sa.select(User.id, User.name).where(User.active.is_(True)).order_by(User.name)).all()
    groups = {
        "No owner": [("", "— no owner yet —")],
        "Staff and organizers": [(f"user:{u.id}", u.name) for u in users],
        "People": person_choices,
        "Organizations": [(f"org:{i}", name) for i, name in organizations],
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
    session_id = SelectField("Arose in session", coerce=int, default=0, widget=LeanSelect())
    owner = SelectField("Owner", default="", validate_choice=False, widget=LeanSelect())
    owner_other = StringField("Another owner", validators=[Length(max=300)],
                              description="Someone not in the owner list: a name or e-mail address of any "
                                          "person, organization or staff account. Replaces the choice above.")
    supporter_ids = SelectMultipleField("Supporting organizations", coerce=int, validate_choice=False,
                                        widget=LeanSelect(multiple=True))
    other_supporters = StringField("Other supporting organizations", validators=[Length(max=2000)],
                                   description="Organizations not in the list above: their names, separated "
                                               "by semicolons.")
    due_on = DateField("Due date", validators=[Optional()],
                       description="Leave empty for “no date”.")
    priority = SelectField("Priority", choices=choices(ActionPriority), default=ActionPriority.NORMAL.value)
    theme_ids = SelectMultipleField("Themes", coerce=int, widget=LeanSelect(multiple=True))
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
        extra = [o.id for o in action.supporters] if action is not None else []
        if action is not None and action.owner_organization_id:
            extra.append(action.owner_organization_id)
        guest_rows = guests(convening)
        orgs = candidate_organizations(convening, extra, guest_rows)
        self.owner.choices = owner_choices(convening, action, orgs, guest_rows)
        self.supporter_ids.choices = orgs
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
        # Any existing owner is accepted, listed or not (the list is only the likely ones).
        try:
            resolve_owner(field.data)
        except ActionError:
            raise ValidationError("The owner chosen does not exist; choose one from the list.") from None

    def validate_owner_other(self, field):
        if not (field.data or "").strip():
            return
        found = owner_lookup.match(field.data, keywords=False)
        if not found.ok:
            listed = "; ".join(f"{o.text} ({o.kind_label})" for o in found.candidates)
            raise ValidationError(found.message + (f" Candidates: {listed}." if listed else ""))
        self.owner.data = found.key

    def validate_other_supporters(self, field):
        names = [" ".join(n.split()) for n in (field.data or "").split(";") if n.strip()]
        if not names:
            return
        if len(names) > 50:
            raise ValidationError("Name at most 50 organizations at once.")
        rows = db.session.execute(sa.select(Organization.id, Organization.name).where(
            sa.func.lower(Organization.name).in_([n.lower() for n in names]))).all()
        found: dict[str, list[int]] = {}
        for row in rows:
            found.setdefault(row.name.lower(), []).append(row.id)
        unknown = [n for n in names if n.lower() not in found]
        several = [n for n in names if len(found.get(n.lower(), [])) > 1]
        if unknown:
            raise ValidationError("No organization is called " + ", ".join(f"“{n}”" for n in unknown)
                                  + ". Check the spelling, or add it to the directory first.")
        if several:
            raise ValidationError("Several organizations are called " + ", ".join(f"“{n}”" for n in several)
                                  + "; choose the right one in the list above.")
        ids = list(self.supporter_ids.data or [])
        self.supporter_ids.data = ids + [i for n in names for i in found[n.lower()] if i not in ids]


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
    """Bulk actions on the board: the ids come from checkboxes named `ids`, or `scope=matching` with the
    board's query string in `filter`; posted once (the confirmation page answers), then with `confirmed`."""

    op = SelectField("With the selected", choices=[(key, words[0]) for key, words in OPS.items()])
    status = SelectField("Status", choices=[(s.value, s.label) for s in ActionStatus
                                            if s.value != ActionStatus.DRAFT.value], id="bulk-status",
                         default=ActionStatus.OPEN.value)
    owner = StringField("New owner", validators=[Length(max=300)], id="bulk-owner",
                        description="A name or e-mail address; “me”, or “none” to remove the owner.")
    note = StringField("Note (a reason is needed to drop)", validators=[Length(max=1000)], id="bulk-note")
    next = HiddenField()
    scope = StringField()
    filter = StringField()
    confirmed = StringField()
    expected = StringField()


class OwnerReportForm(FlaskForm):
    """What an owner posts through their personal link."""

    action_id = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Progress note"), validators=[Length(max=10000)])
    mark_done = BooleanField(_l("Mark this next step as done"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not (self.note.data or "").strip() and not self.mark_done.data:
            self.note.errors.append(gettext("Write a progress note, or tick “mark as done”."))
            ok = False
        return ok
