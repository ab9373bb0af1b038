"""Accounts: creation, sign-in checks with lockout, password changes."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record
from ..db_types import utcnow
from ..errors import DomainError
from ..extensions import db
from ..mail.services import MailError, queue_message
from ..mail.wording import RenderedMessage, render_message
from ..tokens import services as tokens
from ..urls import absolute_url
from .models import Role, User

#: Failed sign-ins in a row before the account is locked for LOCKOUT.
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
#: How long an emailed password-reset link works.
RESET_LIFETIME = timedelta(hours=1)


class AccountError(DomainError):
    """A rule about accounts was broken; the message is safe to show."""

    status = 200  # the account pages re-render a refused change as a plain page, as they always have


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def create_user(email: str, name: str, password: str, role: str = Role.ORGANIZER.value, actor=None) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if find_user(email) is not None:
        raise AccountError("An account with this email already exists.")
    user = User(email=email, name=name, role=Role(role).value)
    user.set_password(password)
    db.session.add(user)
    record("user.create", user, actor=actor, changes={"email": [None, user.email], "role": [None, user.role]})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user if the password is right and the account usable; counts failures and locks.

    The same None comes back for an unknown email, a wrong password and a locked account,
    so the sign-in page cannot tell anyone which emails have accounts.
    """
    user = find_user(email)
    now = utcnow()
    if user is None:
        User(password_hash="scrypt:32768:8:1$x$0").check_password(password)  # same work either way
        return None
    if user.locked_until is not None and user.locked_until > now:
        return None
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            record("user.locked", user, actor_label="sign-in attempts")
        return None
    if not user.active:
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError("The current password is not right.")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    user.set_password(new)  # also rotates the session secret: every other session ends
    record("user.password_change", user, actor=user)


def set_active(user: User, active: bool, actor) -> None:
    user.active = active
    user.rotate_session_secret()
    record("user.enable" if active else "user.disable", user, actor=actor)


def change_email(user: User, current: str, new_email: str) -> str:
    """Change the sign-in email after checking the password; return the old address."""
    if not user.check_password(current):
        raise AccountError("The current password is not right.")
    new_email = new_email.strip().lower()
    if new_email == user.email:
        raise AccountError("That is already your email.")
    if find_user(new_email) is not None:
        raise AccountError("Another account uses this email.")
    old = user.email
    user.email = new_email
    user.rotate_session_secret()
    record("user.email_change", user, actor=user, changes={"email": [old, new_email]})
    _notify(old, user.name, render_message("email_changed", new_email=new_email), kind="other")
    return old


def request_password_reset(email: str) -> None:
    """Email a one-hour, single-use reset link if the email belongs to an active account.

    Does the same work and says nothing different when it does not, so the page cannot
    be used to find out who has an account.
    """
    user = find_user(email)
    if user is None or not user.active:
        return
    raw = tokens.issue("reset", user_id=user.id, expires_at=utcnow() + RESET_LIFETIME)
    link = absolute_url("auth.reset_password", token=raw)
    _notify(user.email, user.name, render_message("password_reset", link=link), kind="password_reset")
    record("user.password_reset_requested", user, actor_label="password reset page")


def reset_token_user(raw: str | None) -> tuple[object | None, User | None]:
    """(token, user) for a live reset link; a link made before the last password change is dead."""
    try:
        token = tokens.open_link(raw, "reset")
    except tokens.LinkProblem:  # the reset page answers every dead link alike (410): it reveals no account
        return None, None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active or token.created_at < user.password_changed_at:
        return None, None
    return token, user


def reset_password(token, user: User, new: str) -> None:
    """Set a new password from a reset link; the link (and every other one) stops working."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    token.used_at = utcnow()
    tokens.revoke("reset", user_id=user.id)
    user.set_password(new)  # rotates the session secret: every session ends
    user.failed_logins = 0
    user.locked_until = None
    record("user.password_reset", user, actor_label="password reset link")


def _notify(address: str, name: str, message: RenderedMessage, kind: str) -> None:
    """Queue a notice; an address the mail area refuses is logged, never shown (it would reveal the account)."""
    try:
        queue_message(to_address=address, to_name=name, subject=message.subject, text=message.text, kind=kind)
    except MailError as error:
        current_app.logger.warning("account notice not queued: %s", error)
