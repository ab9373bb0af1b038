"""Where the app may send a browser back to: one check for every `next` or return address it accepts.

A return address comes from the request, so anyone can write it into a link. It is followed
only when it parses as a path of this app: no scheme, no host (not even a scheme-relative
`//host`), no control characters or backslashes anywhere (a browser drops a tab or newline and
reads `/\t/evil.example` as `//evil.example`), and it matches a GET route of the app. Anything
else sends the browser to the page the caller names as the fallback.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

#: Longer return addresses are not worth the risk of parsing surprises; no page of the app needs one.
MAX_LENGTH = 2000


def _has_unsafe_characters(text: str) -> bool:
    return "\\" in text or any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text)


def is_app_path(path: str) -> bool:
    """Whether a decoded path is served by a GET route of this app (a trailing-slash redirect counts)."""
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


def safe_redirect_target(target: str | None, fallback: str) -> str:
    """The target when it is a path of this app (see the module docstring), else the fallback."""
    if not target or not target.startswith("/") or len(target) > MAX_LENGTH or _has_unsafe_characters(target):
        return fallback
    parts = urlsplit(target)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return fallback
    if _has_unsafe_characters(path) or not is_app_path(path):
        return fallback
    return urlunsplit(("", "", parts.path, parts.query, ""))
