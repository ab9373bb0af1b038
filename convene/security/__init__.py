"""Response headers, idle timeout and the styled error pages."""
from __future__ import annotations

import time

from flask import Flask, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    app.before_request(enforce_idle_timeout)
    app.after_request(set_security_headers)
    register_error_pages(app)


def enforce_idle_timeout():
    """Sign out a session that has been idle longer than IDLE_TIMEOUT_MINUTES."""
    from flask import current_app

    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    limit = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    last = session.get("last_seen")
    if last is not None and now - int(last) > limit:
        logout_user()
        session.clear()
        flash("You were signed out after a period of inactivity.", "info")
        return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
    session["last_seen"] = now
    return None


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Personal links carry tokens in the URL: never send them on in a Referer.
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _error(status: int, title: str, message: str):
    if _wants_json():
        return jsonify(error=title, message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_pages(app: Flask) -> None:
    pages = {
        400: ("Bad request", "The request could not be understood. Please go back and try again."),
        403: ("Not allowed", "Your account does not have access to this page."),
        404: ("Not found", "There is nothing at this address, or it is not shared with you."),
        405: ("Not allowed", "This address does not accept that kind of request."),
        413: ("Too large", "The upload is larger than this site accepts."),
        429: ("Too many attempts", "Too many requests in a short time. Please wait a minute and try again."),
        500: ("Something went wrong", "The error has been logged. Nothing you entered was saved half-way; "
                                      "please try again."),
    }
    for status, (title, message) in pages.items():
        app.register_error_handler(status, lambda error, s=status, t=title, m=message: _error(s, t, m))
    app.register_error_handler(
        CSRFError,
        lambda error: _error(400, "Form expired", "The form was open too long or came from elsewhere. "
                                                  "Reload the page and submit it again."))
