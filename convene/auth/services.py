"""Accounts: creation, sign-in checks with lockout, password changes."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..audit.services import record
from ..db_types import utcnow
from ..extensions import db
from .models import Role, User

#: Failed sign-ins in a row before the account is locked for LOCKOUT.
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A rule about accounts was broken; the message is safe to show."""


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
