from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from ..db_types import choices
from .models import Role


#: Names go into mail headers: one line, no control characters. (convene.forms has the same rule,
#: but importing it here would make a cycle through the area packages.)
single_line = Regexp(r"^[^\x00-\x1f\x7f]*$", message="Use a single line without control characters.")


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField("Keep me signed in on this device")


class UserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200), single_line])
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField("Role", choices=choices(Role))
    password = PasswordField("Initial password", validators=[DataRequired(), Length(min=12, max=1000)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=1000)])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(min=12, max=1000)])
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email of your account", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=[DataRequired(), Length(min=12, max=1000)])
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")])


class EmailChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=1000)])
    email = EmailField("New email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
