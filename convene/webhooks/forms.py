"""Forms of the webhooks area."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, URLField, widgets
from wtforms.validators import DataRequired, Length

from ..forms import no_control_characters
from .models import Event


class WebhookForm(FlaskForm):
    url = URLField("Address (https://…)", validators=[DataRequired(message="Enter the address to send events to."),
                                                      Length(max=1000), no_control_characters])
    description = StringField("What receives it", validators=[Length(max=200), no_control_characters])
    events = SelectMultipleField("Events", choices=[(e.value, e.label) for e in Event],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))


class ActionForm(FlaskForm):
    """Only the CSRF token: the webhook and the action are in the URL."""
