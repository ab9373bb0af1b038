"""Forms of the invitations area: guest-list actions, template, import, reminders, and the RSVP page."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (BooleanField, DateField, EmailField, HiddenField, IntegerField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from ..base.countries import local_country_choices
from ..base.selection import MATCHING
from ..db_types import choices
from ..forms import OptionalSelectField, VersionField, no_control_characters, timezone_choices, valid_country
from ..i18n.locale import LANGUAGES
from ..people.forms import GENDER_CHOICES, SECTOR_CHOICES
from .guest_files import DELIMITER_CHOICES, ENCODINGS
from .models import MeetingRole, Priority
from .answers import OFFLINE_CHANNELS
from .bulk import ACTIONS, WRITE

#: The compose page of the correspondence area, where "Write to…" takes the selection.
WRITE_ENDPOINT = "correspondence.compose"

ROLE_CHOICES = choices(MeetingRole)
PRIORITY_CHOICES = choices(Priority)
ANSWER_CHOICES = [("accepted", _l("I accept")), ("tentative", _l("Tentative – I may be able to attend")),
                  ("declined", _l("I decline"))]


class IdsField(SelectMultipleField):
    """Checked ids from a list of checkboxes; ids not offered by the page are dropped by the view's query."""

    def pre_validate(self, form):
        pass

    def process_formdata(self, valuelist):
        self.data = [int(v) for v in valuelist if str(v).isdigit()]


class AddPeopleForm(FlaskForm):
    person_ids = IdsField("People")
    role = SelectField("Role at the meeting", choices=ROLE_CHOICES)
    priority = SelectField("Priority", choices=PRIORITY_CHOICES)

    def validate_person_ids(self, field):
        if not field.data:
            raise ValidationError("Tick at least one person to add.")


class BulkForm(FlaskForm):
    """A guest-list action on ticked invitees or (scope=matching) everyone matching the list's filter.

    Posted once from the list (the confirmation page answers) and again with `confirmed` from there.
    "Write to…" is offered when the correspondence area's compose page exists.
    """

    invitation_ids = IdsField("Invitees")
    scope = StringField()
    action = SelectField("Action", choices=[(a.key, a.choice) for a in ACTIONS.values()])
    confirmed = StringField()
    expected = StringField()
    #: Which page the action was started from, to go back to it: the guest list, reminders or status board.
    origin = StringField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if WRITE_ENDPOINT in current_app.view_functions:
            self.action.choices = [*self.action.choices, (WRITE, "Write to…")]

    def validate_invitation_ids(self, field):
        if not field.data and self.scope.data != MATCHING:
            raise ValidationError("Tick at least one person on the list first.")


class EntryForm(FlaskForm):
    role = SelectField("Role at the meeting", choices=ROLE_CHOICES)
    priority = SelectField("Priority", choices=PRIORITY_CHOICES)
    reserve_rank = IntegerField("Order among reserves", validators=[Optional(), NumberRange(min=1, max=10000)],
                                description="1 is offered a place first.")
    version = VersionField()


class OfflineReplyForm(FlaskForm):
    answer = SelectField("Their answer", choices=ANSWER_CHOICES)
    channel = SelectField("Received by", choices=list(OFFLINE_CHANNELS.items()))
    note = StringField("Note (e.g. date of the call, decline reason)",
                       validators=[Length(max=200), no_control_characters])
    version = VersionField()


class TemplateForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=300), no_control_characters])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=20000)])
    version = VersionField()


class ImportForm(FlaskForm):
    file = FileField("Guest list file", validators=[
        FileRequired("Choose a file to upload."),
        FileAllowed(["csv", "txt", "tsv", "xlsx", "xls"], "Upload a .csv, .txt, .tsv or .xlsx file.")])
    role = SelectField("Role at the meeting", choices=ROLE_CHOICES)
    priority = SelectField("Priority", choices=PRIORITY_CHOICES)
    encoding = SelectField("Text encoding (CSV only)", default="auto",
                           choices=[("auto", "Detect automatically"), *ENCODINGS.items()])
    delimiter = SelectField("Column separator (CSV only)", default="auto",
                            choices=[("auto", "Detect automatically"), *((k, k.capitalize())
                                                                        for k in DELIMITER_CHOICES)])


class ImportConfirmForm(FlaskForm):
    payload = HiddenField()
    #: Sent by the button pressed: "all" (the default, all or nothing) or "valid" (skip refused rows).
    mode = StringField()


class ScheduleForm(FlaskForm):
    days = StringField("Days before the reply-by date", validators=[Length(max=100)],
                       description="Comma-separated, e.g. 21, 10, 5. Leave empty to switch scheduled reminders off.")
    active = BooleanField("Send these reminders automatically", default=True)


class AttendanceForm(FlaskForm):
    invitation_ids = IdsField("Invitees")
    status = SelectField("Mark as", choices=[("attended", "Attended"), ("no_show", "No-show")])

    def validate_invitation_ids(self, field):
        if not field.data:
            raise ValidationError("Tick at least one person first.")


class ActionForm(FlaskForm):
    """A button that only needs CSRF protection."""


class AnswerForm(FlaskForm):
    answer = RadioField(_l("Your answer"), choices=ANSWER_CHOICES, validators=[DataRequired(_l("Choose an answer."))])
    reason = TextAreaField(_l("If you decline, you may tell us why (optional)"), validators=[Length(max=1000)])
    version = VersionField()


class ProfileForm(FlaskForm):
    organization_name = StringField(_l("Organization"), validators=[Length(max=300), no_control_characters])
    position = StringField(_l("Position"), validators=[Length(max=300), no_control_characters])
    country = SelectField(_l("Country of affiliation"), choices=local_country_choices, validators=[valid_country])
    sector = SelectField(_l("Sector"), choices=SECTOR_CHOICES)
    gender = SelectField(_l("Gender (as you identify)"), choices=GENDER_CHOICES,
                         description=_l("Optional. “Prefer not to say” is a full answer."))
    gender_self_described = StringField(_l("Gender, in your own words"), validators=[Length(max=100)])
    nationality = SelectField(_l("Nationality"), choices=local_country_choices, validators=[valid_country])
    dietary_needs = StringField(_l("Dietary needs"), validators=[Length(max=500)])
    access_needs = StringField(_l("Access needs"), validators=[Length(max=500)])
    listing_consent = BooleanField(_l("I agree to appear on the participant list shown to other participants"))
    #: Named apart from the answer form's version: both forms are on one page.
    person_version = VersionField()


class TravelForm(FlaskForm):
    """The attendee's travel dates (optional; for the venue's hotel and catering lists)."""

    arrives_on = DateField(_l("Arrival"), validators=[Optional()],
                           description=_l("The day you arrive in the city (leave empty if you live there)."))
    departs_on = DateField(_l("Departure"), validators=[Optional()])


#: Languages an attendee may choose, each in its own name (their pages and messages follow the choice).
LANGUAGE_CHOICES = [("", _l("— no preference —")), *LANGUAGES.items()]


class SettingsForm(FlaskForm):
    """The attendee's own settings on their home page."""

    timezone = OptionalSelectField(_l("Your timezone"), choices=[("", _l("— same as the convening —")), *timezone_choices()],
                                   default="", description=_l("Agenda times are shown in this zone beside the convening's."),
                                   render_kw={"data-browser-zone": "1"})
    preferred_language = OptionalSelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES, default="")


class NominationForm(FlaskForm):
    """Field names are prefixed so they do not clash with the profile form on the same page."""

    nominee_name = StringField(_l("Substitute's full name"),
                               validators=[DataRequired(), Length(max=200), no_control_characters])
    nominee_email = EmailField(_l("Substitute's e-mail"), validators=[DataRequired(), Email(check_deliverability=False),
                                                                  Length(max=254)])
    nominee_position = StringField(_l("Their position"), validators=[Length(max=300), no_control_characters])
    nominee_organization = StringField(_l("Their organization"), validators=[Length(max=300), no_control_characters])

    @property
    def nominee(self) -> dict:
        return {"name": self.nominee_name.data, "email": self.nominee_email.data,
                "position": self.nominee_position.data, "organization": self.nominee_organization.data}


class EraseForm(FlaskForm):
    confirm = BooleanField(_l("Yes, erase my gender, nationality, dietary and access needs"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
