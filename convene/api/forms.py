"""Forms of the API area: creating and revoking personal API tokens."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import no_control_characters


class TokenForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(message="Give the token a name."), Length(max=100),
                                           no_control_characters])


class RevokeForm(FlaskForm):
    """Only the CSRF token: the token to revoke is in the URL."""
