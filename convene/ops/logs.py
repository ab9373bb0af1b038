"""Logging: plain text by default, or one JSON object per line (LOG_FORMAT = "json") for collectors.

In JSON mode every request also logs one line with its request id, route, status, duration and
user id. The route is the URL *rule* (``/rsvp/<token>``), never the path, so a personal-link token
cannot reach the log; no names, e-mail addresses or form values are logged either.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

#: An incoming X-Request-ID (e.g. nginx's $request_id) is kept when it looks like an id.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
#: Extra attributes a record may carry into the JSON line; anything else stays out.
FIELDS = ("request_id", "method", "route", "status", "duration_ms", "user_id")

request_log = logging.getLogger("convene.request")


class JSONFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the request fields, any exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update({name: getattr(record, name) for name in FIELDS if getattr(record, name, None) is not None})
        if record.exc_info:  # exc_text when a filter already wrote (and redacted) it
            line["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


JSONFormatter.converter = time.gmtime


class RequestIdFilter(logging.Filter):
    """Stamps every record logged during a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None and has_request_context():
            record.request_id = g.get("request_id")
        return True


def configure_logging(app: Flask) -> None:
    """Set the root logger's level and format, and give every request an id."""
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    if app.config.get("LOG_FORMAT", "text") == "json":
        use_json_format(logging.getLogger())
        app.before_request(start_request_timer)
        app.after_request(log_request)
    app.before_request(assign_request_id)
    app.after_request(echo_request_id)


def use_json_format(root: logging.Logger) -> None:
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for handler in root.handlers:
        handler.setFormatter(JSONFormatter())
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())


def assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex


def echo_request_id(response):
    response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
    return response


def start_request_timer() -> None:
    g.request_started = time.perf_counter()


def log_request(response):
    """One line per request; the user is the one already loaded (no extra query), as an id only."""
    started = g.get("request_started")
    user = g.get("_login_user")
    request_log.info(
        "request", extra={
            "request_id": g.get("request_id"), "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None, "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user_id": getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None})
    return response
