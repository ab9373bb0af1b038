"""Sign in and out, one's own account, and the admin's list of accounts."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, fresh_login_required, login_required, login_user, logout_user

from ..audit.services import record
from ..edge import on_refusal
from ..extensions import db, limiter, login_manager
from ..redirects import safe_redirect_target
from . import services
from .forms import EmailChangeForm, ForgotPasswordForm, PasswordChangeForm, ResetPasswordForm, SignInForm, UserForm
from .models import User
from .policy import role_required

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Sessions carry "id:secret"; a rotated secret (sign-out, new password) ends them."""
    user_id, _, secret = session_id.partition(":")
    if not user_id.isdigit() or not secret:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_secret != secret or not user.active:
        return None
    return user


@bp.route("/sign-in", methods=("GET", "POST"))
@limiter.limit("10/minute", methods=["POST"])
def sign_in():
    """Sign in with email and password."""
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()  # keep failure counts even when sign-in fails
        if user is not None:
            session.clear()  # a new session at sign-in
            login_user(user, remember=form.remember.data)
            record("user.sign_in", user, actor=user)
            db.session.commit()
            return redirect(safe_redirect_target(request.args.get("next"), url_for("dashboard.index")))
        flash("That email and password do not match an active account, or the account is "
              "locked for a few minutes after repeated failures.", "error")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=("POST",))
@login_required
def sign_out():
    """Sign out everywhere: rotating the secret ends every copy of the session."""
    current_user.rotate_session_secret()
    record("user.sign_out", current_user, actor=current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account", methods=("GET", "POST"))
@fresh_login_required
def account():
    """Change one's own password (needs a fresh sign-in)."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: render_template("auth/account.html", form=form), form=form,
                   field="current_password")
        services.change_password(current_user, form.current_password.data, form.new_password.data)
        db.session.commit()
        login_user(current_user)  # this browser stays signed in with the new secret
        flash("Password changed. Other sessions have been signed out.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


@bp.route("/account/email", methods=("GET", "POST"))
@fresh_login_required
def change_email():
    """Change one's own sign-in email (needs a fresh sign-in and the current password)."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: render_template("auth/change_email.html", form=form), form=form,
                   field="current_password")
        services.change_email(current_user, form.current_password.data, form.email.data)
        db.session.commit()
        login_user(current_user)  # the secret rotated: keep this browser signed in
        flash("Email changed. A notice went to your previous address; other sessions were signed out.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/change_email.html", form=form)


#: Shown whatever was typed, so the page never tells whether an email has an account.
RESET_SENT = ("If that email belongs to an active account, a link to choose a new password is on its way. "
              "It works once, for one hour.")


@bp.route("/forgot-password", methods=("GET", "POST"))
@limiter.limit("5/minute;20/hour", methods=["POST"])
def forgot_password():
    """Ask for a password-reset link by email."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(RESET_SENT, "info")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=("GET", "POST"))
def reset_password(token: str):
    """Choose a new password from an emailed link: GET shows the form, POST changes it."""
    link, user = services.reset_token_user(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: render_template("auth/reset_password.html", form=form), form=form,
                   field="new_password")
        services.reset_password(link, user, form.new_password.data)
        db.session.commit()
        logout_user()
        session.clear()
        flash("Your password was changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/admin/users", methods=("GET", "POST"))
@role_required("admin")
def users():
    """Admins list accounts and create new ones."""
    form = UserForm()
    if form.validate_on_submit():
        on_refusal(render=lambda error: _users_page(form), form=form, field="email")
        user = services.create_user(form.email.data, form.name.data, form.password.data, form.role.data,
                                    actor=current_user)
        db.session.commit()
        flash(f"Account created for {user.email}.", "success")
        return redirect(url_for("auth.users"))
    return _users_page(form)


def _users_page(form: UserForm) -> str:
    accounts = db.session.scalars(sa.select(User).order_by(User.name)).all()
    return render_template("auth/users.html", form=form, accounts=accounts)


@bp.route("/admin/users/<int:user_id>/active", methods=("POST",))
@role_required("admin")
def toggle_active(user_id: int):
    """Disable or re-enable an account; disabling ends its sessions."""
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash("You cannot disable your own account.", "error")
    else:
        services.set_active(user, not user.active, actor=current_user)
        db.session.commit()
        flash(f"{user.email} is now {'active' if user.active else 'disabled'}.", "success")
    return redirect(url_for("auth.users"))
