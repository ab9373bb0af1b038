"""Response headers, idle timeout and the styled error pages."""
from __future__ import annotations

import logging
import re
import time

import sqlalchemy as sa
from flask import Flask, current_app, flash, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask_limiter.util import get_qualified_name
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from limits import parse_many
from werkzeug.datastructures import ImmutableMultiDict

from ..extensions import db, limiter

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


#: Working token links, per client address and endpoint: generous for real use, including calendar
#: clients polling feeds and invitees answering. Only successful look-ups count here.
TOKEN_LIMIT = "120/minute"
#: Failed look-ups (unknown, expired, revoked token, or a link used on someone else's objects)
#: count against a much lower limit of their own, which is what stops anyone guessing tokens.
#: Once over it, failures answer 429; a working link still opens: behind a venue's shared
#: address, a few mistyped links must not lock every invitee out.
TOKEN_FAILURE_LIMIT = "20/minute;200/day"
#: The statuses of a failed look-up. A working link whose form has a mistake (400/409/422) is not one.
FAILED_LOOKUP_STATUSES = frozenset({403, 404, 410})


def init_app(app: Flask) -> None:
    """Runs last in create_app, so every blueprint's routes are known here."""
    app.before_request(refuse_nul_characters)
    app.before_request(enforce_idle_timeout)
    app.after_request(set_security_headers)
    app.after_request(limit_failed_link_lookups)
    register_error_pages(app)
    limit_token_endpoints(app)
    install_token_log_filter(app)


def token_endpoints(app: Flask) -> dict[str, str]:
    """{endpoint: rule} for every route whose URL carries a personal-link token."""
    return {rule.endpoint: rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments}


def failed_lookup(response) -> bool:
    return response.status_code in FAILED_LOOKUP_STATUSES


def succeeded(response) -> bool:
    """What the limits written on token routes count: never a failed look-up, never a refusal."""
    return not failed_lookup(response) and response.status_code != 429


def limit_token_endpoints(app: Flask) -> None:
    """Rate limit every token route, including ones other areas add later, without touching their code.

    Every limit on a token route (TOKEN_LIMIT, and any an area wrote on its view) counts only
    successful answers, so failures cannot use it up; failures have limit_failed_link_lookups.
    """
    for endpoint in token_endpoints(app):
        view = limiter.limit(TOKEN_LIMIT, deduct_when=succeeded)(app.view_functions[endpoint])
        for group in limiter.limit_manager._decorated_limits.get(get_qualified_name(view), []):
            if group.deduct_when is None:
                group.deduct_when = succeeded
        app.view_functions[endpoint] = view
        app.extensions.setdefault("token_endpoints", set()).add(endpoint)


def limit_failed_link_lookups(response):
    """Count a failed look-up on a token route against TOKEN_FAILURE_LIMIT (per client address and
    route); over the limit, the failure answers 429 instead. Successful answers never look here."""
    if (not limiter.enabled or not failed_lookup(response)
            or request.endpoint not in current_app.extensions.get("token_endpoints", ())):
        return response
    keys = [limiter._key_func(), f"token-failures/{request.endpoint}"]
    if limiter._key_prefix:
        keys.insert(0, limiter._key_prefix)
    for item in parse_many(TOKEN_FAILURE_LIMIT):
        if not limiter.limiter.hit(item, *keys):
            reset_at = limiter.limiter.get_window_stats(item, *keys).reset_time
            refused, _status = error_response(429, _l("Too many attempts"), TOO_MANY_ATTEMPTS)
            refused = current_app.make_response((refused, 429))
            refused.headers["Retry-After"] = str(max(1, int(reset_at - time.time()) + 1))
            return refused  # set_security_headers runs after this hook (hooks run last-registered first)
    return response


class TokenRedactingFilter(logging.Filter):
    """Replaces the token in personal-link paths with [token] in log lines that carry a path,
    the exception text logged with them included.

    A token is as good as a password for the invitation or feed it opens, and access logs
    are kept longer and read by more people than the database.
    """

    def __init__(self, patterns: list[re.Pattern]):
        super().__init__()
        self.patterns = patterns

    def redact(self, text: str) -> str:
        for pattern in self.patterns:
            text = pattern.sub(lambda m: m.group(1) + "[token]", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:  # formatters use exc_text when it is set
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


#: Path prefixes that carry tokens even if their routes are not (yet) registered.
KNOWN_TOKEN_PREFIXES = ("/rsvp/", "/my/", "/my-next-steps/", "/feeds/", "/reset-password/", "/review/")


SEGMENT = r"[^/\s?\"#]+"


def token_log_patterns(app: Flask) -> list[re.Pattern]:
    """One regex per token route (its path up to <token>, other arguments as wildcards), plus known prefixes."""
    prefixes = {re.escape(prefix) for prefix in KNOWN_TOKEN_PREFIXES}
    for rule in token_endpoints(app).values():
        before_token = re.split(r"<(?:[^:>]+:)?token>", rule, maxsplit=1)[0]
        parts = re.split(r"<[^>]+>", before_token)
        prefixes.add(SEGMENT.join(re.escape(part) for part in parts))
    return [re.compile("(" + prefix + ")" + SEGMENT) for prefix in sorted(prefixes)]


#: Loggers that print request paths: the access logs of the dev server and gunicorn, gunicorn's
#: error log ("Error handling request GET /my/<token>") and, added per app, Flask's own
#: ("Exception on /my/<token> [GET]"). A filter on a logger sees only that logger's records.
PATH_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def install_token_log_filter(app: Flask) -> None:
    """Attach the redacting filter to every logger that prints request paths."""
    log_filter = TokenRedactingFilter(token_log_patterns(app))
    for name in (*PATH_LOGGERS, app.logger.name):
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, TokenRedactingFilter)]:
            logger.removeFilter(old)
        logger.addFilter(log_filter)
    app.extensions["token_log_filter"] = log_filter


def refuse_nul_characters():
    """Refuse a form (or path) carrying a NUL character; drop NULs from query strings.

    No person types one, PostgreSQL cannot store or even compare one in text, and some
    libraries cut strings at it. A form with one is refused here, once, so no area can
    half-save or fail on it; a search or filter simply ignores it. (File names are left
    to the upload code, which reduces them to safe display names.)
    """
    if any("\x00" in value for value in request.args.values()):
        request.args = ImmutableMultiDict(
            [(key, value.replace("\x00", "")) for key, value in request.args.items(multi=True)])
    values = [request.path]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += [v for vs in request.form.listvalues() for v in vs]
    if any("\x00" in value for value in values):
        return error_response(400, "Bad request", "The form contained an invisible control character (NUL) that "
                                          "cannot be stored. Remove it and submit again; nothing was saved.")
    return None


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


def error_response(status: int, title: str, message: str):
    """The styled error page (or a JSON error body for an API client) with status."""
    title, message = str(title), str(message)  # lazy catalog strings: in the request's language
    if _wants_json():
        return jsonify(error=title, message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def database_unavailable(error):
    """A lost or refused database connection: roll back, answer 503 and ask for a retry, never a 500.

    The pool checks connections before use (pool_pre_ping), so this is only reached when the
    database goes away during a request or is down altogether."""
    logging.getLogger(__name__).warning("database unavailable: %s", error.orig or error)
    db.session.rollback()
    response = make_response(error_response(
        503, _l("Briefly unavailable"), _l("The database could not be reached. Nothing was saved half-way; "
                                           "please try again in a moment.")))
    response.headers["Retry-After"] = "5"
    return response


TOO_MANY_ATTEMPTS = _l("Too many requests in a short time. Please wait a minute and try again.")


def register_error_pages(app: Flask) -> None:
    pages = {
        400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
        403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
        404: (_l("Not found"), _l("There is nothing at this address, or it is not shared with you.")),
        405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
        413: (_l("Too large"), _l("The upload is larger than this site accepts.")),
        429: (_l("Too many attempts"), TOO_MANY_ATTEMPTS),
        500: (_l("Something went wrong"), _l("The error has been logged. Nothing you entered was saved half-way; "
                                             "please try again.")),
    }
    for status, (title, message) in pages.items():
        app.register_error_handler(status, lambda error, s=status, t=title, m=message: error_response(s, t, m))
    for lost_connection in (sa.exc.OperationalError, sa.exc.InterfaceError):
        app.register_error_handler(lost_connection, database_unavailable)
    app.register_error_handler(
        CSRFError,
        lambda error: error_response(400, _l("Form expired"), _l("The form was open too long or came from "
                                                                 "elsewhere. Reload the page and submit it again.")))
