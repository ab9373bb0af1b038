"""The language switcher of public and attendee pages: remember the choice in a cookie, go back."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, request

from ..redirects import safe_redirect_target
from .locale import COOKIE, supported

bp = Blueprint("i18n", __name__)

#: A year: the choice is a preference, not a session.
COOKIE_AGE = 365 * 24 * 3600


@bp.route("/language/<code>")
def choose(code: str):
    """Switch the language of public pages (cookie) and return to the page the visitor came from."""
    chosen = supported(code)
    if chosen is None or chosen != code:
        abort(404)
    response = redirect(safe_redirect_target(request.args.get("next"), "/"), code=303)
    response.set_cookie(COOKIE, chosen, max_age=COOKIE_AGE, samesite="Lax", secure=request.is_secure,
                        httponly=True)
    return response
