"""Forms of the notes area."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..db_types import choices
from ..extensions import db
from ..forms import VersionField, no_control_characters
from ..invitations.models import Invitation
from ..people.models import Person
from .models import NoteStatus

MAX_TEXT = 200_000


class NoteForm(FlaskForm):
    """The editor. `base` is the revision the editor started from (to detect a stale editor)."""

    summary = TextAreaField("Summary (feeds the brief once final)", validators=[Length(max=MAX_TEXT)])
    body = TextAreaField("Notes", validators=[Length(max=MAX_TEXT)])
    base = IntegerField(validators=[Optional(), NumberRange(min=0)])


def speaker_choices(convening) -> list[tuple[int, str]]:
    """Speakers offered: the people on the guest lists of the convening, its conference and dialogues."""
    family = convening.family_ids
    people = db.session.execute(
        sa.select(Person.id, Person.name).join(Invitation, Invitation.person_id == Person.id)
        .where(Invitation.convening_id.in_(family), Person.erased_at.is_(None))
        .distinct().order_by(Person.name)).all()
    return [(0, "— not recorded —"), *[(p.id, p.name) for p in people]]


class RemarkForm(FlaskForm):
    text = TextAreaField("Remark", validators=[DataRequired(message="Write the remark."), Length(max=20000)])
    speaker_id = SelectField("Speaker (staff only)", coerce=int, default=0,
                             description="Kept in the staff layer; never shown to participants or the public "
                                         "unless the convening is on the record or the remark is cleared.")
    affiliation = StringField("Affiliation (staff only)", validators=[Length(max=300), no_control_characters])
    cleared_for_quoting = BooleanField("The speaker agreed that this remark may be attributed to them")

    def __init__(self, *args, convening, **kwargs):
        super().__init__(*args, **kwargs)
        self.speaker_id.choices = speaker_choices(convening)


class NoteStatusForm(FlaskForm):
    status = SelectField("Move the notes to", choices=choices(NoteStatus))
    version = VersionField()


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Your comment"), validators=[DataRequired(message=_l("Write a comment.")),
                                                         Length(max=10000)])
