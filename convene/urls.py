"""Absolute URLs for whatever leaves the app (e-mails, calendar files, feeds), built from BASE_URL.

They never depend on the request that happens to be running: a reminder sent by the CLI,
a worker or a page must all point at the same address.
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter

#: The largest id an INTEGER primary key holds (PostgreSQL and the migrations use 32-bit ids).
MAX_ROW_ID = 2**31 - 1


def absolute_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    """BASE_URL + the route's path (+ #anchor); no request context needed."""
    base = current_app.config["BASE_URL"].rstrip("/")
    adapter = current_app.url_map.bind(urlsplit(base).netloc or "localhost")
    path = adapter.build(endpoint, values, force_external=False)
    return base + path + (f"#{_anchor}" if _anchor else "")


def row_links(endpoint: str, hole: str, **values) -> Callable[[int], str]:
    """A function row id → the route's URL for that row, from one url_for instead of one per row.

    `hole` names the route's id argument; the other values are the same for every row.
    """
    before, _, after = url_for(endpoint, **values, **{hole: MAX_ROW_ID}).partition(str(MAX_ROW_ID))
    return lambda row_id: f"{before}{row_id}{after}"


def webcal(url: str) -> str:
    """The same address for calendar apps that subscribe (webcal://…)."""
    return "webcal://" + url.split("://", 1)[1]


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: an id no table column can hold (over 2³¹−1) matches no route, so it
    answers 404 instead of reaching the database, where PostgreSQL refuses it with an error."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - werkzeug's names
                 max: int | None = MAX_ROW_ID, signed: bool = False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bound_row_ids(app) -> None:
    """Install RowIdConverter as `int` (before any route is added)."""
    app.url_map.converters["int"] = RowIdConverter
