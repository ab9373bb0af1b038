"""The compose page's one form: who (picked, or by status and role), the text, the files, and the button pressed."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, HiddenField, MultipleFileField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, widgets)

from ..i18n.locale import LANGUAGES
from ..invitations.forms import IdsField
from .recipients import ROLE_CHOICES, STATUS_CHOICES

#: The buttons of the form; anything else counts as "show who is selected".
ACTIONS = ("count", "preview", "send")


class Checkboxes(SelectMultipleField):
    """A list of checkboxes; values not offered are dropped (never an error: the selection ignores them)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        pass


class ComposeForm(FlaskForm):
    statuses = Checkboxes("Their answer", choices=list(STATUS_CHOICES))
    roles = Checkboxes("Their role in the agenda", choices=list(ROLE_CHOICES))
    dialogues = BooleanField("Include the guest lists of the dialogues")
    #: Invitations picked on the guest list (?invitation=1&invitation=2), carried as hidden inputs.
    invitation = IdsField("Picked people")
    # Lengths and lines are checked by the service, which says what is wrong in words for the page.
    subject = StringField("Subject")
    body = TextAreaField("Message")
    language = SelectField("Language of your text", choices=list(LANGUAGES.items()),
                           description="The placeholders {dates} and {venue} are written in it.")
    include_link = BooleanField("Include each recipient's personal link")
    files = MultipleFileField("Attach PDF files (optional)")
    #: Files kept from a preview: signed ids, and the ones still ticked.
    kept = HiddenField()
    keep = IdsField("Files kept from the preview")
    # The person to preview for (preview_for) and the number of recipients the organizer saw when
    # pressing Send (expected) are read by the view as whole numbers; anything else is ignored.
