"""Absolute URLs for whatever leaves the app (e-mails, calendar files, feeds), built from BASE_URL.

They never depend on the request that happens to be running: a reminder sent by the CLI,
a worker or a page must all point at the same address.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    """BASE_URL + the route's path (+ #anchor); no request context needed."""
    base = current_app.config["BASE_URL"].rstrip("/")
    adapter = current_app.url_map.bind(urlsplit(base).netloc or "localhost")
    path = adapter.build(endpoint, values, force_external=False)
    return base + path + (f"#{_anchor}" if _anchor else "")


def webcal(url: str) -> str:
    """The same address for calendar apps that subscribe (webcal://…)."""
    return "webcal://" + url.split("://", 1)[1]
